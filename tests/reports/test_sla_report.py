"""The SLA report against figures computed by hand from tests/reports/data.py (both databases)."""

import pytest

from tests.reports.data import MARCH, NOW
from tickets.reports.params import parse_report_params
from tickets.reports.selectors import sla_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world, report_data):
    params = parse_report_params(world.dave, {**MARCH, "group_by": "contractor"})
    return sla_report(params, now=NOW)


def _row(report, key):
    return next(r for r in report["rows"] if r["key"] == key)


def test_contractor_a(world, report):
    a = _row(report, world.contractor.pk)
    assert a["label"] == "恒安物业"
    assert a["volume"] == 10
    assert a["response"] == {"on_time": 6, "late": 4, "decided": 10, "on_time_pct": 60.0}
    assert a["resolution"] == {"on_time": 4, "late": 6, "decided": 10, "on_time_pct": 40.0}
    assert a["arrival"]["on_time_pct"] is None
    assert a["durations"]["response"] == {"p50": 55.0, "p90": 91.0, "p95": 95.5}
    assert a["durations"]["resolution"] == {"p50": 550.0, "p90": 910.0, "p95": 955.0}
    assert a["backlog"] == {"le_1d": 0, "d1_3": 0, "d3_7": 0, "gt_7d": 0, "total": 0}
    assert a["breached"] == 3
    assert a["satisfaction"] == {
        "rated": 5,
        "mean": 3.6,
        "satisfied": 3,
        "satisfied_pct": 60.0,
        "eligible": 10,
        "response_rate": 50.0,
    }
    assert a["reopen"] == {"reopened": 2, "resolved": 10, "rate": 20.0}
    assert a["complaints"] == 1


def test_contractor_b_and_backlog_ages(world, report):
    b = _row(report, world.other_contractor.pk)
    assert b["volume"] == 4
    assert b["response"]["on_time"] == 2 and b["response"]["late"] == 2  # 100 min late; never answered
    assert b["resolution"]["on_time_pct"] == 0.0
    assert b["durations"]["response"] == {"p50": 7.0, "p90": 81.4, "p95": 90.7}
    assert b["durations"]["resolution"] == {"p50": None, "p90": None, "p95": None}
    # at 2026-04-01 00:00: 12 h, 2.5 d, 5.5 d, 22 d and the February one
    assert b["backlog"] == {"le_1d": 1, "d1_3": 1, "d3_7": 1, "gt_7d": 2, "total": 5}
    assert b["breached"] == 1
    assert b["satisfaction"]["mean"] is None and b["satisfaction"]["response_rate"] is None
    assert b["complaints"] == 0


def test_totals(report):
    t = report["total"]
    assert t["volume"] == 14
    assert t["response"]["on_time_pct"] == 57.1  # 8 / 14
    assert t["resolution"]["on_time_pct"] == 28.6  # 4 / 14
    assert t["durations"]["response"] == {"p50": 50.0, "p90": 98.0, "p95": 100.0}
    assert t["backlog"]["total"] == 5
    assert t["breached"] == 4
    assert t["satisfaction"]["mean"] == 3.6
    assert t["complaints"] == 1


def test_other_groupings(world, report_data):
    for group_by, key in (
        ("urgency", "urgent"),
        ("compound", world.compound.pk),
        ("building", world.building.pk),
        ("category", world.leak.pk),
        ("service_line", "property"),
    ):
        params = parse_report_params(world.dave, {**MARCH, "group_by": group_by})
        rep = sla_report(params, now=NOW)
        assert [r["key"] for r in rep["rows"]] == [key]
        assert rep["rows"][0]["volume"] == 14
        assert rep["rows"][0]["durations"]["response"]["p90"] == 98.0


def test_fixed_number_of_queries(world, report_data, django_assert_max_num_queries):
    params = parse_report_params(world.dave, {**MARCH, "group_by": "contractor"})
    with django_assert_max_num_queries(7):
        sla_report(params, now=NOW, with_links=False)


def test_dispatcher_sees_own_contractor_only(world, report_data):
    params = parse_report_params(world.bob, {**MARCH, "group_by": "contractor"})
    rep = sla_report(params, now=NOW)
    assert [r["key"] for r in rep["rows"]] == [world.contractor.pk]
    assert rep["total"]["volume"] == 10


def test_drill_down_returns_the_requests_behind_each_figure(world, report_data, api):
    client = api(world.dave)
    rep = client.get("/api/v1/reports/sla/", {**MARCH, "group_by": "contractor", "trend": "0"}).json()
    # the report is computed at the real "now" here; pick figures that do not depend on it
    a = next(r for r in rep["rows"] if r["key"] == world.contractor.pk)
    for metric, expected in (
        ("volume", 10),
        ("response_late", 4),
        ("breached", 3),
        ("satisfied", 3),
        ("reopened", 2),
        ("complaints", 1),
        ("resolution_measured", 10),
    ):
        res = client.get(a["links"][metric])
        assert res.status_code == 200, res.content
        assert res.json()["count"] == expected, metric
    b = next(r for r in rep["rows"] if r["key"] == world.other_contractor.pk)
    assert client.get(b["links"]["backlog_gt_7d"]).json()["count"] == 2
    assert client.get(b["links"]["backlog"]).json()["count"] == b["backlog"]["total"] == 5
    # the core list API gives the same volume and breaches
    assert client.get(a["links"]["api_volume"]).json()["count"] == 10
    assert client.get(a["links"]["api_breached"]).json()["count"] == 3


def test_report_page_renders_with_charts(world, report_data, client):
    client.force_login(world.carol)
    res = client.get("/reports/", {**MARCH, "group_by": "contractor"})
    assert res.status_code == 200
    body = res.content.decode()
    assert "tickets/vendor/chart.umd.min.js" in body
    assert "恒安物业" in body
    # No inline script (the CSP would block it): the chart configurations travel as JSON for static/charts.js.
    assert "<script>" not in body and "tickets/charts.js" in body
    for key in ("trend", "backlog", "satisfaction"):
        assert f'data-chart="chart-{key}-data"' in body and f'id="chart-{key}-data"' in body
    drill = client.get(
        "/reports/sla/requests/", {**MARCH, "group_by": "contractor", "metric": "volume", "key": world.contractor.pk}
    )
    assert drill.status_code == 200 and "共 10 件" in drill.content.decode()


@pytest.mark.parametrize(
    "period",
    [MARCH, {"date_from": "2026-01-01", "date_to": "2026-12-31"}, {"date_from": "2026-03-05", "date_to": "2026-03-06"}],
)
@pytest.mark.parametrize("group_by", ["contractor", "category", "building", "urgency", "service_line"])
def test_report_and_trend_from_one_pass_equal_the_separate_queries(world, report_data, period, group_by):
    """The page's report and trend come from one query grouped by (group, bucket) and summed both ways: every
    figure equals the report's and the trend's own queries, by month (a year) and by day (a month)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets.reports.selectors import sla_report_with_trend, sla_trend

    for user in (world.dave, world.bob):
        params = parse_report_params(user, {**period, "group_by": group_by})
        with CaptureQueriesContext(connection) as ctx:
            report, trend = sla_report_with_trend(params, now=NOW, with_links=False)
        assert len(ctx.captured_queries) <= 5
        assert report == sla_report(params, now=NOW, with_links=False)
        assert trend == sla_trend(params, now=NOW)
