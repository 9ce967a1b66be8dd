"""Samples and waste feed the canteen contractor's scorecard as an inspection, where the scheme says so.

May 2026 at 南院食堂, by hand: four samples taken in May (plus one on 30 April, not counted): 150 g kept 50 h, 100 g
kept 49 h (under 125 g), 130 g disposed of after 40 h (before 48 h), 200 g not yet disposed of → 4 samples, 1
underweight, 1 early. Waste: 30 kg for 200 diners on 6 May and 18 kg for 200 on 7 May → 48 000 g / 400 = 120 g per
diner, equal to the 120 g limit, so it passes. The checklist: underweight count (measure, limit 0, 30 points),
samples kept 48 h (pass/fail, 30 points), waste per diner (measure, limit 120 g, 40 points) → 40 of 100 points →
inspection score 40.00. Scheme: response on time 50 (no data: full 50) + inspection 50 × 40 / 100 = 20 → 70.00.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from canteen import tasks
from canteen.models import LogChecklist, LogInspection
from canteen.services import assessment, logs
from tests.canteen.conftest import at
from tickets.assessment import schemes, scorecards
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import ChecklistItem, ChecklistTemplate, Inspection, InspectionResult, ServiceLine, ServiceRequest

pytestmark = pytest.mark.django_db
MAY = date(2026, 5, 1)
Kind = ChecklistItem.Kind


@pytest.fixture
def logged(cw):
    """The checklist, its setting and May's logs."""
    template = ChecklistTemplate.objects.create(
        service_line=ServiceLine.CANTEEN, name="食堂日志检查", rectification_category=cw.rectify_category
    )
    under = ChecklistItem.objects.create(
        template=template, sort=1, text="留样不足125克份数", kind=Kind.MEASURE, points=30, unit="份", limit=0
    )
    hours = ChecklistItem.objects.create(
        template=template, sort=2, text="留样保存不少于48小时", kind=Kind.PASS_FAIL, points=30
    )
    waste = ChecklistItem.objects.create(
        template=template, sort=3, text="人均餐厨垃圾", kind=Kind.MEASURE, points=40, unit="g/人", limit=120
    )
    config = LogChecklist.objects.create(
        canteen=cw.canteen,
        contract=cw.contract,
        template=template,
        underweight_item=under,
        early_disposal_item=hours,
        waste_item=waste,
        inspector=cw.cao,
    )

    def sample(weight, taken, disposed=None):
        s = logs.sample_record(
            actor=cw.olga, canteen=cw.canteen, dish_name="菜", weight_g=weight, taken_at=taken, keeper="周", now=taken
        )
        if disposed is not None:
            logs.sample_dispose(actor=cw.olga, sample=s, disposed_at=disposed, now=disposed)
        return s

    sample("100", at(2026, 4, 30, 11))  # April's: not counted in May
    sample("150", at(2026, 5, 6, 11), at(2026, 5, 8, 13))  # 50 h
    sample("100", at(2026, 5, 6, 11), at(2026, 5, 8, 12))  # 49 h, underweight
    sample("130", at(2026, 5, 7, 11), at(2026, 5, 9, 3))  # 40 h: early
    sample("200", at(2026, 5, 31, 23, 59))
    logs.waste_record(
        actor=cw.olga, canteen=cw.canteen, day=date(2026, 5, 6), waste_kg="30", diners=200, now=at(2026, 5, 6, 20)
    )
    logs.waste_record(
        actor=cw.olga, canteen=cw.canteen, day=date(2026, 5, 7), waste_kg="18", diners=200, now=at(2026, 5, 7, 20)
    )
    return config


def test_may_logs_become_one_inspection_with_hand_computed_results(cw, logged):
    found = assessment.log_findings(canteen=cw.canteen, month=MAY)
    assert (found.samples, found.underweight, found.early_disposal) == (4, 1, 1)
    assert found.waste_g_per_diner == Decimal("120.000")

    record = tasks.record_log_inspections(now=at(2026, 6, 1, 5, 30).isoformat())
    assert record == 1
    row = LogInspection.objects.get()
    inspection = row.inspection
    assert (row.month, row.samples, row.underweight, row.early_disposal) == (MAY, 4, 1, 1)
    assert inspection.contract == cw.contract and inspection.inspector == cw.cao
    assert inspection.inspected_at == at(2026, 5, 31, 23, 59, 59)
    assert inspection.score == Decimal("40.00") and inspection.failed_items == 2
    results = {r.item_text: r for r in InspectionResult.objects.filter(inspection=inspection)}
    assert (results["留样不足125克份数"].passed, results["留样不足125克份数"].measured) == (False, Decimal(1))
    assert results["留样保存不少于48小时"].passed is False
    assert (results["人均餐厨垃圾"].passed, results["人均餐厨垃圾"].measured) == (True, Decimal("120.000"))
    assert "人均120克" in results["人均餐厨垃圾"].note
    # Each failed item is a rectification request for the canteen contractor.
    fixes = ServiceRequest.objects.filter(pk__in=[r.rectification_id for r in results.values() if r.rectification_id])
    assert fixes.count() == 2 and {f.contractor_id for f in fixes} == {cw.canteen.contractor_id}

    # A second beat (or a clerk) records nothing more.
    assert tasks.record_log_inspections(now=at(2026, 6, 1, 5, 31).isoformat()) == 1
    assert assessment.log_inspection_record(canteen=cw.canteen, month=MAY, actor=cw.cao, now=at(2026, 6, 2)) == row
    assert Inspection.objects.count() == 1 and ServiceRequest.objects.filter(pk__in=fixes).count() == 2


def test_the_scheme_with_an_inspection_indicator_counts_the_logs(cw, logged):
    schemes.scheme_save(
        actor=cw.cao,
        contract=cw.contract,
        indicators=[
            {"indicator": "response_on_time", "method": "weight", "weight": 50},
            {"indicator": "inspection", "method": "weight", "weight": 50, "target": 100},
        ],
    )
    assessment.log_inspection_record(canteen=cw.canteen, month=MAY, now=at(2026, 6, 1, 5, 30))
    card = scorecards.scorecard_draft(contract=cw.contract, month=MAY, now=at(2026, 6, 1, 6, 30))
    line = card.lines.get(indicator="inspection")
    assert (line.value, line.points) == (Decimal("40.00"), Decimal("20.00"))
    assert card.score == Decimal("70.00")


def test_a_scheme_without_an_inspection_indicator_is_not_moved(cw, logged):
    schemes.scheme_save(
        actor=cw.cao,
        contract=cw.contract,
        indicators=[{"indicator": "response_on_time", "method": "weight", "weight": 100}],
    )
    assessment.log_inspection_record(canteen=cw.canteen, month=MAY, now=at(2026, 6, 1, 5, 30))
    card = scorecards.scorecard_draft(contract=cw.contract, month=MAY, now=at(2026, 6, 1, 6, 30))
    assert card.score == Decimal("100.00") and not card.lines.filter(indicator="inspection").exists()


def test_waste_above_the_threshold_fails_and_a_clean_month_scores_full(cw, logged):
    logs.waste_record(
        actor=cw.olga, canteen=cw.canteen, day=date(2026, 5, 8), waste_kg="13", diners=100, now=at(2026, 5, 8, 20)
    )  # 61 000 g / 500 = 122 g per diner
    row = assessment.log_inspection_record(canteen=cw.canteen, month=MAY, now=at(2026, 6, 1, 5, 30))
    assert row.waste_g_per_diner == Decimal("122.000")
    assert row.inspection.score == Decimal("0.00") and row.inspection.failed_items == 3
    # June: no sample flagged, no waste logged: every item passes.
    logs.sample_record(
        actor=cw.olga, canteen=cw.canteen, dish_name="汤", weight_g="125", taken_at=at(2026, 6, 3, 11), keeper="周",
        now=at(2026, 6, 3, 11),
    )  # fmt: skip
    june = assessment.log_inspection_record(canteen=cw.canteen, month=date(2026, 6, 9), now=at(2026, 7, 1, 5, 30))
    assert (june.month, june.samples, june.underweight, june.waste_g_per_diner) == (date(2026, 6, 1), 1, 0, None)
    assert june.inspection.score == Decimal("100.00")


def test_refusals_write_nothing(cw, logged):
    with pytest.raises(TransitionNotAllowed):  # May is not over on 31 May
        assessment.log_inspection_record(canteen=cw.canteen, month=MAY, actor=cw.cao, now=at(2026, 5, 31, 23))
    with pytest.raises(ActionForbidden):  # the operator does not assess itself
        assessment.log_inspection_record(canteen=cw.canteen, month=MAY, actor=cw.olga, now=at(2026, 6, 2))
    with pytest.raises(ValidationError) as exc:  # another canteen has no setting
        assessment.log_inspection_record(canteen=cw.other_canteen, month=MAY, actor=cw.cao, now=at(2026, 6, 2))
    assert "canteen" in exc.value.message_dict
    # A checklist with an item the logs cannot fill is refused with the reason (the admin shows the same).
    ChecklistItem.objects.create(template=logged.template, sort=9, text="后厨卫生", kind=Kind.PASS_FAIL, points=10)
    with pytest.raises(ValidationError) as exc:
        assessment.log_inspection_record(canteen=cw.canteen, month=MAY, actor=cw.cao, now=at(2026, 6, 2))
    assert "后厨卫生" in exc.value.message_dict["template"][0]
    assert tasks.record_log_inspections(now=at(2026, 6, 1, 5, 30).isoformat()) == 0
    assert not Inspection.objects.exists() and not LogInspection.objects.exists()


def test_the_bureau_records_a_month_through_the_api(cw, logged, api):
    import time_machine

    body = {"canteen": cw.canteen.code, "month": "2026-05-01"}
    with time_machine.travel(at(2026, 6, 2, 9), tick=False):
        for user, code in ((cw.olga, 403), (cw.core.alice, 403), (cw.xu, 403), (None, 403)):
            assert api(user).post("/api/v1/canteen/log-inspections/", body, format="json").status_code in (code, 401)
        assert not LogInspection.objects.exists()
        r = api(cw.cao).post(
            "/api/v1/canteen/log-inspections/", {"canteen": cw.canteen.code, "month": "x"}, format="json"
        )
        assert r.status_code == 400 and "month" in r.json()
        r = api(cw.cao).post("/api/v1/canteen/log-inspections/", {**body, "month": "2026-06-01"}, format="json")
        assert r.status_code == 409
        r = api(cw.cao).post("/api/v1/canteen/log-inspections/", body, format="json")
        assert r.status_code == 201
        out = r.json()
        assert (out["month"], out["underweight"], out["early_disposal"], out["waste_g_per_diner"], out["score"]) == (
            "2026-05-01",
            1,
            1,
            "120.000",
            "40.00",
        )
        listed = api(cw.cao).get(f"/api/v1/canteen/log-inspections/?canteen={cw.canteen.code}").json()
        assert [row["id"] for row in listed] == [out["id"]]
        assert api(cw.olga).get("/api/v1/canteen/log-inspections/").status_code == 403


def test_the_bureau_counts_a_month_from_the_reports_page(cw, logged):
    import time_machine
    from django.test import Client
    from django.urls import reverse

    cao, olga = Client(), Client()
    cao.force_login(cw.cao)
    olga.force_login(cw.olga)
    add = reverse("canteen:log-inspection-add") + f"?canteen={cw.canteen.code}"
    with time_machine.travel(at(2026, 6, 2, 9), tick=False):
        page = cao.get(reverse("canteen:reports") + f"?canteen={cw.canteen.code}").content.decode()
        assert "留样与浪费计入考核" in page and 'value="2026-05"' in page and "尚未计入" in page
        assert "留样与浪费计入考核" not in olga.get(reverse("canteen:reports")).content.decode()
        assert olga.post(add, {"month": "2026-05"}).status_code == 403
        assert cao.post(add, {"month": "2026-13"}).status_code == 400
        r = cao.post(add, {"month": "2026-06"})
        assert r.status_code == 409 and "该月尚未结束" in r.content.decode()
        assert not LogInspection.objects.exists()
        r = cao.post(add, {"month": "2026-05"}, follow=True)
        html = r.content.decode()
        assert "2026-05留样与浪费已计入考核：检查得分 40.00" in html
        assert "留样 4 份，重量不足 1，提前处置 1" in html and "120.0 克/人次" in html


def test_the_admin_setting_refuses_what_the_logs_cannot_fill(cw, logged):
    from django.test import Client

    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    c = Client()
    c.force_login(root)
    url = f"/admin/canteen/logchecklist/{logged.pk}/change/"
    form = {
        "canteen": cw.canteen.pk,
        "contract": cw.contract.pk,
        "template": logged.template_id,
        "underweight_item": logged.underweight_item_id,
        "early_disposal_item": logged.early_disposal_item_id,
        "waste_item": logged.early_disposal_item_id,  # a pass/fail item cannot hold grams per diner
        "inspector": cw.olga.pk,  # the operator cannot inspect itself
    }
    r = c.post(url, form)
    html = r.content.decode()
    assert r.status_code == 200 and "人均浪费须为实测值类检查项" in html and "登记人须为负责食堂条线" in html
    form.update(waste_item=logged.waste_item_id, inspector=cw.cao.pk, underweight_item="")
    html = c.post(url, form).content.decode()
    assert "无法由日志填写：留样不足125克份数" in html  # every item of the checklist must be filled
    logged.refresh_from_db()
    assert logged.underweight_item_id is not None
