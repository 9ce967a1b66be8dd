"""Read paths with their related rows loaded, so a list costs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Case, IntegerField, Model, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf

from tickets.models import (
    Complaint,
    Contractor,
    Event,
    Notification,
    Room,
    ServiceRequest,
    User,
)
from tickets.pagination import count_upto
from tickets.querysets import ServiceRequestQuerySet
from tickets.services.permissions import awaiting_approval_q, is_bureau_for


def time_bucket(field: str, starts: Sequence[datetime]) -> Case:
    """The index of the period (starting at `starts`, ascending) a timestamp falls in, as comparisons with the
    periods' boundaries: every database evaluates them natively, where truncating to a local day or month ran a
    Python function per row on SQLite (1.2 s for a year's trend at 100k). Rows before starts[0] count in the
    first period: filter them out first."""
    whens = [When(**{f"{field}__lt": start}, then=Value(i - 1)) for i, start in enumerate(starts) if i]
    return Case(*whens, default=Value(len(starts) - 1), output_field=IntegerField())


def visible_requests(*, user: User) -> ServiceRequestQuerySet:
    return ServiceRequest.objects.visible_to(user)


def request_list(*, user: User) -> QuerySet[ServiceRequest]:
    return visible_requests(user=user).with_list_relations()


def awaiting_approval(*, user: User) -> ServiceRequestQuerySet:
    """The requests waiting for this user's approval now (待审批), oldest first: the unit approver's (by the unit
    tree) and the bureau's for its line. Within what the user sees, so a filter can never widen visibility."""
    return visible_requests(user=user).filter(awaiting_approval_q(user)).order_by("created_at", "id")


def request_page_rows(*, user: User) -> QuerySet[ServiceRequest]:
    """What a list page reads: see ServiceRequestQuerySet.with_page_columns."""
    return visible_requests(user=user).with_page_columns()


def _name(model: type[Model], key: str, field: str = "name") -> Subquery:
    # order_by(): a model's default ordering (rooms by building and number) would join and sort in every subquery.
    return Subquery(model._default_manager.filter(pk=OuterRef(key)).order_by().values(field)[:1])


def _person(key: str) -> Subquery:
    # str(user): the full name, or the user name when none was entered.
    shown = Coalesce(NullIf("full_name", Value("")), "username")
    return Subquery(User.objects.filter(pk=OuterRef(key)).order_by().values(shown=shown)[:1])


def list_names() -> dict[str, Subquery]:
    """The names a list row shows beyond the three it joins (category, compound, building): see RequestRows."""
    return {
        "room_number": _name(Room, "room_id", "number"),
        "contractor_name": _name(Contractor, "contractor_id"),
        "assignee_name": _person("assignee_id"),
        "requester_name": _person("requester_id"),
    }


class RequestRows:
    """The request list as the paginator sees it: counted on the filtered queryset itself, and read one page at a
    time as rows of `columns` with the names of its category, place and people.

    Counting apart keeps the count free of joins (SQLite joined all 15k rows of an open queue when the names were
    selected in the counted query). The page joins three small tables and takes the other names from scalar
    subqueries: PostgreSQL spent 28 ms planning the seven-way join against 1 ms executing it (it weighs every join
    order against every index of the request table), 0.6 ms planning this; each subquery costs Django about
    0.4 ms to compile, so the three joins stay (bench/core_bench.py)."""

    def __init__(self, queryset: QuerySet[ServiceRequest], columns: Sequence[str]) -> None:
        self.queryset, self.columns = queryset, columns

    @property
    def ordered(self) -> bool:
        return self.queryset.ordered

    def count_upto(self, limit: int) -> int:
        """The capped paginator's count (tickets/pagination.py), on the filtered queryset itself."""
        return count_upto(self.queryset, limit)

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return list(self.queryset.values(*self.columns).annotate(**list_names())[page])


def request_detail_queryset(*, user: User) -> QuerySet[ServiceRequest]:
    return (
        request_list(user=user)
        # One row: its people, room, contractor and unit joined rather than looked up one query each (the list's
        # prefetches find them already there and read nothing).
        .select_related("policy_version__policy", "room", "contractor", "assignee", "requester", "filed_by", "unit")
        .prefetch_related(
            Prefetch("events", queryset=Event.objects.select_related("actor").order_by("created_at", "id")),
            "comments__author",
            "attachments",
        )
    )


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def complaints_for(*, user: User) -> QuerySet[Complaint]:
    qs = Complaint.objects.select_related("request", "contractor")
    if user.is_superuser or user.role == "admin":
        return qs
    if user.role == "supervisor" and is_bureau_for(user, user.service_line):
        return qs.filter(service_line=user.service_line)
    return qs.none()
