"""Celery tasks of reporting: thin wrappers that take ids and call one service. All are idempotent.

servicedesk/celery.py autodiscovers this module (and tickets.assessment.tasks).
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tickets.reports.tasks.run_export")
def run_export(export_id: int) -> str:
    from tickets.reports.services import export_run

    export = export_run(export_id=export_id)
    return export.state if export else "missing"


@shared_task(name="tickets.reports.tasks.generate_monthly_report")
def generate_monthly_report() -> int:
    from tickets.reports.services import monthly_report_generate

    return monthly_report_generate().pk
