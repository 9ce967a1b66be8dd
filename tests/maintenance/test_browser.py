"""In a real headless Chromium on a phone: the worker opens the planned work order from his home page, fills the
checklist with a measured value over its limit and a photo, and the repair it files is in the dispatcher's queue;
the item's QR label opens its page with the open work order."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tests.maintenance.conftest import at
from tests.web.conftest import png_bytes
from tests.web.test_browser import CHROMIUM, DESKTOP, PHONE, browser, live_server, open_as, shot  # noqa: F401
from tickets.maintenance.models import MaintenanceCheck, OccurrenceStatus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("os").path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing"),
]


def test_a_worker_completes_a_planned_checklist_on_a_phone_and_a_failed_item_files_a_repair(
    world,
    lift,
    order,
    items,
    open_as,  # noqa: F811 (the fixture imported above)
    tmp_path,
):
    from playwright.sync_api import expect

    photo = tmp_path / "lift.png"
    photo.write_bytes(png_bytes())
    with time_machine.travel(at(2026, 1, 16, 10), tick=True):
        # The QR label on the lift opens its page: the worker sees the open work order there too.
        wang = open_as("wang", PHONE, reverse("maintenance:equipment", args=[lift.pk]))
        expect(wang.locator("#open-orders")).to_contain_text("电梯半月保养")
        shot(wang, "phone-maintenance-item")
        # From his home page (his tasks) to the work order, then its checklist.
        wang.goto(wang.url.split("/maintenance/")[0] + "/")
        wang.get_by_role("link", name="计划维保：电梯半月保养（2026-01-16）").first.click()
        wang.get_by_role("link", name="查看业务详情").click()
        expect(wang.locator("#checklist")).to_be_visible()
        wang.get_by_label("合格", exact=True).first.check()
        wang.get_by_label("轿厢运行噪音（dB）").fill("72.5")
        wang.get_by_label("现场照片").set_input_files(str(photo))
        shot(wang, "phone-maintenance-checklist")
        wang.get_by_role("button", name="提交维保记录").click()
        expect(wang.locator("#occ-status")).to_have_text("按时完成")
        expect(wang.locator("#checks")).to_contain_text("不合格")
        shot(wang, "phone-maintenance-done")
        repair_link = wang.locator("a.repair-link")
        number = repair_link.inner_text()
        # The dispatcher finds the repair in his queue.
        bob = open_as("bob", DESKTOP, reverse("workbench"))
        expect(bob.get_by_text(number)).to_be_visible()
    order.refresh_from_db()
    assert order.status == OccurrenceStatus.DONE
    failed = MaintenanceCheck.objects.get(occurrence=order, passed=False)
    assert failed.repair is not None and failed.repair.number == number
    assert order.service_request.attachments.count() == 1


def test_the_bureau_creates_a_weekly_plan_on_its_page(world, lift, open_as):  # noqa: F811
    from playwright.sync_api import expect

    from tickets.maintenance.models import MaintenancePlan

    with time_machine.travel(at(2026, 1, 2, 10), tick=True):
        carol = open_as("carol", DESKTOP, reverse("maintenance:plans"))
        carol.get_by_role("link", name="新增计划").click()
        carol.get_by_label("名称:", exact=True).fill("电梯双周保养")
        carol.get_by_label("设备:", exact=True).select_option(label="lift-b1-1 1号楼客梯")
        carol.get_by_label("维保合同:", exact=True).select_option(label="南院物业服务合同")
        carol.get_by_label("服务分类:", exact=True).select_option(label="漏水")
        carol.get_by_label("周期:", exact=True).select_option(label="按周")
        carol.get_by_label("间隔:", exact=True).fill("0")
        carol.get_by_label("周一", exact=True).check()
        carol.get_by_label("周四", exact=True).check()
        carol.get_by_label("开始日期:", exact=True).fill("2026-01-05")
        carol.get_by_role("button", name="保存").click()
        expect(carol.locator(".has-error")).to_contain_text("间隔必须是不小于1的整数。")
        carol.get_by_label("间隔:", exact=True).fill("2")
        carol.get_by_role("button", name="保存").click()
        expect(carol.locator("#plans")).to_contain_text("每2周（周一、周四）")
        shot(carol, "desktop-maintenance-plans")
    plan = MaintenancePlan.objects.get(title="电梯双周保养")
    assert (plan.interval, plan.weekdays, plan.filed_by) == (2, [0, 3], world.carol)
