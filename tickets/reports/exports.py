"""Exports of the SLA report and the requests behind it: CSV streamed, XLSX written row by row to a file.

Neither keeps the rows in memory: the queryset is read with .iterator(chunk_size), the CSV goes out as a
generator, the XLSX streams into a file (tickets.reports.xlsx_stream).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.models import ServiceLine, ServiceRequest, Status, Urgency
from tickets.reports.cells import safe_row
from tickets.reports.xlsx_stream import HEADER, TOTAL, StreamingWorkbook

CHUNK = 2000

# (header, values_list path, width)
REQUEST_COLUMNS: list[tuple[Any, str, int]] = [
    (gettext_lazy("编号"), "id", 12),
    (gettext_lazy("标题"), "title", 30),
    (gettext_lazy("服务条线"), "service_line", 10),
    (gettext_lazy("服务分类"), "category__name", 14),
    (gettext_lazy("院区"), "compound__name", 12),
    (gettext_lazy("楼栋"), "building__name", 10),
    (gettext_lazy("服务商"), "contractor__name", 16),
    (gettext_lazy("紧急程度"), "urgency", 8),
    (gettext_lazy("状态"), "status", 8),
    (gettext_lazy("提交时间"), "created_at", 18),
    (gettext_lazy("受理时间"), "responded_at", 18),
    (gettext_lazy("到场时间"), "arrived_at", 18),
    (gettext_lazy("办结时间"), "resolved_at", 18),
    (gettext_lazy("关闭时间"), "closed_at", 18),
    (gettext_lazy("受理用时(工作分钟)"), "response_minutes", 12),
    (gettext_lazy("办结用时(工作分钟)"), "resolution_minutes", 12),
    (gettext_lazy("受理超时"), "response_breached", 8),
    (gettext_lazy("到场超时"), "arrival_breached", 8),
    (gettext_lazy("办结超时"), "resolution_breached", 8),
    (gettext_lazy("评分"), "rating", 6),
    (gettext_lazy("重开次数"), "reopen_count", 8),
]
_PATHS = [c[1] for c in REQUEST_COLUMNS]
_IDX = {path: i for i, path in enumerate(_PATHS)}
_DATES = [_IDX[p] for p in ("created_at", "responded_at", "arrived_at", "resolved_at", "closed_at")]
_BOOLS = [_IDX[p] for p in ("response_breached", "arrival_breached", "resolution_breached")]
_MINUTES = [_IDX["response_minutes"], _IDX["resolution_minutes"]]


class _Rows:
    """Turns database tuples into display rows and keeps the running totals for the totals row."""

    def __init__(self, *, excel: bool) -> None:
        self.excel = excel
        self.tz = timezone.get_current_timezone()
        self.count = 0
        self.breaches = [0, 0, 0]
        self.minutes = [[0, 0], [0, 0]]  # [sum, n] per duration column
        self.rating = [0, 0]
        self.reopens = 0
        self.yes, self.no = _("是"), _("否")
        self.lines = {k: str(v) for k, v in ServiceLine.choices}
        self.urgencies = {k: str(v) for k, v in Urgency.choices}
        self.statuses = {k: str(v) for k, v in Status.choices}

    def convert(self, raw: tuple[Any, ...]) -> list[Any]:
        row = list(raw)
        self.count += 1
        row[0] = f"SD{row[0]:07d}"
        row[2] = self.lines.get(row[2], row[2])
        row[7] = self.urgencies.get(row[7], row[7])
        row[8] = self.statuses.get(row[8], row[8])
        for i in _DATES:
            value = row[i]
            if value is not None:
                local = value.astimezone(self.tz).replace(tzinfo=None)
                row[i] = local if self.excel else local.strftime("%Y-%m-%d %H:%M")
        for n, i in enumerate(_BOOLS):
            if row[i]:
                self.breaches[n] += 1
            row[i] = self.yes if row[i] else self.no
        for n, i in enumerate(_MINUTES):
            if row[i] is not None:
                self.minutes[n][0] += row[i]
                self.minutes[n][1] += 1
        if row[_IDX["rating"]] is not None:
            self.rating[0] += row[_IDX["rating"]]
            self.rating[1] += 1
        self.reopens += row[_IDX["reopen_count"]]
        return row

    def totals(self) -> list[Any]:
        row: list[Any] = [""] * len(REQUEST_COLUMNS)
        row[0] = _("合计")
        row[1] = _("%(n)d 条") % {"n": self.count}
        for n, i in enumerate(_MINUTES):
            s, k = self.minutes[n]
            row[i] = round(s / k, 1) if k else ""
        for n, i in enumerate(_BOOLS):
            row[i] = self.breaches[n]
        row[_IDX["rating"]] = round(self.rating[0] / self.rating[1], 2) if self.rating[1] else ""
        row[_IDX["reopen_count"]] = self.reopens
        return row


def request_rows(qs: QuerySet[ServiceRequest]) -> Iterator[tuple[Any, ...]]:
    return qs.order_by("created_at", "id").values_list(*_PATHS).iterator(chunk_size=CHUNK)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(qs: QuerySet[ServiceRequest]) -> Iterator[str]:
    """CSV lines for a StreamingHttpResponse: a UTF-8 BOM (Excel opens it as UTF-8), header, rows, totals."""
    writer = csv.writer(_Echo())
    rows = _Rows(excel=False)
    yield "\ufeff"
    yield writer.writerow([str(c[0]) for c in REQUEST_COLUMNS])
    for raw in request_rows(qs):
        yield writer.writerow(safe_row(rows.convert(raw)))
    yield writer.writerow(safe_row(rows.totals()))


def write_csv(qs: QuerySet[ServiceRequest], out: IO[str], progress: Callable[[int], None] | None = None) -> int:
    rows = 0
    for rows, line in enumerate(csv_stream(qs)):
        out.write(line)
        if progress and rows % CHUNK == 0:
            progress(rows)
    return max(rows - 2, 0)


# --- XLSX --------------------------------------------------------------------------------------------------
# Written with tickets.reports.xlsx_stream (rows stream into the zip entry; see there why not openpyxl).


SUMMARY_COLUMNS: list[tuple[Any, int]] = [
    (gettext_lazy("分组"), 20),
    (gettext_lazy("请求量"), 9),
    (gettext_lazy("受理及时率(%)"), 10),
    (gettext_lazy("到场及时率(%)"), 10),
    (gettext_lazy("办结及时率(%)"), 10),
    (gettext_lazy("受理用时P50"), 10),
    (gettext_lazy("受理用时P90"), 10),
    (gettext_lazy("受理用时P95"), 10),
    (gettext_lazy("办结用时P50"), 10),
    (gettext_lazy("办结用时P90"), 10),
    (gettext_lazy("办结用时P95"), 10),
    (gettext_lazy("积压≤1天"), 9),
    (gettext_lazy("积压1–3天"), 9),
    (gettext_lazy("积压3–7天"), 9),
    (gettext_lazy("积压>7天"), 9),
    (gettext_lazy("超时请求"), 9),
    (gettext_lazy("平均评分"), 9),
    (gettext_lazy("满意率(%)"), 9),
    (gettext_lazy("评价率(%)"), 9),
    (gettext_lazy("返修率(%)"), 9),
    (gettext_lazy("投诉"), 8),
]


def summary_values(row: dict[str, Any]) -> list[Any]:
    d = row["durations"]
    b = row["backlog"]
    s = row["satisfaction"]
    return [
        str(row["label"]),
        row["volume"],
        row["response"]["on_time_pct"],
        row["arrival"]["on_time_pct"],
        row["resolution"]["on_time_pct"],
        d["response"]["p50"],
        d["response"]["p90"],
        d["response"]["p95"],
        d["resolution"]["p50"],
        d["resolution"]["p90"],
        d["resolution"]["p95"],
        b["le_1d"],
        b["d1_3"],
        b["d3_7"],
        b["gt_7d"],
        row["breached"],
        s["mean"],
        s["satisfied_pct"],
        s["response_rate"],
        row["reopen"]["rate"],
        row["complaints"],
    ]


MAINTENANCE_COLUMNS = [
    (gettext_lazy("服务商"), 16),
    (gettext_lazy("院区"), 10),
    (gettext_lazy("楼栋"), 12),
    (gettext_lazy("设备类别"), 12),
    (gettext_lazy("应完成"), 8),
    (gettext_lazy("按时"), 8),
    (gettext_lazy("逾期"), 8),
    (gettext_lazy("漏检"), 8),
    (gettext_lazy("进行中"), 8),
    (gettext_lazy("按时率(%)"), 9),
]


def maintenance_values(row: dict[str, Any], *, total: bool = False) -> list[Any]:
    rate = row["on_time_rate"]
    counts = [row[k] for k in ("total", "done", "late", "missed", "open")] + [None if rate is None else float(rate)]
    if total:
        return [_("合计"), "", "", "", *counts]
    place = [getattr(row.get(k), "name", "") or "" for k in ("compound", "building")]
    return [getattr(row.get("contractor"), "name", "") or "", *place, str(row["category_label"]), *counts]


def write_xlsx(
    path: Path | str | IO[bytes],
    *,
    report: dict[str, Any] | None,
    qs: QuerySet[ServiceRequest] | None,
    total_rows: int = 0,
    progress: Callable[[int], None] | None = None,
    title: str = "",
    maintenance: dict[str, Any] | None = None,
) -> int:
    """Write the summary sheet (from a computed report), the planned-maintenance sheet (the report's compliance
    section, when the report's filters cover planned work) and the detail sheet (from a queryset), each with
    Chinese headers, the header frozen, an auto-filter and a totals row."""
    book = StreamingWorkbook(str(path) if isinstance(path, (str, Path)) else path)
    if report is not None:
        ws = book.sheet(_("汇总"), [w for _h, w in SUMMARY_COLUMNS], len(report["rows"]) + 1)
        ws.append([str(h) for h, _w in SUMMARY_COLUMNS], HEADER)
        for row in report["rows"]:
            ws.append(summary_values(row))
        ws.append(summary_values(report["total"]), TOTAL)
        if title:
            ws.append([])
            ws.append([title])
    if maintenance is not None and maintenance["rows"]:
        ws = book.sheet(_("计划维保"), [w for _h, w in MAINTENANCE_COLUMNS], len(maintenance["rows"]) + 1)
        ws.append([str(h) for h, _w in MAINTENANCE_COLUMNS], HEADER)
        for mrow in maintenance["rows"]:
            ws.append(maintenance_values(mrow))
        ws.append(maintenance_values(maintenance["total"], total=True), TOTAL)
    written = 0
    if qs is not None:
        ws = book.sheet(_("明细"), [w for _h, _p, w in REQUEST_COLUMNS], total_rows + 1)
        ws.append([str(h) for h, _p, _w in REQUEST_COLUMNS], HEADER)
        rows = _Rows(excel=True)
        for raw in request_rows(qs):
            ws.append(rows.convert(raw))
            written += 1
            if progress and written % CHUNK == 0:
                progress(written)
        ws.append(rows.totals(), TOTAL)
    book.close()
    return written


def xlsx_bytes(**kwargs: Any) -> bytes:
    """For small workbooks (a monthly summary to attach to an e-mail)."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        write_xlsx(tmp.name, **kwargs)
        return Path(tmp.name).read_bytes()


def stamp(now: datetime | None = None) -> str:
    return timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
