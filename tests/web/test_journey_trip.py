"""A vehicle trip from application to rating, in a real headless Chromium, at phone and at desktop width, by what
each person sees and clicks from the home page after logging in (no typed URL, no step taken as someone else).

Ben works in 发改委办公室, a division of 发改委 with no approver of its own, as the demo's requester does: Uma,
发改委's approver, finds his trip under 待审批 because approval follows the unit tree. Then Vic (the bureau's
vehicles office) approves, Dan (the car service's dispatcher) sends a car and a driver, Du drives it out and back
with fuel bought on the way, Dan costs it (the fuel is in the total) and Ben rates it. Every page is watched:
console errors, CSP violations, failed assets, and sideways overflow at 375 px fail the test."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.fleet.conftest import fleet  # noqa: F401  (the fleet personas on the core's world)
from tests.web.test_browser import (  # noqa: F401  (the live server, browser and log-in fixtures)
    DESKTOP,
    PASSWORD,
    PHONE,
    browser,
    live_server,
    open_as,
    pytestmark,
    shot,
)


@pytest.fixture
def people(fleet):  # noqa: F811
    """Ben in a division without an approver; the car service's staff able to log in like everyone else."""
    from tests.factories import UnitFactory, UserFactory

    office = UnitFactory(code="fgw-bgs", name="发改委办公室", parent=fleet.w.unit)
    ben = UserFactory(username="ben", full_name="班本", unit=office)
    for user in (fleet.dan, fleet.du.user):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return ben


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _nav(page, name):
    """A link of the header's navigation, by its words (a count badge may follow them)."""
    return page.locator("nav.nav").get_by_role("link", name=re.compile(f"^{name}"))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_trip_from_application_through_unit_approval_to_rating(fleet, people, open_as, viewport):  # noqa: F811
    from playwright.sync_api import expect

    from fleet.models import TripStage, VehicleTrip

    label = "phone" if viewport is PHONE else "desktop"
    now = timezone.now()

    # 1. Ben applies from the home page's tile.
    ben = open_as("ben", viewport)
    ben.get_by_role("link", name=re.compile("公务用车申请")).click()
    expect(ben.locator("h1")).to_have_text("申请用车")
    ben.get_by_label("服务类别").select_option(label="公务用车")
    ben.get_by_label("所在院区").select_option(label=fleet.w.compound.name)
    ben.get_by_label("用车事由").fill("赴市政府汇报项目进展")
    ben.get_by_label("乘车人数").fill("2")
    ben.get_by_label("乘车人", exact=True).fill("班本,李爱丽")
    ben.get_by_label("出发地").fill("南院")
    ben.get_by_label("目的地").fill("市政府")
    ben.get_by_label("用车开始").fill(_local(now + timedelta(minutes=30)))
    ben.get_by_label("用车结束").fill(_local(now + timedelta(hours=3)))
    shot(ben, f"{label}-trip-01-apply")
    ben.get_by_role("button", name="提交申请").click()
    expect(ben.locator("h1 .stage")).to_have_text("待审批")
    number = ben.locator("h1").inner_text().split()[0]
    trip = VehicleTrip.objects.get()
    assert trip.request.number == number
    assert trip.request.unit.name == "发改委办公室"
    shot(ben, f"{label}-trip-02-applied")

    # 2. Uma, approver of the unit above Ben's, finds it under 待审批 (with its count) and approves.
    uma = open_as("uma", viewport)
    expect(_nav(uma, "待审批").locator(".badge")).to_have_text("1")
    _nav(uma, "待审批").click()
    expect(uma.locator(".page-title")).to_have_text("待审批")
    expect(_nav(uma, "待审批").locator(".badge")).to_have_text("1")
    shot(uma, f"{label}-trip-03-awaiting-approval")
    uma.get_by_role("link", name=re.compile(number)).click()
    expect(uma.locator("h1")).to_contain_text(number)
    expect(uma.locator(".fleet-card").first).to_contain_text("发改委办公室")
    uma.get_by_label("意见/理由").first.fill("同意")
    shot(uma, f"{label}-trip-04-unit-approves")
    uma.get_by_role("button", name="同意").click()
    expect(uma.locator("main")).to_contain_text("单位审核 · 孙审核 · 同意")

    # 3. Vic, the bureau's vehicles office, is next: his 待审批 lists it now.
    vic = open_as("vic", viewport)
    _nav(vic, "待审批").click()
    shot(vic, f"{label}-trip-04b-bureau-awaiting")
    vic.get_by_role("link", name=re.compile(number)).click()
    vic.get_by_role("button", name="同意").click()
    expect(vic.locator("h1 .stage")).to_have_text("待派车")
    shot(vic, f"{label}-trip-05-bureau-approved")

    # 4. Dan, the dispatcher, was told only now; he sends a car and a driver from the board.
    dan = open_as("dan", viewport)
    _nav(dan, "通知").click()
    expect(dan.locator("main")).to_contain_text(f"请求 {number} 已审批通过")
    shot(dan, f"{label}-trip-05b-dispatcher-notified")
    _nav(dan, "调度台").click()
    shot(dan, f"{label}-trip-05c-board")
    dan.get_by_role("link", name=number).click()
    dan.get_by_label("车辆").select_option(label=str(fleet.ev))
    dan.get_by_label("驾驶员").select_option(label=str(fleet.du))
    shot(dan, f"{label}-trip-06-dispatch")
    dan.get_by_role("button", name="派车").click()
    expect(dan.locator("h1 .stage")).to_have_text("已派车")

    # 5. Du drives it out and back from his task list, with fuel bought on the way.
    du = open_as(fleet.du.user.username, viewport)
    _nav(du, "出车任务").click()
    expect(du.locator("main")).to_contain_text("市政府")
    shot(du, f"{label}-trip-06b-driver-tasks")
    du.get_by_label("出车里程(公里)").fill("1000")
    du.get_by_role("button", name="出车").click()
    expect(du.locator("main")).to_contain_text("已出车")
    du.get_by_label("回场里程(公里)").fill("1046")
    du.get_by_label("通行费(元)").fill("10")
    du.get_by_label("油费/电费(元)").fill("60")
    shot(du, f"{label}-trip-07-return")
    du.get_by_role("button", name="回场").click()
    expect(du.locator("main")).to_contain_text("暂无出车任务")

    # 6. Dan costs it from the board: 46 km × 2.50 = 115, no billed half hour, + tolls 10 + fuel 60 = 185.
    _nav(dan, "调度台").click()
    dan.locator(f'a.slot[title^="{number}"]').click()
    dan.get_by_role("button", name="核算费用").click()
    expect(dan.locator("main")).to_contain_text("费用合计(元)：185.00")
    expect(dan.locator("main")).to_contain_text("油费/电费 60.00")
    shot(dan, f"{label}-trip-08-costed")

    # 7. Ben rates it from his trips.
    _nav(ben, "我的用车").click()
    shot(ben, f"{label}-trip-08b-my-trips")
    ben.get_by_role("link", name=number).click()
    ben.get_by_label("评分").select_option("5")
    ben.get_by_label("评价", exact=True).fill("准时，司机很稳")
    ben.get_by_role("button", name="评价").click()
    expect(ben.locator("h1 .stage")).to_have_text("已评价")
    shot(ben, f"{label}-trip-09-rated")

    trip.refresh_from_db()
    assert trip.stage == TripStage.RATED and str(trip.cost_total) == "185.00" and str(trip.fuel) == "60.00"
    assert [a.approver.username for a in trip.approvals.all()] == ["uma", "vic"]
