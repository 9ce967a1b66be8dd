"""The space-request journey in a real headless Chromium at phone width: a unit files, its approver and the bureau
approve, the bureau allocates a room and prints the certificate, and the floor view shows the room occupied. Any
console error (a CSP violation is one) or page error fails the test."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.web.test_browser import (  # noqa: F401  (the live server, browser and log-in fixtures)
    PASSWORD,
    PHONE,
    browser,
    live_server,
    open_as,
    pytestmark,
    shot,
)

assert PASSWORD


@pytest.fixture
def watched(open_as):  # noqa: F811
    """open_as that also records console errors: CSP violations are reported there, not as page errors."""
    pages = []

    def make(username, path):
        page = open_as(username, PHONE, path)
        page.console_errors = []
        # A page answering 4xx with its form's messages is the product working (open_as checks assets' answers).
        page.on(
            "console",
            lambda msg: (
                msg.type == "error"
                and not msg.text.startswith("Failed to load resource: the server responded with a status of 4")
                and page.console_errors.append(msg.text)
            ),
        )
        pages.append(page)
        return page

    yield make
    for page in pages:
        assert not page.js_errors, page.js_errors
        assert not page.console_errors, page.console_errors


def test_space_request_from_phone_to_certificate_and_floor_view(space, watched, live_server):  # noqa: F811
    from playwright.sync_api import expect

    # 1. Alice files a request for new space on her phone.
    alice = watched("alice", reverse("offices:request-new"))
    alice.get_by_label("申请事项").select_option(label="新增用房")
    alice.get_by_label("院区").select_option(label="南院")
    alice.get_by_label("申请面积(㎡)").fill("18")
    alice.get_by_label("使用人数").fill("1")
    alice.get_by_label("申请理由").fill("新增编制1人，需办公室一间")
    shot(alice, "offices-phone-01-file")
    alice.get_by_role("button", name="提交").click()
    expect(alice.locator("#status")).to_have_text("待审批")
    detail = alice.url.removeprefix(live_server.url)

    # 2. Uma, the unit's approver, approves on her phone.
    uma = watched("uma", detail)
    uma.get_by_role("button", name="审批通过").click()
    expect(uma.locator("#status")).to_have_text("待审批")

    # 3. Fang, for the bureau, approves, allocates room 304 and prints the certificate.
    fang = watched("fang", detail)
    fang.get_by_role("button", name="审批通过").click()
    expect(fang.locator("#status")).to_have_text("已提交")
    fang.get_by_label("配置房间").select_option(label="304")
    shot(fang, "offices-phone-02-allocate")
    fang.get_by_role("button", name="配置办结").click()
    expect(fang.locator("#status")).to_have_text("已办结")
    fang.get_by_role("link", name="打印配置凭证").click()
    expect(fang.locator("#certificate")).to_contain_text(re.compile(r"PZ\d{4}-0001"))
    expect(fang.locator("#certificate")).to_contain_text("发改委")
    shot(fang, "offices-phone-03-certificate")

    # 4. The floor view shows 304 occupied by the unit; tapping it opens the details.
    fang.goto(live_server.url + reverse("offices:floor", args=[space.floor.pk]))
    room = fang.locator('[data-room="304"]')
    expect(room).to_have_attribute("data-state", "occupied")
    room.locator("summary").click()
    expect(room).to_contain_text("发改委")
    shot(fang, "offices-phone-04-floor")


def test_bureau_imports_its_registers_and_closes_a_vacating_item_on_a_phone(space, watched, live_server):  # noqa: F811
    from datetime import date

    from playwright.sync_api import expect

    from offices import imports, services
    from offices.models import Allocation, Seat
    from tests.offices.conftest import at
    from tests.offices.test_imports import ALLOC_HEAD, PEOPLE_HEAD, xlsx

    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    fang = watched("fang", reverse("offices:import"))
    # The template downloads as a workbook.
    with fang.expect_download() as download:
        fang.get_by_role("link", name="用房配置").click()
    assert download.value.suggested_filename == "office_allocations-template.xlsx"

    # A wrong file: every error with its row, nothing imported.
    bad = [["south", "b1", "999", "fgw", "办公室", "2026-01-01", None, None]]
    fang.get_by_label("导入内容").select_option(imports.ALLOCATIONS)
    fang.get_by_label("文件").set_input_files(
        {"name": "配置.xlsx", "mimeType": xlsx_type, "buffer": xlsx(ALLOC_HEAD, bad)}
    )
    fang.get_by_role("button", name="导入").click()
    expect(fang.locator("#import-errors")).to_contain_text("没有房间“999”")
    shot(fang, "offices-phone-05-import-errors")
    assert not Allocation.objects.exists()

    # The corrected allocations, then the people sitting in them.
    good = [["south", "b1", "301", "fgw", "办公室", "2026-01-01", None, None]]
    fang.get_by_label("导入内容").select_option(imports.ALLOCATIONS)
    fang.get_by_label("文件").set_input_files(
        {"name": "配置.xlsx", "mimeType": xlsx_type, "buffer": xlsx(ALLOC_HEAD, good)}
    )
    fang.get_by_role("button", name="导入").click()
    expect(fang.locator("body")).to_contain_text("已导入 1 条（新增 1，更新 0）")
    people = [["李爱丽", "fgw", "市级", "以下人员", "科员", "south", "b1", "301", "本职", "2026-01-02"]]
    fang.get_by_label("导入内容").select_option(imports.OCCUPANTS)
    fang.get_by_label("文件").set_input_files(
        {"name": "人员.xlsx", "mimeType": xlsx_type, "buffer": xlsx(PEOPLE_HEAD, people)}
    )
    fang.get_by_role("button", name="导入").click()
    expect(fang.locator("body")).to_contain_text("已导入 1 条（新增 1，更新 0）")
    seat = Seat.objects.get(room__number="301")

    # She is transferred; her unit records the room given back; the bureau closes the item from the ledger.
    # (The page's own requests, such as the 待审批 badge, finish first: the test's database is shared with the server.)
    fang.wait_for_load_state("networkidle")
    (deadline,) = services.person_depart(
        actor=space.w.uma, person=seat.person, reason="transfer", on=date(2026, 1, 31), now=at(1, 31)
    )
    services.seat_end(actor=space.w.uma, seat=seat, on=date(2026, 2, 10), now=at(2, 10))
    fang.goto(live_server.url + reverse("offices:ledger"))
    expect(fang.locator("body")).to_contain_text("已腾退待关闭")
    shot(fang, "offices-phone-06-vacated")
    fang.get_by_role("button", name="确认腾退并关闭").click()
    expect(fang.locator("body")).to_contain_text("腾退事项已关闭。")
    expect(fang.get_by_role("button", name="确认腾退并关闭")).to_have_count(0)
    deadline.service_request.refresh_from_db()
    assert deadline.service_request.status == "closed"


def test_bureau_pages_fit_a_phone(space, watched, live_server):  # noqa: F811
    """Each bureau page reached from the module's menu fits 375 px: wide tables scroll inside themselves."""
    from playwright.sync_api import expect

    from tests.web.test_browser import overflow

    fang = watched("fang", reverse("offices:requests"))
    for label in ("楼层房态", "超标与腾退台账", "领导办公用房备案", "面积标准", "用房数据导入"):
        fang.locator("nav.off-nav").get_by_role("link", name=label).click()
        expect(fang.locator("nav.off-nav")).to_be_visible()
        assert overflow(fang) <= 0, (label, fang.url, overflow(fang))
        shot(fang, f"offices-phone-fit-{label}")
