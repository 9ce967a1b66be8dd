"""The requester's journey (李爱丽), at phone and desktop width, only by what she sees and taps from her home page:
a room-level repair filed from the form with a photo (no QR code, no address with the room in it), a cleaning
request she then cancels with a reason, and the rating of a repair the worker has finished, found from her
notifications. (The QR code case is tests/web/test_browser.py's journey; the trip is test_journey_trip.py.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.images import png_bytes
from tests.web.journeys import (
    JOURNEY,
    WIDTHS,
    nav,
    shot,
    width,
)

pytestmark = JOURNEY


@pytest.fixture
def finished_repair(world, file_request):
    """A leak Alice reported earlier that Wang has fixed: she is notified and may rate it."""
    from tickets.services.transitions import transition

    world.leak.required_fields = ["room"]  # leaks, lights, AC, doors … need the room
    world.leak.save()
    req = file_request(title="二楼茶水间水龙头漏水")
    transition(service_request=req, action="accept", actor=world.wang)
    transition(service_request=req, action="resolve", actor=world.wang, note="更换了水龙头阀芯")
    return req


@WIDTHS
def test_requester_files_a_repair_and_a_cleaning_request_cancels_one_and_rates_a_finished_one(
    world, open_as, finished_repair, viewport
):
    w = width(viewport)
    alice = open_as("alice", viewport)
    expect(alice.locator(".tiles")).to_contain_text("报修")
    shot(alice, f"{w}-requester-01-home")

    # 1. A room-level repair from the form: the picker stays as she chooses the room; a photo chosen before a
    #    mistake is kept; the SLA preview follows the urgency.
    alice.get_by_role("link", name=re.compile("报修")).first.click()
    shot(alice, f"{w}-requester-02-repair-categories")
    alice.get_by_role("link", name=re.compile("漏水")).click()
    expect(alice.locator(".field.has-error")).to_have_count(0)  # nothing is "required" before anything is chosen
    alice.get_by_label("院区").select_option(label="南院")
    alice.get_by_label("楼栋").select_option(label="1号楼")
    alice.get_by_label("楼层").select_option(label="3F")
    alice.get_by_role("button", name="下一步").click()  # a leak needs the room: said here, before any typing
    expect(alice.locator("main")).to_contain_text("该类请求需要选择房间")
    expect(alice.get_by_label("简要说明")).to_have_count(0)
    alice.get_by_label("房间").select_option(label="301")
    expect(alice.get_by_label("房间")).to_have_value(str(world.room.pk))  # the picker is still there
    shot(alice, f"{w}-requester-03-repair-place")
    alice.get_by_role("button", name="下一步").click()
    expect(alice.locator("#preview-place")).to_contain_text("南院 1号楼 3F 301")
    expect(alice.locator(".qr-note")).to_have_count(0)  # nothing was scanned
    due = alice.locator("#preview-due").inner_text()
    alice.get_by_label("特急").check()
    expect(alice.locator("#preview-due")).not_to_have_text(due)
    alice.get_by_label("照片").set_input_files(
        files=[{"name": "leak.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    alice.get_by_role("button", name="提交").click()  # the title was forgotten
    expect(alice.locator("#kept-photos")).to_contain_text("1张照片")
    alice.get_by_label("简要说明").fill("301 暖气片漏水")
    shot(alice, f"{w}-requester-04-repair-describe-kept-photo")
    alice.get_by_role("button", name="提交").click()
    expect(alice.locator("#status")).to_have_text("已提交")
    expect(alice.locator(".facts")).to_contain_text("南院 1号楼 301")
    expect(alice.locator(".photos img")).to_have_count(1)
    shot(alice, f"{w}-requester-05-repair-submitted")

    # 2. A cleaning request for a floor, from the home page's tile.
    nav(alice, "首页")
    alice.get_by_role("link", name=re.compile("保洁")).first.click()
    alice.locator("main").get_by_role("link", name=re.compile("^保洁")).click()
    alice.get_by_label("院区").select_option(label="南院")
    alice.get_by_label("楼栋").select_option(label="1号楼")
    alice.get_by_label("楼层").select_option(label="3F")
    alice.get_by_role("button", name="下一步").click()
    expect(alice.locator("#preview-place")).to_contain_text("南院 1号楼 3F")
    alice.get_by_label("简要说明").fill("三楼走廊地面有污渍")
    alice.get_by_role("button", name="提交").click()
    expect(alice.locator("#status")).to_have_text("已提交")
    shot(alice, f"{w}-requester-06-cleaning-submitted")

    # 3. She no longer needs it: cancelling takes a second tap and a reason.
    alice.locator("summary", has_text="取消").click()
    alice.locator("#form-cancel").get_by_role("button", name="取消").click()
    expect(alice.locator("#form-cancel .has-error")).to_contain_text("请写明取消原因")
    expect(alice.locator("#status")).to_have_text("已提交")
    alice.get_by_label("取消原因").fill("已自行清理")
    shot(alice, f"{w}-requester-07-cancel-reason")
    alice.locator("#form-cancel").get_by_role("button", name="取消").click()
    expect(alice.locator("#status")).to_have_text("已取消")
    expect(alice.locator(".timeline")).to_contain_text("已自行清理")

    # 4. Her requests, from the header: the two new ones and the finished repair.
    nav(alice, "我的请求")
    rows = alice.locator("ul.rows")
    expect(rows).to_contain_text("301 暖气片漏水")
    expect(rows).to_contain_text("二楼茶水间水龙头漏水")
    shot(alice, f"{w}-requester-08-my-requests")

    # 5. Told that the repair is done, she opens it from her notifications and rates it.
    nav(alice, "通知")
    shot(alice, f"{w}-requester-09-notifications")
    alice.get_by_role("link", name=re.compile("已办结")).first.click()
    expect(alice.locator(".page-title")).to_have_text("二楼茶水间水龙头漏水")
    alice.get_by_label("5 非常满意").check()
    alice.get_by_label("评价", exact=True).fill("修得很快")
    shot(alice, f"{w}-requester-10-rate")
    alice.locator("#form-rate").get_by_role("button", name="确认并评价").click()
    expect(alice.locator("#status")).to_have_text("已关闭")
    shot(alice, f"{w}-requester-11-closed")
