"""Booking against cut-offs and the canteen's calendar: a holiday is not served, a 调休 Saturday is.

Week of 2026-05-04: Mon 4 and Tue 5 are 劳动节 holidays, Wed–Fri are working days, Sat 9 is a 调休 working day.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from canteen.days import cutoff_at, serves_on
from canteen.models import MealBooking, ServiceDay
from canteen.services import bookings
from tests.canteen.conftest import at
from tickets.exceptions import ActionForbidden

pytestmark = pytest.mark.django_db


def test_holiday_not_served_and_tiaoxiu_saturday_served(cw):
    assert not serves_on(cw.canteen, date(2026, 5, 4))  # 劳动节
    assert serves_on(cw.canteen, date(2026, 5, 6))
    assert serves_on(cw.canteen, date(2026, 5, 9))  # 调休 Saturday
    assert not serves_on(cw.canteen, date(2026, 5, 16))  # an ordinary Saturday
    ServiceDay.objects.create(canteen=cw.canteen, date=date(2026, 5, 4), serves=True, note="值班供餐")
    assert serves_on(cw.canteen, date(2026, 5, 4))


def test_cutoffs_same_day_and_day_before(cw):
    assert cutoff_at(cw.lunch, date(2026, 5, 6)) == at(2026, 5, 6, 10, 0)
    assert cutoff_at(cw.breakfast, date(2026, 5, 6)) == at(2026, 5, 5, 20, 0)


def test_week_in_one_call_skips_the_holidays_and_books_the_tiaoxiu_saturday(cw):
    alice = cw.core.alice
    result = bookings.booking_week(actor=alice, service=cw.lunch, week_start=date(2026, 5, 4), now=at(2026, 4, 30, 9))
    assert result.changed == [date(2026, 5, d) for d in (6, 7, 8, 9)]
    assert result.skipped == []
    assert MealBooking.objects.filter(diner=alice, eating=True).count() == 4


def test_booking_before_cutoff_and_free_change(cw):
    alice = cw.core.alice
    with time_machine.travel(at(2026, 5, 6, 9, 59), tick=False):
        bookings.booking_set(actor=alice, service=cw.lunch, day=date(2026, 5, 6), eating=True)
        bookings.booking_set(actor=alice, service=cw.lunch, day=date(2026, 5, 6), eating=False)
        bookings.booking_set(actor=alice, service=cw.lunch, day=date(2026, 5, 6), eating=True)
    row = MealBooking.objects.get(diner=alice)
    assert row.eating is True


def test_booking_after_cutoff_refused_and_nothing_written(cw):
    alice = cw.core.alice
    with time_machine.travel(at(2026, 5, 6, 10, 0), tick=False), pytest.raises(ValidationError) as exc:
        bookings.booking_set(actor=alice, service=cw.lunch, day=date(2026, 5, 6), eating=True)
    assert "截止" in exc.value.message_dict["date"][0]
    assert "2026-05-06 10:00" in exc.value.message_dict["date"][0]
    assert not MealBooking.objects.exists()


def test_cancel_after_cutoff_refused_and_booking_kept(cw):
    alice = cw.core.alice
    bookings.booking_set(actor=alice, service=cw.lunch, day=date(2026, 5, 6), eating=True, now=at(2026, 5, 5, 9))
    with pytest.raises(ValidationError):
        bookings.booking_set(actor=alice, service=cw.lunch, day=date(2026, 5, 6), eating=False, now=at(2026, 5, 6, 11))
    assert MealBooking.objects.get(diner=alice).eating is True


def test_booking_on_a_holiday_refused(cw):
    with pytest.raises(ValidationError) as exc:
        bookings.booking_set(
            actor=cw.core.alice, service=cw.lunch, day=date(2026, 5, 4), eating=True, now=at(2026, 4, 30, 9)
        )
    assert "不供应午餐" in exc.value.message_dict["date"][0]
    assert not MealBooking.objects.exists()


def test_week_after_all_cutoffs_refused_with_reasons(cw):
    with pytest.raises(ValidationError) as exc:
        bookings.booking_week(
            actor=cw.core.alice, service=cw.lunch, week_start=date(2026, 5, 4), now=at(2026, 5, 10, 9)
        )
    assert len(exc.value.message_dict["week_start"]) == 4
    assert not MealBooking.objects.exists()


def test_week_midweek_books_what_is_left_and_says_why_not_the_rest(cw):
    result = bookings.booking_week(
        actor=cw.core.alice, service=cw.lunch, week_start=date(2026, 5, 4), now=at(2026, 5, 7, 10, 30)
    )
    assert result.changed == [date(2026, 5, 8), date(2026, 5, 9)]
    assert [d for d, _r in result.skipped] == [date(2026, 5, 6), date(2026, 5, 7)]


def test_another_units_person_may_not_book(cw):
    with pytest.raises(ActionForbidden):
        bookings.booking_set(
            actor=cw.core.erin, service=cw.lunch, day=date(2026, 5, 6), eating=True, now=at(2026, 5, 5, 9)
        )
    with pytest.raises(ActionForbidden):
        bookings.booking_set(actor=cw.olga, service=cw.lunch, day=date(2026, 5, 6), eating=True, now=at(2026, 5, 5, 9))
    assert not MealBooking.objects.exists()


def test_liaison_books_guests_for_the_unit_only(cw):
    uma, alice = cw.core.uma, cw.core.alice
    row = bookings.guest_booking_set(
        actor=uma,
        service=cw.lunch,
        day=date(2026, 5, 6),
        unit=cw.core.unit,
        guests=5,
        note="调研组",
        now=at(2026, 5, 5),
    )
    assert row.guests == 5 and row.diner is None
    bookings.guest_booking_set(
        actor=uma, service=cw.lunch, day=date(2026, 5, 6), unit=cw.core.unit, guests=3, now=at(2026, 5, 5)
    )
    assert MealBooking.objects.get(diner__isnull=True).guests == 3
    with pytest.raises(ActionForbidden):
        bookings.guest_booking_set(
            actor=alice, service=cw.lunch, day=date(2026, 5, 6), unit=cw.core.unit, guests=2, now=at(2026, 5, 5)
        )
    with pytest.raises(ActionForbidden):
        bookings.guest_booking_set(
            actor=uma, service=cw.lunch, day=date(2026, 5, 6), unit=cw.core.other_unit, guests=2, now=at(2026, 5, 5)
        )
    with pytest.raises(ValidationError):
        bookings.guest_booking_set(
            actor=uma, service=cw.lunch, day=date(2026, 5, 6), unit=cw.core.unit, guests=-1, now=at(2026, 5, 5)
        )
