"""Celery tasks: thin wrappers over fleet.monitors. Each takes an optional ISO ``now`` (tests and replays pass
one; beat does not) and is idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import shared_task
from django.utils import timezone

from fleet import monitors


def _now(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else timezone.now()


@shared_task
def check_overdue_returns(now: str | None = None) -> int:
    return monitors.check_overdue_returns(now=_now(now))


@shared_task
def check_off_hours_use(now: str | None = None) -> int:
    return monitors.check_off_hours_use(now=_now(now)) + monitors.check_unapproved_emergencies(now=_now(now))


@shared_task
def plan_and_apply_seals(now: str | None = None) -> dict[str, Any]:
    when = _now(now)
    return {"planned": monitors.plan_holiday_seals(now=when), **monitors.apply_seals(now=when)}


@shared_task
def check_sealed_use(now: str | None = None) -> int:
    return monitors.check_sealed_use(now=_now(now))


@shared_task
def check_document_expiry(now: str | None = None) -> int:
    return monitors.check_document_expiry(now=_now(now))


@shared_task
def refresh_colours(now: str | None = None) -> dict[str, int]:
    return monitors.refresh_colours(now=_now(now))
