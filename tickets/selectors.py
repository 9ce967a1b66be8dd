"""Read paths with their related rows loaded, so a list costs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet

from tickets.models import Complaint, Event, Notification, ServiceRequest, User
from tickets.services.permissions import is_bureau_for


def request_list(*, user: User) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.visible_to(user).with_list_relations()


class RequestRows:
    """The request list as the paginator sees it: counted on the filtered queryset itself, so the count joins
    nothing, and read one page at a time as rows of `columns`, so only the page pays for the joins that name its
    category, place and people (selecting related names in the counted query made SQLite join them for all 15k rows
    of an open queue)."""

    def __init__(self, queryset: QuerySet[ServiceRequest], columns: Sequence[str]) -> None:
        self.queryset, self.columns = queryset, columns

    @property
    def ordered(self) -> bool:
        return self.queryset.ordered

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return list(self.queryset.values(*self.columns)[page])


def request_detail_queryset(*, user: User) -> QuerySet[ServiceRequest]:
    return (
        request_list(user=user)
        .select_related("policy_version__policy", "filed_by", "unit")
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
