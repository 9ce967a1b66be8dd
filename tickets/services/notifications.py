"""Notifications: in-app rows written with the event, e-mail and webhooks sent by Celery after commit.

Each (event, recipient) pair is unique in the database, and e-mail and webhook deliveries are claimed with a
conditional UPDATE before they go out, so a task run twice or on two workers sends once.

History filed after the fact (the demo's year of requests, a migration from an old system) runs inside
``deliveries_suppressed()``: the events and in-app rows are written as usual, but nothing leaves the building.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tickets.models import (
    Event,
    EventKind,
    Notification,
    Role,
    ServiceRequest,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from tickets.services.common import clip

STATUS_TITLES = {
    "approve": "已审批通过",
    "accept": "已受理",
    "start": "已开始处理",
    "hold": "已挂起",
    "resume": "已恢复处理",
    "resolve": "已办结，请确认并评价",
    "confirm": "已确认关闭",
    "reopen": "已重开",
    "cancel": "已取消",
    "reject": "已驳回",
    "close": "已关闭",
}


@dataclass(frozen=True)
class _Suppression:
    inbox_since: datetime | None


# A context variable, not a module global: it holds for the thread or task that opened the block and nowhere
# else, so a web or worker process running alongside a back-fill still sends its own mail.
_suppressed: ContextVar[_Suppression | None] = ContextVar("servicedesk_deliveries_suppressed", default=None)


@contextmanager
def deliveries_suppressed(*, inbox_since: datetime | None = None) -> Iterator[None]:
    """File back-dated history without telling the outside world.

    Within the block ``notify`` still writes the in-app ``Notification`` rows (and the services their events),
    so the history reads as it happened, but it creates no ``WebhookDelivery`` rows and queues no e-mail or
    webhook task: those events happened long ago. Events dated before ``inbox_since`` (when given) get no
    in-app row either, since their recipients would long have read them. Whether to deliver is decided when the
    event is notified, not at commit, so a block that closes before its transaction commits still holds for
    what it wrote. The innermost block wins.
    """
    token = _suppressed.set(_Suppression(inbox_since=inbox_since))
    try:
        yield
    finally:
        _suppressed.reset(token)


def deliveries_are_suppressed() -> bool:
    return _suppressed.get() is not None


def _too_old_for_inbox(event: Event) -> bool:
    suppression = _suppressed.get()
    return bool(suppression and suppression.inbox_since and event.created_at < suppression.inbox_since)


# Per-block memo of who is in an audience and which webhooks listen: a sweep that flags 150 requests of one
# contractor reads its dispatchers and the bureau's endpoints once, not 150 times. A block lasts one sweep, so an
# edit to users or endpoints is seen by the next one.
_lookups: ContextVar[dict[object, list[object]] | None] = ContextVar("servicedesk_notify_lookups", default=None)


@contextmanager
def lookups_cached() -> Iterator[None]:
    token = _lookups.set({})
    try:
        yield
    finally:
        _lookups.reset(token)


def _memo(key: object, read: Callable[[], list[Any]]) -> list[Any]:
    cache = _lookups.get()
    if cache is None:
        return read()
    if key not in cache:
        cache[key] = read()
    return cache[key]


def dispatchers_of(service_request: ServiceRequest) -> Q:
    return (
        Q(role=Role.DISPATCHER, contractor_id=service_request.contractor_id)
        if service_request.contractor_id
        else Q(pk__in=[])
    )


def supervisors_of(service_request: ServiceRequest) -> Q:
    return Q(role=Role.SUPERVISOR, service_line=service_request.service_line)


def recipients_for(event: Event) -> tuple[Q, str]:
    """Who hears of an event, and the title they see."""
    req = event.request
    number = req.number
    if event.kind == EventKind.CREATED:
        who = dispatchers_of(req) if req.contractor_id else supervisors_of(req)
        return who, f"新请求 {number}：{req.title}"
    if event.kind in (EventKind.ASSIGNED, EventKind.REASSIGNED):
        if event.kind == EventKind.REASSIGNED:
            return dispatchers_of(req), f"改派给您的请求 {number}：{req.title}"
        return Q(pk=req.assignee_id), f"派给您的请求 {number}：{req.title}"
    if event.kind == EventKind.SLA_WARNING:
        return dispatchers_of(req), f"请求 {number} 即将超时（{event.changes.get('target_label', '')}）"
    if event.kind == EventKind.SLA_BREACH:
        return supervisors_of(req) | dispatchers_of(
            req
        ), f"请求 {number} 已超时（{event.changes.get('target_label', '')}）"
    if event.kind == EventKind.COMPLAINT:
        return supervisors_of(req), f"请求 {number} 收到差评，请于1个工作日内回访"
    if event.kind == EventKind.COMMENT:
        if event.changes.get("internal"):
            return dispatchers_of(req) | Q(pk=req.assignee_id) | supervisors_of(req), f"请求 {number} 有新的内部备注"
        if event.actor_id == req.requester_id:
            return dispatchers_of(req) | Q(pk=req.assignee_id), f"请求 {number} 有新留言"
        return Q(pk=req.requester_id), f"请求 {number} 有新留言"
    if event.kind == EventKind.TRANSITION:
        title = f"请求 {number} {STATUS_TITLES.get(event.action, '')}"
        if event.action == "approve" and req.status == "submitted":
            return Q(pk=req.requester_id) | dispatchers_of(req), title
        if event.action == "approve":
            return Q(pk=req.requester_id), title
        if event.action in ("reopen", "cancel"):
            return dispatchers_of(req) | Q(pk=req.assignee_id), title
        return Q(pk=req.requester_id), title
    return Q(pk__in=[]), ""


def notify_for_event(event: Event) -> None:
    if _too_old_for_inbox(event):
        return
    who, title = recipients_for(event)
    if not title:
        return
    users = _memo(("users", who), lambda: list(User.objects.filter(who, is_active=True)))
    notify(event=event, recipients=[u for u in users if u.pk != event.actor_id], title=title)


TITLE_LENGTH = Notification._meta.get_field("title").max_length or 200


def notify(*, event: Event, recipients: Iterable[User], title: str, body: str = "") -> None:
    """Write the in-app rows now; queue the e-mail and webhook tasks for after the commit, unless suppressed."""
    if _too_old_for_inbox(event):
        return
    rows = [
        Notification(
            recipient=user,
            event=event,
            request_id=event.request_id,
            title=clip(title, TITLE_LENGTH),
            body=body or event.note,
            created_at=event.created_at,
        )
        for user in recipients
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if deliveries_are_suppressed():
        return
    service_line = event.request.service_line
    endpoints = _memo(
        ("endpoints", service_line),
        lambda: list(
            WebhookEndpoint.objects.filter(active=True)
            .filter(Q(service_line="") | Q(service_line=service_line))
            .values_list("pk", "event_kinds")
        ),
    )
    endpoint_ids = [pk for pk, kinds in endpoints if not kinds or event.kind in kinds]
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint_id=pk, event=event) for pk in endpoint_ids], ignore_conflicts=True
    )
    event_id = event.pk

    def enqueue() -> None:
        from tickets import tasks

        tasks.send_event_emails.delay(event_id)
        for pk in endpoint_ids:
            tasks.deliver_webhook.delay(pk, event_id)

    transaction.on_commit(enqueue)


def send_event_emails(*, event_id: int, now: datetime | None = None) -> int:
    """Send the e-mail of each notification of the event once; returns how many went out."""
    now = now or timezone.now()
    sent = 0
    pending = Notification.objects.filter(event_id=event_id, emailed_at__isnull=True).select_related("recipient")
    for note in pending:
        if not note.recipient.email:
            continue
        # Claim first: a second worker running the same task finds nothing left to claim.
        claimed = Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(emailed_at=now)
        if not claimed:
            continue
        send_mail(note.title, note.body or note.title, None, [note.recipient.email], fail_silently=False)
        sent += 1
    return sent


def webhook_payload(event: Event) -> dict[str, object]:
    req = event.request
    return {
        "event": event.kind,
        "action": event.action,
        "request": {"id": req.pk, "number": req.number, "title": req.title, "status": req.status},
        "from_status": event.from_status,
        "to_status": event.to_status,
        "at": event.created_at.isoformat(),
        "note": event.note,
    }


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver_webhook(*, endpoint_id: int, event_id: int, now: datetime | None = None) -> bool:
    """POST the signed event once. Raises on a failed POST so the task retries with backoff."""
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(endpoint_id=endpoint_id, event_id=event_id)
    row = delivery.first()
    if row is None or row.delivered_at is not None:
        return False
    event = Event.objects.select_related("request").get(pk=event_id)
    body = json.dumps(webhook_payload(event), ensure_ascii=False).encode()
    req = urllib.request.Request(  # noqa: S310 - the bureau configures the URL in the admin
        row.endpoint.url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Servicedesk-Signature": sign(row.endpoint.secret, body),
            # A redelivered POST (after a worker died mid-send) carries the same id, so receivers can drop it.
            "X-Servicedesk-Delivery": str(row.pk),
        },
        method="POST",
    )
    WebhookDelivery.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
    try:
        with urllib.request.urlopen(req, timeout=settings.SERVICEDESK["WEBHOOK_TIMEOUT_SECONDS"]) as resp:  # noqa: S310
            if resp.status >= 300:
                raise OSError(f"HTTP {resp.status}")
    except OSError as exc:
        WebhookDelivery.objects.filter(pk=row.pk).update(last_error=str(exc)[:300])
        raise
    WebhookDelivery.objects.filter(pk=row.pk, delivered_at__isnull=True).update(delivered_at=now, last_error="")
    return True


def mark_read(*, user: User, ids: list[int] | None = None, now: datetime | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now or timezone.now())
