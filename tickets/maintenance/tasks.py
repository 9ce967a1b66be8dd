"""The beat's planned-maintenance job (servicedesk/celery.py autodiscovers this module)."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task


@shared_task(name="tickets.maintenance.tasks.open_planned_maintenance")
def open_planned_maintenance(now: str | None = None) -> dict[str, int]:
    from tickets.maintenance.services import planned_maintenance_run

    return planned_maintenance_run(now=datetime.fromisoformat(now) if now else None)


@shared_task(name="tickets.maintenance.tasks.send_inspection_reminders")
def send_inspection_reminders(now: str | None = None) -> int:
    from tickets.maintenance.reminders import inspection_reminders_send

    return inspection_reminders_send(now=datetime.fromisoformat(now) if now else None)
