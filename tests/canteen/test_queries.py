"""Fixed query counts: freezing a meal's count and the booking page cost the same whatever the number of diners,
bookings and dishes (bench/canteen_bench.py measures 5,000 diners)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from canteen.models import MealBooking
from canteen.services import headcounts
from tests.canteen.conftest import at, published_menu
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 5, 6)


def _queries(work) -> int:
    with CaptureQueriesContext(connection) as ctx:
        work()
    return len(ctx)


def _book(cw, day, people):
    now = at(2026, 5, 1)
    MealBooking.objects.bulk_create(
        [
            MealBooking(
                service=cw.lunch,
                date=day,
                diner=p,
                unit=cw.core.unit,
                eating=True,
                booked_by=p,
                created_at=now,
                updated_at=now,
            )
            for p in people
        ]
    )


def test_freezing_costs_the_same_for_1_or_25_diners(cw):
    published_menu(cw, DAY - timedelta(days=DAY.weekday()), now=at(2026, 4, 29))
    _book(cw, DAY, [cw.core.alice])
    people = [UserFactory(unit=cw.core.unit) for _ in range(25)]
    _book(cw, DAY + timedelta(days=1), people)
    few = _queries(lambda: headcounts.head_count_freeze(service=cw.lunch, day=DAY, now=at(2026, 5, 6, 10)))
    many = _queries(
        lambda: headcounts.head_count_freeze(service=cw.lunch, day=DAY + timedelta(days=1), now=at(2026, 5, 7, 10))
    )
    assert few == many <= 14


def test_booking_page_costs_the_same_for_an_empty_or_a_full_week(cw):
    client = Client()
    with time_machine.travel(at(2026, 5, 6, 9), tick=False):
        client.force_login(cw.core.alice)
        empty = _queries(lambda: client.get("/canteen/?week=2026-05-11"))
        published_menu(cw, date(2026, 5, 4), now=at(2026, 4, 29))
        _book(cw, DAY, [cw.core.alice])
        full = _queries(lambda: client.get("/canteen/?week=2026-05-04"))
    assert empty == full
