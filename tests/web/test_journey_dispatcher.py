"""The property dispatcher's journey (王调度, the contractor's supervisor), at phone and desktop width, only by what
he sees and taps: his home is the workbench, where he gives a new repair to a worker; from the header he reads his
company's SLA report, and appeals March's signed scorecard, where the site subtotals show which site's score
counted and the withdrawn penalty is no longer taken off. (The fleet's dispatcher is in test_journey_trip.py.)"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.assessment.test_scorecards import INDICATORS, MARCH, NOW, month_data  # noqa: F401 (fixture)
from tests.web.journeys import (
    JOURNEY,
    WIDTHS,
    assert_charts_drawn,
    nav,
    shot,
    width,
)

pytestmark = JOURNEY


@pytest.fixture
def dispatched(world, file_request, month_data):  # noqa: F811
    """A new repair for his company, and March signed today by the bureau (lowest-site rule; the penalty it
    recorded was withdrawn before signing)."""
    from tickets.assessment import schemes
    from tickets.assessment import scorecards as sc

    req = file_request(title="301 卫生间水管漏水")
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS, lowest_site_rule=True)
    penalty = sc.penalty_record(
        actor=world.carol, contract=world.contract, month=MARCH, severity="major", description="消防通道堵塞", now=NOW
    )
    card = sc.scorecard_draft(contract=world.contract, month=MARCH, now=NOW)
    sc.penalty_withdraw(penalty=penalty, actor=world.carol, reason="通道由消防检查临时占用", now=NOW)
    sc.scorecard_sign(scorecard=card, actor=world.carol, now=timezone.now())
    return req


@WIDTHS
def test_dispatcher_assigns_reads_his_report_and_appeals_the_month(world, open_as, dispatched, viewport):
    w = width(viewport)
    pk = dispatched.pk
    bob = open_as("bob", viewport)

    # His home is the workbench: the new repair, given to Wang.
    expect(bob.locator(".page-title")).to_have_text("工作台")
    expect(bob.locator(f"#row-{pk}")).to_contain_text("301 卫生间水管漏水")
    shot(bob, f"{w}-dispatcher-01-workbench")
    bob.locator(f"#row-{pk} .row-main").click()
    bob.locator("summary", has_text="派单").click()
    bob.get_by_label("处理人").select_option(label="王师傅")
    bob.locator("#form-assign").get_by_role("button", name="派单").click()
    expect(bob.locator(".flash")).to_contain_text("已完成：派单")
    expect(bob.locator(".facts")).to_contain_text("王师傅")
    shot(bob, f"{w}-dispatcher-02-assigned")

    # His company's SLA report, charts drawn.
    nav(bob, "报表")
    assert_charts_drawn(bob, ["trend", "backlog", "satisfaction"])
    shot(bob, f"{w}-dispatcher-03-sla-report")

    # March's scorecard as signed: the sites' subtotals, the lowest counted, the withdrawn penalty not taken off.
    nav(bob, "考核")
    bob.locator("#scorecards tr", has_text="2026-03").get_by_role("link").click()
    expect(bob.locator("#state")).to_have_text("已签发")
    expect(bob.locator(f"#site-{world.other_compound.pk} tr.subtotal")).to_contain_text("最低院区，计为本月得分")
    expect(bob.locator("#total-score")).to_have_text("50.00")
    expect(bob.locator("#penalties li.withdrawn")).to_contain_text("已撤销")
    expect(bob.locator("#amount-payable")).to_have_text("65000.00")
    expect(bob.locator("#form-withdraw")).to_have_count(0)  # the bureau's forms are not his
    bob.get_by_label("申诉理由").fill("北院3月8日超时系全院停电所致，附供电局停电通知")
    shot(bob, f"{w}-dispatcher-04-scorecard-appeal")
    bob.get_by_role("button", name="提交申诉").click()
    expect(bob.locator(".flash")).to_contain_text("申诉已提交")
    expect(bob.locator("#appeals")).to_contain_text("北院3月8日超时系全院停电所致")
    expect(bob.locator("#form-appeal")).to_have_count(0)  # once a month
    shot(bob, f"{w}-dispatcher-05-appealed")

    # The inspections of his company, from the header.
    nav(bob, "检查")
    expect(bob.locator(".page-title")).to_be_visible()
    shot(bob, f"{w}-dispatcher-06-inspections")
