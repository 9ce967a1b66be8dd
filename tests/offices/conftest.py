"""Office-space personas on top of the core's world: Fang runs office space for the bureau; Uma approves for
the 发改委 (Alice's unit); Olga approves for the 财政局 (Erin's unit). Floor 3 of 1号楼 has rooms 301-306."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SH)


@dataclass
class Space:
    w: object
    fang: object  # bureau, office space
    olga: object  # unit approver of the other unit
    floor: object
    rooms: dict  # number -> Room


@pytest.fixture
def space(world):
    from offices.services import norms_seed
    from tests.factories import RoomFactory, UserFactory
    from tickets.models import Role, ServiceLine

    norms_seed()
    floor = world.room.floor
    rooms = {"301": world.room}
    for number, area in (("302", "24"), ("303", "30"), ("304", "42"), ("305", "60"), ("306", "12")):
        rooms[number] = RoomFactory(floor=floor, number=number, usable_area=Decimal(area))
    fang = UserFactory(username="fang", full_name="方房管", role=Role.SUPERVISOR, service_line=ServiceLine.OFFICE_SPACE)
    olga = UserFactory(username="olga", full_name="欧审核", unit=world.other_unit, role=Role.UNIT_APPROVER)
    return Space(world, fang, olga, floor, rooms)


@pytest.fixture
def allocate(space):
    from offices import services

    def make(number, unit=None, starts_on=date(2026, 1, 1), **kw):
        return services.allocation_create(
            actor=space.fang,
            room=space.rooms[number],
            unit=unit or space.w.unit,
            starts_on=starts_on,
            now=at(1, 1),
            **kw,
        )

    return make


@pytest.fixture
def seat(space):
    """seat(number, level, rank, name=...) registers a person of Alice's unit and seats them in the room."""
    from offices import services

    def make(number, level, rank, name="某人", unit=None, post="main", user=None):
        unit = unit or space.w.unit
        person = services.person_create(actor=space.fang, name=name, unit=unit, level=level, rank=rank, user=user)
        return services.seat_assign(
            actor=space.fang, person=person, room=space.rooms[number], since=date(2026, 1, 2), post=post, unit=unit
        )

    return make
