"""Celery tasks: thin wrappers over offices.timers. Each takes an optional ISO ``now`` and is idempotent."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from offices import timers


def _now(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else timezone.now()


@shared_task(acks_late=True)
def vacating_timers(now: str | None = None) -> dict[str, int]:
    return timers.vacating_timers(now=_now(now))


@shared_task(acks_late=True)
def idle_rooms(now: str | None = None) -> int:
    return timers.idle_rooms(now=_now(now))


@shared_task(acks_late=True)
def norm_scan(now: str | None = None) -> int:
    """The nightly over-standard check the ledger reads."""
    from offices import services

    return services.norm_scan(actor=None, now=_now(now)).findings.count()
