"""The bureau leader's journey (局管理员: 局领导/管理员), at phone and desktop width, only by what he sees and taps:
his home is the bureau's console with its charts; the SLA report leads to the archive of monthly reports; the
scorecards lead to a contract's year; the header's 设置 leads to the settings a bureau clerk keeps (the import
page and a calendar's working hours, in Chinese, not JSON); his own name leads to his API token."""

from __future__ import annotations

from datetime import date

import pytest
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
def led(world, file_request, month_data, settings, tmp_path):  # noqa: F811
    """The year so far as the scheduled jobs left it: March signed, March's monthly report archived; and the
    leader is staff with the bureau's permissions, as the demo makes him."""
    from django.contrib.auth.models import Permission

    from tickets.assessment import schemes
    from tickets.assessment import scorecards as sc
    from tickets.reports.services import monthly_report_generate
    from tickets.services.transitions import transition

    settings.MEDIA_ROOT = tmp_path
    world.dave.is_staff = True
    world.dave.save(update_fields=["is_staff"])
    world.dave.user_permissions.set(Permission.objects.filter(content_type__app_label="tickets"))
    done = file_request(title="走廊灯不亮")
    transition(service_request=done, action="accept", actor=world.wang)
    file_request(title="会议室空调不制冷", urgency="critical")
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS)
    sc.scorecard_sign(scorecard=sc.scorecard_draft(contract=world.contract, month=MARCH, now=NOW), actor=world.carol)
    monthly_report_generate(month=date(2026, 3, 1), now=NOW)


@WIDTHS
def test_leader_reads_the_console_the_archive_and_the_year_and_finds_the_settings(world, open_as, led, viewport):
    w = width(viewport)
    dave = open_as("dave", viewport)

    # His home is the bureau's console, not the requester's tiles.
    expect(dave.locator(".page-title")).to_have_text("监管台")
    assert_charts_drawn(dave, ["by-status", "by-contractor", "breaches", "satisfaction"])
    shot(dave, f"{w}-leader-01-console")

    # The SLA report and, from it, the archive the monthly job fills.
    nav(dave, "报表")
    assert_charts_drawn(dave, ["trend", "backlog", "satisfaction"])
    dave.get_by_role("link", name="服务质量月报归档").click()
    expect(dave.locator("main tbody tr").first).to_contain_text("2026-03")
    shot(dave, f"{w}-leader-02-monthly-archive")

    # The contract's year of scorecards.
    nav(dave, "考核")
    dave.locator("#rollups").get_by_role("link", name="全年").first.click()
    expect(dave.locator("main")).to_contain_text("2026年度")
    expect(dave.locator("main")).to_contain_text("68.84")  # March, signed
    shot(dave, f"{w}-leader-03-year-rollup")

    # Settings: the import page is linked from the admin's home; a calendar's hours are words per weekday.
    nav(dave, "设置")
    shot(dave, f"{w}-leader-04-settings")
    dave.get_by_role("link", name="从 Excel（XLSX）或 CSV 导入房间、单位、人员等台账").click()
    kinds = dave.get_by_label("导入内容").locator("option").all_inner_texts()
    assert any("车辆" in k for k in kinds) and any("驾驶员" in k for k in kinds), kinds  # fleet's registers too
    shot(dave, f"{w}-leader-05-import")
    dave.get_by_role("link", name="首页").first.click()
    dave.get_by_role("link", name="工作日历", exact=True).first.click()
    dave.locator("#result_list tbody a").first.click()
    monday = dave.locator("[name=day_0]")
    expect(monday).to_be_visible()
    assert "{" not in monday.input_value() and "[" not in monday.input_value(), monday.input_value()
    shot(dave, f"{w}-leader-06-calendar-hours")

    # Back to the site from the admin's header, and his API token from his name in the site's header.
    dave.get_by_role("link", name="查看站点").click()
    expect(dave.locator(".page-title")).to_have_text("监管台")
    dave.locator("header .who").click()
    dave.get_by_role("button", name="生成令牌").click()
    expect(dave.locator("#token-key")).to_be_visible()
    shot(dave, f"{w}-leader-07-api-token")
