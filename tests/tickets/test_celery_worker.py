"""Tasks through a real Celery worker on the configured broker (file system locally, Redis in CI)."""

from __future__ import annotations

import threading

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection

from servicedesk.celery import app
from tests.tickets.helpers import at, file_leak
from tickets import tasks
from tickets.models import Event, Notification
from tickets.services.sweeper import sla_sweep

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def broker():
    """A broker of the tests' own: tests/conftest.py points the file-system transport at a fresh folder;
    a Redis test database is flushed."""
    if not app.conf.broker_url.startswith("filesystem"):
        with app.connection_for_write() as conn:
            conn.default_channel.client.flushdb()


@pytest.fixture
def worker(broker):
    # SQLite's in-memory test database locks whole tables across threads: one worker thread there, two on
    # PostgreSQL. And the test thread polls in read-uncommitted mode, which neither blocks nor is blocked by the
    # worker's writes; otherwise a poll landing on a write failed one side with "database table is locked".
    concurrency = 2 if connection.vendor == "postgresql" else 1
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")
    try:
        with start_worker(
            app, pool="threads", concurrency=concurrency, perform_ping_check=False, shutdown_timeout=20
        ) as w:
            yield w
    finally:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA read_uncommitted = 0")


def test_round_trip_through_a_real_worker(worker):
    result = tasks.heartbeat.apply_async()
    stamp = result.get(timeout=30) if app.conf.result_backend else None
    assert stamp is None or "T" in stamp


def test_email_sent_once_by_the_worker(world, worker, settings):
    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    event = req.events.get()
    tasks.send_event_emails.delay(event.pk)
    tasks.send_event_emails.delay(event.pk)  # delivered twice, sent once
    _wait_for(lambda: Notification.objects.filter(event=event, emailed_at__isnull=False).count() == 1)
    _wait_for(lambda: len(mail.outbox) >= 1)
    assert [m.to for m in mail.outbox] == [[world.bob.email]]


@pytest.mark.postgres  # SQLite in-memory test databases lock whole tables across threads
def test_two_sweepers_at_once_flag_each_breach_once(world):
    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def sweep() -> None:
        from django.db import connection

        barrier.wait()
        try:
            results.append(sla_sweep(now=at(2026, 3, 10, 9, 31)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["breaches"] for r in results) == 2  # response and arrival, once each
    assert Event.objects.filter(request=req, kind="sla_breach").count() == 2
    assert Notification.objects.filter(recipient=world.carol, event__kind="sla_breach").count() == 2


def test_sweep_task_twice_on_the_worker_flags_once(world, worker):
    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    when = at(2026, 3, 10, 9, 31).isoformat()
    tasks.sweep_sla.delay(when)
    tasks.sweep_sla.delay(when)
    # Both facts in one wait: a read-uncommitted poll may see the events before their notifications are written.
    _wait_for(
        lambda: (
            Event.objects.filter(request=req, kind="sla_breach").count() == 2
            and Notification.objects.filter(recipient=world.carol, event__kind="sla_breach").count() == 2
        )
    )
    assert Event.objects.filter(request=req, kind="sla_breach").count() == 2
    assert Notification.objects.filter(recipient=world.carol, event__kind="sla_breach").count() == 2


def _wait_for(predicate, timeout: float = 30.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
