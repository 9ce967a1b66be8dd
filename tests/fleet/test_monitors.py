"""Monitors flag seeded anomalies, once, however often they run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from fleet import monitors, tasks
from fleet.filing import emergency_trip_create
from fleet.models import (
    AlertKind,
    AlertLevel,
    RecordKind,
    Vehicle,
    VehicleAlert,
    VehicleMovement,
    VehicleRecord,
    VehicleSeal,
    VehicleStatus,
)
from fleet.steps import trip_depart, trip_dispatch, trip_return
from fleet.vehicle_files import vehicle_record_add
from tests.fleet.conftest import at


def _out(fleet, trip, vehicle=None, driver=None, when=None):
    trip_dispatch(
        trip=trip, actor=fleet.dan, vehicle=vehicle or fleet.car, driver=driver or fleet.du, now=at(3, 10, 10)
    )
    return trip_depart(
        trip=trip, actor=fleet.dan, odometer=100, at=when or trip.slot_start, now=when or trip.slot_start
    )


def test_overdue_return_alerts_once_and_resolves_on_return(fleet, approved):
    trip = _out(fleet, approved())  # planned end 17:00
    assert monitors.check_overdue_returns(now=at(3, 10, 17, 29)) == 0
    assert monitors.check_overdue_returns(now=at(3, 10, 17, 31)) == 1
    assert monitors.check_overdue_returns(now=at(3, 10, 17, 45)) == 0  # twice: still one alert
    alert = VehicleAlert.objects.get()
    assert (alert.kind, alert.trip_id, alert.raised_at) == (AlertKind.OVERDUE_RETURN, trip.pk, at(3, 10, 17, 30))
    assert monitors.refresh_colours(now=at(3, 10, 17, 45)) == {"yellow": 1}
    trip_return(trip=trip, actor=fleet.du.user, odometer=150, now=at(3, 10, 18))
    monitors.check_overdue_returns(now=at(3, 10, 18, 5))
    assert VehicleAlert.objects.get().resolved_at == at(3, 10, 18, 5)
    monitors.refresh_colours(now=at(3, 10, 18, 5))
    assert Vehicle.objects.get(pk=fleet.car.pk).colour == AlertLevel.GREEN


def test_off_hours_use_without_approval(fleet, approved):
    # an emergency trip out on Saturday 2026-03-14 at 02:00, not yet approved after the fact
    emergency = emergency_trip_create(
        actor=fleet.dan,
        requester=fleet.w.alice,
        category=fleet.ref.emergency_category,
        compound=fleet.w.compound,
        purpose="抢险",
        passenger_count=2,
        origin="南院",
        destination="河堤",
        slot_start=at(3, 14, 2),
        slot_end=at(3, 14, 5),
        now=at(3, 14, 1, 50),
    )
    _out(fleet, emergency, vehicle=fleet.van, driver=fleet.ding, when=at(3, 14, 2))
    # an approved trip on a Tuesday afternoon that runs past office hours is fine: it was approved
    normal = _out(fleet, approved(slot_start=at(3, 10, 16), slot_end=at(3, 10, 20)))
    # gate records: the EV leaves on Sunday with no trip (flagged), the car's movement is covered by its trip,
    # the bus leaves on a Tuesday morning (working hours, not flagged)
    VehicleMovement.objects.create(vehicle=fleet.ev, left_at=at(3, 15, 10), came_back_at=at(3, 15, 12))
    VehicleMovement.objects.create(vehicle=fleet.car, left_at=at(3, 10, 16, 5), came_back_at=at(3, 10, 19, 50))
    VehicleMovement.objects.create(vehicle=fleet.bus, left_at=at(3, 10, 9, 30), came_back_at=at(3, 10, 11))
    now = at(3, 16, 8)
    assert monitors.check_off_hours_use(now=now) == 2
    assert monitors.check_off_hours_use(now=now) == 0
    flagged = set(VehicleAlert.objects.values_list("vehicle_id", "trip_id", "level"))
    assert flagged == {(fleet.van.pk, emergency.pk, "red"), (fleet.ev.pk, None, "red")}
    assert normal.pk not in {a.trip_id for a in VehicleAlert.objects.all()}


def test_unapproved_emergency_reminder(fleet):
    trip = emergency_trip_create(
        actor=fleet.w.vic,
        requester=fleet.w.alice,
        category=fleet.ref.emergency_category,
        compound=fleet.w.compound,
        purpose="抢险",
        passenger_count=2,
        origin="南院",
        destination="河堤",
        slot_start=at(3, 10, 10),
        slot_end=at(3, 10, 12),
        now=at(3, 10, 9, 50),
    )
    _out(fleet, trip, when=at(3, 10, 10))
    trip_return(trip=trip, actor=fleet.dan, odometer=120, now=at(3, 10, 12))
    assert monitors.check_unapproved_emergencies(now=at(3, 12, 12)) == 0
    assert monitors.check_unapproved_emergencies(now=at(3, 13, 12, 1)) == 1
    assert monitors.check_unapproved_emergencies(now=at(3, 14, 12)) == 0


def test_holiday_seals_from_the_calendar_and_use_while_sealed(fleet, approved):
    # 2026 labour day: 5-1 (Fri) .. 5-5 (Tue) off; seals planned 14 days ahead, only sealable categories
    assert monitors.plan_holiday_seals(now=at(4, 25, 8)) == 2  # EV and bus; never the confidential car or the van
    assert monitors.plan_holiday_seals(now=at(4, 26, 8)) == 0
    seal = VehicleSeal.objects.get(vehicle=fleet.ev)
    assert (seal.starts_at, seal.ends_at) == (at(5, 1, 0), at(5, 6, 0))
    assert not VehicleSeal.objects.filter(vehicle__in=[fleet.car, fleet.van]).exists()

    # a trip on 5-2 is offered no sealed vehicle, and dispatching one is refused
    trip = approved(slot_start=at(5, 2, 9), slot_end=at(5, 2, 11))
    from fleet.selectors import free_vehicles

    assert fleet.ev not in free_vehicles(trip=trip)
    with pytest.raises(ValidationError, match="封存"):
        trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.ev, driver=fleet.du, now=at(3, 10, 10))

    assert monitors.apply_seals(now=at(5, 1, 0, 10)) == {"sealed": 2, "released": 0}
    assert Vehicle.objects.get(pk=fleet.ev.pk).status == VehicleStatus.SEALED
    VehicleMovement.objects.create(vehicle=fleet.ev, left_at=at(5, 3, 20), came_back_at=at(5, 3, 22))
    assert monitors.check_sealed_use(now=at(5, 4, 8)) == 1
    assert monitors.check_sealed_use(now=at(5, 4, 9)) == 0
    assert VehicleAlert.objects.get(kind=AlertKind.SEALED_USE).vehicle == fleet.ev
    assert monitors.apply_seals(now=at(5, 6, 0, 10)) == {"sealed": 0, "released": 2}
    assert Vehicle.objects.get(pk=fleet.ev.pk).status == VehicleStatus.AVAILABLE


def test_document_reminders_and_colours(fleet, settings):
    settings.FLEET = {"REMINDER_DAYS": 30}
    now = at(6, 1, 7)
    VehicleRecord.objects.create(
        vehicle=fleet.car,
        kind=RecordKind.INSURANCE,
        date=date(2025, 6, 20),
        valid_until=date(2026, 6, 20),
        created_at=now,
    )  # 19 days ahead: yellow
    VehicleRecord.objects.create(
        vehicle=fleet.ev,
        kind=RecordKind.INSPECTION,
        date=date(2025, 5, 1),
        valid_until=date(2026, 5, 31),
        created_at=now,
    )  # expired yesterday: red
    VehicleRecord.objects.create(
        vehicle=fleet.van,
        kind=RecordKind.INSURANCE,
        date=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
        created_at=now,
    )  # fine
    assert monitors.check_document_expiry(now=now) == 2
    assert monitors.check_document_expiry(now=now + timedelta(hours=1)) == 0
    monitors.refresh_colours(now=now)
    colours = dict(Vehicle.objects.values_list("plate", "colour"))
    assert (colours[fleet.car.plate], colours[fleet.ev.plate], colours[fleet.van.plate]) == ("yellow", "red", "green")
    # renewal of the car's insurance supersedes the reminder
    vehicle_record_add(
        vehicle=fleet.car,
        actor=fleet.w.vic,
        kind=RecordKind.INSURANCE,
        date=date(2026, 6, 2),
        valid_until=date(2027, 6, 20),
        amount="4800",
        now=now,
    )
    monitors.check_document_expiry(now=now + timedelta(days=1))
    monitors.refresh_colours(now=now + timedelta(days=1))
    assert Vehicle.objects.get(pk=fleet.car.pk).colour == "green"


def test_tasks_run_through_celery_with_a_given_now(fleet, approved):
    _out(fleet, approved())
    assert tasks.check_overdue_returns.delay(now=at(3, 10, 18).isoformat()).get() == 1
    assert tasks.check_overdue_returns.delay(now=at(3, 10, 18).isoformat()).get() == 0
    assert tasks.refresh_colours.delay(now=at(3, 10, 18).isoformat()).get() == {"yellow": 1}
