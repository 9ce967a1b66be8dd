"""Write paths of reporting: long exports run in Celery, the stored monthly report and its e-mail."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.models import Export, MonthlyReport, Role, ServiceRequest, User
from tickets.reports import exports
from tickets.reports.params import ReportParams, parse_report_params
from tickets.reports.selectors import planned_maintenance_compliance, sla_report
from tickets.services.common import now_or
from tickets.services.notifications import deliveries_are_suppressed

log = logging.getLogger(__name__)

# Above this many rows an XLSX is built in the background (a request would time out in the proxy).
SYNC_XLSX_LIMIT = 20_000


def export_start(
    *, actor: User, params: ReportParams, fmt: str = Export.Format.XLSX, now: datetime | None = None
) -> Export:
    now = now_or(now)
    with transaction.atomic():
        export = Export.objects.create(owner=actor, format=fmt, params=params.query_dict(), created_at=now)

        def enqueue() -> None:
            from tickets.reports.tasks import run_export

            run_export.delay(export.pk)

        transaction.on_commit(enqueue)
    return export


def _export_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_run(*, export_id: int, now: datetime | None = None) -> Export | None:
    """Build the file. Claimed with an UPDATE that only matches a pending row, so two workers never both run it."""
    if not Export.objects.filter(pk=export_id, state=Export.State.PENDING).update(state=Export.State.RUNNING):
        return Export.objects.filter(pk=export_id).first()
    export = Export.objects.select_related("owner").get(pk=export_id)
    tmp_name = ""
    try:
        # The owner's rights are checked again now: a user who lost access gets no file.
        params = parse_report_params(export.owner, export.params)
        qs = ServiceRequest.objects.filter(params.filter_q())
        total = qs.count()
        Export.objects.filter(pk=export_id).update(rows_total=total)

        def progress(done: int) -> None:
            pct = min(99, int(done * 100 / total)) if total else 99
            Export.objects.filter(pk=export_id).update(rows_done=done, progress=pct)

        directory = _export_dir()
        name = f"{export.pk}-{secrets.token_urlsafe(8)}.{export.format}"
        fd, tmp_name = tempfile.mkstemp(dir=directory, suffix=".part")
        os.close(fd)
        if export.format == Export.Format.CSV:
            with open(tmp_name, "w", encoding="utf-8", newline="") as out:
                exports.write_csv(qs, out, progress)
        else:
            report = sla_report(params, with_links=False)
            maintenance = planned_maintenance_compliance(params, export.owner)
            exports.write_xlsx(
                tmp_name, report=report, qs=qs, total_rows=total, progress=progress, maintenance=maintenance
            )
        os.replace(tmp_name, directory / name)
        Export.objects.filter(pk=export_id).update(
            state=Export.State.DONE, progress=100, rows_done=total, file=f"exports/{name}", finished_at=now_or(now)
        )
    except Exception as exc:
        log.exception("export %s failed", export_id)
        if tmp_name and os.path.exists(tmp_name):
            os.unlink(tmp_name)
        Export.objects.filter(pk=export_id).update(
            state=Export.State.FAILED, error=str(exc)[:300], finished_at=now_or(now)
        )
    return Export.objects.get(pk=export_id)


# --- the monthly report --------------------------------------------------------------------------------------


def previous_month(now: datetime) -> date:
    first = timezone.localdate(now).replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def month_end(month: date) -> date:
    nxt = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


class _Everything:
    """The bureau-wide scope the monthly report is computed under (not a user's)."""

    is_authenticated = True
    is_superuser = True
    role = Role.ADMIN


def monthly_report_generate(*, month: date | None = None, now: datetime | None = None) -> MonthlyReport:
    """Generate (once) and e-mail (once) the month's report. Safe to run twice and on two workers."""
    now = now_or(now)
    month = (month or previous_month(now)).replace(day=1)
    report_row = MonthlyReport.objects.filter(month=month).first()
    if report_row is None:
        everyone = _Everything()
        params = parse_report_params(
            everyone,  # type: ignore[arg-type]
            {"date_from": month.isoformat(), "date_to": month_end(month).isoformat(), "group_by": "contractor"},
        )
        report = sla_report(params, now=now, with_links=False)
        qs = ServiceRequest.objects.filter(params.filter_q())
        name = f"monthly/{month:%Y-%m}-{secrets.token_urlsafe(6)}.xlsx"
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        title = _("%(month)s 服务质量月报") % {"month": f"{month:%Y-%m}"}
        maintenance = planned_maintenance_compliance(params, everyone)
        exports.write_xlsx(path, report=report, qs=qs, total_rows=qs.count(), title=title, maintenance=maintenance)
        try:
            with transaction.atomic():
                report_row = MonthlyReport.objects.create(month=month, summary=report, file=name, generated_at=now)
        except IntegrityError:
            path.unlink(missing_ok=True)
            report_row = MonthlyReport.objects.get(month=month)
    _email_leaders(report_row, now=now)
    return report_row


def _email_leaders(report_row: MonthlyReport, *, now: datetime) -> None:
    if deliveries_are_suppressed():
        return  # a back-dated report (the demo's archive): its month's mail would have gone out long ago
    # Claim the sending with an UPDATE on the unsent row: a second worker finds nothing to claim.
    if not MonthlyReport.objects.filter(pk=report_row.pk, emailed_at__isnull=True).update(emailed_at=now):
        return
    leaders = list(
        User.objects.filter(role=Role.ADMIN, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    month = f"{report_row.month:%Y-%m}"
    total: dict[str, Any] = report_row.summary.get("total", {})
    body = _(
        "%(month)s 服务质量月报已生成：请求 %(volume)s 件，受理及时率 %(resp)s%%，办结及时率 %(res)s%%，满意率 %(sat)s%%。详见附件。"  # noqa: E501
    ) % {
        "month": month,
        "volume": total.get("volume", 0),
        "resp": (total.get("response") or {}).get("on_time_pct"),
        "res": (total.get("resolution") or {}).get("on_time_pct"),
        "sat": (total.get("satisfaction") or {}).get("satisfied_pct"),
    }
    try:
        if leaders:
            message = EmailMessage(
                subject=_("【机关事务服务台】%(month)s 服务质量月报") % {"month": month}, body=body, to=leaders
            )
            message.attach(
                f"report-{month}.xlsx",
                Path(report_row.file.path).read_bytes(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            message.send()
        MonthlyReport.objects.filter(pk=report_row.pk).update(recipients=leaders)
    except Exception:
        # Release the claim so the next run retries the e-mail.
        MonthlyReport.objects.filter(pk=report_row.pk).update(emailed_at=None)
        raise
