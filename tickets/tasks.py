"""Celery tasks: thin wrappers that take ids, load rows and call one service. All are idempotent."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from django.utils import timezone

from tickets.services import drafts, feedback, maintenance, notifications, sweeper

log = logging.getLogger(__name__)


@shared_task
def heartbeat() -> str:
    """Shows in the demo's worker log that beat and the worker really run."""
    stamp = timezone.localtime().isoformat(timespec="seconds")
    log.info("servicedesk heartbeat %s", stamp)
    return stamp


def _when(now: str | None) -> datetime | None:
    return datetime.fromisoformat(now) if now else None


@shared_task
def sweep_sla(now: str | None = None) -> dict[str, int]:
    return sweeper.sla_sweep(now=_when(now))


@shared_task
def expire_feedback(now: str | None = None) -> int:
    return feedback.expire_feedback(now=_when(now))


@shared_task
def analyze_database() -> str:
    return maintenance.database_analyze()


@shared_task
def clear_filing_drafts(now: str | None = None) -> int:
    return drafts.PhotoDrafts.clear_stale(now=_when(now))


@shared_task
def send_event_emails(event_id: int) -> int:
    return notifications.send_event_emails(event_id=event_id)


@shared_task
def send_events_emails(event_ids: list[int]) -> int:
    """The e-mails of a batch of events (a sweep's): one message on the queue, not one per event. Each event's
    e-mails are claimed as `send_event_emails` claims them; a failure is logged and the batch goes on."""
    sent = 0
    for event_id in event_ids:
        try:
            sent += notifications.send_event_emails(event_id=event_id)
        except Exception:  # one bad address must not hold back the others
            log.exception("e-mails of event %s failed", event_id)
    return sent


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=8)
def deliver_webhook(endpoint_id: int, event_id: int) -> bool:
    return notifications.deliver_webhook(endpoint_id=endpoint_id, event_id=event_id)
