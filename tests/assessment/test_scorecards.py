"""Scorecards against hand-computed scores and payments; sign, freeze, revise, appeal; the scheme check."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.reports.data import _request, local
from tickets.assessment import schemes, scoring
from tickets.assessment import scorecards as sc
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import Complaint, Scorecard

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)
NOW = local(2026, 4, 1, 6, 30)
INDICATORS = [
    {"indicator": "response_on_time", "method": "weight", "weight": 50},
    {"indicator": "satisfaction", "method": "weight", "weight": 50},
    {"indicator": "complaints", "method": "deduction", "per_unit": 2},
]


@pytest.mark.parametrize(
    ("score", "expected"), [("84", "99000.00"), ("85", "100000.00"), ("80", "95000.00"), ("100", "100000.00")]
)
def test_threshold_payment_rule(score, expected):
    snap = {"payment_rule": "threshold", "pass_score": "85", "base_percent": "15", "pool_percent": "5"}
    assert scoring.payment(snap, Decimal(score), Decimal(100000)) == Decimal(expected)


def test_pool_payment_rule():
    snap = {"payment_rule": "pool", "pass_score": "85", "base_percent": "15", "pool_percent": "5"}
    # 95 % paid, the 5 % pool returned by score: 95000 + 5000 × 0.8
    assert scoring.payment(snap, Decimal(80), Decimal(100000)) == Decimal("99000.00")


def test_indicator_points():
    assert scoring.indicator_points({"method": "weight", "weight": "30", "target": "95"}, Decimal("95.5")) == Decimal(
        "30.00"
    )
    assert scoring.indicator_points({"method": "weight", "weight": "30", "target": "95"}, Decimal("76")) == Decimal(
        "24.00"
    )
    assert scoring.indicator_points({"method": "weight", "weight": "30"}, None) == Decimal("30.00")
    ded = {"method": "deduction", "per_unit": "2", "allowance": "1", "cap": "5"}
    assert scoring.indicator_points(ded, Decimal(3)) == Decimal("-4.00")
    assert scoring.indicator_points(ded, Decimal(9)) == Decimal("-5.00")


def test_scheme_weights_must_add_up_to_100(world, api):
    with pytest.raises(ValidationError) as err:
        schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS[:1] + INDICATORS[2:])
    assert "权重合计必须为100，当前为50" in err.value.message_dict["indicators"][0]
    res = api(world.carol).put(
        f"/api/v1/assessment/contracts/{world.contract.pk}/scheme/",
        {"indicators": [{"indicator": "satisfaction", "method": "weight", "weight": 90}]},
        format="json",
    )
    assert res.status_code == 400 and "indicators" in res.json()
    assert (
        api(world.bob)
        .put(f"/api/v1/assessment/contracts/{world.contract.pk}/scheme/", {"indicators": INDICATORS}, format="json")
        .status_code
        == 403
    )
    ok = api(world.carol).put(
        f"/api/v1/assessment/contracts/{world.contract.pk}/scheme/", {"indicators": INDICATORS}, format="json"
    )
    assert ok.status_code == 200 and len(ok.json()["indicators"]) == 3


@pytest.fixture
def month_data(world):
    """South: response on time 3 of 4, ratings 5 and 4, one complaint. North: 1 of 2 on time, ratings 5 and 2."""
    world.contract.compounds.add(world.other_compound)
    c, south, north = world.contractor, world.compound, world.other_compound
    s = [
        _request(world, c, local(2026, 3, 3, 9, 0), resp=10, rating=5, compound=south),
        _request(world, c, local(2026, 3, 4, 9, 0), resp=20, rating=4, compound=south),
        _request(world, c, local(2026, 3, 5, 9, 0), resp=30, compound=south),
        _request(world, c, local(2026, 3, 6, 9, 0), resp=100, compound=south),
    ]
    _request(world, c, local(2026, 3, 7, 9, 0), resp=10, rating=5, compound=north)
    _request(world, c, local(2026, 3, 8, 9, 0), resp=100, rating=2, compound=north)
    Complaint.objects.create(
        request=s[3],
        source="direct",
        service_line="property",
        contractor=c,
        summary="响应慢",
        callback_due=local(2026, 3, 10, 9, 0),
        created_at=local(2026, 3, 9, 9, 0),
    )


def test_lowest_site_rule(world, month_data):
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS, lowest_site_rule=True)
    sc.penalty_record(
        actor=world.carol, contract=world.contract, month=MARCH, severity="major", description="消防通道堵塞", now=NOW
    )
    card = sc.scorecard_draft(contract=world.contract, month=MARCH, now=NOW)
    # south: 75 % → 37.50, 100 % → 50, one complaint −2 = 85.50; north: 50 % → 25, 50 % → 25 = 50.00
    assert card.site_scores == {str(world.compound.pk): "85.50", str(world.other_compound.pk): "50.00"}
    assert card.score == Decimal("50.00")
    assert card.fee_payable == Decimal("65000.00")  # (15 + 50) % of 100000
    assert card.penalty_total == Decimal("2000.00")
    assert card.amount_payable == Decimal("63000.00")


def test_whole_contract_without_site_rule(world, month_data):
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS)
    card = sc.scorecard_draft(contract=world.contract, month=MARCH, now=NOW)
    # on time 4/6 = 66.67 % → 33.34; satisfied 3/4 = 75 % → 37.50; one complaint −2 → 68.84
    assert card.score == Decimal("68.84")
    assert card.fee_payable == Decimal("83840.00")
    assert card.lines.count() == 3


def test_adjust_sign_freeze_revise_appeal(world, month_data, api):
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS)
    card = sc.scorecard_draft(contract=world.contract, month=MARCH, now=NOW)
    assert sc.scorecard_draft(contract=world.contract, month=MARCH, now=NOW).pk == card.pk  # idempotent
    line = card.lines.get(indicator="complaints")
    with pytest.raises(ValidationError):
        sc.scorecard_adjust(scorecard=card, line=line, points=0, reason=" ", actor=world.carol)
    with pytest.raises(ActionForbidden):
        sc.scorecard_adjust(scorecard=card, line=line, points=0, reason="x", actor=world.bob)
    card = sc.scorecard_adjust(scorecard=card, line=line, points=0, reason="投诉经核实不成立", actor=world.carol)
    assert card.score == Decimal("70.84")
    # the contractor does not see drafts
    assert api(world.bob).get(f"/api/v1/assessment/scorecards/{card.pk}/").status_code == 404
    signed = sc.scorecard_sign(scorecard=card, actor=world.carol, now=NOW)
    assert signed.state == Scorecard.State.SIGNED
    with pytest.raises(TransitionNotAllowed):
        sc.scorecard_adjust(scorecard=signed, line=line, points=-2, reason="再改", actor=world.carol)
    with pytest.raises(ValidationError):
        sc.scorecard_revise(scorecard=signed, actor=world.carol, reason="")
    rev = sc.scorecard_revise(scorecard=signed, actor=world.carol, reason="补录3月定额扣款")
    assert rev.revision == 2 and rev.state == Scorecard.State.DRAFT and rev.score == Decimal("70.84")
    signed.refresh_from_db()
    assert signed.state == Scorecard.State.SIGNED and signed.score == Decimal("70.84")

    # the contractor sees the signed one and may appeal once, within the appeal days
    traveller = time_machine.travel(NOW + timedelta(days=2), tick=False)
    traveller.start()
    bob = api(world.bob)
    assert bob.get(f"/api/v1/assessment/scorecards/{signed.pk}/").json()["score"] == "70.84"
    assert [c["id"] for c in bob.get("/api/v1/assessment/scorecards/").json()] == [signed.pk]
    assert api(world.zed).post(f"/api/v1/assessment/scorecards/{signed.pk}/appeal/", {"text": "x"}).status_code == 404
    res = bob.post(
        f"/api/v1/assessment/scorecards/{signed.pk}/appeal/", {"text": "3月6日超时系停电所致"}, format="json"
    )
    assert res.status_code == 200, res.content
    again = bob.post(f"/api/v1/assessment/scorecards/{signed.pk}/appeal/", {"text": "再次申诉"}, format="json")
    assert again.status_code == 409 and "只能申诉一次" in again.json()["detail"]
    traveller.stop()


def test_appeal_too_late(world, month_data):
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS, appeal_days=5)
    card = sc.scorecard_sign(
        scorecard=sc.scorecard_draft(contract=world.contract, month=MARCH, now=NOW), actor=world.carol, now=NOW
    )
    with pytest.raises(TransitionNotAllowed):
        sc.appeal_submit(scorecard=card, actor=world.bob, text="晚了", now=NOW + timedelta(days=6))


def test_rollups_printable_page_and_xlsx(world, month_data, client, api):
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS)
    march = sc.scorecard_sign(
        scorecard=sc.scorecard_draft(contract=world.contract, month=MARCH, now=NOW), actor=world.carol, now=NOW
    )
    feb = sc.scorecard_sign(
        scorecard=sc.scorecard_draft(contract=world.contract, month=date(2026, 2, 1), now=NOW),
        actor=world.carol,
        now=NOW,
    )
    assert feb.score == Decimal("100.00")  # no data: full weights, no deductions
    q1 = api(world.carol).get(f"/api/v1/assessment/contracts/{world.contract.pk}/rollup/", {"year": 2026, "quarter": 1})
    body = q1.json()
    assert body["signed_months"] == 2
    assert body["mean_score"] == str((Decimal("100.00") + march.score) / 2)
    assert body["payable_total"] == str(feb.amount_payable + march.amount_payable)
    assert (
        api(world.bob).get(f"/api/v1/assessment/contracts/{world.contract.pk}/rollup/", {"year": 2026}).status_code
        == 200
    )
    assert api(world.zed).get(f"/api/v1/assessment/contracts/{world.contract.pk}/rollup/").status_code == 403
    client.force_login(world.bob)
    page = client.get(f"/reports/scorecards/{march.pk}/")
    assert page.status_code == 200 and "68.84" in page.content.decode()
    xlsx = api(world.carol).get(f"/api/v1/assessment/scorecards/{march.pk}/export.xlsx")
    assert xlsx.status_code == 200


def test_beat_drafts_all(world, month_data):
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS)
    assert sc.scorecards_draft_all(now=NOW) == 1
    assert sc.scorecards_draft_all(now=NOW) == 1
    assert Scorecard.objects.filter(contract=world.contract, month=MARCH).count() == 1
