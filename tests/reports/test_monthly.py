"""The monthly report: generated once, stored, e-mailed once to the bureau leaders with the XLSX attached."""

import pytest
from django.core import mail

from tests.reports.data import local
from tickets.models import MonthlyReport
from tickets.reports.services import monthly_report_generate
from tickets.reports.tasks import generate_monthly_report

pytestmark = pytest.mark.django_db


def test_generated_on_the_first_for_the_month_before(world, report_data):
    row = monthly_report_generate(now=local(2026, 4, 1, 6, 0))
    assert row.month.isoformat() == "2026-03-01"
    assert row.summary["total"]["volume"] == 14
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.dave.email]
    assert "2026-03" in message.subject
    name, content, _mimetype = message.attachments[0]
    assert name.endswith(".xlsx") and content[:2] == b"PK"
    # twice (a second beat, a second worker): no second row, no second e-mail
    again = monthly_report_generate(now=local(2026, 4, 1, 6, 5))
    assert again.pk == row.pk and MonthlyReport.objects.count() == 1 and len(mail.outbox) == 1


def test_archive_page_and_download_for_bureau_only(world, report_data, client, api):
    row = monthly_report_generate(now=local(2026, 4, 1, 6, 0))
    client.force_login(world.dave)
    page = client.get("/reports/monthly/")
    assert page.status_code == 200 and "2026-03" in page.content.decode()
    assert api(world.carol).get(f"/api/v1/reports/monthly/{row.pk}/download/").status_code == 200
    assert api(world.bob).get(f"/api/v1/reports/monthly/{row.pk}/download/").status_code == 403
    assert api(world.alice).get("/api/v1/reports/monthly/").status_code == 403


def test_task_runs(world):
    assert isinstance(generate_monthly_report.delay().get(), int)


def test_schedule_runs_reports_on_the_first_and_every_scheduled_task_exists():
    from servicedesk.celery import app
    from servicedesk.schedule import BEAT_SCHEDULE

    app.loader.import_default_modules()
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} <= set(app.tasks)
    monthly = BEAT_SCHEDULE["reports-monthly"]["schedule"]
    assert monthly.day_of_month == {1}
