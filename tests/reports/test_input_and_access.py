"""Bad input answers 400 and forbidden scopes 403, with Chinese, field-keyed messages."""

import pytest

from tests.reports.data import MARCH

pytestmark = pytest.mark.django_db


def test_requester_gets_403(world, api):
    res = api(world.alice).get("/api/v1/reports/sla/", MARCH)
    assert res.status_code == 403
    assert "无权" in res.json()["detail"]


def test_worker_gets_403(world, api):
    assert api(world.wang).get("/api/v1/reports/sla/", MARCH).status_code == 403


def test_unbounded_period(world, api):
    res = api(world.dave).get("/api/v1/reports/sla/", {"date_from": "2026-03-01"})
    assert res.status_code == 400
    assert "date_to" in res.json() and "起止日期" in res.json()["date_to"][0]


def test_inverted_period(world, api):
    res = api(world.dave).get("/api/v1/reports/sla/", {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert res.status_code == 400
    assert res.json()["date_to"] == ["结束日期不能早于开始日期。"]


def test_unknown_grouping(world, api):
    res = api(world.dave).get("/api/v1/reports/sla/", {**MARCH, "group_by": "colour"})
    assert res.status_code == 400
    assert "未知的分组" in res.json()["group_by"][0]


def test_bad_date_and_unknown_object(world, api):
    res = api(world.dave).get(
        "/api/v1/reports/sla/", {"date_from": "2026-13-01", "date_to": "2026-03-01", "contractor": "99999"}
    )
    assert res.status_code == 400
    body = res.json()
    assert "date_from" in body and "contractor" in body


def test_dispatcher_filtering_another_contractor_gets_403(world, api):
    res = api(world.bob).get("/api/v1/reports/sla/", {**MARCH, "contractor": world.other_contractor.pk})
    assert res.status_code == 403
    assert res.json()["contractor"] == ["您只能查看本服务商的数据。"]
    assert api(world.bob).get("/api/v1/reports/sla/", {**MARCH, "contractor": world.contractor.pk}).status_code == 200


def test_supervisor_filtering_another_line_gets_403(world, api):
    res = api(world.carol).get("/api/v1/reports/sla/", {**MARCH, "service_line": "vehicles"})
    assert res.status_code == 403
    assert "service_line" in res.json()
    assert api(world.vic).get("/api/v1/reports/sla/", {**MARCH, "contract": world.contract.pk}).status_code == 403


def test_supervisor_sees_only_their_line(world, report_data, api):
    assert api(world.vic).get("/api/v1/reports/sla/", MARCH).json()["total"]["volume"] == 0
    assert api(world.carol).get("/api/v1/reports/sla/", MARCH).json()["total"]["volume"] == 14


def test_page_answers_400_and_403(world, client):
    client.force_login(world.dave)
    res = client.get("/reports/", {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert res.status_code == 400 and "结束日期不能早于开始日期" in res.content.decode()
    client.force_login(world.alice)
    assert client.get("/reports/", MARCH).status_code == 403
