"""Glue between requests and the pure SLA clock: load the snapshot, compute, store the indexed columns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tickets.models import (
    BusinessCalendar,
    CalendarVersion,
    Pause,
    ServiceRequest,
    SlaPolicyVersion,
    SlaTargetRow,
)
from tickets.sla import clock
from tickets.sla.calendars import load_work_calendar

TARGETS = ("response", "arrival", "resolution")
MET_FIELD = {"response": "responded_at", "arrival": "arrived_at", "resolution": "resolved_at"}
SLA_FIELDS = [
    "calendar_version",
    "clock_started_at",
    "resolution_clock_from",
    "calendar_incomplete",
    "next_sla_check_at",
    "response_breached",
    "arrival_breached",
    "resolution_breached",
    *(f"{t}_due" for t in TARGETS),
    *(f"{t}_warn_at" for t in TARGETS),
]


def target_specs(version: SlaPolicyVersion | None, urgency: str) -> dict[str, clock.Target | None]:
    if version is None:
        return dict.fromkeys(TARGETS)
    row = SlaTargetRow.objects.filter(version=version, urgency=urgency).first()
    if row is None:
        return dict.fromkeys(TARGETS)
    return {
        "response": clock.Target(row.response_minutes, row.business_time),
        "arrival": clock.Target(row.arrival_minutes, row.business_time) if row.arrival_minutes else None,
        "resolution": clock.Target(row.resolution_minutes, row.business_time) if row.resolution_minutes else None,
    }


def pauses_of(service_request: ServiceRequest) -> list[clock.Pause]:
    """The request's pauses. Within remembering_pauses() they are read once (a transition asks twice: minutes
    worked, then the new deadlines); whoever writes a pause there calls forget_pauses()."""
    if service_request.pk is None:
        return []
    memo = service_request.__dict__.get("_sla_pauses", _NO_MEMO)
    if memo is not _NO_MEMO and memo is not None:
        return memo  # type: ignore[return-value]
    pauses = [
        clock.Pause(start=p.started_at, end=p.ended_at, reason=p.reason)
        for p in Pause.objects.filter(request=service_request).order_by("started_at")
    ]
    if memo is None:  # remembering
        service_request.__dict__["_sla_pauses"] = pauses
    return pauses


_NO_MEMO = object()


@contextmanager
def remembering_pauses(service_request: ServiceRequest) -> Iterator[None]:
    service_request.__dict__["_sla_pauses"] = None
    try:
        yield
    finally:
        service_request.__dict__.pop("_sla_pauses", None)


def forget_pauses(service_request: ServiceRequest) -> None:
    if "_sla_pauses" in service_request.__dict__:
        service_request.__dict__["_sla_pauses"] = None


def current_calendar_version(calendar: BusinessCalendar, *, now: datetime | None = None) -> CalendarVersion:
    """The calendar's latest version, or a new one when the calendar was edited since (two processes writing the
    same new version at once: the loser reads the winner's)."""
    latest = calendar.versions.order_by("-number").first()
    if latest is not None and latest.matches(calendar):
        return latest
    try:
        with transaction.atomic():
            return CalendarVersion.objects.create(
                calendar=calendar,
                number=(latest.number + 1) if latest else 1,
                always_open=calendar.always_open,
                weekly_hours=calendar.weekly_hours,
                observes_public_holidays=calendar.observes_public_holidays,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        return calendar.versions.order_by("-number").first()  # type: ignore[return-value]


def work_calendar_of(service_request: ServiceRequest) -> clock.WorkCalendar:
    """The clock's calendar for a request: the calendar version it was opened under (24×7 without a contract)."""
    if service_request.calendar_id is None:
        service_request.calendar_version = None
        return load_work_calendar(None)
    version = service_request.calendar_version if service_request.calendar_version_id is not None else None
    if version is None or version.calendar_id != service_request.calendar_id:
        # opened now, or moved to another contract's calendar: that calendar as it is now
        assert service_request.calendar is not None
        version = service_request.calendar_version = current_calendar_version(service_request.calendar)
    return load_work_calendar(version.as_calendar())


def settled(service_request: ServiceRequest, target: str) -> bool:
    """A target met or breached: its deadline is history and never moves again (not for a calendar edit, nor a
    later pause). Reopening or reassigning clears the met time and the flag, which makes it pending again."""
    return getattr(service_request, f"{target}_due") is not None and (
        getattr(service_request, MET_FIELD[target]) is not None or bool(getattr(service_request, f"{target}_breached"))
    )


def recompute(service_request: ServiceRequest, *, now: datetime) -> list[dict[str, Any]]:
    """Recompute the pending deadlines of `request` in place and return the notes that explain them."""
    version = service_request.policy_version if service_request.policy_version_id is not None else None
    if service_request.clock_started_at is None or version is None:
        for t in TARGETS:
            setattr(service_request, f"{t}_due", None)
            setattr(service_request, f"{t}_warn_at", None)
        service_request.next_sla_check_at = None
        return []
    calendar = work_calendar_of(service_request)
    specs = target_specs(version, service_request.urgency)
    pauses = pauses_of(service_request)
    warn = version.warn_percent
    results = clock.compute_deadlines(
        service_request.clock_started_at, {t: specs[t] for t in ("response", "arrival")}, calendar, pauses, warn
    )
    res_start = service_request.resolution_clock_from or service_request.clock_started_at
    results["resolution"] = (
        clock.add_working_minutes(res_start, specs["resolution"], calendar, pauses, warn)
        if specs["resolution"]
        else None
    )
    notes: list[dict[str, Any]] = []
    incomplete = False
    for t in TARGETS:
        if settled(service_request, t):
            continue
        result = results.get(t)
        setattr(service_request, f"{t}_due", result.due if result else None)
        setattr(service_request, f"{t}_warn_at", result.warn_at if result else None)
        if result:
            incomplete = incomplete or result.incomplete
            for note in result.notes:
                item = {"target": t, "kind": note.kind, "name": note.name, "minutes": note.minutes}
                if note.day:
                    item["day"] = note.day.isoformat()
                if item not in notes:
                    notes.append(item)
    service_request.calendar_incomplete = incomplete
    service_request.next_sla_check_at = next_check(service_request, now=now)
    return notes


def pending_targets(service_request: ServiceRequest) -> list[str]:
    return [
        t
        for t in TARGETS
        if getattr(service_request, f"{t}_due") is not None
        and getattr(service_request, MET_FIELD[t]) is None
        and not getattr(service_request, f"{t}_breached")
    ]


def next_check(service_request: ServiceRequest, *, now: datetime) -> datetime | None:
    """The next moment the sweeper must look at this request: a warning or a breach of a pending target."""
    if service_request.paused_at is not None:
        return None
    moments = []
    for t in pending_targets(service_request):
        warn_at = getattr(service_request, f"{t}_warn_at")
        due = getattr(service_request, f"{t}_due")
        moments.append(warn_at if warn_at is not None and warn_at > now else due)
    return min(moments) if moments else None


def deadline_changes(before: dict[str, Any], service_request: ServiceRequest) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for t in TARGETS:
        old, new = before.get(f"{t}_due"), getattr(service_request, f"{t}_due")
        if old != new:
            changes[f"{t}_due"] = [old.isoformat() if old else None, new.isoformat() if new else None]
    if changes:
        changes.update(calendar_used(service_request))
    return changes


def calendar_used(service_request: ServiceRequest) -> dict[str, Any]:
    """For the event that sets deadlines: which calendar version they were computed with (the timeline shows it)."""
    version = service_request.calendar_version
    if version is None:
        return {}
    name = service_request.calendar.name if service_request.calendar is not None else ""
    return {"calendar_version": {"id": version.pk, "name": name, "number": version.number}}


def snapshot(service_request: ServiceRequest) -> dict[str, Any]:
    return {f"{t}_due": getattr(service_request, f"{t}_due") for t in TARGETS}


def office_calendar() -> clock.WorkCalendar:
    """The bureau's own office hours with the national holidays: the clock for feedback and callbacks."""
    return load_work_calendar(BusinessCalendar(name="office"))
