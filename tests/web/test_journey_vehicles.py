"""The vehicles supervisor's journey (魏车管, the bureau's vehicles office), at phone and desktop width, only by what
he sees and taps: from his home, the header's fleet entries lead him to the trip waiting for the bureau's
approval (he approves it), the dispatch board (the site header stays whole, every vehicle's name is readable),
a vehicle's file, and the cost report with its dates filled in and its charts drawn."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.fleet.conftest import fleet  # noqa: F401 (fixture)
from tests.web.journeys import (
    JOURNEY,
    WIDTHS,
    assert_charts_drawn,
    nav,
    shot,
    width,
)

pytestmark = JOURNEY

# Whether the element a person sees at the middle of each vehicle's name is that name (nothing drawn over it).
NAMES_UNCOVERED = """() => Array.from(document.querySelectorAll(".lane-head a")).map(function (a) {
  var r = a.getBoundingClientRect();
  var top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  var uncovered = !!top && (top === a || a.contains(top));
  return {name: a.textContent, visible: r.width > 0 && r.height > 0, uncovered: uncovered};
})"""


@pytest.fixture
def waiting_for_the_bureau(fleet):  # noqa: F811
    """Alice's trip for tomorrow afternoon, approved by her unit: it waits for the vehicles office."""
    from fleet import filing, steps

    tomorrow = timezone.localtime() + timedelta(days=1)
    start = tomorrow.replace(hour=14, minute=0, second=0, microsecond=0)
    trip = filing.trip_request_create(
        actor=fleet.w.alice,
        category=fleet.ref.trip_category,
        compound=fleet.w.compound,
        purpose="赴市政府开会",
        passenger_count=2,
        passenger_names="李爱丽,孙审核",
        origin="南院",
        destination="市政府",
        slot_start=start,
        slot_end=start + timedelta(hours=3),
    )
    steps.trip_approve(trip=trip, actor=fleet.w.uma)
    return trip


@pytest.fixture
def returned_this_month(fleet):  # noqa: F811
    """A trip of this month that has come back and been costed, so the report's charts have bars to draw."""
    from fleet import filing, steps

    now = timezone.localtime()
    base = max(now - timedelta(hours=5), now.replace(day=1, hour=0, minute=5, second=0, microsecond=0))

    def t(minutes: int):
        return base + timedelta(minutes=minutes)

    trip = filing.trip_request_create(
        actor=fleet.w.alice,
        category=fleet.ref.trip_category,
        compound=fleet.w.compound,
        purpose="送文件",
        passenger_count=1,
        origin="南院",
        destination="市档案馆",
        slot_start=t(20),
        slot_end=t(50),
        now=t(0),
    )
    steps.trip_approve(trip=trip, actor=fleet.w.uma, now=t(1))
    steps.trip_approve(trip=trip, actor=fleet.w.vic, now=t(2))
    steps.trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=t(5))
    steps.trip_depart(trip=trip, actor=fleet.du.user, odometer=12000, at=t(20), now=t(20))
    steps.trip_return(
        trip=trip, actor=fleet.du.user, odometer=12046, at=t(45), tolls="10", parking="15.50", fuel="60", now=t(45)
    )
    steps.trip_cost(trip=trip, actor=fleet.dan, now=t(46))
    return trip


@WIDTHS
def test_vehicles_supervisor_approves_watches_the_board_and_reads_the_cost_report(
    world,
    open_as,
    fleet,  # noqa: F811 (the fixture)
    waiting_for_the_bureau,
    returned_this_month,
    viewport,
):
    w = width(viewport)
    trip = waiting_for_the_bureau
    vic = open_as("vic", viewport)
    shot(vic, f"{w}-vehicles-01-home")

    # The trip waiting for the bureau, from the header.
    nav(vic, "用车审批")
    expect(vic.locator("main")).to_contain_text("赴市政府开会")
    shot(vic, f"{w}-vehicles-02-approvals")
    vic.get_by_role("link", name=trip.request.number).click()
    vic.get_by_role("button", name="同意").click()
    expect(vic.locator("h1 .stage")).not_to_have_text(trip.get_stage_display())
    shot(vic, f"{w}-vehicles-03-approved")

    # The dispatch board: the site header is whole and every vehicle's name can be read.
    nav(vic, "调度台")
    expect(vic.locator("header.top .brand")).to_be_visible()
    expect(vic.locator("nav.nav")).to_be_visible()
    names = vic.evaluate(NAMES_UNCOVERED)
    assert names and all(n["visible"] and n["uncovered"] for n in names), names
    shot(vic, f"{w}-vehicles-04-board")

    # A vehicle's file, from the list.
    nav(vic, "车辆档案")
    vic.get_by_role("link", name=fleet.car.plate).click()
    expect(vic.locator("main")).to_contain_text(fleet.car.plate)
    shot(vic, f"{w}-vehicles-05-vehicle-file")

    # The cost report: its dates come up filled in and both charts draw.
    nav(vic, "核算报表")
    expect(vic.locator("h1")).to_have_text("核算报表")
    dates = vic.locator("main form input[type=date]").all()
    assert len(dates) == 2 and all(field.input_value() for field in dates), "the report's dates came up empty"
    expect(vic.locator(".fleet-table").first).to_contain_text(fleet.car.plate)
    assert_charts_drawn(vic, ["fleet-cost", "fleet-units"])
    shot(vic, f"{w}-vehicles-06-cost-report")
