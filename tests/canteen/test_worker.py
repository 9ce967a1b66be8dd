"""The head count through a real Celery worker: two beat runs queued at once freeze and send the count once."""

from __future__ import annotations

from datetime import date
from importlib import import_module

import pytest
from django.core import mail

from canteen import tasks
from canteen.models import HeadCount, HeadCountNotice
from canteen.services import bookings
from tests.canteen.conftest import at, build_canteen_world
from tests.tickets.test_celery_worker import _wait_for, broker, worker  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_two_beat_runs_on_the_worker_send_the_count_once(world, worker):  # noqa: F811
    # A live-server test before this one flushes the national holiday table the migrations fill; put 2026 back
    # (the May Day holiday keeps 5 May from being a serving day).
    from django.apps import apps

    import_module("tickets.migrations.0002_prefill_holidays").prefill(apps, None)
    cw = build_canteen_world(world)
    day = date(2026, 5, 6)
    bookings.booking_set(actor=world.alice, service=cw.lunch, day=day, eating=True, now=at(2026, 5, 5, 9))
    when = at(2026, 5, 6, 10, 0).isoformat()
    tasks.freeze_head_counts.delay(when)
    tasks.freeze_head_counts.delay(when)
    _wait_for(
        lambda: (
            HeadCountNotice.objects.filter(
                head_count__service=cw.lunch, emailed_at__isnull=False, recipient=cw.olga
            ).exists()
            and any("南院食堂" in m.subject and "午餐" in m.subject for m in mail.outbox)
        )
    )
    assert HeadCount.objects.filter(service=cw.lunch, date=day).get().total == 1
    assert HeadCountNotice.objects.filter(head_count__service=cw.lunch).count() == 1
    # North's lunch is frozen too (its own operator is told); south's lunch went to Olga once.
    assert [m.to for m in mail.outbox if "南院食堂" in m.subject and "午餐" in m.subject] == [[cw.olga.email]]
