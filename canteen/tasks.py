"""Celery tasks: thin wrappers over the head-count service. Each takes ids (and an optional ISO ``now`` for
tests and replays), is idempotent and is acknowledged late."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from canteen.services import assessment, headcounts


def _now(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else timezone.now()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def freeze_head_counts(now: str | None = None) -> int:
    return headcounts.freeze_due_head_counts(now=_now(now))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_head_count_emails(head_count_id: int) -> int:
    return headcounts.send_head_count_emails(head_count_id=head_count_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def deliver_head_count_webhook(endpoint_id: int, head_count_id: int) -> bool:
    return headcounts.deliver_head_count_webhook(endpoint_id=endpoint_id, head_count_id=head_count_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def record_log_inspections(now: str | None = None) -> int:
    """On the 1st, before the scorecards' drafts: last month's sample and waste logs as inspections."""
    return assessment.log_inspections_for_last_month(now=_now(now))
