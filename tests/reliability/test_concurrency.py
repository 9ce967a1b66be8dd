"""Races on PostgreSQL: many threads, each with its own connection, hit the one gate at the same moment.

The 50 simultaneous dispatches of one vehicle are in tests/fleet/test_concurrency.py (not repeated here).
`.ci/reliability` sets RELIABILITY_LONG=1: 200 attempts (from at most 60 connections, PostgreSQL's default
limit is 100) and 8 sweepers.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from tests.reliability.conftest import FIGURES, long_run
from tests.tickets.helpers import at, file_leak
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import Event, Notification
from tickets.services.sweeper import sla_sweep
from tickets.services.transitions import transition

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 200 if long_run() else 50
MAX_CONNECTIONS = 60


def race(calls: list[Callable[[], object]]) -> Counter[str]:
    """Run the calls from up to MAX_CONNECTIONS threads released together; count the outcomes."""
    width = min(len(calls), MAX_CONNECTIONS)
    barrier = threading.Barrier(width)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    chunks = [calls[i::width] for i in range(width)]

    def run(chunk: list[Callable[[], object]]) -> None:
        try:
            barrier.wait(timeout=60)
            for call in chunk:
                try:
                    call()
                    result = "ok"
                except TransitionNotAllowed:
                    result = "conflict"
                except ActionForbidden:
                    result = "forbidden"
                except Exception as exc:  # anything else is a failure of the test
                    result = f"error: {exc!r}"
                with lock:
                    outcomes[result] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    FIGURES["concurrent_attempts"] += sum(outcomes.values())
    return outcomes


def test_simultaneous_accepts_of_one_request_one_wins(world):
    req = file_leak(world)
    now = at(2026, 3, 10, 9, 5)
    outcomes = race([lambda: transition(service_request=req.pk, action="accept", actor=world.bob, now=now)] * ATTEMPTS)
    assert outcomes == {"ok": 1, "conflict": ATTEMPTS - 1}, outcomes
    req.refresh_from_db()
    assert req.status == "accepted"
    assert Event.objects.filter(request=req, action="accept").count() == 1
    FIGURES["double_effects"] += Event.objects.filter(request=req, action="accept").count() - 1


def test_requester_cancel_races_contractor_accept(world):
    """Half cancel, half accept, at once: exactly one move from "submitted" happens; if the accept won, the
    cancels that came after it may still cancel the accepted request (cancel is allowed from "accepted"), so
    the history is either [cancel] or [accept, cancel] or [accept] — never two accepts or two cancels."""
    req = file_leak(world)
    now = at(2026, 3, 10, 9, 5)
    half = ATTEMPTS // 2
    calls = [lambda: transition(service_request=req.pk, action="accept", actor=world.bob, now=now)] * half + [
        lambda: transition(service_request=req.pk, action="cancel", actor=world.alice, now=now)
    ] * half
    outcomes = race(calls)
    assert not [k for k in outcomes if k.startswith("error")], outcomes
    steps = list(Event.objects.filter(request=req, kind="transition").order_by("pk").values_list("action", flat=True))
    assert steps in (["cancel"], ["accept", "cancel"], ["accept"]), steps
    assert outcomes["ok"] == len(steps)
    req.refresh_from_db()
    assert req.status == {"cancel": "cancelled", "accept": "accepted"}[steps[-1]]


def test_sweepers_at_once_flag_and_notify_each_breach_once(world):
    sweepers = 8 if long_run() else 2
    reqs = [file_leak(world, title=f"漏水 {i}") for i in range(10)]
    barrier = threading.Barrier(sweepers)
    results: list[dict[str, int]] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=60)
            results.append(sla_sweep(now=at(2026, 3, 10, 9, 31)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(sweepers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == sweepers
    # response (30 min) and arrival (30 min) of each urgent leak are breached at 09:31, each flagged once
    assert sum(r["breaches"] for r in results) == 2 * len(reqs)
    for req in reqs:
        assert Event.objects.filter(request=req, kind="sla_breach").count() == 2
    breach_notes = Notification.objects.filter(event__kind="sla_breach")
    per_pair = Counter(breach_notes.values_list("event_id", "recipient_id"))
    assert per_pair and max(per_pair.values()) == 1
    assert breach_notes.filter(recipient=world.carol).count() == 2 * len(reqs)
    FIGURES["concurrent_sweepers"] += sweepers
    FIGURES["double_effects"] += 0
