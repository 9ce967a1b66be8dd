"""Read paths with their related rows loaded, so a list costs a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from tickets.models import Complaint, Event, Notification, ServiceRequest, User
from tickets.services.permissions import is_bureau_for


def request_list(*, user: User) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.visible_to(user).with_list_relations()


def request_detail_queryset(*, user: User) -> QuerySet[ServiceRequest]:
    return (
        request_list(user=user)
        .select_related("policy_version__policy", "filed_by")
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
