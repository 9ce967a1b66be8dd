"""The trip chain through the services, as each role would take its step."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from fleet.filing import emergency_trip_create
from fleet.models import ApprovalDecision, TripStage, Vehicle, VehicleRecord, VehicleStatus, VehicleTrip
from fleet.steps import (
    trip_approve,
    trip_approve_posthoc,
    trip_cancel,
    trip_cost,
    trip_depart,
    trip_dispatch,
    trip_is_approved,
    trip_rate,
    trip_reject,
    trip_return,
)
from tests.fleet.conftest import at
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import Event, ServiceRequest, Status
from tickets.services.transitions import transition


def test_full_chain_from_apply_to_rating(fleet, apply):
    w = fleet.w
    trip = apply()
    req = trip.request
    assert (req.status, req.kind, trip.stage) == (Status.PENDING_APPROVAL, "vehicle_trip", TripStage.REQUESTED)
    assert req.contractor == fleet.ref.contractor
    assert req.clock_started_at is None  # waiting for approval is not the contractor's time

    with pytest.raises(ActionForbidden):  # the bureau cannot approve before the unit
        trip_approve(trip=trip, actor=w.vic, now=at(3, 10, 9, 5))
    trip_approve(trip=trip, actor=w.uma, note="同意", now=at(3, 10, 9, 10))
    trip.refresh_from_db()
    assert trip.stage == TripStage.REQUESTED and trip.request.status == Status.PENDING_APPROVAL
    trip_approve(trip=trip, actor=w.vic, now=at(3, 10, 9, 20))
    trip.refresh_from_db()
    req.refresh_from_db()
    assert trip.stage == TripStage.APPROVED
    assert req.status == Status.SUBMITTED and req.clock_started_at == at(3, 10, 9, 20)
    assert [(a.level, a.approver, a.decision) for a in trip.approvals.all()] == [
        ("unit", w.uma, ApprovalDecision.APPROVED),
        ("bureau", w.vic, ApprovalDecision.APPROVED),
    ]

    trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 9, 40))
    trip.refresh_from_db()
    req.refresh_from_db()
    assert (trip.stage, trip.booked, trip.vehicle, trip.driver) == (TripStage.DISPATCHED, True, fleet.car, fleet.du)
    assert req.status == Status.ACCEPTED and req.assignee == fleet.du.user
    assert req.response_minutes == 20  # 09:20 → 09:40: the contractor's clock

    trip_depart(trip=trip, actor=fleet.du.user, odometer=12000, at=at(3, 10, 13, 50), now=at(3, 10, 13, 50))
    assert Vehicle.objects.get(pk=fleet.car.pk).status == VehicleStatus.IN_USE
    trip_return(
        trip=trip,
        actor=fleet.du.user,
        odometer=12046,
        at=at(3, 10, 16, 35),
        tolls="10",
        parking="15.50",
        fuel="60",
        now=at(3, 10, 16, 40),
    )
    trip.refresh_from_db()
    req.refresh_from_db()
    assert (trip.stage, trip.booked, trip.distance_km) == (TripStage.RETURNED, False, 46)
    assert req.status == Status.RESOLVED
    car = Vehicle.objects.get(pk=fleet.car.pk)
    assert (car.status, car.odometer_km) == (VehicleStatus.AVAILABLE, 12046)
    assert sorted(VehicleRecord.objects.filter(trip=trip).values_list("kind", "amount")) == [
        ("fuel", Decimal("60.00")),
        ("parking", Decimal("15.50")),
        ("toll", Decimal("10.00")),
    ]

    trip_cost(trip=trip, actor=fleet.dan, now=at(3, 10, 17))
    trip.refresh_from_db()
    # 46 km × 2.50 = 115.00; 13:50–16:35 is 165 min → 3.0 h billed (by the started half hour) × 30 = 90.00;
    # + tolls 10 + parking 15.50 + fuel 60 (entered at return, passed on at cost) = 290.50
    assert (trip.cost_km, trip.billed_hours, trip.cost_time, trip.cost_total) == (
        Decimal("115.00"),
        Decimal("3.0"),
        Decimal("90.00"),
        Decimal("290.50"),
    )
    assert trip.stage == TripStage.COSTED

    trip_rate(trip=trip, actor=w.alice, rating=5, comment="准时", now=at(3, 10, 18))
    trip.refresh_from_db()
    req.refresh_from_db()
    assert trip.stage == TripStage.RATED and req.status == Status.CLOSED and req.rating == 5
    actions = list(Event.objects.filter(request=req).values_list("action", flat=True))
    assert actions == [
        "",
        "approve",
        "approve",
        "accept",
        "assign",
        "dispatch",
        "start",
        "depart",
        "resolve",
        "return",
        "cost",
        "confirm",
        "",
    ]
    on_behalf = dict(Event.objects.filter(request=req).values_list("action", "on_behalf_of"))
    assert on_behalf["accept"].startswith("服务商:") and on_behalf["approve"] == "机关事务局"


def test_reject_with_reason_and_cancel(fleet, apply, approved):
    w = fleet.w
    trip = apply()
    with pytest.raises(ValidationError) as err:
        trip_reject(trip=trip, actor=w.uma, note="", now=at(3, 10, 9, 5))
    assert "note" in err.value.message_dict
    trip_reject(trip=trip, actor=w.uma, note="非公务", now=at(3, 10, 9, 5))
    trip.refresh_from_db()
    assert trip.stage == TripStage.REJECTED and trip.request.status == Status.REJECTED
    assert trip.approvals.get().decision == ApprovalDecision.REJECTED

    other = approved(slot_start=at(3, 11, 9), slot_end=at(3, 11, 12))
    trip_dispatch(trip=other, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 10))
    with pytest.raises(ActionForbidden):
        trip_cancel(trip=other, actor=w.erin, now=at(3, 10, 10, 5))
    trip_cancel(trip=other, actor=w.alice, note="会议取消", now=at(3, 10, 10, 5))
    other.refresh_from_db()
    assert other.stage == TripStage.CANCELLED and other.booked is False  # the car is free again
    third = approved(slot_start=at(3, 11, 9), slot_end=at(3, 11, 12))
    trip_dispatch(trip=third, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 10, 10))


def test_emergency_trip_is_used_first_and_approved_after(fleet):
    w = fleet.w
    trip = emergency_trip_create(
        actor=fleet.dan,
        requester=w.alice,
        category=fleet.ref.emergency_category,
        compound=w.compound,
        purpose="防汛抢险",
        passenger_count=3,
        origin="南院",
        destination="河堤",
        slot_start=at(3, 14, 2),
        slot_end=at(3, 14, 6),
        now=at(3, 14, 1, 50),
    )
    assert trip.emergency and trip.stage == TripStage.APPROVED and trip.request.status == Status.SUBMITTED
    assert not trip_is_approved(trip)
    trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.van, driver=fleet.ding, now=at(3, 14, 1, 55))
    events = Event.objects.count()
    with pytest.raises(ActionForbidden):  # the bureau cannot go before the unit
        trip_approve_posthoc(trip=trip, actor=w.vic, now=at(3, 16, 9))
    assert Event.objects.count() == events and not trip.approvals.exists()
    trip_approve(trip=trip, actor=w.uma, now=at(3, 16, 9))  # trip_approve routes emergencies here
    trip_approve_posthoc(trip=trip, actor=w.vic, now=at(3, 16, 10))
    trip.refresh_from_db()
    assert [(a.level, a.post_hoc) for a in trip.approvals.all()] == [("unit", True), ("bureau", True)]
    assert trip_is_approved(trip)
    assert [e.changes["step"] for e in Event.objects.filter(action="approve_posthoc")] == ["approve_posthoc"] * 2
    with pytest.raises(TransitionNotAllowed):
        trip_approve_posthoc(trip=trip, actor=w.vic, now=at(3, 16, 11))


def test_only_bureau_or_dispatcher_file_emergencies(fleet):
    with pytest.raises(ActionForbidden):
        emergency_trip_create(
            actor=fleet.w.alice,
            requester=fleet.w.alice,
            category=fleet.ref.emergency_category,
            compound=fleet.w.compound,
            purpose="x",
            passenger_count=1,
            origin="a",
            destination="b",
            slot_start=at(3, 14, 2),
            slot_end=at(3, 14, 6),
        )


def test_rental_trip_may_take_the_contractors_rental_car(fleet, approved):
    rented = Vehicle.objects.create(
        plate="京B·Z9999",
        model="租赁 帕萨特",
        category="other",
        seats=4,
        home_compound=fleet.w.compound,
        rental=True,
        rental_contractor=fleet.ref.contractor,
    )
    plain = approved()
    with pytest.raises(ValidationError) as err:
        trip_dispatch(trip=plain, actor=fleet.dan, vehicle=rented, driver=fleet.du, now=at(3, 10, 10))
    assert "vehicle" in err.value.message_dict
    rental = approved(rental=True, slot_start=at(3, 12, 9), slot_end=at(3, 12, 10))
    trip_dispatch(trip=rental, actor=fleet.dan, vehicle=rented, driver=fleet.du, now=at(3, 10, 10))
    assert VehicleTrip.objects.get(pk=rental.pk).vehicle == rented


# --- bad input: refused with a clear message and nothing changed -----------------------------------------------


def _snapshot(trip):
    req = ServiceRequest.objects.get(pk=trip.request_id)
    return (
        VehicleTrip.objects.filter(pk=trip.pk).values().get(),
        req.status,
        req.updated_at,
        Event.objects.filter(request=req).count(),
    )


def test_end_before_start_and_too_many_passengers_refused_at_apply(fleet, apply):
    with pytest.raises(ValidationError) as err:
        apply(slot_start=at(3, 10, 17), slot_end=at(3, 10, 14))
    assert "slot_end" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        apply(passenger_count=40)
    assert "passenger_count" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        apply(passenger_count=1, passenger_names="甲,乙")
    assert "passenger_names" in err.value.message_dict
    assert not VehicleTrip.objects.exists() and not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("seats", "vehicle"),
        ("sealed", "vehicle"),
        ("maintenance", "vehicle"),
        ("licence", "driver"),
        ("other_contractor", "driver"),
    ],
)
def test_bad_dispatch_is_refused_and_changes_nothing(fleet, approved, case, field):
    trip = approved(passenger_count=5) if case == "seats" else approved()
    vehicle, driver = fleet.car, fleet.du
    if case == "sealed":
        Vehicle.objects.filter(pk=vehicle.pk).update(status=VehicleStatus.SEALED)
    if case == "maintenance":
        Vehicle.objects.filter(pk=vehicle.pk).update(status=VehicleStatus.MAINTENANCE)
    if case == "licence":
        driver = fleet.old
    if case == "other_contractor":
        driver = fleet.zhou
    before = _snapshot(trip)
    with pytest.raises(ValidationError) as err:
        trip_dispatch(trip=trip, actor=fleet.dan, vehicle=vehicle, driver=driver, now=at(3, 10, 10))
    assert field in err.value.message_dict
    assert _snapshot(trip) == before


def test_busy_vehicle_or_driver_is_a_conflict(fleet, approved):
    first = approved()
    trip_dispatch(trip=first, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 10))
    overlapping = approved(slot_start=at(3, 10, 16), slot_end=at(3, 10, 18))
    before = _snapshot(overlapping)
    with pytest.raises(TransitionNotAllowed, match="京A·G0001"):
        trip_dispatch(trip=overlapping, actor=fleet.dan, vehicle=fleet.car, driver=fleet.ding, now=at(3, 10, 10))
    with pytest.raises(TransitionNotAllowed, match="杜师傅"):
        trip_dispatch(trip=overlapping, actor=fleet.dan, vehicle=fleet.ev, driver=fleet.du, now=at(3, 10, 10))
    assert _snapshot(overlapping) == before
    # back to back is fine: [14:00, 17:00) then [17:00, 18:00)
    adjacent = approved(slot_start=at(3, 10, 17), slot_end=at(3, 10, 18))
    trip_dispatch(trip=adjacent, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 10))


def test_odometer_and_times_checked_on_return(fleet, approved):
    trip = approved()
    trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 10))
    Vehicle.objects.filter(pk=fleet.car.pk).update(odometer_km=5000)
    with pytest.raises(ValidationError) as err:
        trip_depart(trip=trip, actor=fleet.du.user, odometer=4000, now=at(3, 10, 14))
    assert "odometer" in err.value.message_dict
    trip_depart(trip=trip, actor=fleet.du.user, odometer=5000, now=at(3, 10, 14))
    before = _snapshot(trip)
    with pytest.raises(ValidationError) as err:
        trip_return(trip=trip, actor=fleet.du.user, odometer=4999, now=at(3, 10, 17))
    assert (
        "低于出车里程" in err.value.message_dict["odometer"][0] or "不能低于" in err.value.message_dict["odometer"][0]
    )
    with pytest.raises(ValidationError) as err:
        trip_return(trip=trip, actor=fleet.du.user, odometer=5010, at=at(3, 10, 13), now=at(3, 10, 17))
    assert "at" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        trip_return(trip=trip, actor=fleet.du.user, odometer=5010, tolls="-5", now=at(3, 10, 17))
    assert "tolls" in err.value.message_dict
    assert _snapshot(trip) == before


def test_only_the_trips_driver_or_dispatcher_records_out_and_return(fleet, approved):
    trip = approved()
    with pytest.raises(ActionForbidden):
        trip_dispatch(trip=trip, actor=fleet.du.user, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 10))
    trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 10))
    for intruder in (fleet.ding.user, fleet.zhou.user, fleet.w.alice):
        with pytest.raises(ActionForbidden):
            trip_depart(trip=trip, actor=intruder, odometer=1, now=at(3, 10, 14))


def test_core_path_cannot_skip_the_trip_steps(fleet, approved):
    trip = approved()
    events = Event.objects.count()
    with pytest.raises(TransitionNotAllowed, match="请在其业务页面办理"):
        transition(service_request=trip.request_id, action="accept", actor=fleet.dan, now=at(3, 10, 10))
    assert ServiceRequest.objects.get(pk=trip.request_id).status == Status.SUBMITTED
    assert Event.objects.count() == events


def test_database_refuses_overlap_even_without_the_python_check(fleet, approved):
    """The guarantee is the database's: a direct write of an overlapping booking fails on either vendor."""
    a, b = approved(), approved(slot_start=at(3, 10, 15), slot_end=at(3, 10, 16))
    VehicleTrip.objects.filter(pk=a.pk).update(vehicle=fleet.car, driver=fleet.du, booked=True, stage="dispatched")
    with pytest.raises(IntegrityError), transaction.atomic():
        VehicleTrip.objects.filter(pk=b.pk).update(vehicle=fleet.car, driver=fleet.ding, booked=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        VehicleTrip.objects.filter(pk=b.pk).update(vehicle=fleet.ev, driver=fleet.du, booked=True)
    # not booked (cancelled, returned): no conflict
    VehicleTrip.objects.filter(pk=b.pk).update(vehicle=fleet.car, driver=fleet.du, booked=False)
    VehicleTrip.objects.filter(pk=a.pk).update(booked=False)
    VehicleTrip.objects.filter(pk=b.pk).update(booked=True)
