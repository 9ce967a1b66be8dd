"""The worker's journey (王师傅), at phone and desktop width, only by what he sees and taps: his home is his task
list; he accepts and starts the job his dispatcher gave him, puts it on hold waiting for the requester (the
clock stops, and the page says why), resumes, and resolves it with a note and a photo."""

from __future__ import annotations

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
def assigned(world, file_request):
    """Alice's leak, which Bob (the dispatcher) gave to Wang."""
    from tickets.services.transitions import transition

    req = file_request(title="301 卫生间水管漏水")
    transition(service_request=req, action="assign", actor=world.bob, assignee=world.wang)
    return req


@WIDTHS
def test_worker_accepts_holds_resumes_and_resolves_with_a_photo(world, open_as, assigned, viewport):
    w = width(viewport)
    pk = assigned.pk
    wang = open_as("wang", viewport)

    # His home is his task list, the new job on it.
    expect(wang.locator(".page-title")).to_have_text("我的任务")
    row = wang.locator(f"#row-{pk}")
    expect(row).to_contain_text("301 卫生间水管漏水")
    shot(wang, f"{w}-worker-01-my-tasks")

    # Accept and start from the list.
    row.get_by_role("button", name="受理").click()
    wang.locator(f"#row-{pk}").get_by_role("button", name="开始处理").click()
    expect(wang.locator(f"#row-{pk} .status")).to_have_text("处理中")

    # On the job: the room is locked, so he waits for the requester; the hold stops the clock.
    wang.locator(f"#row-{pk} .row-main").click()
    expect(wang.locator("#status")).to_have_text("处理中")
    wang.locator("summary", has_text="挂起").click()
    wang.get_by_label("挂起原因").select_option(label="等待报修人")
    wang.locator("#form-hold").get_by_label("说明").fill("房间锁门，已电话联系报修人")
    shot(wang, f"{w}-worker-02-hold")
    wang.locator("#form-hold").get_by_role("button", name="挂起").click()
    expect(wang.locator("#status")).to_have_text("挂起")
    expect(wang.locator(".request header")).to_contain_text("等待报修人")
    expect(wang.locator(".timeline")).to_contain_text("房间锁门，已电话联系报修人")
    expect(wang.locator(".timeline .deadline-notes").last).to_contain_text("暂停计时")  # why the deadline moves
    shot(wang, f"{w}-worker-03-on-hold")

    # The requester opened the door: he resumes and resolves with a note and a photo.
    wang.get_by_role("button", name="恢复处理").click()
    expect(wang.locator("#status")).to_have_text("处理中")
    wang.locator("summary", has_text="办结").click()
    wang.get_by_label("处理结果").fill("更换了洗手池下方的阀门")
    wang.get_by_label("完工照片").set_input_files(
        files=[{"name": "done.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    shot(wang, f"{w}-worker-04-resolve-form")
    wang.locator("#form-resolve").get_by_role("button", name="办结").click()
    expect(wang.locator("#status")).to_have_text("已办结")
    expect(wang.locator(".photos img")).to_have_count(1)
    shot(wang, f"{w}-worker-05-resolved")

    # Back on his list, the job is no longer waiting for him.
    nav(wang, "我的任务")
    expect(wang.locator(f"#row-{pk}")).to_have_count(0)
    nav(wang, "通知")
    expect(wang.locator(".page-title")).to_have_text("通知")
    shot(wang, f"{w}-worker-06-notifications")
