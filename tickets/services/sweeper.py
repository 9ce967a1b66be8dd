"""The SLA sweeper: warn at the threshold, flag each breach once, escalate.

Set-based: a sweep costs the same few queries whether 1 or 500 requests are due (and as many again per further
500). It reads the due rows in one query and works out each row's crossings, flags and next check in Python; then,
per batch of 500 and in one transaction, it locks the batch's rows and keeps only those still as it read them
(`next_sla_check_at`, `updated_at`, not paused), flags them and moves their next check in one UPDATE, writes the
warning and breach events in one INSERT and their notifications in bulk (`notifications.notify_for_events`). Safe
on two workers at once: the second sweeper waits for the first's lock, then finds the rows changed and leaves them;
each warning or breach event also carries a key the database keeps unique. Events are stamped with the moment the
threshold was crossed, not the moment the sweep ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import BooleanField, Case, DateTimeField, F, Value, When

from tickets import signals
from tickets.models import Event, EventKind, ServiceRequest, SlaTarget
from tickets.services import deadlines, notifications
from tickets.services.common import now_or, party_of


@dataclass
class _Plan:
    """What the sweep will write for one request, computed from the row as it was read."""

    req: ServiceRequest
    read_as: tuple[datetime | None, datetime]  # (next_sla_check_at, updated_at)
    crossed: list[tuple[str, str, datetime]] = field(default_factory=list)  # (target, "warn"/"breach", moment)
    next_check: datetime | None = None


#: Rows claimed per transaction: the statements stay well under SQLite's 32,766 parameters and a lock is held briefly.
BATCH = 500


def sla_sweep(*, now: datetime | None = None, limit: int = 5000) -> dict[str, int]:
    now = now_or(now)
    due = ServiceRequest.objects.due_for_sla_check(now).order_by("next_sla_check_at").select_related("contractor")
    rows = list(due[:limit])
    counts = {"checked": len(rows), "warnings": 0, "breaches": 0}
    for start in range(0, len(rows), BATCH):
        warnings, breaches = _check_batch(rows[start : start + BATCH], now)
        counts["warnings"] += warnings
        counts["breaches"] += breaches
    return counts


def _check_one(req: ServiceRequest, now: datetime) -> tuple[int, int]:
    """One request as the sweep would treat it (a batch of one)."""
    return _check_batch([req], now)


def _plan(req: ServiceRequest, now: datetime) -> _Plan:
    plan = _Plan(req=req, read_as=(req.next_sla_check_at, req.updated_at))
    for target in deadlines.pending_targets(req):
        due = getattr(req, f"{target}_due")
        warn_at = getattr(req, f"{target}_warn_at")
        if now >= due:
            plan.crossed.append((target, "breach", due))
        elif warn_at is not None and now >= warn_at:
            plan.crossed.append((target, "warn", warn_at))
    for target, kind, _at in plan.crossed:
        if kind == "breach":
            setattr(req, f"{target}_breached", True)
    plan.next_check = deadlines.next_check(req, now=now)
    return plan


def _event(req: ServiceRequest, target: str, kind: str, moment: datetime) -> Event:
    cycle = req.reopen_count if target == "resolution" else 0
    due = getattr(req, f"{target}_due")
    return Event(
        request=req,
        kind=EventKind.SLA_BREACH if kind == "breach" else EventKind.SLA_WARNING,
        actor=None,
        on_behalf_of=party_of(None),
        changes={"target": target, "target_label": str(SlaTarget(target).label), "due": due.isoformat()},
        created_at=moment,
        dedupe_key=(
            f"breach:{req.pk}:{target}:{cycle}"
            if kind == "breach"
            else f"warn:{req.pk}:{target}:{cycle}:{due.isoformat()}"
        ),
    )


def _check_batch(rows: list[ServiceRequest], now: datetime) -> tuple[int, int]:
    if not rows:
        return 0, 0
    plans = {req.pk: _plan(req, now) for req in rows}
    with transaction.atomic():
        # Lock the rows (PostgreSQL; SQLite holds the write lock from BEGIN IMMEDIATE) and keep those still as read:
        # a row a transition or another sweeper changed meanwhile is left to whoever changed it.
        current = ServiceRequest.objects.select_for_update().filter(pk__in=plans, paused_at__isnull=True)
        as_now = {
            pk: (check, updated) for pk, check, updated in current.values_list("pk", "next_sla_check_at", "updated_at")
        }
        claimed = [plan for pk, plan in plans.items() if as_now.get(pk) == plan.read_as]  # in the order read
        if not claimed:
            return 0, 0
        changes: dict[str, Case] = {
            # The column as the default gives the CASE its type on PostgreSQL when every new value is NULL.
            "next_sla_check_at": Case(
                *(When(pk=p.req.pk, then=Value(p.next_check)) for p in claimed),
                default=F("next_sla_check_at"),
                output_field=DateTimeField(),
            )
        }
        for target in deadlines.TARGETS:
            flagged = [p.req.pk for p in claimed if any(t == target and k == "breach" for t, k, _m in p.crossed)]
            if flagged:
                changes[f"{target}_breached"] = Case(
                    When(pk__in=flagged, then=Value(True)), default=F(f"{target}_breached"), output_field=BooleanField()
                )
        ServiceRequest.objects.filter(pk__in=[p.req.pk for p in claimed]).update(**changes)

        candidates = [
            (p.req, target, _event(p.req, target, kind, moment)) for p in claimed for target, kind, moment in p.crossed
        ]
        # A fact already written (a breach flag cleared by a reassignment, then crossed again in the same cycle) is
        # not written twice; the claimed rows are locked, so no other sweeper writes these keys meanwhile.
        written = set(
            Event.objects.filter(dedupe_key__in=[e.dedupe_key for _r, _t, e in candidates]).values_list(
                "dedupe_key", flat=True
            )
        )
        fresh = [(req, target, e) for req, target, e in candidates if e.dedupe_key not in written]
        Event.objects.bulk_create([e for _r, _t, e in fresh])
        notifications.notify_for_events([e for _r, _t, e in fresh])
        warnings = breaches = 0
        for req, target, event in fresh:
            if event.kind == EventKind.SLA_BREACH:
                breaches += 1
                signals.sla_breached.send(sender=ServiceRequest, service_request=req, event=event, target=target)
            else:
                warnings += 1
    return warnings, breaches
