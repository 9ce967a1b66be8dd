"""Allocation by the rules: numbered agreement and certificate, one unit at a time (database-enforced), people
only in rooms of their own unit; every refusal writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from offices import services
from offices.models import Allocation, Person, Seat
from tests.offices.conftest import at
from tickets.exceptions import ActionForbidden, TransitionNotAllowed


@pytest.mark.django_db
def test_allocations_are_numbered_per_year(space, allocate):
    a = allocate("301")
    b = allocate("302")
    c = allocate("303", starts_on=date(2027, 1, 5))
    assert (a.agreement_no, a.certificate_no) == ("SY2026-0001", "PZ2026-0001")
    assert b.agreement_no == "SY2026-0002" and c.agreement_no == "SY2027-0001"


@pytest.mark.django_db
def test_overlapping_allocation_is_refused_with_409_and_nothing_written(space, allocate):
    allocate("301")
    with pytest.raises(TransitionNotAllowed) as exc:
        allocate("301", unit=space.w.other_unit, starts_on=date(2026, 6, 1))
    assert "已配置给发改委" in exc.value.message
    assert Allocation.objects.count() == 1


@pytest.mark.django_db
def test_after_taking_back_the_room_can_go_to_another_unit(space, allocate):
    first = allocate("301")
    services.allocation_end(actor=space.fang, allocation=first, ends_on=date(2026, 6, 1), reason="调整")
    second = allocate("301", unit=space.w.other_unit, starts_on=date(2026, 6, 1))
    assert second.unit == space.w.other_unit
    with pytest.raises(TransitionNotAllowed):  # back-dated into the first period
        allocate("301", starts_on=date(2026, 5, 1))


@pytest.mark.django_db(transaction=True)
def test_database_refuses_overlap_even_without_the_service(space, allocate):
    first = allocate("301")
    row = dict(room=first.room, unit=space.w.other_unit, created_by=space.fang, created_at=at(2, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(starts_on=date(2026, 3, 1), agreement_no="X1", certificate_no="Y1", **row)
    Allocation.objects.create(
        starts_on=date(2025, 1, 1), ends_on=date(2026, 1, 1), agreement_no="X2", certificate_no="Y2", **row
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.filter(starts_on=date(2025, 1, 1)).update(ends_on=date(2026, 1, 2))
    assert Allocation.objects.count() == 2


@pytest.mark.django_db
def test_people_sit_only_in_rooms_of_their_unit(space, allocate, seat):
    allocate("301", unit=space.w.other_unit)
    with pytest.raises(ValidationError) as exc:
        seat("301", "municipal", "staff")
    assert "未配置给发改委" in str(exc.value)
    assert not Seat.objects.exists()
    with pytest.raises(ValidationError):  # not allocated at all
        seat("302", "municipal", "staff")


@pytest.mark.django_db
def test_unknown_rank_or_level_is_refused_and_nothing_written(space):
    for level, rank in (("municipal", "division_chief"), ("mars", "staff"), ("county", "king")):
        with pytest.raises(ValidationError):
            services.person_create(actor=space.fang, name="某", unit=space.w.unit, level=level, rank=rank)
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_room_with_people_cannot_be_taken_back(space, allocate, seat):
    allocation = allocate("301")
    s = seat("301", "municipal", "staff")
    with pytest.raises(ValidationError):
        services.allocation_end(actor=space.fang, allocation=allocation, ends_on=date(2026, 3, 1), reason="收回")
    services.seat_end(actor=space.fang, seat=s, on=date(2026, 2, 1))
    services.allocation_end(actor=space.fang, allocation=allocation, ends_on=date(2026, 3, 1), reason="收回")
    with pytest.raises(TransitionNotAllowed):
        services.allocation_end(actor=space.fang, allocation=allocation, ends_on=date(2026, 4, 1), reason="again")


@pytest.mark.django_db
def test_only_the_bureau_allocates(space):
    w = space.w
    for user in (w.uma, w.alice, w.bob, w.carol, space.olga):
        with pytest.raises(ActionForbidden):
            services.allocation_create(actor=user, room=space.rooms["301"], unit=w.unit, starts_on=date(2026, 1, 1))
    assert not Allocation.objects.exists()


@pytest.mark.django_db
def test_unit_approver_seats_people_of_own_unit_only(space, allocate):
    allocate("301")
    person = services.person_create(actor=space.w.uma, name="甲", unit=space.w.unit, level="municipal", rank="staff")
    with pytest.raises(ActionForbidden):
        services.person_create(actor=space.olga, name="乙", unit=space.w.unit, level="municipal", rank="staff")
    with pytest.raises(ActionForbidden):
        services.seat_assign(actor=space.olga, person=person, room=space.rooms["301"], since=date(2026, 1, 2))
    services.seat_assign(actor=space.w.uma, person=person, room=space.rooms["301"], since=date(2026, 1, 2))
