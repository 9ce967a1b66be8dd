"""The satisfaction loop: confirm and rate, act on bad ratings, close unrated requests, call back."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tickets import signals
from tickets.exceptions import TransitionNotAllowed
from tickets.models import Complaint, EventKind, Feedback, ServiceRequest, Status, User
from tickets.registry import find_kind
from tickets.services import deadlines, notifications
from tickets.services.common import now_or, record_event
from tickets.services.permissions import is_bureau_for
from tickets.services.transitions import transition
from tickets.sla.clock import add_working_days


def feedback_submit(
    *, service_request: ServiceRequest, actor: User, rating: int, comment: str = "", now: datetime | None = None
) -> Feedback:
    """Confirm and rate. A low rating reopens the work (when the request's kind allows reopening: a finished trip
    cannot be driven again) and opens a complaint with a callback due."""
    now = now_or(now)
    low = settings.SERVICEDESK["LOW_RATING"]
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": [_("评分必须是1到5之间的整数。")]})
    if rating <= low and not comment.strip():
        raise ValidationError({"comment": [_("评分为%(low)d分及以下时请填写原因。") % {"low": low}]})
    with transaction.atomic():
        status = ServiceRequest.objects.select_for_update().values_list("status", flat=True).get(pk=service_request.pk)
        if Feedback.objects.filter(request_id=service_request.pk).exists():
            raise TransitionNotAllowed(_("该请求已评价。"), action="rate", status=status)
        if status != Status.RESOLVED:
            # Said as rating, not as the reopen or confirm a rating takes underneath.
            raise TransitionNotAllowed(
                _("请求当前状态为“%(status)s”，不能评价。") % {"status": Status(status).label},
                action="rate",
                status=status,
            )
        kind = find_kind(service_request.kind)
        reopens = rating <= low and (kind is None or kind.allows("reopen"))
        action = "reopen" if reopens else "confirm"
        req = transition(service_request=service_request, action=action, actor=actor, now=now, note=comment)
        if Feedback.objects.filter(request=req).exists():
            raise TransitionNotAllowed(_("该请求已评价。"), action="rate", status=req.status)
        feedback = Feedback.objects.create(
            request=req,
            rating=rating,
            comment=comment,
            rated_by=actor,
            contractor_id=req.contractor_id,
            category_id=req.category_id,
            compound_id=req.compound_id,
            building_id=req.building_id,
            service_line=req.service_line,
            created_at=now,
        )
        ServiceRequest.objects.filter(pk=req.pk).update(rating=rating)
        req.rating = rating
        event = record_event(
            service_request=req, kind=EventKind.FEEDBACK, actor=actor, at=now, changes={"rating": rating}, note=comment
        )
        assert event is not None
        if rating <= low:
            _open_complaint(req, feedback=feedback, actor=actor, now=now)
        signals.feedback_received.send(sender=ServiceRequest, service_request=req, feedback=feedback, event=event)
    return feedback


def _open_complaint(req: ServiceRequest, *, feedback: Feedback, actor: User, now: datetime) -> Complaint:
    due = add_working_days(now, settings.SERVICEDESK["CALLBACK_WORKING_DAYS"], deadlines.office_calendar())
    complaint = Complaint.objects.create(
        request=req,
        feedback=feedback,
        source=Complaint.Source.LOW_RATING,
        service_line=req.service_line,
        contractor_id=req.contractor_id,
        summary=feedback.comment,
        callback_due=due,
        created_at=now,
    )
    event = record_event(
        service_request=req,
        kind=EventKind.COMPLAINT,
        actor=actor,
        at=now,
        changes={"complaint": complaint.pk, "rating": feedback.rating, "callback_due": due.isoformat()},
        note=feedback.comment,
    )
    assert event is not None
    notifications.notify_for_event(event)
    return complaint


def complaint_callback(
    *, complaint: Complaint, actor: User, note: str, close: bool = False, now: datetime | None = None
) -> Complaint:
    """The bureau supervisor records the callback (回访) to the requester."""
    now = now_or(now)
    if not is_bureau_for(actor, complaint.service_line):
        from tickets.exceptions import ActionForbidden

        raise ActionForbidden(_("只有负责该条线的管理处室可以回访。"))
    if not note.strip():
        raise ValidationError({"note": [_("请填写回访记录。")]})
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.state == Complaint.State.CLOSED:
            raise TransitionNotAllowed(_("该投诉已办结。"), action="callback", status=locked.state)
        locked.callback_at = locked.callback_at or now
        locked.callback_by = locked.callback_by or actor
        locked.callback_note = note
        locked.state = Complaint.State.CLOSED if close else Complaint.State.CALLED_BACK
        locked.save(update_fields=["callback_at", "callback_by", "callback_note", "state"])
        record_event(
            service_request=locked.request,
            kind=EventKind.CALLBACK,
            actor=actor,
            at=now,
            changes={"complaint": locked.pk, "state": locked.state},
            note=note,
        )
    return locked


def expire_feedback(*, now: datetime | None = None, limit: int = 500) -> int:
    """Close resolved requests whose rating window has passed, as not rated (never as satisfied)."""
    now = now_or(now)
    ids = list(
        ServiceRequest.objects.filter(status=Status.RESOLVED, feedback_due__lte=now)
        .order_by("feedback_due")
        .values_list("pk", flat=True)[:limit]
    )
    closed = 0
    for pk in ids:
        try:
            transition(
                service_request=pk, action="close", actor=None, now=now, system_reason=_("评价期满未评价，按未评价关闭")
            )
        except TransitionNotAllowed:
            continue  # another worker or the requester got there first
        closed += 1
    return closed
