"""What the beat's monthly jobs would have left behind over the demo's history: the archive of monthly SLA reports
(``reports-monthly``: 06:00 on the 1st, for the month before), each generated at that moment."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from tickets.models import MonthlyReport, ServiceRequest


def load_report_archive(*, now: datetime | None = None) -> int:
    """Generate the monthly report of every month from the first demo request's to the last one whose job time
    (06:00 on the 1st after it) has passed. Idempotent; returns how many reports were written."""
    from tickets.reports.services import monthly_report_generate

    now = now or timezone.now()
    first = ServiceRequest.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return 0
    month = timezone.localdate(first).replace(day=1)
    written = 0
    while True:
        job_at = timezone.make_aware(datetime.combine(_next_month(month), time(6, 0)))
        if job_at > now:
            return written
        if not MonthlyReport.objects.filter(month=month).exists():
            monthly_report_generate(month=month, now=job_at)
            written += 1
        month = _next_month(month)


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)
