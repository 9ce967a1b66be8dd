"""The SLA sweeper: warn at the threshold, flag each breach once, escalate.

Safe on two workers at once: each request is claimed with an UPDATE that only matches the row as the sweep read
it (flags and next check time set in the same statement), and each warning or breach event carries a key the
database keeps unique. Events are stamped with the moment the threshold was crossed, not the moment the sweep ran.
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
    due = ServiceRequest.objects.due_for_sla_check(now).order_by("next_sla_check_at").select_related("contractor")
    # One read for the whole batch, then one short transaction per request. Each row is claimed with an UPDATE
    # that matches only the state it was read in (healthchecks' pattern): a row that a transition or another
    # sweeper changed in between is left to whoever changed it, so stale reads never flag anything.
    with notifications.lookups_cached():
        for req in due[:limit]:
            warnings, breaches = _check_one(req, now)
            counts["checked"] += 1
            counts["warnings"] += warnings
            counts["breaches"] += breaches
    return counts


def _check_one(req: ServiceRequest, now: datetime) -> tuple[int, int]:
    warnings = breaches = 0
    crossed: list[tuple[str, str, datetime]] = []  # (target, "warn" or "breach", the moment it was crossed)
    for target in deadlines.pending_targets(req):
        due = getattr(req, f"{target}_due")
        warn_at = getattr(req, f"{target}_warn_at")
        if now >= due:
            crossed.append((target, "breach", due))
        elif warn_at is not None and now >= warn_at:
            crossed.append((target, "warn", warn_at))
    read_as = {"next_sla_check_at": req.next_sla_check_at, "updated_at": req.updated_at}
    for target, kind, _at in crossed:
        if kind == "breach":
            setattr(req, f"{target}_breached", True)
    flags = {f"{target}_breached": True for target, kind, _at in crossed if kind == "breach"}
    with transaction.atomic():
        claimed = ServiceRequest.objects.filter(pk=req.pk, paused_at__isnull=True, **read_as).update(
            next_sla_check_at=deadlines.next_check(req, now=now), **flags
        )
        if not claimed:
            return 0, 0
        for target, kind, moment in crossed:
            label = str(SlaTarget(target).label)
            cycle = req.reopen_count if target == "resolution" else 0
            due = getattr(req, f"{target}_due")
            event = record_event(
                service_request=req,
                kind=EventKind.SLA_BREACH if kind == "breach" else EventKind.SLA_WARNING,
                actor=None,
                at=moment,
                changes={"target": target, "target_label": label, "due": due.isoformat()},
                dedupe_key=(
                    f"breach:{req.pk}:{target}:{cycle}"
                    if kind == "breach"
                    else f"warn:{req.pk}:{target}:{cycle}:{due.isoformat()}"
                ),
            )
            if event is None:
                continue
            notifications.notify_for_event(event)
            if kind == "breach":
                breaches += 1
                signals.sla_breached.send(sender=ServiceRequest, service_request=req, event=event, target=target)
            else:
                warnings += 1
    return warnings, breaches
