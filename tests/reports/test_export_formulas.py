"""Exported text never becomes a live spreadsheet formula (CSV/formula injection; OWASP's leading-quote fix)."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.reports.data import MARCH
from tickets.models import ServiceRequest
from tickets.reports.cells import safe_row

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://x","y")'


@pytest.fixture
def titled(report_data):
    march = ServiceRequest.objects.filter(created_at__date__gte=MARCH["date_from"], created_at__date__lte="2026-03-20")
    first, second, third = march.order_by("created_at", "id")[:3]
    ServiceRequest.objects.filter(pk=first.pk).update(title=HOSTILE)
    ServiceRequest.objects.filter(pk=second.pk).update(title="+cmd|' /C calc'!A0")
    return {"hostile": f"SD{first.pk:07d}", "cmd": f"SD{second.pk:07d}", "plain": (f"SD{third.pk:07d}", third.title)}


def test_csv_export_writes_formula_titles_as_text(world, titled, api):
    res = api(world.dave).get("/api/v1/reports/sla/export.csv", MARCH)
    rows = {row[0]: row for row in csv.reader(io.StringIO(b"".join(res.streaming_content).decode("utf-8-sig")))}
    assert rows[titled["hostile"]][1] == "'" + HOSTILE
    assert rows[titled["cmd"]][1] == "'+cmd|' /C calc'!A0"
    plain_id, plain_title = titled["plain"]
    assert rows[plain_id][1] == plain_title  # a normal title is unchanged


def test_xlsx_export_reads_back_as_text_not_formula(world, titled, api):
    res = api(world.carol).get("/api/v1/reports/sla/export.xlsx", MARCH)
    detail = load_workbook(io.BytesIO(b"".join(res.streaming_content)))["明细"]
    cells = {row[0].value: row for row in detail.iter_rows(min_row=2)}
    hostile = cells[titled["hostile"]][1]
    assert hostile.value == "'" + HOSTILE and hostile.data_type == "s"
    assert cells[titled["cmd"]][1].value.startswith("'+cmd")
    plain_id, plain_title = titled["plain"]
    assert cells[plain_id][1].value == plain_title
    reopens = cells[plain_id][20]  # 重开次数: still a number
    assert reopens.value == 0 and reopens.data_type == "n"


def test_safe_row_through_openpyxl_keeps_numbers_and_neutralises_every_trigger():
    hostile = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]
    row = safe_row([*hostile, "正常标题", -3, 2.5, None, True])
    assert row[:6] == ["'" + text for text in hostile]
    assert row[6:] == ["正常标题", -3, 2.5, None, True]
    book = Workbook()
    book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    sheet = load_workbook(out).active
    assert [cell.data_type for cell in sheet[1]][:7] == ["s"] * 7
    assert sheet["H1"].value == -3 and sheet["H1"].data_type == "n"
