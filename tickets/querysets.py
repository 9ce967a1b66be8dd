"""Read paths for requests: visibility and the SLA states the sweeper and the pages ask about."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from tickets.models.choices import OPEN_STATUSES, Role

if TYPE_CHECKING:
    from tickets.models.org import User
    from tickets.models.requests import ServiceRequest  # noqa: F401  (named in the base class below, as a string)


# What makes a request open (stored as ServiceRequest.is_open) and breached. The breached condition is shared with the
# partial index that serves it: a database uses a partial index only when the query repeats its condition.
OPEN_Q = Q(status__in=OPEN_STATUSES)
BREACH_FLAGS = ("response_breached", "arrival_breached", "resolution_breached")
BREACHED_Q = Q(response_breached=True) | Q(arrival_breached=True) | Q(resolution_breached=True)


def visibility_q(user: User, prefix: str = "") -> Q | None:
    """Who sees which requests; None means everything. `prefix` lets other models filter through a relation."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser or user.role == Role.ADMIN:
        return None
    own = Q(**{f"{prefix}requester": user}) | Q(**{f"{prefix}filed_by": user})
    if user.role == Role.SUPERVISOR:
        return own | Q(**{f"{prefix}service_line": user.service_line}) if user.service_line else own
    if user.role == Role.UNIT_APPROVER and user.unit_id:
        # The unit and its sub-units (the tree the bureau imports), read once per user object.
        from tickets.services.permissions import unit_scope_ids

        return own | Q(**{f"{prefix}unit_id__in": sorted(unit_scope_ids(user))})
    if user.role in (Role.DISPATCHER, Role.WORKER) and user.contractor_id:
        return Q(**{f"{prefix}contractor_id": user.contractor_id})
    return own_q(user, prefix)


def own_q(user: User, prefix: str = "") -> Q:
    """The requests a user filed or asked for (the "my requests" page of every role).

    A union of two index look-ups rather than an OR: with the OR, PostgreSQL filled a requester's page by walking the
    creation-time index back through everyone else's requests (13 ms against 3 ms at 100k)."""
    from tickets.models import ServiceRequest

    mine = ServiceRequest.objects.order_by().filter(requester=user).values("pk")
    filed = ServiceRequest.objects.order_by().filter(filed_by=user).values("pk")
    return Q(**{f"{prefix}pk__in": mine.union(filed)})


#: What a list page reads of a request (tickets.web.common.decorate, transitions.allowed_actions, the row templates).
PAGE_COLUMNS = (
    "kind", "category__name", "category__name_en", "category__needs_approval", "category__kind",
    "service_line", "urgency", "title", "requester_id", "filed_by_id", "unit_id",
    "compound__name", "building__name", "building__compound_id", "room_id", "status", "approval_stage",
    "contractor_id", "assignee_id", "paused_at", "created_at", "updated_at",
    *(f"{t}_{c}" for t in ("response", "arrival", "resolution") for c in ("due", "warn_at", "breached")),
    "responded_at", "arrived_at", "resolved_at",
)  # fmt: skip


class ServiceRequestQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: User) -> ServiceRequestQuerySet:
        q = visibility_q(user)
        return self if q is None else self.filter(q)

    def open(self) -> ServiceRequestQuerySet:
        return self.filter(is_open=True)

    def breached(self) -> ServiceRequestQuerySet:
        return self.filter(BREACHED_Q)

    def due_for_sla_check(self, at: datetime) -> ServiceRequestQuerySet:
        return self.filter(next_sla_check_at__lte=at, paused_at__isnull=True, status__in=OPEN_STATUSES)

    def with_page_columns(self) -> ServiceRequestQuerySet:
        """A page's rows: the columns a row shows and what its SLA colour, countdown and one-tap actions read, the
        category and place joined, the other names as scalar subqueries (`room_number`, `assignee_name`,
        `contractor_name`, `requester_name`). One query for the page: no prefetch, and no model built for people
        or rooms (a page of 50 full rows with four prefetches cost 25 ms of CPU on SQLite, this 3 ms)."""
        from tickets.selectors import list_names

        return self.select_related("category", "compound", "building").only(*PAGE_COLUMNS).annotate(**list_names())

    def with_list_relations(self) -> ServiceRequestQuerySet:
        # Three joins and four small look-ups rather than seven joins: PostgreSQL spends ~28 ms planning a join of
        # eight tables against the request table's indexes, under 1 ms for four (see selectors.RequestRows).
        return self.select_related("category", "compound", "building").prefetch_related(
            "room", "contractor", "assignee", "requester"
        )
