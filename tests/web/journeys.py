"""What the role journeys (tests/web/test_journey_<role>.py) share.

A journey starts at the home page its role lands on after logging in through the real form and goes on only by
what a person sees and taps: header links, tiles, buttons, rows. No address is typed (a QR code is the one
exception), and no step is taken in another role's browser; what other people did before is set up as data.
Each journey runs at phone width (375 px) and at desktop width. The harness of tests/web/test_browser.py fails a
test on any console error, CSP violation, uncaught exception or failed asset; `shot()` also fails on sideways
overflow at phone width and writes the screenshot to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from tests.web.test_browser import (  # noqa: F401 (what the journeys take from the harness)
    DESKTOP,
    PHONE,
    assert_charts_drawn,
    overflow,
    pytestmark,
    shot,
)

#: A journey's marks: a browser test on a real database, skipped where chromium is missing.
JOURNEY = pytestmark

WIDTHS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


def width(viewport) -> str:
    return "phone" if viewport is PHONE else "desktop"


def nav(page, label: str) -> None:
    """Tap a link of the header's navigation, as a person finds it (on a phone the bar wraps or scrolls)."""
    # "通知" carries its unread count as a badge: "通知 3条未读".
    name = re.compile(rf"^\s*{re.escape(label)}(\s*\d+条未读)?\s*$")
    link = page.locator("nav.nav").get_by_role("link", name=name)
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_load_state("load")


def no_overflow_anywhere(page) -> None:
    """At phone width, no element sticks out of the page sideways (tables scroll inside their own box)."""
    if getattr(page, "viewport", None) is PHONE:
        assert overflow(page) <= 0, page.url


def link(page, text: str | re.Pattern[str]):
    return page.get_by_role("link", name=text)


def choose(select, containing: str) -> None:
    """Pick the option of a <select> whose text contains the words a person looks for."""
    labels = [text.strip() for text in select.locator("option").all_inner_texts()]
    matches = [text for text in labels if containing in text]
    assert matches, (containing, labels)
    select.select_option(label=matches[0])
