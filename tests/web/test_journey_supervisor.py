"""The property supervisor's journey (陈主管), at phone and desktop width, only by what she sees and taps: her
home is the console with its charts; from the header she reads the SLA report and drills into the late
responses, follows the complaints, and signs off March's scorecard: an adjustment on the site that does not
count moves only that site's subtotal, a penalty recorded in error is withdrawn with a reason, then she signs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.assessment.test_scorecards import INDICATORS, MARCH, NOW, month_data  # noqa: F401 (fixture)
from tests.web.journeys import (
    JOURNEY,
    WIDTHS,
    assert_charts_drawn,
    choose,
    nav,
    shot,
    width,
)

pytestmark = JOURNEY


@pytest.fixture
def supervised(world, file_request, month_data):  # noqa: F811
    """Work of the month so every chart has something to draw, and March's draft scorecard scored by site with a
    penalty (south 85.50, north 50.00: the month's score is north's)."""
    from tickets.assessment import schemes
    from tickets.assessment import scorecards as sc
    from tickets.services.feedback import feedback_submit
    from tickets.services.transitions import transition

    done = file_request(title="走廊灯不亮")
    transition(service_request=done, action="accept", actor=world.wang)
    transition(service_request=done, action="resolve", actor=world.wang, note="换了灯管")
    feedback_submit(service_request=done, actor=world.alice, rating=5)
    file_request(title="会议室空调不制冷", urgency="critical")
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS, lowest_site_rule=True)
    sc.penalty_record(
        actor=world.carol, contract=world.contract, month=MARCH, severity="major", description="消防通道堵塞", now=NOW
    )
    return sc.scorecard_draft(contract=world.contract, month=MARCH, now=NOW)


@WIDTHS
def test_supervisor_reads_the_console_and_the_report_and_signs_off_the_month(world, open_as, supervised, viewport):
    w = width(viewport)
    carol = open_as("carol", viewport)

    # Her home is the console: four charts drawn.
    expect(carol.locator(".page-title")).to_have_text("监管台")
    assert_charts_drawn(carol, ["by-status", "by-contractor", "breaches", "satisfaction"])
    shot(carol, f"{w}-supervisor-01-console")

    # The SLA report from the header: its charts, then the late responses of the month in words.
    nav(carol, "报表")
    expect(carol.locator("h1")).to_contain_text("服务质量")
    assert_charts_drawn(carol, ["trend", "backlog", "satisfaction"])
    shot(carol, f"{w}-supervisor-02-sla-report")
    # A background export of it: the progress page shows where it stands (the worker runs in-process here).
    carol.get_by_role("button", name="后台导出（大数据量）").click()
    expect(carol.locator("h1")).to_have_text("导出进度")
    expect(carol.locator("#state")).to_have_text("已完成")
    expect(carol.get_by_role("link", name="下载文件")).to_be_visible()
    shot(carol, f"{w}-supervisor-02b-export")
    carol.go_back()
    carol.locator("tr.total td:nth-child(3) a").click()  # the response on-time rate: its late requests
    expect(carol.locator("h1")).to_contain_text("受理超时")  # in words, not "response_late"
    shot(carol, f"{w}-supervisor-03-drill-down")

    # Complaints waiting for a callback.
    nav(carol, "投诉回访")
    expect(carol.locator("main h1")).to_be_visible()
    shot(carol, f"{w}-supervisor-04-complaints")

    # March's scorecard: subtotals per site, the lowest one counts.
    nav(carol, "考核")
    carol.locator("#scorecards tr", has_text="2026-03").get_by_role("link").click()
    south = carol.locator(f"#site-{world.compound.pk} tr.subtotal")
    north = carol.locator(f"#site-{world.other_compound.pk} tr.subtotal")
    expect(south).to_contain_text("南院小计")
    expect(south.locator(".site-score")).to_have_text("85.50")
    expect(north.locator(".site-score")).to_have_text("50.00")
    expect(north).to_contain_text("最低院区，计为本月得分")
    expect(carol.locator("#total-score")).to_have_text("50.00")
    shot(carol, f"{w}-supervisor-05-scorecard-by-site")

    # An adjustment on the south site: its subtotal moves, the month's score is still north's, and she is told why.
    carol.locator("summary", has_text="调整评分").click()
    choose(carol.get_by_label("评分项"), "南院 · 投诉")
    carol.get_by_label("调整后得分").fill("0")
    carol.get_by_label("调整理由").fill("投诉经核实不成立")
    carol.get_by_role("button", name="保存调整").click()
    expect(carol.locator(".flash")).to_contain_text("南院小计 85.50 → 87.50；本月得分按最低院区（北院）计为 50.00")
    expect(south.locator(".site-score")).to_have_text("87.50")
    expect(carol.locator("#total-score")).to_have_text("50.00")

    # The penalty was recorded in error: withdrawn with a reason, paid back, and kept in the history.
    expect(carol.locator("#amount-payable")).to_have_text("63000.00")
    carol.locator("summary", has_text="撤销定额扣款").click()
    choose(carol.get_by_label("定额扣款"), "消防通道堵塞")
    carol.get_by_role("button", name="撤销扣款").click()
    expect(carol.locator("#form-withdraw .has-error")).to_contain_text("撤销扣款必须写明理由")  # no reason yet
    carol.get_by_label("撤销理由").fill("通道由消防检查临时占用，非物业责任")
    carol.get_by_role("button", name="撤销扣款").click()
    expect(carol.locator(".flash")).to_contain_text("已撤销定额扣款2000.00元")
    expect(carol.locator("#amount-payable")).to_have_text("65000.00")
    expect(carol.locator("#penalties li.withdrawn")).to_contain_text("已撤销")
    expect(carol.locator("#adjustments")).to_contain_text("撤销定额扣款 严重 2000.00元 · 通道由消防检查临时占用")
    shot(carol, f"{w}-supervisor-06-scorecard-adjusted")

    # Signed: frozen, and the forms are gone.
    carol.locator("#form-sign").get_by_role("button", name="签发").click()
    expect(carol.locator("#state")).to_have_text("已签发")
    expect(carol.locator("#form-adjust")).to_have_count(0)
    shot(carol, f"{w}-supervisor-07-scorecard-signed")
