"""Two beats at once on PostgreSQL: each occurrence is written once and opened as one request."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tickets.maintenance.models import MaintenanceOccurrence, OccurrenceStatus
from tickets.maintenance.services import plan_create, planned_maintenance_run
from tickets.models import ServiceRequest

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_open_each_occurrence_once(world, plan_values):
    plan_create(actor=world.dave, now=datetime(2025, 12, 31, 9, tzinfo=SH), **plan_values)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def beat() -> None:
        try:
            barrier.wait(timeout=30)
            outcomes.append(planned_maintenance_run(now=datetime(2026, 2, 20, 9, tzinfo=SH)))
        except Exception as exc:  # reported below, not swallowed
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(o, dict) for o in outcomes), outcomes
    # every 15 days from 1 January up to 20 February: 1, 16, 31 Jan and 15 Feb
    assert sum(o["opened"] for o in outcomes) == 4  # type: ignore[index]
    # The three January dates are past their 7 grace days: recorded missed, each once by the two beats together.
    assert sum(o["missed"] for o in outcomes) == 3  # type: ignore[index]
    assert MaintenanceOccurrence.objects.filter(status=OccurrenceStatus.MISSED).count() == 3
    assert MaintenanceOccurrence.objects.filter(status=OccurrenceStatus.OPENED).count() == 1
    assert ServiceRequest.objects.filter(kind="planned_maintenance").count() == 4
