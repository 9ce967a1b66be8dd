"""The fleet's screens as a person sees them (issue #16, item 4): styles that stay inside the fleet's pages,
forms in the product's own style with Chinese prompts, date fields that come up filled, and the report's charts."""

from __future__ import annotations

import re
from pathlib import Path

import time_machine
from django.test import Client

from tests.fleet.conftest import at

CSS = Path(__file__).resolve().parents[2] / "fleet" / "static" / "fleet" / "fleet.css"


def _client(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def test_fleet_styles_never_reach_the_site_header():
    """The header's own layout class is .bar: a fleet rule for it once covered the header and the plates."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", css) for s in rule.split(",")]
    selectors = [s for s in selectors if not s.startswith("@")]
    assert selectors and all(s.startswith((".fleet-", ".stage", ".colour-")) for s in selectors), selectors
    for template in (CSS.parents[2] / "templates" / "fleet").glob("*.html"):
        assert "<style" not in template.read_text(encoding="utf-8"), template.name


def test_board_lanes_use_their_own_classes(fleet):
    with time_machine.travel(at(3, 10, 9), tick=False):
        html = _client(fleet.dan).get("/fleet/board/?date=2026-03-10&days=7").content.decode()
    assert 'class="fleet-board"' in html and 'class="bar ' not in html


def test_fleet_forms_are_styled_and_prompt_in_chinese(fleet):
    html = _client(fleet.w.alice).get("/fleet/apply/").content.decode()
    assert 'class="field' in html and 'class="btn primary"' in html
    assert "请选择院区" in html and "---------" not in html and "Select an option" not in html


def test_report_dates_come_up_filled_and_the_charts_are_there(fleet):
    with time_machine.travel(at(3, 10, 9), tick=False):
        html = _client(fleet.w.vic).get("/fleet/reports/").content.decode()
    assert re.search(r'<input type="date" name="start" value="2026-03-01"', html)
    assert re.search(r'<input type="date" name="end" value="2026-03-10"', html)
    assert 'data-chart="chart-fleet-cost-data"' in html and 'data-chart="chart-fleet-units-data"' in html


def test_fleet_pages_link_only_what_the_user_may_open_and_say_each_message_once(fleet, apply):
    w = fleet.w
    expected = {
        w.alice: ["/fleet/", "/fleet/apply/"],
        w.uma: ["/fleet/", "/fleet/apply/", "/fleet/approvals/"],
        w.vic: ["/fleet/", "/fleet/approvals/", "/fleet/board/", "/fleet/vehicles/", "/fleet/reports/"],
        fleet.dan: ["/fleet/board/", "/fleet/vehicles/", "/fleet/reports/"],
        fleet.du.user: ["/fleet/driver/"],
    }
    for user, links in expected.items():
        client = _client(user)
        page = client.get(links[0]).content.decode()
        nav = re.search(r'<nav class="fleet-nav"[^>]*>(.*?)</nav>', page, re.S)
        assert nav is not None, user
        shown = re.findall(r'<a href="([^"]+)"', nav.group(1))
        assert shown == links, user
        assert all(client.get(href).status_code == 200 for href in shown), user
    trip = apply()
    with time_machine.travel(at(3, 10, 9, 5), tick=False):
        page = _client(w.uma).post(f"/fleet/trips/{trip.pk}/do/approve/", {"note": "同意"}, follow=True)
    assert page.content.decode().count("已办理。") == 1


def test_step_forms_have_their_own_ids_and_a_refused_step_shows_its_error_once(fleet, apply):
    trip = apply()
    uma = _client(fleet.w.uma)
    with time_machine.travel(at(3, 10, 9, 5), tick=False):
        html = uma.get(f"/fleet/trips/{trip.pk}/").content.decode()
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert 'id="approve-note"' in html and 'id="reject-note"' in html
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        r = _client(fleet.w.alice).post(f"/fleet/trips/{trip.pk}/do/cancel/", {"note": "x" * 1001})
    assert r.status_code == 400
    page = r.content.decode()
    assert page.count("不超过 1000 字符") == 1  # by the field, not again above the form
