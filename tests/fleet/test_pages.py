"""The chain through the pages: apply, approve, dispatch board, driver's phone, vehicle file, reports."""

from __future__ import annotations

import re

import time_machine
from django.test import Client

from fleet.models import TripStage, VehicleTrip
from tests.fleet.conftest import at


def _client(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def test_chain_through_the_pages(fleet):
    alice, uma, vic, dan, du = (_client(u) for u in (fleet.w.alice, fleet.w.uma, fleet.w.vic, fleet.dan, fleet.du.user))
    form = {
        "category": fleet.ref.trip_category.pk,
        "compound": fleet.w.compound.pk,
        "purpose": "赴区政府调研",
        "passenger_count": 3,
        "passenger_names": "甲,乙,丙",
        "origin": "南院",
        "destination": "区政府",
        "slot_start": "2026-03-10T14:00",
        "slot_end": "2026-03-10T12:00",
        "scope": "in_city",
        "vehicle_category": "other",
    }
    with time_machine.travel(at(3, 10, 9), tick=False):
        assert alice.get("/fleet/apply/").status_code == 200
        r = alice.post("/fleet/apply/", form)
        assert r.status_code == 200 and "结束时间必须晚于开始时间" in r.content.decode()
        r = alice.post("/fleet/apply/", {**form, "slot_end": "2026-03-10T17:00"})
        assert r.status_code == 302, r.content.decode()[:2000]
        trip = VehicleTrip.objects.get()
        assert "待我审批" in uma.get("/fleet/approvals/").content.decode()
        assert trip.request.number in uma.get("/fleet/approvals/").content.decode()
        assert uma.post(f"/fleet/trips/{trip.pk}/do/approve/", {"note": "同意"}).status_code == 302
        assert trip.request.number in vic.get("/fleet/approvals/").content.decode()
        assert vic.post(f"/fleet/trips/{trip.pk}/do/approve/", {}).status_code == 302
        board = dan.get("/fleet/board/?date=2026-03-10&days=7")
        assert board.status_code == 200 and trip.request.number in board.content.decode()
        detail = dan.get(f"/fleet/trips/{trip.pk}/").content.decode()
        # offered: free, big enough (3 passengers: not a 4-seat? yes 4 ≥ 3), no expired-licence driver
        assert "京A·G0002" in detail and "欧师傅" not in detail
        r = dan.post(f"/fleet/trips/{trip.pk}/do/dispatch/", {"vehicle": fleet.ev.pk, "driver": fleet.du.pk})
        assert r.status_code == 302
        assert dan.get(f"/fleet/trips/{trip.pk}/note/").status_code == 200
        assert "公务用车派车单" in dan.get(f"/fleet/trips/{trip.pk}/note/").content.decode()
    with time_machine.travel(at(3, 10, 14), tick=False):
        phone = du.get("/fleet/driver/").content.decode()
        assert "京A·G0002" in phone
        assert du.post(f"/fleet/trips/{trip.pk}/do/depart/", {"odometer": 500}).status_code == 302
    with time_machine.travel(at(3, 10, 16), tick=False):
        r = du.post(f"/fleet/trips/{trip.pk}/do/return/", {"odometer": 499, "tolls": "0", "parking": "0", "fuel": "0"})
        assert r.status_code == 400 and "不能低于出车里程" in r.content.decode()
        r = du.post(f"/fleet/trips/{trip.pk}/do/return/", {"odometer": 520, "tolls": "5", "parking": "0", "fuel": "0"})
        assert r.status_code == 302
        assert vic.post(f"/fleet/trips/{trip.pk}/do/cost/").status_code == 302
        assert alice.post(f"/fleet/trips/{trip.pk}/do/rate/", {"rating": "5"}).status_code == 302
    trip.refresh_from_db()
    # 20 km × 2.5 = 50; 2 h × 30 = 60; + 5 tolls = 115
    assert trip.stage == TripStage.RATED and str(trip.cost_total) == "115.00"
    assert "115.00" in alice.get(f"/fleet/trips/{trip.pk}/").content.decode()


def test_page_denials_and_conflict(fleet, approved):
    trip = approved()
    erin, alice, zhou = _client(fleet.w.erin), _client(fleet.w.alice), _client(fleet.zhou.user)
    assert erin.get(f"/fleet/trips/{trip.pk}/").status_code == 404
    assert zhou.get(f"/fleet/trips/{trip.pk}/").status_code == 404
    assert zhou.post(f"/fleet/trips/{trip.pk}/do/dispatch/", {"vehicle": fleet.car.pk}).status_code == 404
    for url in ("/fleet/board/", "/fleet/vehicles/", f"/fleet/vehicles/{fleet.car.pk}/", "/fleet/reports/"):
        assert alice.get(url).status_code == 403, url
    anon = Client()
    r = anon.get("/fleet/")
    assert r.status_code == 302 and "login" in r["Location"]
    assert anon.post(f"/fleet/trips/{trip.pk}/do/cancel/").status_code == 302
    assert VehicleTrip.objects.get(pk=trip.pk).stage == TripStage.APPROVED
    # the requester is not the dispatcher
    r = alice.post(f"/fleet/trips/{trip.pk}/do/dispatch/", {"vehicle": fleet.car.pk, "driver": fleet.du.pk})
    assert r.status_code == 403
    # a busy vehicle is not even offered on the page
    from fleet.steps import trip_dispatch

    trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 10))
    other = approved(slot_start=at(3, 10, 15), slot_end=at(3, 10, 16))
    page = _client(fleet.dan).get(f"/fleet/trips/{other.pk}/").content.decode()
    assert f'value="{fleet.car.pk}">京A·G0001' not in page
    r = _client(fleet.dan).post(
        f"/fleet/trips/{other.pk}/do/dispatch/", {"vehicle": fleet.car.pk, "driver": fleet.ding.pk}
    )
    assert r.status_code == 400  # not among the offered choices: form error


def test_vehicle_file_and_report_pages(fleet):
    vic = _client(fleet.w.vic)
    assert vic.get("/fleet/vehicles/").status_code == 200
    r = vic.post(f"/fleet/vehicles/{fleet.car.pk}/", {"kind": "inspection", "date": "2026-03-01", "amount": "300"})
    assert r.status_code == 200 and "保险和年检须填写有效期" in r.content.decode()
    r = vic.post(
        f"/fleet/vehicles/{fleet.car.pk}/",
        {"kind": "inspection", "date": "2026-03-01", "valid_until": "2027-02-28", "amount": "300"},
    )
    assert r.status_code == 302
    assert "2027-02-28" in vic.get(f"/fleet/vehicles/{fleet.car.pk}/").content.decode()
    du = _client(fleet.du.user)
    assert du.get(f"/fleet/vehicles/{fleet.car.pk}/").status_code == 200
    assert du.post(f"/fleet/vehicles/{fleet.car.pk}/", {"kind": "fuel", "date": "2026-03-01"}).status_code == 403
    r = vic.get("/fleet/reports/?start=2026-03-01&end=2026-03-31")
    assert r.status_code == 200 and "京A·G0001" in r.content.decode()
    x = vic.get("/fleet/reports/?start=2026-03-01&end=2026-03-31&format=xlsx")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")


def test_home_tile_and_navigation_come_from_fleets_kinds(fleet):
    """The registry's entries of fleet's kinds, per role and service line: each link shown is a page that opens."""
    w = fleet.w
    home = _client(w.alice).get("/").content.decode()
    assert '<span class="tile-label">用车</span>' in home and 'href="/fleet/apply/"' in home
    assert '<a href="/fleet/">我的用车</a>' in home and "调度台" not in home
    expected = {
        w.uma: ["/fleet/"],  # the unit approver's approvals are the core's 待审批 (every kind that needs one)
        w.vic: ["/fleet/approvals/", "/fleet/board/", "/fleet/vehicles/", "/fleet/reports/"],
        fleet.dan: ["/fleet/board/", "/fleet/vehicles/", "/fleet/reports/"],
        fleet.du.user: ["/fleet/driver/"],
        w.carol: [],  # the property supervisor
        w.bob: [],  # the property dispatcher
        w.wang: [],  # a property worker
    }
    for user, links in expected.items():
        client = _client(user)
        page = client.get("/requests/").content.decode()
        shown = [href for href in re.findall(r'<a href="(/fleet/[^"]*)">', page)]
        assert shown == links, user
        assert all(client.get(href).status_code == 200 for href in shown), user


def test_core_filing_page_leaves_trips_to_fleet(fleet):
    """Fleet owns the filing of its kinds: the core's form neither lists a trip category nor takes one."""
    alice = _client(fleet.w.alice)
    page = alice.get("/requests/new/").content.decode()
    trip_category = fleet.ref.trip_category.pk
    assert f"?category={trip_category}" not in page and f"?category={fleet.w.leak.pk}" in page
    step = alice.get(f"/requests/new/?category={trip_category}&compound={fleet.w.compound.pk}&step=3")
    assert step.status_code == 200 and 'name="title"' not in step.content.decode()  # back to choosing a category
