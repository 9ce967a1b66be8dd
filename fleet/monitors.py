"""Monitors (Celery beat runs them; see servicedesk/schedule.py). Each takes ``now``, is idempotent and safe on two
workers at once: an alert has a unique key, so a second run (or a second worker) finds it already there; status
flips are UPDATEs that match only the old value.

Thresholds come from ``settings.FLEET`` (if the deployment sets it) with the defaults below.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fleet.models import (
    AlertKind,
    AlertLevel,
    RecordKind,
    TripStage,
    Vehicle,
    VehicleAlert,
    VehicleCategory,
    VehicleMovement,
    VehicleRecord,
    VehicleSeal,
    VehicleStatus,
    VehicleTrip,
)
from fleet.steps import trip_is_approved
from tickets.services.deadlines import office_calendar
from tickets.sla.clock import WorkCalendar, is_working_day, working_minutes_between

DEFAULTS = {
    "REMINDER_DAYS": 30,  # insurance / inspection reminders, days ahead
    "OVERDUE_RETURN_MINUTES": 30,  # a trip not back this long after its planned end
    "LOOKBACK_DAYS": 3,  # how far back the use monitors look at each run
    "SEAL_HORIZON_DAYS": 14,  # how far ahead holiday seals are planned
    "POSTHOC_APPROVAL_DAYS": 3,  # an emergency trip must be approved within this many days of its return
}
# Categories that must stay available over holidays (机要通信, 应急保障, 执法执勤) are never sealed.
NEVER_SEALED = (VehicleCategory.CONFIDENTIAL, VehicleCategory.EMERGENCY, VehicleCategory.LAW_ENFORCEMENT)


def conf(name: str) -> int:
    return int(getattr(settings, "FLEET", {}).get(name, DEFAULTS[name]))


def _alert(
    *, key: str, vehicle_id: int, kind: str, level: str, message: str, at: datetime, trip_id: int | None = None
) -> bool:
    """Create the alert once; False if it already exists (another run or worker got there first)."""
    if VehicleAlert.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():
            VehicleAlert.objects.create(
                key=key,
                vehicle_id=vehicle_id,
                trip_id=trip_id,
                kind=kind,
                level=level,
                message=message[:300],
                raised_at=at,
            )
    except IntegrityError:
        return False
    return True


def _local(dt: datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


# --- overdue returns ---------------------------------------------------------------------------------------------


def check_overdue_returns(*, now: datetime) -> int:
    """A trip still out N minutes after its planned end."""
    grace = timedelta(minutes=conf("OVERDUE_RETURN_MINUTES"))
    created = 0
    for trip in VehicleTrip.objects.filter(stage=TripStage.OUT, slot_end__lte=now - grace).select_related(
        "vehicle", "request"
    ):
        assert trip.vehicle_id is not None
        created += _alert(
            key=f"overdue_return:{trip.pk}",
            vehicle_id=trip.vehicle_id,
            trip_id=trip.pk,
            kind=AlertKind.OVERDUE_RETURN,
            level=AlertLevel.YELLOW,
            at=trip.slot_end + grace,
            message=_("%(number)s 计划%(end)s回场，超过%(min)d分钟未回场。")
            % {"number": trip.request.number, "end": _local(trip.slot_end), "min": grace.seconds // 60},
        )
    # Back now: the alert is handled.
    VehicleAlert.objects.filter(kind=AlertKind.OVERDUE_RETURN, resolved_at__isnull=True).exclude(
        trip__stage=TripStage.OUT
    ).update(resolved_at=now)
    return created


# --- use outside working hours or on holidays ----------------------------------------------------------------------


def _off_hours(start: datetime, end: datetime, calendar: WorkCalendar) -> bool:
    """True if any part of [start, end) falls on a holiday, a weekend or outside office hours."""
    if end <= start:
        end = start + timedelta(minutes=1)
    total = int((end - start).total_seconds() // 60) or 1
    return working_minutes_between(start, end, calendar) < total


def check_off_hours_use(*, now: datetime) -> int:
    """Use on a holiday or outside working hours without an approved request: a trip (an emergency not approved
    afterwards) or a gate movement no approved trip of that vehicle covers."""
    since = now - timedelta(days=conf("LOOKBACK_DAYS"))
    calendar = office_calendar()
    created = 0
    trips = (
        VehicleTrip.objects.filter(out_at__isnull=False, out_at__gte=since)
        .select_related("request")
        .prefetch_related("approvals")
    )
    for trip in trips:
        assert trip.out_at is not None and trip.vehicle_id is not None
        if trip_is_approved(trip) or not _off_hours(trip.out_at, trip.returned_at or now, calendar):
            continue
        created += _alert(
            key=f"off_hours:trip:{trip.pk}",
            vehicle_id=trip.vehicle_id,
            trip_id=trip.pk,
            kind=AlertKind.OFF_HOURS_USE,
            level=AlertLevel.RED,
            at=trip.out_at,
            message=_("%(number)s 于%(at)s在非工作时间/节假日出车，尚无批准。")
            % {"number": trip.request.number, "at": _local(trip.out_at)},
        )
    movements = VehicleMovement.objects.filter(left_at__gte=since).select_related("vehicle")
    covering = list(
        VehicleTrip.objects.filter(out_at__isnull=False, out_at__lte=now)
        .filter(Q(returned_at__isnull=True) | Q(returned_at__gte=since - timedelta(days=1)))
        .prefetch_related("approvals")
    )
    for move in movements:
        back = move.came_back_at or now
        if not _off_hours(move.left_at, back, calendar):
            continue
        slack = timedelta(minutes=30)
        covered = any(
            t.vehicle_id == move.vehicle_id
            and t.out_at is not None
            and t.out_at - slack <= move.left_at <= (t.returned_at or now) + slack
            and trip_is_approved(t)
            for t in covering
        )
        if covered:
            continue
        created += _alert(
            key=f"off_hours:move:{move.pk}",
            vehicle_id=move.vehicle_id,
            kind=AlertKind.OFF_HOURS_USE,
            level=AlertLevel.RED,
            at=move.left_at,
            message=_("%(plate)s 于%(at)s在非工作时间/节假日出场，无对应的已批准用车。")
            % {"plate": move.vehicle.plate, "at": _local(move.left_at)},
        )
    return created


def check_unapproved_emergencies(*, now: datetime) -> int:
    """An emergency trip back for N days and still not approved by the unit and the bureau."""
    limit = now - timedelta(days=conf("POSTHOC_APPROVAL_DAYS"))
    created = 0
    for trip in (
        VehicleTrip.objects.filter(emergency=True, returned_at__lte=limit)
        .select_related("request")
        .prefetch_related("approvals")
    ):
        if trip_is_approved(trip) or trip.vehicle_id is None:
            continue
        created += _alert(
            key=f"unapproved_emergency:{trip.pk}",
            vehicle_id=trip.vehicle_id,
            trip_id=trip.pk,
            kind=AlertKind.UNAPPROVED_EMERGENCY,
            level=AlertLevel.YELLOW,
            at=now,
            message=_("应急用车%(number)s回场已超过%(days)d天，尚未完成补批。")
            % {"number": trip.request.number, "days": conf("POSTHOC_APPROVAL_DAYS")},
        )
    return created


# --- holiday seals (封存) -----------------------------------------------------------------------------------------


def holiday_runs(start: date, end: date, calendar: WorkCalendar) -> list[tuple[date, date, str]]:
    """Runs of non-working days in [start, end] that contain a public holiday, as (first, last, holiday name).

    A run that began before ``start`` is extended backwards so its seal keeps the same start on every run.
    """
    runs: list[tuple[date, date, str]] = []
    day = start
    while day <= end:
        if is_working_day(day, calendar):
            day += timedelta(days=1)
            continue
        first = day
        while not is_working_day(first - timedelta(days=1), calendar):
            first -= timedelta(days=1)
        last = day
        while not is_working_day(last + timedelta(days=1), calendar):
            last += timedelta(days=1)
        names = [
            calendar.holidays[d]
            for n in range((last - first).days + 1)
            if (d := first + timedelta(days=n)) in calendar.holidays
        ]
        if names:
            runs.append((first, last, names[0] or _("法定节假日")))
        day = last + timedelta(days=1)
    return runs


def plan_holiday_seals(*, now: datetime) -> int:
    """The 封存 list from the calendar: every sealable vehicle over each public holiday in the coming days."""
    calendar = office_calendar()
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now).date()
    runs = holiday_runs(today, today + timedelta(days=conf("SEAL_HORIZON_DAYS")), calendar)
    vehicles = list(
        Vehicle.objects.exclude(category__in=NEVER_SEALED)
        .exclude(status=VehicleStatus.RETIRED)
        .filter(rental=False)
        .values_list("pk", flat=True)
    )
    seals = [
        VehicleSeal(
            vehicle_id=pk,
            starts_at=datetime.combine(first, time(0), tzinfo=tz),
            ends_at=datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz),
            reason=_("节假日封存：%(name)s") % {"name": name},
            created_at=now,
        )
        for first, last, name in runs
        for pk in vehicles
    ]
    before = VehicleSeal.objects.count()
    VehicleSeal.objects.bulk_create(seals, ignore_conflicts=True)
    return VehicleSeal.objects.count() - before


def apply_seals(*, now: datetime) -> dict[str, int]:
    """Vehicles in a seal period become 'sealed'; after it they are 'available' again."""
    in_seal = VehicleSeal.objects.filter(starts_at__lte=now, ends_at__gt=now).values("vehicle_id")
    sealed = Vehicle.objects.filter(pk__in=in_seal, status=VehicleStatus.AVAILABLE).update(status=VehicleStatus.SEALED)
    ended = VehicleSeal.objects.filter(ends_at__lte=now, ends_at__gt=now - timedelta(days=7)).values("vehicle_id")
    released = (
        Vehicle.objects.filter(pk__in=ended, status=VehicleStatus.SEALED)
        .exclude(pk__in=in_seal)
        .update(status=VehicleStatus.AVAILABLE)
    )
    return {"sealed": sealed, "released": released}


def check_sealed_use(*, now: datetime) -> int:
    """Any use of a vehicle while it is sealed: a trip out, or a gate movement."""
    since = now - timedelta(days=conf("LOOKBACK_DAYS"))
    seals = list(VehicleSeal.objects.filter(ends_at__gte=since, starts_at__lte=now))
    if not seals:
        return 0
    by_vehicle: dict[int, list[VehicleSeal]] = {}
    for seal in seals:
        by_vehicle.setdefault(seal.vehicle_id, []).append(seal)
    created = 0
    uses: list[tuple[str, int, int | None, datetime, datetime, str]] = []
    for trip in (
        VehicleTrip.objects.filter(vehicle_id__in=by_vehicle, out_at__isnull=False)
        .filter(Q(returned_at__isnull=True) | Q(returned_at__gte=since))
        .select_related("request")
    ):
        assert trip.out_at is not None and trip.vehicle_id is not None
        uses.append(
            (f"trip:{trip.pk}", trip.vehicle_id, trip.pk, trip.out_at, trip.returned_at or now, trip.request.number)
        )
    for move in VehicleMovement.objects.filter(vehicle_id__in=by_vehicle).filter(
        Q(came_back_at__isnull=True) | Q(came_back_at__gte=since)
    ):
        uses.append((f"move:{move.pk}", move.vehicle_id, None, move.left_at, move.came_back_at or now, _("出入记录")))
    for ref, vehicle_id, trip_id, start, end, label in uses:
        for seal in by_vehicle[vehicle_id]:
            if start < seal.ends_at and seal.starts_at < end:
                created += _alert(
                    key=f"sealed_use:{ref}:{seal.pk}",
                    vehicle_id=vehicle_id,
                    trip_id=trip_id,
                    kind=AlertKind.SEALED_USE,
                    level=AlertLevel.RED,
                    at=max(start, seal.starts_at),
                    message=_("封存期间用车：%(label)s，%(at)s。") % {"label": label, "at": _local(start)},
                )
    return created


# --- documents ---------------------------------------------------------------------------------------------------


def check_document_expiry(*, now: datetime) -> int:
    """Insurance and annual inspection: yellow N days before the latest validity ends, red once it has ended."""
    today = timezone.localtime(now).date()
    ahead = today + timedelta(days=conf("REMINDER_DAYS"))
    latest: dict[tuple[int, str], date] = {}
    for vehicle_id, kind, valid_until in VehicleRecord.objects.filter(
        kind__in=[RecordKind.INSURANCE, RecordKind.INSPECTION], valid_until__isnull=False
    ).values_list("vehicle_id", "kind", "valid_until"):
        if valid_until is None:
            continue
        pair = (vehicle_id, kind)
        if pair not in latest or valid_until > latest[pair]:
            latest[pair] = valid_until
    kinds = {
        RecordKind.INSURANCE: (AlertKind.INSURANCE_EXPIRING, AlertKind.INSURANCE_EXPIRED),
        RecordKind.INSPECTION: (AlertKind.INSPECTION_EXPIRING, AlertKind.INSPECTION_EXPIRED),
    }
    plates = dict(Vehicle.objects.exclude(status=VehicleStatus.RETIRED).values_list("pk", "plate"))
    current: set[str] = set()
    created = 0
    for (vehicle_id, kind), valid_until in latest.items():
        if vehicle_id not in plates or valid_until > ahead:
            continue
        expiring, expired = kinds[RecordKind(kind)]
        alert_kind, level = (expired, AlertLevel.RED) if valid_until < today else (expiring, AlertLevel.YELLOW)
        key = f"{alert_kind}:{vehicle_id}:{valid_until.isoformat()}"
        current.add(key)
        created += _alert(
            key=key,
            vehicle_id=vehicle_id,
            kind=alert_kind,
            level=level,
            at=now,
            message=_("%(plate)s %(what)s有效期至%(day)s。")
            % {"plate": plates[vehicle_id], "what": RecordKind(kind).label, "day": valid_until.isoformat()},
        )
    # A renewal (a later record) or the expiry itself supersedes the earlier reminder.
    VehicleAlert.objects.filter(
        kind__in=[k for pair in kinds.values() for k in pair], resolved_at__isnull=True
    ).exclude(key__in=current).update(resolved_at=now)
    return created


# --- three colours -----------------------------------------------------------------------------------------------


def refresh_colours(*, now: datetime) -> dict[str, int]:
    """Red: an open red alert (expired documents, use while sealed or off hours unapproved); yellow: an open yellow
    alert (a document expiring, a late return); green otherwise."""
    open_levels: dict[int, set[str]] = {}
    for vehicle_id, level in VehicleAlert.objects.filter(resolved_at__isnull=True).values_list("vehicle_id", "level"):
        open_levels.setdefault(vehicle_id, set()).add(level)
    changed: dict[str, int] = {}
    for vehicle_id, colour in Vehicle.objects.values_list("pk", "colour"):
        levels = open_levels.get(vehicle_id, set())
        new = AlertLevel.RED if AlertLevel.RED in levels else AlertLevel.YELLOW if levels else AlertLevel.GREEN
        if new != colour and Vehicle.objects.filter(pk=vehicle_id, colour=colour).update(colour=new):
            changed[new] = changed.get(new, 0) + 1
    return changed


def run_all(*, now: datetime) -> dict[str, Any]:
    return {
        "seals_planned": plan_holiday_seals(now=now),
        "seals": apply_seals(now=now),
        "overdue": check_overdue_returns(now=now),
        "off_hours": check_off_hours_use(now=now),
        "sealed_use": check_sealed_use(now=now),
        "emergencies": check_unapproved_emergencies(now=now),
        "documents": check_document_expiry(now=now),
        "colours": refresh_colours(now=now),
    }
