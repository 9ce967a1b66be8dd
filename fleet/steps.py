"""A trip's own steps: one table and one gate, as the core's ``transitions.MOVES`` and ``transition()``.

``STEPS`` says, for each step, the stages it may start from and the stage each leads to, who may take it and
the core actions it moves the request through. ``trip_step()`` locks the trip, checks the table (wrong party
403, wrong stage 409), runs the step (which calls the core's ``transition(..., owner="fleet")`` where the core
status moves), sets the stage, saves only what changed and writes one event; on any error nothing is written.

    apply → approve (unit) → approve (bureau) → dispatch → depart → return → cost → rate
      core: pending_approval ─approve×2→ submitted ─accept+assign→ accepted ─start→ in_progress ─resolve→
      resolved ─confirm (feedback)→ closed

Approve, reject, cancel and the rating's confirm are core actions fleet does not own: the core's pages and API
may take them too. Their trip side (the approval record, the stage, the booking released) is done once, in
``follow_core()``, which ``fleet.receivers`` calls for whichever path took them. Nothing else sets a stage.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fleet.apps import OWNER
from fleet.availability import driver_problems, overlapping, vehicle_problems
from fleet.fares import compute_trip_cost, money, rate_for
from fleet.models import (
    ApprovalDecision,
    Driver,
    RecordKind,
    TripApproval,
    TripStage,
    Vehicle,
    VehicleRecord,
    VehicleStatus,
    VehicleTrip,
)
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import Event, EventKind, Feedback, Role, ServiceRequest, Status, User
from tickets.registry import ApprovalLevel, GuardCall
from tickets.services.common import now_or, record_event
from tickets.services.feedback import feedback_submit
from tickets.services.notifications import notify
from tickets.services.permissions import (
    Party,
    approval_levels,
    current_approval_level,
    is_bureau_for,
    may_approve_for_unit,
    parties_of,
    unit_approvers_q,
)
from tickets.services.transitions import MOVES, transition

T = TripStage


class TripParty(enum.StrEnum):
    REQUESTER = "requester"
    APPROVER = "approver"  # the approver of the request's current level (unit, then bureau)
    BUREAU = "bureau"  # the bureau's vehicle office
    DISPATCHER = "dispatcher"  # the car-service contractor's dispatcher of this trip
    DRIVER = "driver"  # the driver sent on this trip
    POSTHOC_APPROVER = "posthoc_approver"  # the next approver of an emergency trip, after the fact


P = TripParty


@dataclass(frozen=True)
class Step:
    moves: Mapping[TripStage, TripStage]  # from stage → to stage
    parties: frozenset[TripParty]
    label: str | Promise
    core: tuple[str, ...] = ()  # the core actions the step takes, in order
    # The core may take this step's action from its own paths too; the trip side is done in follow_core().
    followed: bool = False


LIVE = tuple(s for s in TripStage if s not in (T.REJECTED, T.CANCELLED))
BEFORE_DEPARTURE = (T.REQUESTED, T.APPROVED, T.DISPATCHED)

STEPS: dict[str, Step] = {
    "approve": Step({T.REQUESTED: T.APPROVED}, frozenset({P.APPROVER}), MOVES["approve"].label, ("approve",), True),
    "reject": Step(
        dict.fromkeys(BEFORE_DEPARTURE, T.REJECTED),
        frozenset({P.APPROVER, P.BUREAU}),
        MOVES["reject"].label,
        ("reject",),
        True,
    ),
    "cancel": Step(
        dict.fromkeys(BEFORE_DEPARTURE, T.CANCELLED), frozenset({P.REQUESTER}), MOVES["cancel"].label, ("cancel",), True
    ),
    "approve_posthoc": Step({s: s for s in LIVE}, frozenset({P.POSTHOC_APPROVER}), gettext_lazy("事后补批")),
    "dispatch": Step({T.APPROVED: T.DISPATCHED}, frozenset({P.DISPATCHER}), gettext_lazy("派车"), ("accept", "assign")),
    "depart": Step({T.DISPATCHED: T.OUT}, frozenset({P.DRIVER, P.DISPATCHER}), gettext_lazy("出车"), ("start",)),
    "return": Step({T.OUT: T.RETURNED}, frozenset({P.DRIVER, P.DISPATCHER}), gettext_lazy("回场"), ("resolve",)),
    "cost": Step({T.RETURNED: T.COSTED, T.RATED: T.RATED}, frozenset({P.DISPATCHER, P.BUREAU}), gettext_lazy("核算")),
    "rate": Step(
        {T.RETURNED: T.RATED, T.COSTED: T.RATED}, frozenset({P.REQUESTER}), gettext_lazy("评价"), ("confirm",), True
    ),
}

#: Core actions whose trip side follow_core() does, and the step each is.
FOLLOWED = {core: name for name, step in STEPS.items() if step.followed for core in step.core}

#: Core actions only fleet's gate takes on a trip (the core answers 409 from any other path).
OWNED_ACTIONS = frozenset({"create", "accept", "assign", "start", "hold", "resume", "resolve", "reassign"})
#: A trip is never reopened: a finished trip cannot be driven again (a low rating still opens a complaint).
ALLOWED_ACTIONS = frozenset(MOVES) - {"reopen"}
#: Labels of the steps on the core's timeline.
STEP_LABELS = {name: step.label for name, step in STEPS.items() if not step.followed}

# Refused once the trip has come back (core resolved, then closed by the rating): it was driven and is costed.
_REFUSED_WHEN_RETURNED = frozenset({"reopen", "reject", "close", "cancel"})


def guard(call: GuardCall) -> None:
    """The core asks before it writes. A returned trip is driven and costed: no reopen, reject, close or cancel
    (the system's close when the rating window expires is the one exception: the trip is kept as it is)."""
    service_request = call.service_request
    if service_request is None or call.action not in _REFUSED_WHEN_RETURNED:
        return
    if call.action == "close" and call.actor is None:
        return
    # The core status says "returned" as exactly as the stage does: return is the trip's core resolve.
    if service_request.status in (Status.RESOLVED, Status.CLOSED):
        raise TransitionNotAllowed(
            _("行程已回场并核算，不能%(action)s。") % {"action": MOVES[call.action].label},
            action=call.action,
            status=service_request.status,
        )


# --- who acts for which party ---------------------------------------------------------------------------------


def _posthoc_level(trip: VehicleTrip) -> str | None:
    done = {a.level for a in trip.approvals.all()}
    for level in (ApprovalLevel.UNIT, ApprovalLevel.BUREAU):
        if level not in done:
            return level
    return None


def trip_parties(user: User | None, trip: VehicleTrip) -> set[TripParty]:
    """Reads the trip, its request, driver and (for an emergency) prefetched approvals: no query per trip."""
    if user is None or not user.is_authenticated:
        return set()
    core = parties_of(user, trip.request)
    parties = {p for p, c in ((P.REQUESTER, Party.REQUESTER), (P.APPROVER, Party.APPROVER)) if c in core}
    if Party.BUREAU in core:
        parties.add(P.BUREAU)
    if Party.DISPATCHER in core:
        parties.add(P.DISPATCHER)
    if trip.driver is not None and trip.driver.user_id == user.pk:
        parties.add(P.DRIVER)
    if trip.emergency:
        level = _posthoc_level(trip)
        if (level == ApprovalLevel.UNIT and may_approve_for_unit(user, trip.request)) or (
            level == ApprovalLevel.BUREAU and is_bureau_for(user, trip.request.service_line)
        ):
            parties.add(P.POSTHOC_APPROVER)
    return parties


def trip_actions(trip: VehicleTrip, user: User) -> list[str]:
    """The steps this user may take on the trip now: the buttons on the pages and ``actions`` in the API."""
    parties = trip_parties(user, trip)
    return [
        name
        for name, step in STEPS.items()
        if trip.stage in step.moves
        and parties & step.parties
        and (name != "cost" or trip.costed_at is None)
        and (name != "approve_posthoc" or trip.emergency)
    ]


# --- the gate -------------------------------------------------------------------------------------------------


@dataclass
class Done:
    """What a step's effect did: the trip fields it changed and what the event records."""

    fields: list[str]
    changes: dict[str, Any]
    result: Any = None


Effect = Callable[..., Done]


def _pk(trip: VehicleTrip | int) -> int:
    return int(trip.pk) if isinstance(trip, VehicleTrip) else trip


def _lock_trip(trip: VehicleTrip | int) -> VehicleTrip:
    pk = _pk(trip)
    return (
        VehicleTrip.objects.select_for_update(of=("self",))
        .select_related("request", "request__contractor", "request__unit", "request__category", "vehicle")
        .select_related("driver__user")
        .get(pk=pk)
    )


def trip_step(*, trip: VehicleTrip | int, step: str, actor: User, now: datetime | None = None, **inputs: Any) -> Any:
    """Take ``step`` on the trip for ``actor``. Raises ActionForbidden (403), TransitionNotAllowed (409) or
    ValidationError (400); on any error nothing is written. Returns what the step made (the trip, a feedback)."""
    now = now_or(now)
    spec = STEPS.get(step)
    if spec is None:
        raise ValidationError({"step": [_("未知的操作：%(action)s") % {"action": step}]})
    with transaction.atomic():
        locked = _lock_trip(trip)
        if not trip_parties(actor, locked) & spec.parties:
            raise ActionForbidden(_("您无权对该行程执行“%(step)s”。") % {"step": spec.label})
        if locked.stage not in spec.moves:
            raise TransitionNotAllowed(
                _("行程当前环节为“%(stage)s”，不能%(step)s。")
                % {"stage": locked.get_stage_display(), "step": spec.label},
                action=step,
                status=locked.stage,
            )
        target = spec.moves[TripStage(locked.stage)]
        done = _EFFECTS[step](locked, actor=actor, now=now, **inputs)
        if spec.followed:  # follow_core() did the trip's side inside the core's transition
            return done.result if done.result is not None else VehicleTrip.objects.get(pk=locked.pk)
        fields = list(done.fields)
        if target != locked.stage:
            locked.stage = target
            fields.append("stage")
        if fields:
            try:
                with transaction.atomic():
                    locked.save(update_fields=fields)
            except IntegrityError:
                # The one constraint a save can race for: the booking's no-overlap (a dispatcher at the same time).
                raise TransitionNotAllowed(
                    _("车辆或驾驶员在该时段已被其他调度同时派出，请刷新后重选。"), action=step, status=locked.stage
                ) from None
        event = record_event(
            service_request=locked.request,
            kind=EventKind.UPDATED,
            actor=actor,
            at=now,
            action=step,
            changes={"step": step, **done.changes},
        )
        if step == "approve_posthoc" and event is not None:
            tell_posthoc_approvers(locked, event)
    return done.result if done.result is not None else locked


def tell_posthoc_approvers(trip: VehicleTrip, event: Event) -> None:
    """An emergency trip (先用后批) waits for its approvals after the fact: the next level hears of it, in the app
    and by e-mail, as a request waiting for approval does (the unit's approver up the tree, then the bureau)."""
    level = _posthoc_level(trip)
    if level == ApprovalLevel.UNIT:
        who = unit_approvers_q(trip.request)
    elif level == ApprovalLevel.BUREAU:
        who = Q(role=Role.SUPERVISOR, service_line=trip.request.service_line)
    else:
        return
    recipients = [u for u in User.objects.filter(who, is_active=True) if u.pk != event.actor_id]
    notify(event=event, recipients=recipients, title=f"应急用车 {trip.request.number} 待您事后补批")


def follow_core(*, service_request: ServiceRequest, action: str, event: Event, actor: User | None) -> None:
    """The core took ``action`` on a trip's request (from fleet's gate or its own pages and API): the trip follows
    by the same table. Never raises: what the kind refuses was refused before the core wrote."""
    name = FOLLOWED.get(action)
    if name is None or actor is None:  # the system takes none of these (it closes, which a trip does not follow)
        return
    trip = VehicleTrip.objects.filter(request=service_request).first()
    if trip is None or trip.stage not in STEPS[name].moves:
        return
    target = STEPS[name].moves[TripStage(trip.stage)]
    values: dict[str, Any] = {}
    if action == "approve":
        levels = approval_levels(service_request)
        TripApproval.objects.create(
            trip=trip,
            level=levels[service_request.approval_stage - 1],
            decision=ApprovalDecision.APPROVED,
            approver=actor,
            note=event.note[:300],
            decided_at=event.created_at,
        )
        if service_request.status != Status.SUBMITTED:  # another level is still to approve
            return
    elif action == "reject":
        level = current_approval_level(service_request) if event.from_status == Status.PENDING_APPROVAL else None
        if level:  # reject leaves approval_stage at the level that refused
            TripApproval.objects.create(
                trip=trip,
                level=level,
                decision=ApprovalDecision.REJECTED,
                approver=actor,
                note=event.note[:300],
                decided_at=event.created_at,
            )
        values["booked"] = False
    elif action == "cancel":
        values["booked"] = False
    # Only the row as it was read: the request's lock orders the core's actions, and the trip is not locked here
    # (fleet's gate locks the trip before the request; locking it after would invite a deadlock).
    VehicleTrip.objects.filter(pk=trip.pk, stage=trip.stage).update(stage=target, **values)


# --- the steps' effects ---------------------------------------------------------------------------------------


def _core(trip: VehicleTrip, action: str, actor: User, now: datetime, **kwargs: Any) -> None:
    transition(service_request=trip.request_id, action=action, actor=actor, now=now, owner=OWNER, **kwargs)


def _approve(trip: VehicleTrip, *, actor: User, now: datetime, note: str = "") -> Done:
    _core(trip, "approve", actor, now, note=note)
    return Done([], {})


def _reject(trip: VehicleTrip, *, actor: User, now: datetime, note: str = "") -> Done:
    _core(trip, "reject", actor, now, note=note)
    return Done([], {})


def _cancel(trip: VehicleTrip, *, actor: User, now: datetime, note: str = "") -> Done:
    _core(trip, "cancel", actor, now, note=note)
    return Done([], {})


def _approve_posthoc(
    trip: VehicleTrip, *, actor: User, now: datetime, decision: str = ApprovalDecision.APPROVED, note: str = ""
) -> Done:
    if decision not in ApprovalDecision.values:
        raise ValidationError({"decision": [_("审批意见无效。")]})
    if decision == ApprovalDecision.REJECTED and not note.strip():
        raise ValidationError({"note": [_("请填写不同意的理由。")]})
    level = _posthoc_level(trip)
    assert level is not None  # trip_parties() gives no posthoc approver once both levels are done
    TripApproval.objects.create(
        trip=trip, level=level, decision=decision, approver=actor, note=note[:300], post_hoc=True, decided_at=now
    )
    return Done([], {"level": level, "decision": decision})


def _dispatch(trip: VehicleTrip, *, actor: User, now: datetime, vehicle: Vehicle, driver: Driver) -> Done:
    """The overlap check here gives a clear message; the database constraint is what makes it true when two
    dispatchers race (the loser's save is refused and answered 409 by the gate)."""
    vehicle = Vehicle.objects.get(pk=vehicle.pk)
    driver = Driver.objects.select_related("user").get(pk=driver.pk)
    errors: dict[str, list[str]] = {}
    if problems := vehicle_problems(vehicle, trip):
        errors["vehicle"] = problems
    if problems := driver_problems(driver, trip):
        errors["driver"] = problems
    if errors:
        raise ValidationError(errors)
    others = VehicleTrip.objects.exclude(pk=trip.pk)
    if overlapping(others.filter(vehicle=vehicle), trip.slot_start, trip.slot_end).exists():
        raise TransitionNotAllowed(
            _("车辆%(plate)s在该时段已被派出，不能重复派车。") % {"plate": vehicle.plate},
            action="dispatch",
            status=trip.stage,
        )
    if overlapping(others.filter(driver=driver), trip.slot_start, trip.slot_end).exists():
        raise TransitionNotAllowed(
            _("驾驶员%(name)s在该时段已有出车任务。") % {"name": driver}, action="dispatch", status=trip.stage
        )
    _core(trip, "accept", actor, now)
    _core(trip, "assign", actor, now, assignee=driver.user)
    trip.vehicle, trip.driver, trip.booked = vehicle, driver, True
    trip.dispatched_at, trip.dispatched_by = now, actor
    fields = ["vehicle", "driver", "booked", "dispatched_at", "dispatched_by"]
    return Done(fields, {"vehicle": vehicle.plate, "driver": driver.user_id})


# A departure or return time entered by hand lies within the booked slot, give or take this much (a car may leave
# early or come back late); a time years away is a typing error, and would falsify the per-vehicle cost and monitors.
TRIP_TIME_SLACK = timedelta(hours=24)


def _outside_window(trip: VehicleTrip, at: datetime | None) -> list[str] | None:
    if at is None:
        return None
    earliest, latest = trip.slot_start - TRIP_TIME_SLACK, trip.slot_end + TRIP_TIME_SLACK
    if earliest <= at <= latest:
        return None
    return [
        _("时间须在用车时段前后 %(hours)d 小时内（%(start)s 至 %(end)s）。")
        % {
            "hours": int(TRIP_TIME_SLACK.total_seconds() // 3600),
            "start": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M"),
            "end": timezone.localtime(latest).strftime("%Y-%m-%d %H:%M"),
        }
    ]


def _depart(trip: VehicleTrip, *, actor: User, now: datetime, odometer: int, at: datetime | None = None) -> Done:
    outside = _outside_window(trip, at)
    at = at or now
    assert trip.vehicle_id is not None  # dispatched: the table lets depart start from nowhere else
    vehicle = Vehicle.objects.select_for_update().get(pk=trip.vehicle_id)
    errors: dict[str, list[str]] = {}
    if odometer is None or odometer < 0:
        errors["odometer"] = [_("请填写出车里程。")]
    elif odometer < vehicle.odometer_km:
        errors["odometer"] = [
            _("出车里程(%(km)d)低于车辆上次回场里程(%(last)d)。") % {"km": odometer, "last": vehicle.odometer_km}
        ]
    if at > now + timedelta(minutes=5):
        errors["at"] = [_("出车时间不能晚于当前时间。")]
    elif outside:
        errors["at"] = outside
    if errors:
        raise ValidationError(errors)
    _core(trip, "start", actor, now)
    trip.out_at, trip.out_odometer = at, odometer
    Vehicle.objects.filter(pk=vehicle.pk, status=VehicleStatus.AVAILABLE).update(status=VehicleStatus.IN_USE)
    return Done(["out_at", "out_odometer"], {"out_at": at.isoformat(), "out_odometer": odometer})


def _return(
    trip: VehicleTrip,
    *,
    actor: User,
    now: datetime,
    odometer: int,
    at: datetime | None = None,
    tolls: Any = 0,
    parking: Any = 0,
    fuel: Any = 0,
    note: str = "",
) -> Done:
    outside = _outside_window(trip, at)
    at = at or now
    errors: dict[str, list[str]] = {}
    assert trip.out_at is not None and trip.out_odometer is not None
    if odometer is None:
        errors["odometer"] = [_("请填写回场里程。")]
    elif odometer < trip.out_odometer:
        errors["odometer"] = [
            _("回场里程(%(km)d)不能低于出车里程(%(out)d)。") % {"km": odometer, "out": trip.out_odometer}
        ]
    if at <= trip.out_at:
        errors["at"] = [_("回场时间必须晚于出车时间。")]
    elif at > now + timedelta(minutes=5):
        errors["at"] = [_("回场时间不能晚于当前时间。")]
    elif outside:
        errors["at"] = outside
    amounts = {
        name: money(value, name, errors) for name, value in (("tolls", tolls), ("parking", parking), ("fuel", fuel))
    }
    if errors:
        raise ValidationError(errors)
    km = odometer - trip.out_odometer
    _core(trip, "resolve", actor, now, note=note.strip() or _("已回场，行驶%(km)d公里。") % {"km": km})
    trip.returned_at, trip.return_odometer = at, odometer
    trip.tolls, trip.parking, trip.fuel = amounts["tolls"], amounts["parking"], amounts["fuel"]
    trip.distance_km = km
    trip.booked = False
    assert trip.vehicle_id is not None
    vehicle = Vehicle.objects.select_for_update().get(pk=trip.vehicle_id)
    vehicle.odometer_km = max(vehicle.odometer_km, odometer)
    vehicle_fields = ["odometer_km"]
    if vehicle.status == VehicleStatus.IN_USE:
        vehicle.status = VehicleStatus.AVAILABLE
        vehicle_fields.append("status")
    vehicle.save(update_fields=vehicle_fields)
    kinds = {"tolls": RecordKind.TOLL, "parking": RecordKind.PARKING, "fuel": RecordKind.FUEL}
    VehicleRecord.objects.bulk_create(
        [
            VehicleRecord(
                vehicle=vehicle,
                kind=kinds[name],
                date=timezone.localtime(at).date(),
                amount=amount,
                odometer_km=odometer,
                trip=trip,
                created_by=actor,
                created_at=now,
                note=trip.request.number,
            )
            for name, amount in amounts.items()
            if amount > 0
        ]
    )
    fields = ["returned_at", "return_odometer", "tolls", "parking", "fuel", "distance_km", "booked"]
    changes = {
        "returned_at": at.isoformat(),
        "return_odometer": odometer,
        "distance_km": km,
        **{k: str(v) for k, v in amounts.items()},
    }
    return Done(fields, changes)


def _cost(trip: VehicleTrip, *, actor: User, now: datetime) -> Done:
    """核算: the trip's cost under the contract's rate in force on the day it went out."""
    if trip.costed_at is not None:
        raise TransitionNotAllowed(_("该行程已核算。"), action="cost", status=trip.stage)
    rate = rate_for(trip)
    if rate is None:
        raise ValidationError({"rate": [_("合同未设置用车计价标准，无法核算。")]})
    assert trip.out_at and trip.returned_at and trip.distance_km is not None
    minutes = int((trip.returned_at - trip.out_at).total_seconds() // 60)
    cost = compute_trip_cost(
        distance_km=trip.distance_km,
        minutes=minutes,
        per_km=rate.per_km,
        per_hour=rate.per_hour,
        tolls=trip.tolls,
        parking=trip.parking,
        fuel=trip.fuel,
    )
    trip.rate = rate
    trip.billed_hours, trip.cost_km, trip.cost_time = cost.billed_hours, cost.cost_km, cost.cost_time
    trip.cost_total = cost.total
    trip.costed_at, trip.costed_by = now, actor
    fields = ["rate", "billed_hours", "cost_km", "cost_time", "cost_total", "costed_at", "costed_by"]
    changes = {
        "distance_km": cost.distance_km,
        "billed_hours": str(cost.billed_hours),
        "cost_km": str(cost.cost_km),
        "cost_time": str(cost.cost_time),
        "cost_total": str(cost.total),
        "rate": rate.pk,
    }
    return Done(fields, changes)


def _rate(trip: VehicleTrip, *, actor: User, now: datetime, rating: int, comment: str = "") -> Done:
    """评价: the requester rates through the core's feedback loop (a low rating opens a complaint)."""
    feedback = feedback_submit(service_request=trip.request, actor=actor, rating=rating, comment=comment, now=now)
    return Done([], {}, result=feedback)


_EFFECTS: dict[str, Effect] = {
    "approve": _approve,
    "reject": _reject,
    "cancel": _cancel,
    "approve_posthoc": _approve_posthoc,
    "dispatch": _dispatch,
    "depart": _depart,
    "return": _return,
    "cost": _cost,
    "rate": _rate,
}


# --- the steps by name, as the pages, the API and the demo call them -------------------------------------------


def trip_approve(*, trip: VehicleTrip | int, actor: User, note: str = "", now: datetime | None = None) -> VehicleTrip:
    """The unit approver, then the bureau, approve (core ``approve`` twice); an emergency trip is approved after
    the fact instead."""
    pk = _pk(trip)
    if VehicleTrip.objects.filter(pk=pk, emergency=True).exists():
        return trip_approve_posthoc(trip=pk, actor=actor, note=note, now=now)
    return trip_step(trip=pk, step="approve", actor=actor, now=now, note=note)  # type: ignore[no-any-return]


def trip_reject(*, trip: VehicleTrip | int, actor: User, note: str, now: datetime | None = None) -> VehicleTrip:
    return trip_step(trip=trip, step="reject", actor=actor, now=now, note=note)  # type: ignore[no-any-return]


def trip_cancel(*, trip: VehicleTrip | int, actor: User, note: str = "", now: datetime | None = None) -> VehicleTrip:
    return trip_step(trip=trip, step="cancel", actor=actor, now=now, note=note)  # type: ignore[no-any-return]


def trip_approve_posthoc(
    *,
    trip: VehicleTrip | int,
    actor: User,
    decision: str = ApprovalDecision.APPROVED,
    note: str = "",
    now: datetime | None = None,
) -> VehicleTrip:
    """Approval after the fact of an emergency trip: the unit first, then the bureau."""
    pk = _pk(trip)
    if not VehicleTrip.objects.filter(pk=pk, emergency=True).exists():
        raise TransitionNotAllowed(_("只有应急用车需要事后补批。"), action="approve_posthoc")
    current = VehicleTrip.objects.prefetch_related("approvals").get(pk=pk)
    if _posthoc_level(current) is None:
        raise TransitionNotAllowed(_("该应急用车已完成补批。"), action="approve_posthoc", status=current.stage)
    return trip_step(  # type: ignore[no-any-return]
        trip=pk, step="approve_posthoc", actor=actor, now=now, decision=decision, note=note
    )


def trip_dispatch(
    *, trip: VehicleTrip | int, actor: User, vehicle: Vehicle, driver: Driver, now: datetime | None = None
) -> VehicleTrip:
    """The car-service dispatcher sends a vehicle and a driver (core ``accept`` + ``assign``)."""
    return trip_step(trip=trip, step="dispatch", actor=actor, now=now, vehicle=vehicle, driver=driver)  # type: ignore[no-any-return]


def trip_depart(
    *, trip: VehicleTrip | int, actor: User, odometer: int, at: datetime | None = None, now: datetime | None = None
) -> VehicleTrip:
    """出车: the driver leaves; core ``start``."""
    return trip_step(trip=trip, step="depart", actor=actor, now=now, odometer=odometer, at=at)  # type: ignore[no-any-return]


def trip_return(*, trip: VehicleTrip | int, actor: User, now: datetime | None = None, **inputs: Any) -> VehicleTrip:
    """回场: odometer, tolls, parking and fuel; core ``resolve``; the vehicle and driver are free again."""
    return trip_step(trip=trip, step="return", actor=actor, now=now, **inputs)  # type: ignore[no-any-return]


def trip_cost(*, trip: VehicleTrip | int, actor: User, now: datetime | None = None) -> VehicleTrip:
    return trip_step(trip=trip, step="cost", actor=actor, now=now)  # type: ignore[no-any-return]


def trip_rate(
    *, trip: VehicleTrip | int, actor: User, rating: int, comment: str = "", now: datetime | None = None
) -> Feedback:
    return trip_step(trip=trip, step="rate", actor=actor, now=now, rating=rating, comment=comment)  # type: ignore[no-any-return]


def trip_is_approved(trip: VehicleTrip) -> bool:
    """Approved before the fact (the core request passed its approvals) or, for an emergency, after it."""
    if trip.emergency:
        decisions = {a.level: a.decision for a in trip.approvals.all()}
        return all(
            decisions.get(level) == ApprovalDecision.APPROVED for level in (ApprovalLevel.UNIT, ApprovalLevel.BUREAU)
        )
    return trip.stage not in (T.REQUESTED, T.REJECTED, T.CANCELLED)
