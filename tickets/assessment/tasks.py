"""Celery tasks of assessment: thin and idempotent (servicedesk/celery.py autodiscovers this module)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tickets.assessment.tasks.draft_scorecards")
def draft_scorecards() -> int:
    from tickets.assessment.scorecards import scorecards_draft_all

    return scorecards_draft_all()
