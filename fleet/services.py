"""Write paths of the trip chain. Each is keyword-only, atomic, takes the actor and an optional ``now``.

The core request carries status, SLA and the event log; every step here moves it through the core's one gate
(``tickets.services.transitions.transition``) and then writes the trip's own detail in the same transaction,
so a refused step leaves nothing behind.

    apply → approve (unit) → approve (bureau) → dispatch → depart → return → cost → rate
      core: pending_approval ─approve×2→ submitted ─accept+assign→ accepted ─start→ in_progress ─resolve→
      resolved ─confirm (feedback)→ closed
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fleet import permissions as perms
from fleet.apps import EMERGENCY_TRIP_KIND, TRIP_KIND
from fleet.models import (
    BOOKED_STAGES,
    ApprovalDecision,
    Driver,
    FleetRate,
    RecordKind,
    TripApproval,
    TripScope,
    TripStage,
    Vehicle,
    VehicleCategory,
    VehicleRecord,
    VehicleSeal,
    VehicleStatus,
    VehicleTrip,
)
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import Category, Compound, EventKind, Feedback, Status, User
from tickets.registry import ApprovalLevel
from tickets.services.common import now_or, record_event
from tickets.services.feedback import feedback_submit
from tickets.services.requests import request_create
from tickets.services.transitions import transition

CENT = Decimal("0.01")
UNAVAILABLE_STATUSES = (VehicleStatus.MAINTENANCE, VehicleStatus.SEALED, VehicleStatus.RETIRED)

# The core request of a trip may only be accepted, started or resolved through these services (they carry the
# vehicle, the odometer and the costs). fleet.receivers refuses those actions from any other path.
_fleet_path: ContextVar[bool] = ContextVar("fleet_path", default=False)


@contextmanager
def fleet_path() -> Iterator[None]:
    token = _fleet_path.set(True)
    try:
        yield
    finally:
        _fleet_path.reset(token)


def in_fleet_path() -> bool:
    return _fleet_path.get()


def _lock_trip(trip: VehicleTrip | int) -> VehicleTrip:
    pk = trip.pk if isinstance(trip, VehicleTrip) else trip
    return (
        VehicleTrip.objects.select_for_update(of=("self",))
        .select_related("request", "request__contractor", "request__unit", "vehicle", "driver__user")
        .get(pk=pk)
    )


def _require_stage(trip: VehicleTrip, *stages: TripStage, action: str) -> None:
    if trip.stage not in stages:
        raise TransitionNotAllowed(
            _("行程当前环节为“%(stage)s”，不能执行该操作。") % {"stage": trip.get_stage_display()},
            action=action,
            status=trip.stage,
        )


def _money(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal:
    try:
        amount = Decimal(str(value if value is not None else "0"))
    except ArithmeticError:
        errors[field] = [_("金额格式不正确。")]
        return Decimal("0")
    if amount < 0:
        errors[field] = [_("金额不能为负数。")]
    return amount.quantize(CENT, ROUND_HALF_UP)


# --- apply ---------------------------------------------------------------------------------------------------


def _validate_trip_input(
    *,
    purpose: str,
    passenger_count: int,
    passenger_names: str,
    origin: str,
    destination: str,
    slot_start: datetime,
    slot_end: datetime,
    scope: str,
    vehicle_category: str,
) -> None:
    errors: dict[str, list[str]] = {}
    if not purpose.strip():
        errors["purpose"] = [_("请填写用车事由。")]
    if not origin.strip():
        errors["origin"] = [_("请填写出发地。")]
    if not destination.strip():
        errors["destination"] = [_("请填写目的地。")]
    if passenger_count is None or passenger_count < 1:
        errors["passenger_count"] = [_("乘车人数至少为1人。")]
    else:
        names = [n for n in passenger_names.replace("，", ",").replace("、", ",").split(",") if n.strip()]
        if len(names) > passenger_count:
            errors["passenger_names"] = [_("乘车人名单多于乘车人数。")]
        largest = (
            Vehicle.objects.exclude(status=VehicleStatus.RETIRED)
            .order_by("-seats")
            .values_list("seats", flat=True)
            .first()
        )
        if largest is not None and passenger_count > largest:
            errors["passenger_count"] = [
                _("乘车人数(%(n)d)超过最大车辆座位数(%(seats)d)。") % {"n": passenger_count, "seats": largest}
            ]
    if slot_start.tzinfo is None or slot_end.tzinfo is None:
        errors["slot_start"] = [_("时间必须带时区。")]
    elif slot_end <= slot_start:
        errors["slot_end"] = [_("结束时间必须晚于开始时间。")]
    if scope not in TripScope.values:
        errors["scope"] = [_("请选择市内或市外。")]
    if vehicle_category not in VehicleCategory.values:
        errors["vehicle_category"] = [_("车型无效。")]
    if errors:
        raise ValidationError(errors)


def trip_request_create(
    *,
    actor: User,
    category: Category,
    compound: Compound,
    purpose: str,
    passenger_count: int,
    origin: str,
    destination: str,
    slot_start: datetime,
    slot_end: datetime,
    passenger_names: str = "",
    scope: str = TripScope.IN_CITY,
    vehicle_category: str = VehicleCategory.OTHER,
    rental: bool = False,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> VehicleTrip:
    """A staff member applies for a car. The core request waits for the unit, then the bureau."""
    now = now_or(now)
    if actor.is_contractor_staff or actor.unit_id is None:
        raise ActionForbidden(_("只有使用单位的工作人员可以申请用车。"))
    if category.kind != TRIP_KIND:
        raise ValidationError({"category": [_("请选择公务用车类服务。")]})
    _validate_trip_input(
        purpose=purpose,
        passenger_count=passenger_count,
        passenger_names=passenger_names,
        origin=origin,
        destination=destination,
        slot_start=slot_start,
        slot_end=slot_end,
        scope=scope,
        vehicle_category=vehicle_category,
    )
    if slot_start < now - timedelta(minutes=5):
        raise ValidationError({"slot_start": [_("用车开始时间已过；事后用车请走应急用车补批。")]})
    return _file_trip(
        actor=actor,
        requester=actor,
        category=category,
        compound=compound,
        purpose=purpose,
        passenger_count=passenger_count,
        passenger_names=passenger_names,
        origin=origin,
        destination=destination,
        slot_start=slot_start,
        slot_end=slot_end,
        scope=scope,
        vehicle_category=vehicle_category,
        rental=rental,
        emergency=False,
        idempotency_key=idempotency_key,
        now=now,
    )


def emergency_trip_create(
    *,
    actor: User,
    requester: User,
    category: Category,
    compound: Compound,
    purpose: str,
    passenger_count: int,
    origin: str,
    destination: str,
    slot_start: datetime,
    slot_end: datetime,
    passenger_names: str = "",
    scope: str = TripScope.IN_CITY,
    vehicle_category: str = VehicleCategory.EMERGENCY,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> VehicleTrip:
    """Emergency use (先用后批): the bureau or the car-service dispatcher files it; it can be dispatched at once
    and the unit and the bureau approve it afterwards (``trip_approve_posthoc``)."""
    now = now_or(now)
    if not perms.may_file_emergency(actor):
        raise ActionForbidden(_("只有车管处室或汽车服务公司调度可以登记应急用车。"))
    if category.kind != EMERGENCY_TRIP_KIND:
        raise ValidationError({"category": [_("请选择应急用车类服务。")]})
    if requester.unit_id is None:
        raise ValidationError({"requester": [_("用车人必须属于一个使用单位。")]})
    _validate_trip_input(
        purpose=purpose,
        passenger_count=passenger_count,
        passenger_names=passenger_names,
        origin=origin,
        destination=destination,
        slot_start=slot_start,
        slot_end=slot_end,
        scope=scope,
        vehicle_category=vehicle_category,
    )
    return _file_trip(
        actor=actor,
        requester=requester,
        category=category,
        compound=compound,
        purpose=purpose,
        passenger_count=passenger_count,
        passenger_names=passenger_names,
        origin=origin,
        destination=destination,
        slot_start=slot_start,
        slot_end=slot_end,
        scope=scope,
        vehicle_category=vehicle_category,
        rental=False,
        emergency=True,
        idempotency_key=idempotency_key,
        now=now,
    )


def _file_trip(
    *,
    actor: User,
    requester: User,
    category: Category,
    compound: Compound,
    purpose: str,
    emergency: bool,
    idempotency_key: str | None,
    now: datetime,
    **detail: Any,
) -> VehicleTrip:
    title = _("用车：%(origin)s → %(destination)s") % detail
    with fleet_path(), transaction.atomic():
        req = request_create(
            actor=actor,
            requester=requester,
            category=category,
            compound=compound,
            title=title,
            description=purpose,
            kind=category.kind,
            idempotency_key=idempotency_key,
            now=now,
        )
        existing = VehicleTrip.objects.filter(request=req).first()
        if existing is not None:  # a double submit with the same key
            return existing
        stage = TripStage.REQUESTED if req.status == Status.PENDING_APPROVAL else TripStage.APPROVED
        trip = VehicleTrip.objects.create(
            request=req, stage=stage, purpose=purpose.strip(), emergency=emergency, **detail
        )
        if req.contractor_id is None:
            raise ValidationError({"compound": [_("该院区没有有效的汽车服务合同，无法派车。")]})
    return trip


# --- approval ------------------------------------------------------------------------------------------------


def trip_approve(*, trip: VehicleTrip | int, actor: User, note: str = "", now: datetime | None = None) -> VehicleTrip:
    """The unit approver, then the bureau, approve (core ``approve`` twice; fleet.receivers records each level)."""
    now = now_or(now)
    with fleet_path(), transaction.atomic():
        locked = _lock_trip(trip)
        if locked.emergency:
            return trip_approve_posthoc(trip=locked, actor=actor, note=note, now=now)
        transition(request=locked.request_id, action="approve", actor=actor, now=now, note=note)
        return VehicleTrip.objects.get(pk=locked.pk)


def trip_reject(*, trip: VehicleTrip | int, actor: User, note: str, now: datetime | None = None) -> VehicleTrip:
    now = now_or(now)
    with fleet_path(), transaction.atomic():
        locked = _lock_trip(trip)
        transition(request=locked.request_id, action="reject", actor=actor, now=now, note=note)
        return VehicleTrip.objects.get(pk=locked.pk)


def trip_cancel(*, trip: VehicleTrip | int, actor: User, note: str = "", now: datetime | None = None) -> VehicleTrip:
    now = now_or(now)
    with fleet_path(), transaction.atomic():
        locked = _lock_trip(trip)
        transition(request=locked.request_id, action="cancel", actor=actor, now=now, note=note)
        return VehicleTrip.objects.get(pk=locked.pk)


def trip_approve_posthoc(
    *,
    trip: VehicleTrip | int,
    actor: User,
    decision: str = ApprovalDecision.APPROVED,
    note: str = "",
    now: datetime | None = None,
) -> VehicleTrip:
    """Approval after the fact of an emergency trip: the unit first, then the bureau."""
    now = now_or(now)
    if decision not in ApprovalDecision.values:
        raise ValidationError({"decision": [_("审批意见无效。")]})
    if decision == ApprovalDecision.REJECTED and not note.strip():
        raise ValidationError({"note": [_("请填写不同意的理由。")]})
    with transaction.atomic():
        locked = _lock_trip(trip)
        if not locked.emergency:
            raise TransitionNotAllowed(_("只有应急用车需要事后补批。"), action="approve_posthoc", status=locked.stage)
        done = set(locked.approvals.values_list("level", flat=True))
        if ApprovalLevel.UNIT not in done:
            level = ApprovalLevel.UNIT
            allowed = actor.role == "unit_approver" and actor.unit_id == locked.request.unit_id
        elif ApprovalLevel.BUREAU not in done:
            level = ApprovalLevel.BUREAU
            allowed = perms.is_fleet_bureau(actor)
        else:
            raise TransitionNotAllowed(_("该应急用车已完成补批。"), action="approve_posthoc", status=locked.stage)
        if not allowed:
            raise ActionForbidden(_("您不是该环节的审批人。"))
        TripApproval.objects.create(
            trip=locked,
            level=level,
            decision=decision,
            approver=actor,
            note=note[:300],
            post_hoc=True,
            decided_at=now,
        )
        record_event(
            request=locked.request,
            kind=EventKind.UPDATED,
            actor=actor,
            at=now,
            action="approve_posthoc",
            changes={"level": level, "decision": decision},
            note=note,
        )
    return locked


def trip_is_approved(trip: VehicleTrip) -> bool:
    """Approved before the fact (the core request passed its approvals) or, for an emergency, after it."""
    if trip.emergency:
        decisions = {a.level: a.decision for a in trip.approvals.all()}
        return all(
            decisions.get(level) == ApprovalDecision.APPROVED for level in (ApprovalLevel.UNIT, ApprovalLevel.BUREAU)
        )
    return trip.stage not in (TripStage.REQUESTED, TripStage.REJECTED, TripStage.CANCELLED)


# --- dispatch ------------------------------------------------------------------------------------------------


def overlapping(qs: Any, start: datetime, end: datetime) -> Any:
    """Booked trips in ``qs`` whose slot overlaps [start, end)."""
    return qs.filter(booked=True, slot_start__lt=end, slot_end__gt=start)


def vehicle_problems(vehicle: Vehicle, trip: VehicleTrip) -> list[str]:
    """Why this vehicle cannot take this trip (400-type problems; an overlap is a 409 and checked apart)."""
    problems: list[str] = []
    if vehicle.status in UNAVAILABLE_STATUSES:
        problems.append(
            _("车辆%(plate)s处于“%(status)s”状态，不能派出。")
            % {"plate": vehicle.plate, "status": vehicle.get_status_display()}
        )
    elif VehicleSeal.objects.filter(vehicle=vehicle, starts_at__lt=trip.slot_end, ends_at__gt=trip.slot_start).exists():
        problems.append(_("车辆%(plate)s在用车时段内封存，不能派出。") % {"plate": vehicle.plate})
    if vehicle.seats < trip.passenger_count:
        problems.append(
            _("乘车人数(%(n)d)超过车辆座位数(%(seats)d)。") % {"n": trip.passenger_count, "seats": vehicle.seats}
        )
    if vehicle.rental and not trip.rental:
        problems.append(_("租赁车辆只能用于公务租车。"))
    if vehicle.rental and vehicle.rental_contractor_id != trip.request.contractor_id:
        problems.append(_("该租赁车辆不属于承接本次用车的服务商。"))
    return problems


def driver_problems(driver: Driver, trip: VehicleTrip) -> list[str]:
    problems: list[str] = []
    if not driver.active or not driver.user.is_active:
        problems.append(_("驾驶员%(name)s不在岗。") % {"name": driver})
    if driver.user.contractor_id != trip.request.contractor_id:
        problems.append(_("驾驶员必须是承接本次用车的服务商人员。"))
    last_day = timezone.localtime(trip.slot_end).date()
    if driver.licence_expires < last_day:
        problems.append(
            _("驾驶员%(name)s的驾驶证已于%(day)s过期(或在行程结束前过期)。")
            % {"name": driver, "day": driver.licence_expires.isoformat()}
        )
    return problems


def trip_dispatch(
    *, trip: VehicleTrip | int, actor: User, vehicle: Vehicle, driver: Driver, now: datetime | None = None
) -> VehicleTrip:
    """The car-service dispatcher sends a vehicle and a driver (core ``accept`` + ``assign``).

    The overlap check here gives a clear message; the database constraint is what makes it true when two
    dispatchers race (the loser's insert is refused and answered 409).
    """
    now = now_or(now)
    with fleet_path(), transaction.atomic():
        locked = _lock_trip(trip)
        if not perms.is_trip_dispatcher(actor, locked):
            raise ActionForbidden(_("只有承接该用车的服务商调度可以派车。"))
        _require_stage(locked, TripStage.APPROVED, action="dispatch")
        vehicle = Vehicle.objects.get(pk=vehicle.pk)
        driver = Driver.objects.select_related("user").get(pk=driver.pk)
        errors: dict[str, list[str]] = {}
        if problems := vehicle_problems(vehicle, locked):
            errors["vehicle"] = problems
        if problems := driver_problems(driver, locked):
            errors["driver"] = problems
        if errors:
            raise ValidationError(errors)
        others = VehicleTrip.objects.exclude(pk=locked.pk)
        if overlapping(others.filter(vehicle=vehicle), locked.slot_start, locked.slot_end).exists():
            raise TransitionNotAllowed(
                _("车辆%(plate)s在该时段已被派出，不能重复派车。") % {"plate": vehicle.plate},
                action="dispatch",
                status=locked.stage,
            )
        if overlapping(others.filter(driver=driver), locked.slot_start, locked.slot_end).exists():
            raise TransitionNotAllowed(
                _("驾驶员%(name)s在该时段已有出车任务。") % {"name": driver}, action="dispatch", status=locked.stage
            )
        transition(request=locked.request_id, action="accept", actor=actor, now=now)
        transition(request=locked.request_id, action="assign", actor=actor, now=now, assignee=driver.user)
        locked.vehicle, locked.driver = vehicle, driver
        locked.booked = True
        locked.stage = TripStage.DISPATCHED
        locked.dispatched_at, locked.dispatched_by = now, actor
        try:
            with transaction.atomic():
                locked.save(update_fields=["vehicle", "driver", "booked", "stage", "dispatched_at", "dispatched_by"])
        except IntegrityError:
            raise TransitionNotAllowed(
                _("车辆或驾驶员在该时段已被其他调度同时派出，请刷新后重选。"), action="dispatch", status=locked.stage
            ) from None
        record_event(
            request=locked.request,
            kind=EventKind.UPDATED,
            actor=actor,
            at=now,
            action="dispatch",
            changes={"vehicle": vehicle.plate, "driver": driver.user_id},
        )
    return locked


# --- out and return ------------------------------------------------------------------------------------------


def _require_driver_or_dispatcher(actor: User, trip: VehicleTrip) -> None:
    if not (perms.is_trip_driver(actor, trip) or perms.is_trip_dispatcher(actor, trip)):
        raise ActionForbidden(_("只有本次出车的驾驶员或服务商调度可以登记。"))


def trip_depart(
    *, trip: VehicleTrip | int, actor: User, odometer: int, at: datetime | None = None, now: datetime | None = None
) -> VehicleTrip:
    """出车: the driver leaves; core ``start``."""
    now = now_or(now)
    at = at or now
    with fleet_path(), transaction.atomic():
        locked = _lock_trip(trip)
        _require_driver_or_dispatcher(actor, locked)
        _require_stage(locked, TripStage.DISPATCHED, action="depart")
        assert locked.vehicle_id is not None  # a dispatched trip has its vehicle
        vehicle = Vehicle.objects.select_for_update().get(pk=locked.vehicle_id)
        errors: dict[str, list[str]] = {}
        if odometer is None or odometer < 0:
            errors["odometer"] = [_("请填写出车里程。")]
        elif odometer < vehicle.odometer_km:
            errors["odometer"] = [
                _("出车里程(%(km)d)低于车辆上次回场里程(%(last)d)。") % {"km": odometer, "last": vehicle.odometer_km}
            ]
        if at > now + timedelta(minutes=5):
            errors["at"] = [_("出车时间不能晚于当前时间。")]
        if errors:
            raise ValidationError(errors)
        transition(request=locked.request_id, action="start", actor=actor, now=now)
        locked.out_at, locked.out_odometer, locked.stage = at, odometer, TripStage.OUT
        locked.save(update_fields=["out_at", "out_odometer", "stage"])
        Vehicle.objects.filter(pk=vehicle.pk, status=VehicleStatus.AVAILABLE).update(status=VehicleStatus.IN_USE)
        record_event(
            request=locked.request,
            kind=EventKind.UPDATED,
            actor=actor,
            at=now,
            action="depart",
            changes={"out_at": at.isoformat(), "out_odometer": odometer},
        )
    return locked


def trip_return(
    *,
    trip: VehicleTrip | int,
    actor: User,
    odometer: int,
    at: datetime | None = None,
    tolls: Any = 0,
    parking: Any = 0,
    fuel: Any = 0,
    note: str = "",
    now: datetime | None = None,
) -> VehicleTrip:
    """回场: odometer, tolls, parking and fuel; core ``resolve``; the vehicle and driver are free again."""
    now = now_or(now)
    at = at or now
    with fleet_path(), transaction.atomic():
        locked = _lock_trip(trip)
        _require_driver_or_dispatcher(actor, locked)
        _require_stage(locked, TripStage.OUT, action="return")
        errors: dict[str, list[str]] = {}
        assert locked.out_at is not None and locked.out_odometer is not None
        if odometer is None:
            errors["odometer"] = [_("请填写回场里程。")]
        elif odometer < locked.out_odometer:
            errors["odometer"] = [
                _("回场里程(%(km)d)不能低于出车里程(%(out)d)。") % {"km": odometer, "out": locked.out_odometer}
            ]
        if at <= locked.out_at:
            errors["at"] = [_("回场时间必须晚于出车时间。")]
        elif at > now + timedelta(minutes=5):
            errors["at"] = [_("回场时间不能晚于当前时间。")]
        amounts = {
            name: _money(value, name, errors)
            for name, value in (("tolls", tolls), ("parking", parking), ("fuel", fuel))
        }
        if errors:
            raise ValidationError(errors)
        km = odometer - locked.out_odometer
        transition(
            request=locked.request_id,
            action="resolve",
            actor=actor,
            now=now,
            note=note.strip() or _("已回场，行驶%(km)d公里。") % {"km": km},
        )
        locked.returned_at, locked.return_odometer = at, odometer
        locked.tolls, locked.parking, locked.fuel = amounts["tolls"], amounts["parking"], amounts["fuel"]
        locked.distance_km = km
        locked.booked = False
        locked.stage = TripStage.RETURNED
        locked.save(
            update_fields=[
                "returned_at",
                "return_odometer",
                "tolls",
                "parking",
                "fuel",
                "distance_km",
                "booked",
                "stage",
            ]
        )
        assert locked.vehicle_id is not None  # a dispatched trip has its vehicle
        vehicle = Vehicle.objects.select_for_update().get(pk=locked.vehicle_id)
        vehicle.odometer_km = max(vehicle.odometer_km, odometer)
        fields = ["odometer_km"]
        if vehicle.status == VehicleStatus.IN_USE:
            vehicle.status = VehicleStatus.AVAILABLE
            fields.append("status")
        vehicle.save(update_fields=fields)
        kinds = {"tolls": RecordKind.TOLL, "parking": RecordKind.PARKING, "fuel": RecordKind.FUEL}
        VehicleRecord.objects.bulk_create(
            [
                VehicleRecord(
                    vehicle=vehicle,
                    kind=kinds[name],
                    date=timezone.localtime(at).date(),
                    amount=amount,
                    odometer_km=odometer,
                    trip=locked,
                    created_by=actor,
                    created_at=now,
                    note=locked.request.number,
                )
                for name, amount in amounts.items()
                if amount > 0
            ]
        )
        record_event(
            request=locked.request,
            kind=EventKind.UPDATED,
            actor=actor,
            at=now,
            action="return",
            changes={
                "returned_at": at.isoformat(),
                "return_odometer": odometer,
                "distance_km": km,
                **{k: str(v) for k, v in amounts.items()},
            },
        )
    return locked


# --- cost and rating -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TripCost:
    distance_km: int
    billed_hours: Decimal
    cost_km: Decimal
    cost_time: Decimal
    total: Decimal


def billed_hours(minutes: int) -> Decimal:
    """Time is billed by the started half hour (不足半小时按半小时计)."""
    return Decimal(math.ceil(max(minutes, 0) / 30)) / 2


def compute_trip_cost(
    *, distance_km: int, minutes: int, per_km: Decimal, per_hour: Decimal, tolls: Decimal, parking: Decimal
) -> TripCost:
    """Pure: kilometres × rate + billed hours × rate + tolls + parking (fuel is in the per-km rate)."""
    hours = billed_hours(minutes)
    cost_km = (Decimal(distance_km) * per_km).quantize(CENT, ROUND_HALF_UP)
    cost_time = (hours * per_hour).quantize(CENT, ROUND_HALF_UP)
    return TripCost(distance_km, hours, cost_km, cost_time, cost_km + cost_time + tolls + parking)


def rate_for(trip: VehicleTrip) -> FleetRate | None:
    if trip.request.contract_id is None:
        return None  # not routed to a contract: nothing prices it
    on = timezone.localtime(trip.out_at or trip.slot_start).date()
    return (
        FleetRate.objects.filter(contract_id=trip.request.contract_id, valid_from__lte=on)
        .order_by("-valid_from")
        .first()
    )


def trip_cost(*, trip: VehicleTrip | int, actor: User, now: datetime | None = None) -> VehicleTrip:
    """核算: the trip's cost under the contract's rate in force on the day it went out."""
    now = now_or(now)
    with transaction.atomic():
        locked = _lock_trip(trip)
        if not (perms.is_trip_dispatcher(actor, locked) or perms.is_fleet_bureau(actor)):
            raise ActionForbidden(_("只有服务商调度或车管处室可以核算费用。"))
        if locked.costed_at is not None:
            raise TransitionNotAllowed(_("该行程已核算。"), action="cost", status=locked.stage)
        _require_stage(locked, TripStage.RETURNED, TripStage.RATED, action="cost")
        rate = rate_for(locked)
        if rate is None:
            raise ValidationError({"rate": [_("合同未设置用车计价标准，无法核算。")]})
        assert locked.out_at and locked.returned_at and locked.distance_km is not None
        minutes = int((locked.returned_at - locked.out_at).total_seconds() // 60)
        cost = compute_trip_cost(
            distance_km=locked.distance_km,
            minutes=minutes,
            per_km=rate.per_km,
            per_hour=rate.per_hour,
            tolls=locked.tolls,
            parking=locked.parking,
        )
        locked.rate = rate
        locked.billed_hours, locked.cost_km, locked.cost_time = cost.billed_hours, cost.cost_km, cost.cost_time
        locked.cost_total = cost.total
        locked.costed_at, locked.costed_by = now, actor
        fields = ["rate", "billed_hours", "cost_km", "cost_time", "cost_total", "costed_at", "costed_by"]
        if locked.stage == TripStage.RETURNED:
            locked.stage = TripStage.COSTED
            fields.append("stage")
        locked.save(update_fields=fields)
        record_event(
            request=locked.request,
            kind=EventKind.UPDATED,
            actor=actor,
            at=now,
            action="cost",
            changes={
                "distance_km": cost.distance_km,
                "billed_hours": str(cost.billed_hours),
                "cost_km": str(cost.cost_km),
                "cost_time": str(cost.cost_time),
                "cost_total": str(cost.total),
                "rate": rate.pk,
            },
        )
    return locked


def trip_rate(
    *, trip: VehicleTrip | int, actor: User, rating: int, comment: str = "", now: datetime | None = None
) -> Feedback:
    """评价: the requester rates; the core's feedback loop (a low rating opens a complaint)."""
    now = now_or(now)
    with transaction.atomic():
        locked = _lock_trip(trip)
        _require_stage(locked, TripStage.RETURNED, TripStage.COSTED, action="rate")
        return feedback_submit(request=locked.request, actor=actor, rating=rating, comment=comment, now=now)


# --- vehicle file --------------------------------------------------------------------------------------------


def vehicle_record_add(
    *,
    vehicle: Vehicle,
    actor: User,
    kind: str,
    date: Any,
    amount: Any = 0,
    valid_until: Any = None,
    odometer_km: int | None = None,
    quantity: Any = None,
    provider: str = "",
    note: str = "",
    now: datetime | None = None,
) -> VehicleRecord:
    now = now_or(now)
    if not perms.may_manage_vehicles(actor):
        raise ActionForbidden(_("只有车管处室或汽车服务公司调度可以登记车辆档案。"))
    errors: dict[str, list[str]] = {}
    if kind not in RecordKind.values:
        errors["kind"] = [_("档案类型无效。")]
    if kind in (RecordKind.INSURANCE, RecordKind.INSPECTION) and not valid_until:
        errors["valid_until"] = [_("保险和年检须填写有效期。")]
    if valid_until and date and valid_until < date:
        errors["valid_until"] = [_("有效期不能早于登记日期。")]
    money = _money(amount, "amount", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = VehicleRecord.objects.create(
            vehicle=vehicle,
            kind=kind,
            date=date,
            amount=money,
            valid_until=valid_until,
            odometer_km=odometer_km,
            quantity=quantity,
            provider=provider,
            note=note,
            created_by=actor,
            created_at=now,
        )
        if odometer_km:
            Vehicle.objects.filter(pk=vehicle.pk, odometer_km__lt=odometer_km).update(odometer_km=odometer_km)
    return record


def vehicle_set_status(*, vehicle: Vehicle, actor: User, status: str, now: datetime | None = None) -> Vehicle:
    if not perms.may_manage_vehicles(actor):
        raise ActionForbidden(_("只有车管处室或汽车服务公司调度可以变更车辆状态。"))
    if status not in VehicleStatus.values:
        raise ValidationError({"status": [_("车辆状态无效。")]})
    with transaction.atomic():
        locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if status != VehicleStatus.IN_USE and locked.trips.filter(stage=TripStage.OUT).exists():
            raise TransitionNotAllowed(_("车辆正在出车，不能变更状态。"), action="set_status", status=locked.status)
        locked.status = status
        locked.save(update_fields=["status"])
    return locked


def booked_q() -> Q:
    return Q(booked=True, stage__in=BOOKED_STAGES)
