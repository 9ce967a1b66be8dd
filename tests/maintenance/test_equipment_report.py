"""The equipment report: breakdowns per item, the mean time between them and the cost over a period, aggregated in
SQL, for the bureau and for the maintaining contractor's staff (their own items only)."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.maintenance.conftest import at
from tests.tickets.helpers import file_leak
from tickets.maintenance.models import Equipment, EquipmentWork
from tickets.maintenance.register import equipment_repair_file, work_cost_record

pytestmark = pytest.mark.django_db
URL = reverse("maintenance:equipment-report")
SPRING = {"from": "2026-03-01", "to": "2026-04-30"}


def client(user=None):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        c.force_login(user)
    return c


def table(body):
    """The report's rows as lists of cell texts (the last one is the total, when there are items)."""
    m = re.search(r'<table class="table" id="equipment-report">(.*?)</table>', body, re.S)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S)[1:]
    cells = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]
    return [[re.sub(r"\s+", " ", c) for c in row] for row in cells]


def repair(world, item, when, cost=None):
    service_request = equipment_repair_file(
        equipment=item, actor=world.alice, category=world.leak, title="故障", now=when
    )
    if cost is not None:
        work = EquipmentWork.objects.get(service_request=service_request)
        work_cost_record(work=work, actor=world.carol, cost=cost, now=when)


@pytest.fixture
def spring(world, lift):
    """The lift breaks down on 2 and 12 March and 1 April (and once in January, outside the period), a planned
    service costs 50; a pump nobody's contract covers breaks once."""
    repair(world, lift, at(2026, 1, 5), cost="999")
    repair(world, lift, at(2026, 3, 2), cost="100")
    repair(world, lift, at(2026, 3, 12), cost="200")
    repair(world, lift, at(2026, 4, 1))
    planned = file_leak(world, now=at(2026, 3, 5), title="保养")
    EquipmentWork.objects.create(
        equipment=lift, service_request=planned, source="planned", cost=Decimal("50"), created_at=at(2026, 3, 5)
    )
    pump = Equipment.objects.create(code="pump-1", name="生活水泵", category="water", compound=world.compound)
    repair(world, pump, at(2026, 4, 10), cost="80")
    return pump


def test_breakdowns_mtbf_and_cost_per_item_for_the_bureau(world, lift, spring):
    res = client(world.carol).get(URL, SPRING)
    assert res.status_code == 200
    # The lift: 3 breakdowns 30 days apart end to end, so 15 days between them; 4 pieces of work; repairs cost
    # 300, all work 350. The pump: one breakdown, no interval yet.
    assert table(res.content.decode()) == [
        ["lift-b1-1 1号楼客梯", "电梯", "南院 1号楼", "恒安物业", "3", "15.0", "4", "300.00", "350.00"],
        ["pump-1 生活水泵", "给排水", "南院", "—", "1", "—", "1", "80.00", "80.00"],
        ["合计", "4", "—", "5", "380.00", "430.00"],
    ]


def test_the_maintainers_staff_see_their_own_items_only(world, lift, spring):
    rows = table(client(world.bob).get(URL, SPRING).content.decode())
    assert [r[0] for r in rows] == ["lift-b1-1 1号楼客梯", "合计"] and rows[-1][-1] == "350.00"
    assert table(client(world.wang).get(URL, SPRING).content.decode())[0][0] == "lift-b1-1 1号楼客梯"
    body = client(world.zed).get(URL, SPRING).content.decode()  # another contractor's worker
    assert "1号楼客梯" not in body and "生活水泵" not in body
    assert client(world.alice).get(URL, SPRING).status_code == 403  # a requester
    assert client(world.vic).get(URL, SPRING).status_code == 403  # the vehicles line's supervisor
    assert client().get(URL, SPRING).status_code == 302


def test_the_period_and_filters_narrow_the_figures(world, lift, spring):
    carol = client(world.carol)
    rows = table(carol.get(URL, {"from": "2026-03-10", "to": "2026-03-31"}).content.decode())
    assert rows[0][4:] == ["1", "—", "1", "200.00", "200.00"]
    rows = table(carol.get(URL, {**SPRING, "category": "water"}).content.decode())
    assert [r[0] for r in rows] == ["pump-1 生活水泵", "合计"]


def test_bad_dates_are_refused_with_a_message(world):
    res = client(world.carol).get(URL, {"from": "2026-13-01"})
    assert res.status_code == 400 and "日期格式应为 YYYY-MM-DD。" in res.content.decode()
    res = client(world.carol).get(URL, {"from": "2026-05-01", "to": "2026-04-01"})
    assert res.status_code == 400 and "结束日期不能早于开始日期。" in res.content.decode()


def test_the_report_costs_the_same_queries_for_many_items(world, lift, spring):
    carol = client(world.carol)
    carol.get(URL, SPRING)
    with CaptureQueriesContext(connection) as few:
        carol.get(URL, SPRING)
    for n in range(12):
        item = Equipment.objects.create(
            code=f"fan-{n}", name=f"风机{n}", category="hvac", compound=world.compound, contract=world.contract
        )
        repair(world, item, at(2026, 3, 3), cost="10")
        repair(world, item, at(2026, 3, 4))
    with CaptureQueriesContext(connection) as many:
        rows = table(carol.get(URL, SPRING).content.decode())
    assert len(rows) == 15 and rows[-1][1] == str(4 + 24)
    assert len(many) == len(few)


def test_the_api_gives_the_same_figures_to_the_same_people(world, lift, spring, api):
    url = "/api/v1/maintenance/equipment-report/"
    rows = api(world.carol).get(url, SPRING).json()["results"]
    keys = ("equipment_code", "breakdowns", "mtbf_days", "works", "repair_cost", "cost")
    got = [tuple(r[k] for k in keys) for r in rows]
    assert got == [("lift-b1-1", 3, "15.0", 4, "300.00", "350.00"), ("pump-1", 1, None, 1, "80.00", "80.00")]
    assert [r["equipment_code"] for r in api(world.bob).get(url, SPRING).json()["results"]] == ["lift-b1-1"]
    assert api(world.zed).get(url, SPRING).json()["results"] == []
    assert api(world.alice).get(url, SPRING).status_code == 403
    assert api().get(url, SPRING).status_code in (401, 403)
    other_site = api(world.carol).get(url, {**SPRING, "compound": world.other_compound.pk}).json()
    assert other_site["results"] == []
    bad = api(world.carol).get(url, {"from": "yesterday", "category": "spaceship", "compound": "x"})
    assert bad.status_code == 400 and set(bad.json()) == {"from", "category", "compound"}
