"""The chain through the API for requester, approvers, dispatcher and driver; denials; error answers."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from fleet.models import TripStage, VehicleTrip
from tests.fleet.conftest import at

BASE = "/api/v1/fleet/trips/"


def _payload(fleet, **kw):
    data = {
        "category": fleet.ref.trip_category.pk,
        "compound": fleet.w.compound.pk,
        "purpose": "调研",
        "passenger_count": 2,
        "passenger_names": "李爱丽,孙审核",
        "origin": "南院",
        "destination": "开发区",
        "slot_start": "2026-03-10T14:00:00+08:00",
        "slot_end": "2026-03-10T17:00:00+08:00",
    }
    data.update(kw)
    return data


def test_chain_through_the_api(fleet, api):
    alice, uma, vic, dan, du = (
        api(fleet.w.alice),
        api(fleet.w.uma),
        api(fleet.w.vic),
        api(fleet.dan),
        api(fleet.du.user),
    )
    with time_machine.travel(at(3, 10, 9), tick=False):
        created = alice.post(BASE, _payload(fleet), format="json")
        assert created.status_code == 201, created.data
        pk = created.data["id"]
        assert created.data["stage"] == "requested" and created.data["actions"] == ["cancel"]
        assert uma.get(f"{BASE}{pk}/").data["actions"] == ["approve", "reject"]
        assert vic.post(f"{BASE}{pk}/approve/", {}, format="json").status_code == 403  # not the bureau's turn
        assert uma.post(f"{BASE}{pk}/approve/", {"note": "同意"}, format="json").status_code == 200
        r = vic.post(f"{BASE}{pk}/approve/", {}, format="json")
        assert r.status_code == 200 and r.data["stage"] == "approved"
        cand = dan.get(f"{BASE}{pk}/candidates/")
        assert cand.status_code == 200
        assert {v["plate"] for v in cand.data["vehicles"]} == {"京A·G0001", "京A·G0002", "京A·G0003", "京A·G0004"}
        assert {d["name"] for d in cand.data["drivers"]} == {"杜师傅", "丁师傅"}  # not the expired licence
        r = dan.post(f"{BASE}{pk}/dispatch/", {"vehicle": fleet.car.pk, "driver": fleet.du.pk}, format="json")
        assert r.status_code == 200, r.data
        assert r.data["vehicle_plate"] == "京A·G0001" and r.data["status"] == "accepted"
    with time_machine.travel(at(3, 10, 14), tick=False):
        assert du.get(f"{BASE}{pk}/").data["actions"] == ["depart"]
        r = du.post(f"{BASE}{pk}/depart/", {"odometer": 20000}, format="json")
        assert r.status_code == 200 and r.data["stage"] == "out"
    with time_machine.travel(at(3, 10, 16, 10), tick=False):
        r = du.post(f"{BASE}{pk}/return/", {"odometer": 19990}, format="json")
        assert r.status_code == 400 and "odometer" in r.data
        r = du.post(f"{BASE}{pk}/return/", {"odometer": 20030, "tolls": "20", "parking": "5"}, format="json")
        assert r.status_code == 200 and r.data["distance_km"] == 30
        r = dan.post(f"{BASE}{pk}/cost/", format="json")
        # 30 km × 2.50 = 75; 14:00–16:10 = 130 min → 2.5 h × 30 = 75; + 20 + 5 = 175
        assert r.status_code == 200 and r.data["cost_total"] == "175.00"
        assert dan.post(f"{BASE}{pk}/cost/", format="json").status_code == 409
        r = alice.post(f"{BASE}{pk}/rate/", {"rating": 5}, format="json")
        assert r.status_code == 200 and r.data["stage"] == "rated" and r.data["status"] == "closed"


def test_bad_input_answers(fleet, api, approved):
    alice = api(fleet.w.alice)
    with time_machine.travel(at(3, 10, 9), tick=False):
        r = alice.post(BASE, _payload(fleet, slot_end="2026-03-10T13:00:00+08:00"), format="json")
        assert r.status_code == 400 and "slot_end" in r.data
        r = alice.post(BASE, _payload(fleet, passenger_count=30), format="json")
        assert r.status_code == 400 and "passenger_count" in r.data
    trip = approved(passenger_count=5)
    dan = api(fleet.dan)
    r = dan.post(f"{BASE}{trip.pk}/dispatch/", {"vehicle": fleet.car.pk, "driver": fleet.old.pk}, format="json")
    assert r.status_code == 400 and set(r.data) == {"vehicle", "driver"}
    assert "座位" in r.data["vehicle"][0] and "过期" in r.data["driver"][0]
    r = dan.post(f"{BASE}{trip.pk}/dispatch/", {"vehicle": fleet.bus.pk, "driver": fleet.du.pk}, format="json")
    assert r.status_code == 200
    other = approved(passenger_count=5, slot_start=at(3, 10, 16), slot_end=at(3, 10, 18))
    r = dan.post(f"{BASE}{other.pk}/dispatch/", {"vehicle": fleet.bus.pk, "driver": fleet.ding.pk}, format="json")
    assert r.status_code == 409 and "京A·G0004" in r.data["detail"]
    assert VehicleTrip.objects.get(pk=other.pk).stage == TripStage.APPROVED
    # a step out of order
    assert api(fleet.du.user).post(f"{BASE}{other.pk}/return/", {"odometer": 1}, format="json").status_code == 403
    assert dan.post(f"{BASE}{other.pk}/return/", {"odometer": 1}, format="json").status_code == 409


def test_denials(fleet, api, apply, approved):
    trip = approved()
    anon = api()
    assert anon.get(BASE).status_code in (401, 403)
    assert anon.post(BASE, _payload(fleet), format="json").status_code in (401, 403)
    assert anon.get("/api/v1/fleet/vehicles/").status_code in (401, 403)
    # another requester, of another unit, does not see the trip at all
    erin = api(fleet.w.erin)
    assert erin.get(f"{BASE}{trip.pk}/").status_code == 404
    assert erin.get(BASE).data["count"] == 0
    assert erin.post(f"{BASE}{trip.pk}/cancel/", format="json").status_code == 404
    # a driver of another car-service contractor sees nothing and cannot dispatch
    zhou = api(fleet.zhou.user)
    assert zhou.get(f"{BASE}{trip.pk}/").status_code == 404
    assert (
        zhou.post(
            f"{BASE}{trip.pk}/dispatch/", {"vehicle": fleet.car.pk, "driver": fleet.zhou.pk}, format="json"
        ).status_code
        == 404
    )
    assert zhou.get("/api/v1/fleet/drivers/").data["results"][0]["name"] == "周师傅"  # only its own company
    # the property dispatcher (other service line) sees no trips and no vehicles
    bob = api(fleet.w.bob)
    assert bob.get(f"{BASE}{trip.pk}/").status_code == 404
    assert bob.get("/api/v1/fleet/vehicles/").status_code == 403
    # requesters see no vehicle files, board or reports
    alice = api(fleet.w.alice)
    for url in (
        "/api/v1/fleet/vehicles/",
        "/api/v1/fleet/board/",
        "/api/v1/fleet/reports/",
        "/api/v1/fleet/alerts/",
        "/api/v1/fleet/drivers/",
    ):
        assert alice.get(url).status_code == 403, url
    # the requester cannot dispatch her own trip; the car-service driver cannot approve
    assert (
        alice.post(
            f"{BASE}{trip.pk}/dispatch/", {"vehicle": fleet.car.pk, "driver": fleet.du.pk}, format="json"
        ).status_code
        == 403
    )
    pending = apply(slot_start=at(3, 12, 9), slot_end=at(3, 12, 10))
    assert api(fleet.du.user).post(f"{BASE}{pending.pk}/approve/", format="json").status_code == 403
    # a requester may not file an emergency trip, nor a vehicle record
    r = alice.post(
        f"{BASE}emergency/",
        {**_payload(fleet, category=fleet.ref.emergency_category.pk), "requester": fleet.w.alice.pk},
        format="json",
    )
    assert r.status_code == 403
    # the core's own endpoint cannot skip the trip's steps: fleet owns accept (409, nothing written)
    events = trip.request.events.count()
    r = api(fleet.dan).post(f"/api/v1/requests/{trip.request_id}/accept/", format="json")
    assert r.status_code == 409
    assert r.data["detail"] == "“公务用车”的“受理”请在其业务页面办理。"
    assert trip.request.events.count() == events


def test_lists_cost_a_fixed_number_of_queries(fleet, api, apply, approved, django_assert_max_num_queries):
    from tickets.models import User

    def vic_get(url):  # as each HTTP request does, with the user loaded afresh (nothing cached on it)
        return api(User.objects.get(pk=fleet.w.vic.pk)).get(url)

    vic = api(fleet.w.vic)
    approved()
    # One waiting for its unit: whether the bureau stands in for a unit without an approver reads the unit tree,
    # once per list.
    apply(slot_start=at(3, 21, 9), slot_end=at(3, 21, 10))
    with CaptureQueriesContext(connection) as one:
        assert vic_get(BASE).status_code == 200
    for day in range(11, 17):
        apply(slot_start=at(3, day, 9), slot_end=at(3, day, 10))
    t = approved(slot_start=at(3, 20, 9), slot_end=at(3, 20, 10))
    from fleet.steps import trip_dispatch

    trip_dispatch(trip=t, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 10))
    with CaptureQueriesContext(connection) as many:
        r = vic_get(BASE)
    assert r.data["count"] == 9
    assert len(many) == len(one)
    for url in (
        "/api/v1/fleet/vehicles/",
        "/api/v1/fleet/board/?date=2026-03-20&days=7",
        "/api/v1/fleet/alerts/",
        "/api/v1/fleet/drivers/",
    ):
        with CaptureQueriesContext(connection) as q:
            assert vic.get(url).status_code == 200
        assert len(q) <= 6, (url, len(q))


def test_reports_and_export(fleet, api, approved):
    from fleet.steps import trip_cost, trip_depart, trip_dispatch, trip_return

    def run(trip, vehicle, driver, out, back, km, tolls="0", fuel="0"):
        trip_dispatch(trip=trip, actor=fleet.dan, vehicle=vehicle, driver=driver, now=at(3, 9, 10))
        trip_depart(trip=trip, actor=fleet.dan, odometer=1000, at=out, now=out)
        trip_return(trip=trip, actor=fleet.dan, odometer=1000 + km, at=back, now=back, tolls=tolls, fuel=fuel)
        trip_cost(trip=trip, actor=fleet.w.vic, now=back)

    a = approved()
    run(a, fleet.car, fleet.du, at(3, 10, 14), at(3, 10, 16), 40, tolls="12", fuel="80")  # 100 + 60 + 12 + 80 = 252
    a.refresh_from_db()
    assert str(a.cost_total) == "252.00"
    b = approved(slot_start=at(3, 11, 9), slot_end=at(3, 11, 12))
    run(b, fleet.ev, fleet.ding, at(3, 11, 9), at(3, 11, 10, 10), 20)  # 50 + 1.5 h × 30 = 45 → 95
    r = api(fleet.w.vic).get("/api/v1/fleet/reports/?start=2026-03-01&end=2026-03-31")
    assert r.status_code == 200
    lines = {v["plate"]: v for v in r.data["vehicles"]}
    car = lines["京A·G0001"]
    # The service (km 100 + time 60) and the trip's records (toll 12, fuel 80), each once: the car's total is the
    # trip's cost, not 252 + 92.
    assert (car["km"], car["trip_charges"], car["running"]) == (40, "160.00", {"toll": "12.00", "fuel": "80.00"})
    assert (car["running_total"], car["total"]) == ("92.00", "252.00")
    assert (lines["京A·G0002"]["trips"], str(lines["京A·G0002"]["hours"])) == (1, "1.17")
    # March 2026 has 22 working days → 176 h; the car was out 2 h → 1.1 %
    assert str(lines["京A·G0001"]["utilisation_percent"]) == "1.1"
    assert [(u["name"], u["trips"], str(u["cost"])) for u in r.data["units"]] == [("发改委", 2, "347.00")]
    x = api(fleet.w.vic).get("/api/v1/fleet/reports/export.xlsx?start=2026-03-01&end=2026-03-31")
    assert x.status_code == 200
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames == ["单车核算", "单位用车", "年度运行费用"]
    assert wb["单位用车"]["E2"].value == pytest.approx(347.0)


def test_vehicle_file_through_the_api(fleet, api):
    vic = api(fleet.w.vic)
    r = vic.post(
        f"/api/v1/fleet/vehicles/{fleet.car.pk}/records/",
        {"kind": "insurance", "date": "2026-01-05", "amount": "4800"},
        format="json",
    )
    assert r.status_code == 400 and "valid_until" in r.data
    r = vic.post(
        f"/api/v1/fleet/vehicles/{fleet.car.pk}/records/",
        {"kind": "insurance", "date": "2026-01-05", "valid_until": "2026-12-31", "amount": "4800"},
        format="json",
    )
    assert r.status_code == 201
    assert (
        api(fleet.du.user)
        .post(f"/api/v1/fleet/vehicles/{fleet.car.pk}/records/", {"kind": "fuel", "date": "2026-01-05"}, format="json")
        .status_code
        == 403
    )
    detail = api(fleet.du.user).get(f"/api/v1/fleet/vehicles/{fleet.car.pk}/")
    assert detail.status_code == 200 and detail.data["records"][0]["kind"] == "insurance"
