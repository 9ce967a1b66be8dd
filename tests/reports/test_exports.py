"""CSV streamed, XLSX formatted (Chinese headers, frozen header, totals row), background export with progress."""

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from tests.reports.data import MARCH
from tickets.models import Export

pytestmark = pytest.mark.django_db


def test_csv_is_streamed_with_chinese_headers_and_totals(world, report_data, api):
    res = api(world.dave).get("/api/v1/reports/sla/export.csv", MARCH)
    assert res.status_code == 200
    assert res.streaming
    text = b"".join(res.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff编号,标题,服务条线")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 14 + 1
    assert lines[-1].startswith("合计,14 条")
    assert "恒安物业" in text and "紧急" in text


def test_xlsx_has_summary_and_details(world, report_data, api):
    res = api(world.carol).get("/api/v1/reports/sla/export.xlsx", MARCH)
    assert res.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(res.streaming_content)))
    summary, detail = wb["汇总"], wb["明细"]
    assert summary.freeze_panes == "A2" and detail.freeze_panes == "A2"
    assert summary["A1"].value == "分组" and summary["A1"].font.bold
    totals = next(row for row in summary.iter_rows(values_only=True) if row[0] == "合计")
    assert totals[1] == 14
    assert detail["A1"].value == "编号" and detail["J1"].value == "提交时间"
    assert detail.max_row == 1 + 14 + 1
    assert detail.cell(detail.max_row, 1).value == "合计"
    assert detail.cell(2, 1).value.startswith("SD")
    assert detail.cell(2, 10).value == datetime(2026, 3, 2, 9, 0)  # a real date-time cell, local time
    assert detail.auto_filter.ref == "A1:U16"


def test_background_export_with_progress_owner_only(world, report_data, api, run_on_commit):
    client = api(world.dave)
    with run_on_commit(execute=True):
        res = client.post("/api/v1/reports/exports/", {**MARCH, "format": "xlsx"}, format="json")
    assert res.status_code == 202, res.content
    export_id = res.json()["id"]
    poll = client.get(f"/api/v1/reports/exports/{export_id}/").json()
    assert poll["state"] == "done" and poll["progress"] == 100 and poll["rows_total"] == 14
    download = client.get(poll["download"])
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert wb["明细"].max_row == 16
    # nobody else may poll or download it
    assert api(world.carol).get(f"/api/v1/reports/exports/{export_id}/").status_code == 404
    assert api(world.carol).get(poll["download"]).status_code == 404
    export = Export.objects.get(pk=export_id)
    assert export.file.name.startswith("exports/")


def test_export_page_polls(world, client):
    export = Export.objects.create(owner=world.dave, params=MARCH, created_at="2026-04-01T00:00:00+08:00")
    client.force_login(world.dave)
    assert client.get(f"/reports/exports/{export.pk}/").status_code == 200
    client.force_login(world.carol)
    assert client.get(f"/reports/exports/{export.pk}/").status_code == 404


def test_form_post_and_large_link_go_to_the_progress_page(world, report_data, client, run_on_commit, settings):
    from tickets.reports import services

    client.force_login(world.dave)
    with run_on_commit(execute=True):
        res = client.post("/api/v1/reports/exports/", {**MARCH, "format": "csv"}, HTTP_ACCEPT="text/html")
    assert res.status_code == 303 and res["Location"].startswith("/reports/exports/")
    export = Export.objects.get(owner=world.dave)
    assert export.state == "done" and export.file.name.endswith(".csv")
    old = services.SYNC_XLSX_LIMIT
    services.SYNC_XLSX_LIMIT = 5
    try:
        res = client.get("/api/v1/reports/sla/export.xlsx", MARCH, HTTP_ACCEPT="text/html")
    finally:
        services.SYNC_XLSX_LIMIT = old
    assert res.status_code == 303 and res["Location"].startswith("/reports/exports/")


def test_xlsx_formatting_the_user_sees(world, report_data, api):
    """What a reader of the file sees besides the values: date-time format, widths, header and totals styles."""
    res = api(world.carol).get("/api/v1/reports/sla/export.xlsx", MARCH)
    wb = load_workbook(io.BytesIO(b"".join(res.streaming_content)))
    summary, detail = wb["汇总"], wb["明细"]
    assert [c.value for c in detail[1]][:4] == ["编号", "标题", "服务条线", "服务分类"]
    assert detail.cell(2, 10).number_format == "yyyy-mm-dd hh:mm"
    assert isinstance(detail.cell(2, 15).value, int)  # business minutes stay numbers, so Excel can sum them
    assert detail.column_dimensions["B"].width == 30 and summary.column_dimensions["A"].width == 20
    header = detail["A1"]
    assert header.font.bold and header.fill.fgColor.rgb.endswith("1F4E79") and header.font.color.rgb.endswith("FFFFFF")
    total = detail.cell(detail.max_row, 1)
    assert total.value == "合计" and total.font.bold and total.fill.fgColor.rgb.endswith("DDEBF7")
    assert detail.cell(detail.max_row, 17).value == sum(
        1 for r in range(2, detail.max_row) if detail.cell(r, 17).value == "是"
    )
    assert isinstance(summary.cell(2, 2).value, int) and summary.cell(2, 2).value > 0
