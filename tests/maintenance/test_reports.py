"""Planned maintenance in the reports: the compliance section of the SLA report page (same period and filters as
the report), as the bureau and the contractors read it."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import BuildingFactory, UserFactory
from tests.maintenance.conftest import at
from tickets.assessment.inspections import ItemInput
from tickets.maintenance.models import Equipment
from tickets.maintenance.services import plan_create, planned_maintenance_run
from tickets.maintenance.work import occurrence_complete
from tickets.models import Role

pytestmark = pytest.mark.django_db
JANUARY = {"date_from": "2026-01-01", "date_to": "2026-01-31"}


def client(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def section(body):
    """The planned-maintenance table's rows as lists of cell texts, or None when the page has no such section."""
    m = re.search(r'<table id="maintenance-compliance">(.*?)</table>', body, re.S)
    if m is None:
        return None
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S)[1:]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


@pytest.fixture
def january(world, order, items):
    """Every 15 days from 1 January: the 16th done on time; the 1st and the 31st missed by 20 February."""
    answers = [ItemInput(item=items[0].pk, passed=True), ItemInput(item=items[1].pk, measured="50")]
    occurrence_complete(occurrence=order, actor=world.wang, results=answers, now=at(2026, 1, 16, 11))
    planned_maintenance_run(now=at(2026, 2, 20, 8))


def test_the_sla_report_shows_planned_maintenance_per_contractor_building_and_category(world, january):
    body = client(world.carol).get("/reports/", JANUARY).content.decode()
    assert section(body) == [
        ["恒安物业", "南院", "1号楼", "电梯", "3", "1", "0", "2", "0", "33.33%"],
        ["合计", "3", "1", "0", "2", "0", "33.33%"],
    ]
    # The same period as the report: from 16 January, the 16th and the 31st only.
    body = client(world.carol).get("/reports/", {"date_from": "2026-01-16", "date_to": "2026-01-31"}).content
    assert section(body.decode())[-1] == ["合计", "2", "1", "0", "1", "0", "50.00%"]


def test_the_sections_rows_follow_the_reports_filters(world, january):
    carol = client(world.carol)
    assert section(carol.get("/reports/", {**JANUARY, "contractor": world.contractor.pk}).content.decode())
    assert section(carol.get("/reports/", {**JANUARY, "building": world.building.pk}).content.decode())
    for other in ({"contractor": world.other_contractor.pk}, {"compound": world.other_compound.pk}):
        assert section(carol.get("/reports/", {**JANUARY, **other}).content.decode()) is None
    # An urgency says nothing about planned dates: no section rather than a misleading one.
    assert section(carol.get("/reports/", {**JANUARY, "urgency": "urgent"}).content.decode()) is None
    dave = client(world.dave)
    assert section(dave.get("/reports/", {**JANUARY, "service_line": "vehicles"}).content.decode()) is None
    assert section(dave.get("/reports/", {**JANUARY, "service_line": "property"}).content.decode())


def test_each_reader_sees_only_the_planned_work_they_may(world, january):
    assert section(client(world.bob).get("/reports/", JANUARY).content.decode())[0][0] == "恒安物业"
    other_dispatcher = UserFactory(username="olga", contractor=world.other_contractor, role=Role.DISPATCHER)
    res = client(other_dispatcher).get("/reports/", JANUARY)
    assert res.status_code == 200 and section(res.content.decode()) is None
    res = client(world.vic).get("/reports/", JANUARY)  # the vehicles line's supervisor
    assert res.status_code == 200 and section(res.content.decode()) is None
    assert client(world.alice).get("/reports/", JANUARY).status_code == 403  # a requester has no reports
    assert client(world.wang).get("/reports/", JANUARY).status_code == 403


def test_the_section_costs_the_same_queries_for_many_plans_and_sites(world, january, plan_values):
    carol = client(world.carol)
    carol.get("/reports/", JANUARY)
    with CaptureQueriesContext(connection) as few:
        carol.get("/reports/", JANUARY)
    b2 = BuildingFactory(compound=world.compound, code="b2", name="2号楼")
    for n, category in enumerate(["hvac", "fire", "water", "power"] * 3):
        item = Equipment.objects.create(code=f"x{n}", name="x", category=category, compound=world.compound, building=b2)
        plan_create(actor=world.dave, now=at(2025, 12, 31), **{**plan_values, "equipment": item})
    planned_maintenance_run(now=at(2026, 2, 20, 9))
    with CaptureQueriesContext(connection) as many:
        body = carol.get("/reports/", JANUARY).content.decode()
    assert [r[2] for r in section(body)[:-1]] == ["1号楼", "2号楼", "2号楼", "2号楼", "2号楼"]
    assert section(body)[-1][1] == str(3 + 12 * 3)
    assert len(many) == len(few)


def test_the_sla_report_api_carries_the_same_section(world, january, api):
    body = api(world.carol).get("/api/v1/reports/sla/", {**JANUARY, "trend": "false"}).json()
    section = body["planned_maintenance"]
    assert [(r["contractor_name"], r["building"], r["category"], r["done"], r["missed"]) for r in section["rows"]] == [
        ("恒安物业", world.building.pk, "lift", 1, 2)
    ]
    assert section["total"]["on_time_rate"] == "33.33"
    olga = UserFactory(username="olga", contractor=world.other_contractor, role=Role.DISPATCHER)
    assert api(olga).get("/api/v1/reports/sla/", JANUARY).json()["planned_maintenance"]["rows"] == []
    vehicles = api(world.dave).get("/api/v1/reports/sla/", {**JANUARY, "service_line": "vehicles"}).json()
    assert vehicles["planned_maintenance"] is None


def _sheet_rows(data: bytes, name: str):
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    if name not in book.sheetnames:
        return None
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def test_the_reports_xlsx_files_carry_the_planned_maintenance_sheet(world, january, api, run_on_commit):
    from datetime import date

    from tickets.reports.services import monthly_report_generate

    header = ["服务商", "院区", "楼栋", "设备类别", "应完成", "按时", "逾期", "漏检", "进行中", "按时率(%)"]
    expected = [
        header,
        ["恒安物业", "南院", "1号楼", "电梯", 3, 1, 0, 2, 0, 33.33],
        ["合计", None, None, None, 3, 1, 0, 2, 0, 33.33],
    ]
    res = api(world.carol).get("/api/v1/reports/sla/export.xlsx", JANUARY)
    assert res.status_code == 200
    assert _sheet_rows(b"".join(res.streaming_content), "计划维保") == expected
    # Another line's report has no such sheet, rather than an empty one.
    res = api(world.dave).get("/api/v1/reports/sla/export.xlsx", {**JANUARY, "service_line": "vehicles"})
    assert _sheet_rows(b"".join(res.streaming_content), "计划维保") is None
    # The background export, as its owner downloads it.
    client = api(world.carol)
    with run_on_commit(execute=True):
        started = client.post("/api/v1/reports/exports/", {**JANUARY, "format": "xlsx"}, format="json").json()
    poll = client.get(f"/api/v1/reports/exports/{started['id']}/").json()
    assert poll["state"] == "done"
    assert _sheet_rows(b"".join(client.get(poll["download"]).streaming_content), "计划维保") == expected
    # The monthly report the leaders receive.
    monthly = monthly_report_generate(month=date(2026, 1, 1), now=at(2026, 2, 20, 9))
    assert _sheet_rows(monthly.file.read(), "计划维保") == expected
