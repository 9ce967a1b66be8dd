"""The SLA sweeper: warn at the threshold, flag each breach once, escalate.

Safe on two workers at once: a breach flips its flag with an UPDATE that only matches the unflagged row, and
each warning or breach event carries a key the database keeps unique. Events are stamped with the moment the
threshold was crossed, not the moment the sweep ran.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from tickets import signals
from tickets.models import EventKind, ServiceRequest, SlaTarget
from tickets.services import deadlines, notifications
from tickets.services.common import now_or, record_event


def sla_sweep(*, now: datetime | None = None, limit: int = 1000) -> dict[str, int]:
    now = now_or(now)
    counts = {"checked": 0, "warnings": 0, "breaches": 0}
    ids = list(
        ServiceRequest.objects.due_for_sla_check(now).order_by("next_sla_check_at").values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        warnings, breaches = _check_one(pk, now)
        counts["checked"] += 1
        counts["warnings"] += warnings
        counts["breaches"] += breaches
    return counts


def _check_one(pk: int, now: datetime) -> tuple[int, int]:
    warnings = breaches = 0
    with transaction.atomic():
        req = ServiceRequest.objects.filter(pk=pk).select_related("contractor").first()
        if req is None or req.paused_at is not None:
            return 0, 0
        for target in deadlines.pending_targets(req):
            due = getattr(req, f"{target}_due")
            warn_at = getattr(req, f"{target}_warn_at")
            label = str(SlaTarget(target).label)
            cycle = req.reopen_count if target == "resolution" else 0
            if now >= due:
                flipped = ServiceRequest.objects.filter(pk=pk, **{f"{target}_breached": False}).update(
                    **{f"{target}_breached": True}
                )
                setattr(req, f"{target}_breached", True)
                if not flipped:
                    continue
                event = record_event(
                    request=req,
                    kind=EventKind.SLA_BREACH,
                    actor=None,
                    at=due,
                    changes={"target": target, "target_label": label, "due": due.isoformat()},
                    dedupe_key=f"breach:{pk}:{target}:{cycle}",
                )
                if event is not None:
                    breaches += 1
                    notifications.notify_for_event(event)
                    signals.sla_breached.send(sender=ServiceRequest, request=req, event=event, target=target)
            elif warn_at is not None and now >= warn_at:
                event = record_event(
                    request=req,
                    kind=EventKind.SLA_WARNING,
                    actor=None,
                    at=warn_at,
                    changes={"target": target, "target_label": label, "due": due.isoformat()},
                    dedupe_key=f"warn:{pk}:{target}:{cycle}:{due.isoformat()}",
                )
                if event is not None:
                    warnings += 1
                    notifications.notify_for_event(event)
        ServiceRequest.objects.filter(pk=pk).update(next_sla_check_at=deadlines.next_check(req, now=now))
    return warnings, breaches
