"""Fleet personas on top of the core's world: Dan dispatches for the car-service company, Du and Ding drive for
it, Old drives with an expired licence, Zhou drives for another car-service company."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


@dataclass
class Fleet:
    w: object
    ref: object
    dan: object
    du: object
    ding: object
    old: object
    zhou: object
    car: object  # 4 seats
    ev: object  # 4 seats
    van: object  # 6 seats
    bus: object  # 19 seats


@pytest.fixture
def fleet(world):
    from fleet.demo import build_fleet_reference
    from fleet.models import Driver, LicenceClass
    from tests.factories import ContractorFactory, UserFactory
    from tickets.models import Role, ServiceLine

    ref = build_fleet_reference(compounds=[world.compound])
    other = ContractorFactory(code="car2", name="顺风汽车服务", service_line=ServiceLine.VEHICLES)
    zhou_user = UserFactory(username="zhou", full_name="周师傅", contractor=other, role=Role.WORKER)
    zhou = Driver.objects.create(user=zhou_user, licence_class=LicenceClass.C1, licence_expires=date(2030, 1, 1))
    du, ding, old = ref.drivers
    car, ev, van, bus = ref.vehicles
    return Fleet(world, ref, ref.dispatcher, du, ding, old, zhou, car, ev, van, bus)


@pytest.fixture
def apply(fleet):
    """apply(**overrides) files a trip for Alice on 2026-03-10 (a Tuesday) 14:00–17:00, filed at 09:00."""
    from fleet.filing import trip_request_create

    def make(actor=None, **kw):
        data = {
            "category": fleet.ref.trip_category,
            "compound": fleet.w.compound,
            "purpose": "赴市政府开会",
            "passenger_count": 2,
            "passenger_names": "李爱丽,孙审核",
            "origin": "南院",
            "destination": "市政府",
            "slot_start": at(3, 10, 14),
            "slot_end": at(3, 10, 17),
            "now": at(3, 10, 9),
        }
        data.update(kw)
        return trip_request_create(actor=actor or fleet.w.alice, **data)

    return make


@pytest.fixture
def approved(fleet, apply):
    """approved(**overrides): a trip approved by Uma (unit) and Vic (bureau)."""
    from fleet.steps import trip_approve

    def make(**kw):
        trip = apply(**kw)
        trip_approve(trip=trip, actor=fleet.w.uma, now=at(3, 10, 9, 10))
        return trip_approve(trip=trip, actor=fleet.w.vic, now=at(3, 10, 9, 20))

    return make
