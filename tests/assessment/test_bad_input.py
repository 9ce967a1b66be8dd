"""Hostile input to the report and assessment APIs answers 400 with a message on the field, never 500:
NaN and Infinity in decimals, dates and months out of range, ids beyond 64 bits, digits that are not ASCII,
null or a list where text is expected."""

from datetime import date

import pytest

from tests.reports.data import MARCH, local
from tickets.assessment import schemes, scorecards

pytestmark = pytest.mark.django_db
NOW = local(2026, 4, 1, 6, 30)
INDICATORS = [
    {"indicator": "response_on_time", "method": "weight", "weight": 50},
    {"indicator": "satisfaction", "method": "weight", "weight": 50},
    {"indicator": "complaints", "method": "deduction", "per_unit": 2},
]
HUGE = str(2**70)


@pytest.fixture
def api(api):
    """JSON bodies: a client sends nested values and nulls as they are."""

    def make(user=None):
        client = api(user)
        client.default_format = "json"
        return client

    return make


@pytest.fixture
def draft(world):
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS, now=NOW)
    return scorecards.scorecard_draft(contract=world.contract, month=date(2026, 3, 1), now=NOW)


@pytest.mark.parametrize("weight", ["NaN", "Infinity", "-Infinity", "1e400", "sNaN", None, [50], {"a": 1}])
def test_scheme_weights_that_are_no_number(world, api, weight):
    bad = [{**INDICATORS[0], "weight": weight}, *INDICATORS[1:]]
    res = api(world.carol).put(f"/api/v1/assessment/contracts/{world.contract.pk}/scheme/", {"indicators": bad})
    assert res.status_code == 400, res.content
    assert "indicators" in res.json()


@pytest.mark.parametrize(
    "rules",
    [
        {"pass_score": "NaN"},
        {"base_percent": "Infinity"},
        {"penalty_amounts": {"major": "NaN"}},
        {"penalty_amounts": {"major": "1e30"}},
        {"penalty_amounts": ["major"]},
        {"appeal_days": "1e400"},
        {"payment_rule": None},
        {"lowest_site_rule": [1]},
    ],
)
def test_scheme_rules_that_are_no_number(world, api, rules):
    body = {"indicators": INDICATORS, **rules}
    res = api(world.carol).put(f"/api/v1/assessment/contracts/{world.contract.pk}/scheme/", body)
    assert res.status_code == 400, res.content
    assert set(res.json()) & set(rules)


def test_the_service_refuses_non_finite_numbers_too(world):
    """The admin and the demo save through the same checks as the API."""
    from django.core.exceptions import ValidationError

    for value in ("NaN", "Infinity", float("nan"), float("inf"), "1e30"):
        with pytest.raises(ValidationError):
            schemes.scheme_save(
                actor=world.carol,
                contract=world.contract,
                indicators=[{**INDICATORS[0], "weight": value}, *INDICATORS[1:]],
            )
    with pytest.raises(ValidationError):
        schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS, appeal_days=float("inf"))


@pytest.mark.parametrize("points", ["NaN", "Infinity", "-1e400", "12345678", None, [1]])
def test_adjustments_that_are_no_number(world, api, draft, points):
    line = draft.lines.get(indicator="complaints")
    res = api(world.carol).post(
        f"/api/v1/assessment/scorecards/{draft.pk}/adjust/", {"line": line.pk, "points": points, "reason": "核实"}
    )
    assert res.status_code == 400 and "points" in res.json(), res.content
    draft.refresh_from_db()
    assert draft.adjustments.count() == 0


def test_adjustment_line_and_reason_of_the_wrong_type(world, api, draft):
    line = draft.lines.first()
    carol = api(world.carol)
    url = f"/api/v1/assessment/scorecards/{draft.pk}/adjust/"
    assert "line" in carol.post(url, {"line": HUGE, "points": "1", "reason": "x"}).json()
    assert "line" in carol.post(url, {"line": "²", "points": "1", "reason": "x"}).json()
    assert "reason" in carol.post(url, {"line": line.pk, "points": "1", "reason": None}).json()
    assert "reason" in carol.post(url, {"line": line.pk, "points": "1", "reason": ["x"]}).json()
    assert carol.post(url, ["x"]).status_code == 400


@pytest.mark.parametrize("month", ["2026-13", "0001-01", "9999-12", "2026-3", "²⁰²⁶-03", None, ["2026-03"]])
def test_penalty_months(world, api, month):
    body = {"contract": world.contract.pk, "month": month, "severity": "minor", "description": "x"}
    res = api(world.carol).post("/api/v1/assessment/penalties/", body)
    assert res.status_code == 400 and "month" in res.json(), res.content


def test_penalty_ids_and_text(world, api):
    carol = api(world.carol)
    base = {"contract": world.contract.pk, "month": "2026-03", "severity": "minor", "description": "x"}
    assert "contract" in carol.post("/api/v1/assessment/penalties/", {**base, "contract": HUGE}).json()
    assert "compound" in carol.post("/api/v1/assessment/penalties/", {**base, "compound": HUGE}).json()
    assert "description" in carol.post("/api/v1/assessment/penalties/", {**base, "description": None}).json()
    other = carol.post("/api/v1/assessment/penalties/", {**base, "compound": world.other_compound.pk})
    assert other.status_code == 400 and "该院区不在合同服务范围内" in other.json()["compound"][0]
    assert carol.post("/api/v1/assessment/penalties/", base).status_code == 201


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "0001-01-01", "date_to": "2026-03-31"},
        {"date_from": "2026-03-01", "date_to": "9999-12-31"},
        {**MARCH, "contractor": "²"},
        {**MARCH, "contractor": HUGE},
        {**MARCH, "building": "-1"},
        {**MARCH, "urgency": "\x00"},
        {**MARCH, "group_by": "²"},
    ],
)
def test_report_queries(world, api, query):
    res = api(world.dave).get("/api/v1/reports/sla/", query)
    assert res.status_code == 400, res.content
    wrong = set(query) - set(MARCH) or {"date_from", "date_to"}
    body = res.json()
    assert wrong & set(body) or body.get("code") == "nul_byte"  # a NUL is refused before any field is read


def test_drill_and_export_inputs(world, api):
    dave = api(world.dave)
    assert "metric" in dave.get("/api/v1/reports/sla/requests/", {**MARCH, "metric": "x"}).json()
    assert dave.get("/api/v1/reports/exports/", {}).status_code == 200
    assert dave.post("/api/v1/reports/exports/", ["x"], format="json").status_code == 400
    assert "format" in dave.post("/api/v1/reports/exports/", {**MARCH, "format": None}, format="json").json()


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        ("/api/v1/assessment/scorecards/", {"month": "2026-13"}, "month"),
        ("/api/v1/assessment/scorecards/", {"contract": "²"}, "contract"),
        ("/api/v1/assessment/inspections/", {"contract": HUGE}, "contract"),
        ("rollup", {"year": "99999"}, "year"),
        ("rollup", {"quarter": "²"}, "quarter"),
    ],
)
def test_list_queries(world, api, url, query, field):
    if url == "rollup":
        url = f"/api/v1/assessment/contracts/{world.contract.pk}/rollup/"
    res = api(world.dave).get(url, query)
    assert res.status_code == 400 and field in res.json(), res.content


def test_ids_beyond_64_bits_in_paths_are_not_found(world, api):
    dave = api(world.dave)
    for path in ("scorecards", "inspections"):
        assert dave.get(f"/api/v1/assessment/{path}/{HUGE}/").status_code == 404
    assert dave.get(f"/api/v1/assessment/contracts/{HUGE}/rollup/").status_code == 404
    assert dave.get(f"/api/v1/reports/exports/{HUGE}/").status_code == 404


def test_ids_beyond_64_bits_in_page_addresses_are_not_found(world, client):
    client.force_login(world.dave)
    for path in (
        f"/reports/scorecards/{HUGE}/",
        f"/reports/inspections/{HUGE}/",
        f"/reports/inspections/photos/{HUGE}/",
        f"/reports/scorecards/contracts/{HUGE}/rollup/",
        f"/reports/exports/{HUGE}/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/reports/scorecards/appeals/{HUGE}/answer/", {}).status_code == 404


def test_rollup_page_with_digits_that_are_not_ascii(world, client):
    client.force_login(world.carol)
    res = client.get(f"/reports/scorecards/contracts/{world.contract.pk}/rollup/", {"year": "²⁰²⁶", "quarter": "²"})
    assert res.status_code == 400


@pytest.mark.parametrize(
    "change",
    [
        {"note": None},
        {"note": ["x"]},
        {"inspected_at": "0001-01-01T00:00:00Z"},
        {"results": "x"},
        {"results": [{"item": "²"}]},
        {"results": [{"item": 1, "measured": "NaN"}]},
        {"results": [{"item": 1, "score": "Infinity"}]},
        {"template": HUGE},
    ],
)
def test_inspection_bodies(world, api, checklist, change):
    template, floor, dust, tidy = checklist
    body = {
        "template": template.pk,
        "contract": world.contract.pk,
        "compound": world.compound.pk,
        "results": [
            {"item": floor.pk, "passed": True},
            {"item": dust.pk, "measured": "0.2"},
            {"item": tidy.pk, "score": "18"},
        ],
        **change,
    }
    res = api(world.carol).post("/api/v1/assessment/inspections/", body, format="json")
    assert res.status_code == 400, res.content
    assert set(change) & set(res.json())


def test_inspection_multipart_payload_that_is_not_json(world, api, checklist):
    res = api(world.carol).post("/api/v1/assessment/inspections/", {"payload": "[" * 5000}, format="multipart")
    assert res.status_code == 400 and "payload" in res.json()
