"""The vacating timer through a real Celery worker (twice queued, fired once), and twenty clerks allocating one
room at the same moment on PostgreSQL: the database lets exactly one win."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from django.db import connection

from offices import services, tasks
from offices.models import Allocation, VacatingDeadline
from tests.offices.conftest import at
from tests.tickets.test_celery_worker import _wait_for, broker, worker  # noqa: F401  (fixtures)
from tickets.exceptions import TransitionNotAllowed
from tickets.models import Event, Notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.celery_worker
def test_overdue_notice_fires_once_through_a_real_worker(space, allocate, seat, worker):  # noqa: F811
    allocate("301")
    s = seat("301", "municipal", "staff", name="李爱丽", user=space.w.alice)
    (deadline,) = services.person_depart(
        actor=space.w.uma, person=s.person, reason="retirement", on=date(2026, 1, 31), now=at(1, 31)
    )
    when = at(3, 2).isoformat()
    tasks.vacating_timers.delay(when)
    tasks.vacating_timers.delay(when)  # queued twice (a beat tick repeated), fired once
    key = f"offices:vacate:{deadline.pk}:overdue"
    _wait_for(lambda: Event.objects.filter(dedupe_key=key).exists())
    _wait_for(lambda: VacatingDeadline.objects.filter(pk=deadline.pk, reminded_at__isnull=False).exists())
    assert Event.objects.filter(dedupe_key__startswith=f"offices:vacate:{deadline.pk}:").count() == 2
    _wait_for(lambda: Notification.objects.filter(event__dedupe_key=key, recipient=space.fang).count() == 1)


N = 20


@pytest.mark.postgres
def test_twenty_simultaneous_allocations_of_one_room(space):
    units = [space.w.unit, space.w.other_unit]
    barrier = threading.Barrier(N)
    outcomes: list[str] = []
    lock = threading.Lock()

    def allocate(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            services.allocation_create(
                actor=space.fang,
                room=space.rooms["305"],
                unit=units[i % 2],
                starts_on=date(2026, 3, 1 + i),
                now=at(3, 1),
            )
            result = "ok"
        except TransitionNotAllowed as exc:
            result = (
                "conflict" if "不得重复配置" in exc.message or "刚被配置" in exc.message else f"other: {exc.message}"
            )
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=allocate, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert Counter(outcomes) == {"ok": 1, "conflict": N - 1}, outcomes
    assert Allocation.objects.filter(room=space.rooms["305"]).count() == 1
    assert Allocation.objects.get().agreement_no == "SY2026-0001"  # the losers used no number


@pytest.mark.postgres
def test_database_refuses_overlap_even_if_the_check_is_bypassed(space, allocate):
    from django.db import IntegrityError, transaction

    first = allocate("301")
    with pytest.raises(IntegrityError, match="offices_alloc_no_overlap"), transaction.atomic():
        Allocation.objects.create(
            room=first.room, unit=space.w.other_unit, starts_on=date(2026, 2, 1), agreement_no="X", certificate_no="Y",
            created_by=space.fang, created_at=at(2, 1),
        )  # fmt: skip
