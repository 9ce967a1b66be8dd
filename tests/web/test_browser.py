"""The journey in a real headless Chromium: a requester files a repair from a room's QR code on a phone, the
dispatcher assigns it, the worker resolves it with a photo on a phone, the requester rates it, and the
supervisor sees it on the dashboard. Screenshots of the main pages go to test-artifacts/screenshots/."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from django.urls import reverse

from tests.assessment.data import build_checklist
from tests.web.images import png_bytes

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test itself are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "correct-horse-battery"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing: run .ci/browser-deps"),
]


class _OneRequestAtATime(LiveServerThread):
    """A live server that answers one request at a time.

    On SQLite the test database lives in memory, so every request thread of Django's threaded live server is
    handed the same connection; the browser's parallel requests (the notification badge fetched on load, photos,
    a second person logging in while the first page still loads) then interleave on it and fail at random with
    "cannot start a transaction within a transaction" or "bad parameter or other API misuse". Django's plain
    WSGIServer answers ``Connection: close`` and takes the next request only when one is done."""

    def _create_server(self, connections_override=None):
        return WSGIServer((self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False)


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, made to answer one request at a time when its connection is shared."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost",
        start=False,
    )
    if server.thread.connections_override:
        threaded = server.thread
        server.thread = _OneRequestAtATime(
            threaded.host,
            threaded.static_handler,
            connections_override=threaded.connections_override,
            port=threaded.port,
        )
        server.thread.daemon = True
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


# Requests for these are assets: any that fails or answers 4xx/5xx fails the test (a missing favicon included).
ASSET_TYPES = {"stylesheet", "script", "image", "font", "media", "manifest"}

# Runs in every page before its own scripts: a CSP violation is reported even when the browser logs nothing.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


# Runs in every page opened at phone width: a page that sticks out sideways once loaded (or after an htmx swap)
# logs a console error, which fails the test like any other, whether or not the test takes a screenshot there.
OVERFLOW_WATCH = """
(function () {
  function check() {
    var o = document.documentElement.scrollWidth - document.documentElement.clientWidth;
    if (o > 0) { console.error("horizontal overflow of " + o + "px at " + location.pathname); }
  }
  window.addEventListener("load", function () { setTimeout(check, 0); });
  document.addEventListener("htmx:afterSettle", check);
})();
"""


def _watch(page, problems):
    """Collects what a person would see as broken: console errors (CSP violations among them), uncaught
    exceptions, and assets that failed or answered an error (at phone width, sideways overflow: OVERFLOW_WATCH)."""

    def on_console(msg):
        # A page answering 400 with its form's messages is the product working; Chrome logs it as an error too.
        # A 4xx for an asset is caught below, by its response, with its URL.
        if msg.type == "error" and not msg.text.startswith(
            "Failed to load resource: the server responded with a status of 4"
        ):
            problems.append(f"console error on {page.url}: {msg.text}")

    def on_response(response):
        kind = response.request.resource_type
        if response.status >= 500 or (response.status >= 400 and kind in ASSET_TYPES):
            problems.append(f"{response.status} for {kind} {response.url}")

    def on_failed(request):
        if request.resource_type in ASSET_TYPES:
            problems.append(f"failed {request.resource_type} {request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"uncaught on {page.url}: {exc}"))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def open_as(browser, live_server):
    """open_as(username, viewport, path) logs in through the real form and returns the page once the page after
    the login has loaded; open_as(None, viewport, path) opens the path without logging in.

    Every page opened this way is watched: at the end of the test, any console error, CSP violation, uncaught
    exception or failed asset fails it, and so does sideways overflow of any page opened at phone width
    (``page.js_errors`` lists them as they come)."""
    contexts = []
    problems: list[str] = []

    def make(username, viewport, path="/"):
        ctx = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=viewport is PHONE, has_touch=True)
        ctx.set_default_timeout(10_000)
        ctx.add_init_script(CSP_WATCH)
        if viewport is PHONE:
            ctx.add_init_script(OVERFLOW_WATCH)
        contexts.append(ctx)
        page = ctx.new_page()
        page.js_errors = problems
        page.viewport = viewport
        _watch(page, problems)
        page.goto(live_server.url + path)
        if username is not None and "/accounts/login/" in page.url:
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            # The login page is already loaded, so wait_for_load_state() would return at once; a goto() made
            # while the POST is still on its way would cancel the login. Wait for the page it leads to.
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not problems, problems


def shot(page, name):
    """A screenshot of the page as a user sees it; at phone width nothing may stick out sideways."""
    page.wait_for_load_state("load")
    if getattr(page, "viewport", None) is PHONE:
        assert overflow(page) <= 0, (name, page.url, overflow(page))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


CHARTS_DRAWN = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map(function (c) {
  var chart = window.Chart && window.Chart.getChart(c);
  var data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data, inked = 0;
  for (var i = 3; i < data.length; i += 4) { if (data[i]) { inked++; } }
  return {id: c.id, chart: !!chart, inked: inked, width: c.width};
})"""


def assert_charts_drawn(page, expected):
    """Every chart on the page exists as a Chart.js object and has put pixels on its canvas."""
    page.wait_for_function("() => document.querySelectorAll('canvas[data-chart]:not([data-drawn])').length === 0")
    charts = page.evaluate(CHARTS_DRAWN)
    assert sorted(c["id"] for c in charts) == sorted(f"chart-{k}" for k in expected), charts
    for c in charts:
        assert c["chart"] and c["inked"] > 100 and c["width"] > 0, c


def test_repair_journey_from_qr_code_to_dashboard(world, open_as, live_server):
    from playwright.sync_api import expect

    # 1. Alice scans the code on room 301 with her phone, logs in, and files in two taps and a description.
    alice = open_as("alice", PHONE, reverse("qr-entry", args=[world.room.qr_token]))
    expect(alice.locator(".qr-note")).to_contain_text("301")
    shot(alice, "phone-01-file-category")
    alice.get_by_role("link", name=re.compile("漏水")).click()
    expect(alice.locator("#preview-contractor")).to_have_text("恒安物业")
    expect(alice.locator("#preview-due")).to_be_visible()
    alice.get_by_label("简要说明").fill("301 卫生间水管漏水")
    alice.get_by_label("详细描述").fill("洗手池下方水管一直滴水")
    shot(alice, "phone-02-file-describe")
    alice.get_by_role("button", name="提交").click()
    expect(alice.locator("#status")).to_have_text("已提交")
    number = alice.locator(".request .num").first.inner_text()
    pk = int(number.removeprefix("SD"))
    shot(alice, "phone-03-request-submitted")

    # 2. Bob, the dispatcher, sees it on his workbench and assigns Wang.
    bob = open_as("bob", DESKTOP)
    expect(bob.locator(f"#row-{pk}")).to_contain_text("301 卫生间水管漏水")
    shot(bob, "desktop-04-workbench")
    bob.locator(f"#row-{pk} .row-main").click()
    bob.locator("summary", has_text="派单").click()
    bob.get_by_label("处理人").select_option(label="王师傅")
    bob.locator("#form-assign").get_by_role("button", name="派单").click()
    expect(bob.locator(".flash")).to_contain_text("已完成：派单")

    # 3. Wang, on his phone, accepts and starts from his task list, then resolves with a note and a photo.
    wang = open_as("wang", PHONE)
    row = wang.locator(f"#row-{pk}")
    expect(row).to_contain_text("301 卫生间水管漏水")
    shot(wang, "phone-05-my-tasks")
    row.get_by_role("button", name="受理").click()
    wang.locator(f"#row-{pk}").get_by_role("button", name="开始处理").click()
    expect(wang.locator(f"#row-{pk} .status")).to_have_text("处理中")
    wang.locator(f"#row-{pk} .row-main").click()
    wang.locator("summary", has_text="办结").click()
    wang.get_by_label("处理结果").fill("更换了洗手池下方的阀门")
    wang.get_by_label("完工照片").set_input_files(
        files=[{"name": "done.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    shot(wang, "phone-06-resolve-form")
    wang.locator("#form-resolve").get_by_role("button", name="办结").click()
    expect(wang.locator("#status")).to_have_text("已办结")
    expect(wang.locator(".photos img")).to_have_count(1)
    assert not wang.js_errors

    # 4. Alice is told, opens it from her notifications and rates it.
    alice.goto(live_server.url + reverse("notifications"))
    expect(alice.locator(".badge")).to_be_visible()
    shot(alice, "phone-07-notifications")
    alice.get_by_role("link", name=re.compile("已办结")).first.click()
    alice.get_by_label("5 非常满意").check()
    alice.get_by_label("评价", exact=True).fill("修得很快")
    shot(alice, "phone-08-rate")
    alice.locator("#form-rate").get_by_role("button", name="确认并评价").click()
    expect(alice.locator("#status")).to_have_text("已关闭")
    shot(alice, "phone-09-request-closed")
    assert not alice.js_errors

    # 5. Carol, the property supervisor, sees it on the dashboard at her desk.
    carol = open_as("carol", DESKTOP)
    carol.get_by_role("link", name="监管台").first.click()
    expect(carol.locator("#recent-feedback")).to_contain_text(number)
    expect(carol.locator("#satisfaction")).to_contain_text("100%")
    shot(carol, "desktop-10-console")


MAIN_PAGES = [
    ("alice", "home", "home", []),
    ("alice", "file", "request-new", []),
    ("alice", "my-requests", "request-list", []),
    ("alice", "request", "request-detail", ["PK"]),
    ("bob", "workbench", "workbench", []),
    ("wang", "my-tasks", "my-tasks", []),
    ("carol", "console", "console", []),
    ("carol", "complaints", "complaints", []),
    ("carol", "qr-sheet", "qr-sheet", ["BUILDING"]),
    ("alice", "notifications", "notifications", []),
]


def test_screenshots_of_the_main_pages_at_phone_and_desktop_width(world, open_as, live_server, file_request):
    from playwright.sync_api import expect

    from tickets.services.transitions import transition

    req = file_request()
    transition(service_request=req, action="assign", actor=world.bob, assignee=world.wang)
    transition(service_request=req, action="accept", actor=world.wang)
    file_request(title="会议室空调不制冷", urgency="critical")
    login = open_as(None, PHONE, reverse("login"))
    expect(login.get_by_role("button", name="登录")).to_be_visible()
    shot(login, "phone-login")
    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        pages = {}
        for username, name, url_name, args in MAIN_PAGES:
            args = [req.pk if a == "PK" else world.building.pk if a == "BUILDING" else a for a in args]
            if username not in pages:
                pages[username] = open_as(username, viewport)
            page = pages[username]
            page.goto(live_server.url + reverse(url_name, args=args))
            expect(page.locator("main")).to_be_visible()
            # nothing sticks out sideways on a phone
            shot(page, f"{label}-page-{name}")
            assert not page.js_errors, (name, page.js_errors)


def test_supervisor_records_a_failed_inspection_and_the_contractor_sees_the_rectification(world, open_as, live_server):
    """Carol inspects on her phone: a dust reading over the limit, with a photo. Bob finds the inspection and, from
    it, the rectification request filed to his company."""

    from playwright.sync_api import expect

    _template, floor, dust, _tidy = build_checklist(world)

    carol = open_as("carol", PHONE)
    carol.get_by_role("link", name="检查", exact=True).click()
    carol.get_by_role("link", name="登记检查").click()
    carol.get_by_label("合同").select_option(label="恒安物业 · 南院物业服务合同")
    carol.get_by_label("检查表").select_option(label="保洁巡检表")
    carol.get_by_role("button", name="下一步").click()
    carol.get_by_label("院区").select_option(label="南院")
    carol.locator(f"#item-{floor.pk}").get_by_label("合格", exact=True).check()
    carol.get_by_label("桌面积尘").fill("0.8")
    carol.locator(f"#item-{dust.pk} summary").click()
    carol.locator(f"#item-{dust.pk}").get_by_label("说明").fill("三层会议室桌面")
    carol.locator(f"#item-{dust.pk}").get_by_label("照片").set_input_files(
        files=[{"name": "dust.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    carol.get_by_label("整洁程度").fill("15")
    shot(carol, "phone-11-inspection-form")
    assert overflow(carol) <= 0
    carol.get_by_role("button", name="提交检查结果").click()
    expect(carol.locator("#result")).to_contain_text("1项不合格")
    expect(carol.locator("#score")).to_have_text("62.50")
    expect(carol.locator("#rectifications")).to_contain_text("桌面积尘")
    expect(carol.locator("#results img")).to_have_count(1)
    shot(carol, "phone-12-inspection-detail")
    assert not carol.js_errors

    bob = open_as("bob", DESKTOP)
    bob.get_by_role("link", name="检查", exact=True).click()
    bob.get_by_role("link", name="保洁巡检表").click()
    bob.locator("#rectifications a.num").click()
    expect(bob.locator(".page-title")).to_have_text("整改：桌面积尘")
    expect(bob.locator("#status")).to_have_text("已提交")
    expect(bob.locator(".desc")).to_contain_text("实测 0.8 g/㎡，限值 0.5 g/㎡")
    shot(bob, "desktop-13-rectification-request")
    assert not bob.js_errors


def test_the_export_page_follows_the_export_without_a_reload(world, open_as, live_server):
    """The progress page polls from a static script: a worker's progress shows up while the page stays open."""
    from django.utils import timezone
    from playwright.sync_api import expect

    from tickets.models import Export

    export = Export.objects.create(owner=world.carol, created_at=timezone.now())
    carol = open_as("carol", DESKTOP, reverse("reports:export-page", args=[export.pk]))
    expect(carol.locator("#state")).to_have_text("排队中")
    Export.objects.filter(pk=export.pk).update(state=Export.State.RUNNING, progress=40)
    expect(carol.locator("#pct")).to_have_text("40")
    expect(carol.locator("#state")).to_have_text("生成中")
    shot(carol, "desktop-export-progress")
    Export.objects.filter(pk=export.pk).update(state=Export.State.FAILED, progress=40, error="磁盘已满")
    expect(carol.locator("#err")).to_have_text("磁盘已满")
