"""Fifty dispatchers race for one car and one slot on PostgreSQL: the database lets exactly one win."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from fleet.models import Driver, LicenceClass, VehicleTrip
from fleet.steps import trip_dispatch
from tests.factories import UserFactory
from tests.fleet.conftest import at
from tickets.exceptions import TransitionNotAllowed
from tickets.models import Role

N = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_dispatches_of_one_vehicle(fleet, approved):
    trips = [approved() for _ in range(N)]
    # each trip its own driver, so the only thing they fight over is the car
    drivers = [
        Driver.objects.create(
            user=UserFactory(username=f"drv{i}", role=Role.WORKER, contractor=fleet.ref.contractor),
            licence_class=LicenceClass.C1,
            licence_expires=at(1, 1, year=2030).date(),
        )
        for i in range(N)
    ]
    barrier = threading.Barrier(N)
    outcomes: list[str] = []
    lock = threading.Lock()

    def dispatch(trip, driver):
        try:
            barrier.wait(timeout=30)
            trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.car, driver=driver, now=at(3, 10, 10))
            result = "ok"
        except TransitionNotAllowed as exc:
            result = "conflict" if ("已被" in exc.message) else f"other: {exc.message}"
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            connection.close()  # each thread had its own connection
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=dispatch, args=(t, d)) for t, d in zip(trips, drivers, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    counts = Counter(outcomes)
    assert counts == {"ok": 1, "conflict": N - 1}, counts
    assert VehicleTrip.objects.filter(vehicle=fleet.car, booked=True).count() == 1
    # the losers' core requests were not touched
    assert VehicleTrip.objects.filter(request__status="submitted").count() == N - 1
