"""On a phone: Alice books a week of lunches in two taps, cancels one before its cut-off, and is refused after it.
The clock is moved with time-machine (ticking), which the live server's thread sees too."""

from __future__ import annotations

import os
import re

import pytest
import time_machine

from canteen.models import MealBooking
from tests.canteen.conftest import at, build_canteen_world
from tests.web.test_browser import CHROMIUM, PHONE, browser, live_server, open_as, shot  # noqa: F401  (fixtures)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing: run .ci/browser-deps"),
]


def test_book_a_week_cancel_one_and_be_refused_after_the_cutoff(world, open_as):  # noqa: F811
    from playwright.sync_api import expect

    build_canteen_world(world)
    with time_machine.travel(at(2026, 3, 9, 8, 0), tick=True):  # a Monday, before the 10:00 lunch cut-off
        alice = open_as("alice", PHONE, "/canteen/")
        expect(alice.locator("h1")).to_contain_text("南院食堂")
        alice.get_by_role("button", name="全周报午餐").click()
        expect(alice.locator(".flash")).to_contain_text("已报5天午餐")
        expect(alice.locator("[data-state=booked]")).to_have_count(5)
        shot(alice, "phone-canteen-01-week-booked")

        thursday = alice.locator("#cell-lunch-2026-03-12")
        thursday.get_by_role("button", name="取消").click()
        expect(alice.locator(".flash")).to_contain_text("已取消2026-03-12午餐")
        expect(alice.locator("#cell-lunch-2026-03-12 [data-state=not-booked]")).to_have_count(1)
        assert not alice.js_errors

    with time_machine.travel(at(2026, 3, 9, 10, 5), tick=True):  # Monday's lunch has closed
        alice.locator("#cell-lunch-2026-03-09").get_by_role("button", name="取消").click()
        expect(alice.locator("#refusal")).to_contain_text(re.compile("截止"))
        shot(alice, "phone-canteen-02-refused-after-cutoff")
        assert alice.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # The refusal is the page answered with 400, as a refused form should be (the harness allows a form's 400
        # page); nothing else went wrong.
        assert not alice.js_errors

    booked = set(MealBooking.objects.filter(diner=world.alice, eating=True).values_list("date__day", flat=True))
    assert booked == {9, 10, 11, 13}
