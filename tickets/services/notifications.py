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
import operator
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import partial, reduce
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from tickets.models import (
    Event,
    EventKind,
    Notification,
    Role,
    ServiceRequest,
    Status,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from tickets.services.common import clip
from tickets.services.permissions import approvers_q

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
        if req.status == Status.PENDING_APPROVAL:
            # Nobody works a request before it is approved: its approvers hear of it (waiting_for_approval).
            return Q(pk__in=[]), ""
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
            return Q(pk=req.requester_id), f"请求 {number} 已通过一级审批，等待下一级审批"
        if event.action == "cancel" and event.from_status == Status.PENDING_APPROVAL:
            # Withdrawn before approval: the contractor never had it; its approvers no longer need to act.
            return approvers_q(req), title
        if event.action in ("reopen", "cancel"):
            return dispatchers_of(req) | Q(pk=req.assignee_id), title
        return Q(pk=req.requester_id), title
    return Q(pk__in=[]), ""


def waiting_for_approval(event: Event) -> tuple[Q, str] | None:
    """The approvers of the request's current level, when the event leaves it waiting for them: it was filed
    needing approval, or a level approved and the next is due. Approval follows the unit tree (the nearest unit
    up with an approver), then the bureau's office for the service line."""
    req = event.request
    if req.status != Status.PENDING_APPROVAL:
        return None
    if event.kind == EventKind.CREATED or (event.kind == EventKind.TRANSITION and event.action == "approve"):
        return approvers_q(req), f"待您审批 {req.number}：{req.title}"
    return None


def _active_users(who: Q) -> list[User]:
    return list(User.objects.filter(who, is_active=True))


def notify_for_event(event: Event) -> None:
    if _too_old_for_inbox(event):
        return
    audiences = [recipients_for(event)]
    if (approvers := waiting_for_approval(event)) is not None:
        audiences.insert(0, approvers)  # one row per person and event: an approver who is also told otherwise
    wrote = False
    for who, title in audiences:
        if not title:
            continue
        users = _memo(("users", who), partial(_active_users, who))
        _write_rows(event=event, recipients=[u for u in users if u.pk != event.actor_id], title=title)
        wrote = True
    if wrote:
        _deliver(event)


TITLE_LENGTH = Notification._meta.get_field("title").max_length or 200


def notify(*, event: Event, recipients: Iterable[User], title: str, body: str = "") -> None:
    """Write the in-app rows now; queue the e-mail and webhook tasks for after the commit, unless suppressed."""
    if _too_old_for_inbox(event):
        return
    _write_rows(event=event, recipients=recipients, title=title, body=body)
    _deliver(event)


def _write_rows(*, event: Event, recipients: Iterable[User], title: str, body: str = "") -> None:
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


def _deliver(event: Event) -> None:
    """Record the webhook deliveries and queue the e-mail and webhook tasks for after the commit (once per event)."""
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


def notify_for_events(events: Sequence[Event]) -> None:
    """``notify_for_event`` for a batch (the sweeper's), in a fixed number of queries whatever its length.

    The recipients are those of ``recipients_for``: every distinct audience of the batch is one boolean column of a
    single query over the users, then one insert of the in-app rows, one read of the webhook endpoints and one
    insert of their deliveries. After the commit one task sends the batch's e-mails and one task per delivery
    posts a webhook.
    """
    plans: list[tuple[Event, int, str]] = []
    audiences: dict[Q, int] = {}
    for event in events:
        if _too_old_for_inbox(event):
            continue
        who, title = recipients_for(event)
        if title:
            plans.append((event, audiences.setdefault(who, len(audiences)), title))
    if not plans:
        return
    members: dict[int, list[User]] = {i: [] for i in audiences.values()}
    flags = {f"audience_{i}": ExpressionWrapper(q, output_field=BooleanField()) for q, i in audiences.items()}
    for user in User.objects.filter(reduce(operator.or_, audiences), is_active=True).annotate(**flags):
        for i, listed in members.items():
            if getattr(user, f"audience_{i}"):
                listed.append(user)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                event=event,
                request_id=event.request_id,
                title=title,
                body=event.note,
                created_at=event.created_at,
            )
            for event, audience, title in plans
            for user in members[audience]
            if user.pk != event.actor_id
        ],
        ignore_conflicts=True,
    )
    if deliveries_are_suppressed():
        return
    endpoints = list(WebhookEndpoint.objects.filter(active=True).values_list("pk", "service_line", "event_kinds"))
    queued: list[tuple[int, list[int]]] = []
    for event, _audience, _title in plans:
        line = event.request.service_line
        queued.append(
            (
                event.pk,
                [
                    pk
                    for pk, on_line, kinds in endpoints
                    if on_line in ("", line) and (not kinds or event.kind in kinds)
                ],
            )
        )
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint_id=pk, event_id=event_id) for event_id, pks in queued for pk in pks],
        ignore_conflicts=True,
    )

    def enqueue() -> None:
        from tickets import tasks

        tasks.send_events_emails.delay([event_id for event_id, _pks in queued])  # one message for the batch
        for event_id, pks in queued:
            for pk in pks:
                tasks.deliver_webhook.delay(pk, event_id)

    transaction.on_commit(enqueue)
