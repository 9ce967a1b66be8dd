"""The trip's one table and one gate, walked pair by pair; the core's refusals on a trip, before anything is written."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import transaction

from fleet.models import TripApproval, TripStage, VehicleRecord, VehicleTrip
from fleet.steps import (
    STEPS,
    trip_approve,
    trip_approve_posthoc,
    trip_cancel,
    trip_cost,
    trip_depart,
    trip_dispatch,
    trip_rate,
    trip_reject,
    trip_return,
)
from tests.fleet.conftest import at
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import Complaint, Event, Feedback, Notification, ServiceRequest, Status
from tickets.services.transitions import MOVES, transition

T = TripStage


class Rollback(Exception):
    pass


@contextmanager
def tried():
    """Run a step and roll everything back, so each pair starts from the same rows."""
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def snapshot(trip: VehicleTrip) -> tuple:
    row = VehicleTrip.objects.filter(pk=trip.pk).values().get()
    req = ServiceRequest.objects.filter(pk=trip.request_id).values().get()
    counts = tuple(m.objects.count() for m in (Event, Notification, TripApproval, VehicleRecord, Feedback, Complaint))
    return row, req, counts


def build_trips(fleet, apply) -> dict[TripStage, VehicleTrip]:
    """One trip in each stage, each on its own day so bookings never overlap."""
    w = fleet.w
    trips: dict[TripStage, VehicleTrip] = {}
    for n, stage in enumerate(TripStage):
        day = 10 + n
        trip = apply(slot_start=at(3, day, 14), slot_end=at(3, day, 17), now=at(3, 10, 8))
        trips[stage] = trip
        if stage == T.REQUESTED:
            continue
        if stage == T.CANCELLED:
            trip_cancel(trip=trip, actor=w.alice, now=at(3, 10, 8, 30))
            continue
        trip_approve(trip=trip, actor=w.uma, now=at(3, 10, 8, 30))
        if stage == T.REJECTED:
            trip_reject(trip=trip, actor=w.vic, note="超标准用车", now=at(3, 10, 8, 40))
            continue
        trip_approve(trip=trip, actor=w.vic, now=at(3, 10, 8, 40))
        if stage == T.APPROVED:
            continue
        trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 8, 50))
        if stage == T.DISPATCHED:
            continue
        trip_depart(trip=trip, actor=fleet.du.user, odometer=20000 + 1000 * n, now=at(3, day, 14))
        if stage == T.OUT:
            continue
        trip_return(trip=trip, actor=fleet.du.user, odometer=20000 + 1000 * n + 30, now=at(3, day, 16))
        if stage == T.COSTED:
            trip_cost(trip=trip, actor=fleet.dan, now=at(3, day, 17))
        if stage == T.RATED:
            trip_rate(trip=trip, actor=w.alice, rating=5, now=at(3, day, 17))
    for stage, trip in trips.items():
        trips[stage] = VehicleTrip.objects.get(pk=trip.pk)
        assert trips[stage].stage == stage
    return trips


def step_call(fleet, name: str, trip: VehicleTrip):
    """The party the table names for the step, with valid input, at a moment that suits the trip's slot."""
    w = fleet.w
    now = trip.slot_start + timedelta(hours=1)
    req = ServiceRequest.objects.get(pk=trip.request_id)
    approver = w.uma if req.approval_stage == 0 else w.vic
    calls = {
        "approve": lambda: trip_approve(trip=trip, actor=approver, note="同意", now=now),
        "reject": lambda: trip_reject(trip=trip, actor=w.vic, note="不符合规定", now=now),
        "cancel": lambda: trip_cancel(trip=trip, actor=w.alice, note="会议取消", now=now),
        "approve_posthoc": lambda: trip_approve_posthoc(trip=trip, actor=w.uma, now=now),
        "dispatch": lambda: trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.ev, driver=fleet.ding, now=now),
        "depart": lambda: trip_depart(trip=trip, actor=fleet.dan, odometer=99000, now=now),
        "return": lambda: trip_return(trip=trip, actor=fleet.dan, odometer=99999, now=now),
        "cost": lambda: trip_cost(trip=trip, actor=fleet.dan, now=now),
        "rate": lambda: trip_rate(trip=trip, actor=w.alice, rating=4, now=now),
    }
    return calls[name]


def test_every_stage_and_step_of_the_trip_table(fleet, apply):
    trips = build_trips(fleet, apply)
    for stage, trip in trips.items():
        for name, step in STEPS.items():
            allowed = stage in step.moves and name != "approve_posthoc"  # posthoc: emergency trips only (below)
            if name == "cost" and trip.costed_at is not None:
                allowed = False
            before = snapshot(trip)
            with tried():
                if allowed:
                    step_call(fleet, name, trip)()
                    after = VehicleTrip.objects.get(pk=trip.pk)
                    expected = step.moves[stage]
                    if name == "approve" and ServiceRequest.objects.get(pk=trip.request_id).approval_stage < 2:
                        expected = stage  # the unit approved; the bureau is still to approve
                    assert after.stage == expected, (stage, name)
                else:
                    with pytest.raises((TransitionNotAllowed, ActionForbidden)):
                        step_call(fleet, name, trip)()
                    assert snapshot(trip) == before, (stage, name)
            assert snapshot(trip) == before


def _requests_at_each_status(world):
    """One core request (the core's own kind) in each status."""
    from tests.tickets.helpers import at as t
    from tests.tickets.helpers import file_leak

    def moved(*steps):
        req = file_leak(world, now=t(2026, 3, 10, 9))
        for action, actor, kw in steps:
            transition(service_request=req, action=action, actor=actor, now=t(2026, 3, 10, 10), **kw)
        return ServiceRequest.objects.get(pk=req.pk)

    accept = ("accept", world.wang, {})
    start = ("start", world.wang, {})
    resolve = ("resolve", world.wang, {"note": "已修"})
    world.cleaning.needs_approval = True
    world.cleaning.save(update_fields=["needs_approval"])
    from tickets.services.requests import request_create

    pending = request_create(actor=world.alice, category=world.cleaning, compound=world.compound, title="保洁")
    return {
        Status.PENDING_APPROVAL: pending,
        Status.SUBMITTED: moved(),
        Status.ACCEPTED: moved(accept),
        Status.IN_PROGRESS: moved(accept, start),
        Status.ON_HOLD: moved(accept, ("hold", world.wang, {"hold_reason": "awaiting_parts", "note": "等配件"})),
        Status.RESOLVED: moved(accept, resolve),
        Status.CLOSED: moved(accept, resolve, ("confirm", world.alice, {})),
        Status.REOPENED: moved(accept, resolve, ("reopen", world.alice, {"note": "还漏"})),
        Status.CANCELLED: moved(("cancel", world.alice, {})),
        Status.REJECTED: moved(("reject", world.carol, {"note": "重复"})),
    }


def _core_snapshot(req):
    return ServiceRequest.objects.filter(pk=req.pk).values().get(), Event.objects.count(), Notification.objects.count()


def test_every_status_and_action_of_the_core_table(world):
    requests = _requests_at_each_status(world)
    assert set(requests) == set(Status)
    party_actor = {
        "requester": world.alice,
        "contractor": world.wang,
        "dispatcher": world.bob,
        "bureau": world.carol,
        "approver": world.carol,  # the pending request waits for the bureau's approval
        "system": None,
    }
    inputs = {
        "assign": {"assignee": world.wang},
        "hold": {"hold_reason": "awaiting_parts", "note": "等配件"},
        "resolve": {"note": "已修"},
        "reopen": {"note": "还漏"},
        "reject": {"note": "重复"},
        "reassign": {"contract": world.contract, "note": "改由本合同"},
    }
    for status, req in requests.items():
        for action, move in MOVES.items():
            actor = party_actor[sorted(move.parties)[0]]
            before = _core_snapshot(req)
            with tried():
                if status in move.sources:
                    done = transition(service_request=req, action=action, actor=actor, **inputs.get(action, {}))
                    assert move.target is None or done.status == move.target or action == "approve", (status, action)
                else:  # 409, or 403 where the party itself depends on the status (the approver of the level)
                    with pytest.raises((TransitionNotAllowed, ActionForbidden)):
                        transition(service_request=req, action=action, actor=actor, **inputs.get(action, {}))
                    assert _core_snapshot(req) == before, (status, action)
                # a stranger (another unit's requester) may take nothing, from any status
                with pytest.raises((ActionForbidden, TransitionNotAllowed)):
                    transition(service_request=req, action=action, actor=world.erin, **inputs.get(action, {}))
            assert _core_snapshot(req) == before


def test_reopen_reject_and_close_of_a_costed_trip_answer_409_and_change_nothing(fleet, approved, api):
    w = fleet.w
    trip = approved()
    trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 9, 40))
    trip_depart(trip=trip, actor=fleet.du.user, odometer=12000, now=at(3, 10, 14))
    trip_return(trip=trip, actor=fleet.du.user, odometer=12050, now=at(3, 10, 16))
    trip_cost(trip=trip, actor=fleet.dan, now=at(3, 10, 17))
    url = f"/api/v1/requests/{trip.request_id}"
    before = snapshot(trip)
    r = api(w.alice).post(f"{url}/reopen/", {"note": "司机绕路"}, format="json")
    assert r.status_code == 409 and r.data["detail"] == "“公务用车”不能重开。"
    r = api(w.vic).post(f"{url}/reject/", {"note": "撤销"}, format="json")
    assert r.status_code == 409
    r = api(w.vic).post(f"{url}/close/", format="json")
    assert r.status_code == 409 and r.data["detail"] == "行程已回场并核算，不能关闭。"
    assert snapshot(trip) == before
    assert VehicleTrip.objects.get(pk=trip.pk).stage == T.COSTED
    offered = api(w.alice).get(f"{url}/").data["allowed_actions"]
    assert "reopen" not in offered and "close" not in api(w.vic).get(f"{url}/").data["allowed_actions"]
    # the rating still works, and a low one opens a complaint instead of reopening a trip that was driven
    trip_rate(trip=trip, actor=w.alice, rating=1, comment="迟到半小时", now=at(3, 10, 18))
    trip.refresh_from_db()
    assert trip.stage == T.RATED and trip.request.status == Status.CLOSED
    assert Complaint.objects.filter(request=trip.request).count() == 1


def test_unrated_returned_trip_is_still_closed_when_its_rating_window_ends(fleet, approved):
    from tickets.services.feedback import expire_feedback

    trip = approved()
    trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 9, 40))
    trip_depart(trip=trip, actor=fleet.du.user, odometer=12000, now=at(3, 10, 14))
    trip_return(trip=trip, actor=fleet.du.user, odometer=12050, now=at(3, 10, 16))
    assert expire_feedback(now=at(3, 20, 9)) == 1
    trip.refresh_from_db()
    assert trip.request.status == Status.CLOSED and trip.stage == T.RETURNED


def test_approvals_through_the_core_api_record_the_trip_approval(fleet, apply, api):
    w = fleet.w
    trip = apply()
    url = f"/api/v1/requests/{trip.request_id}"
    assert "approve" in api(w.uma).get(f"{url}/").data["allowed_actions"]
    assert api(w.uma).post(f"{url}/approve/", {"note": "同意"}, format="json").status_code == 200
    assert VehicleTrip.objects.get(pk=trip.pk).stage == T.REQUESTED
    assert api(w.vic).post(f"{url}/approve/", format="json").status_code == 200
    trip.refresh_from_db()
    assert trip.stage == T.APPROVED
    assert [(a.level, a.approver) for a in trip.approvals.all()] == [("unit", w.uma), ("bureau", w.vic)]
    # what fleet owns is not offered by the core to the car service's dispatcher
    assert api(fleet.dan).get(f"{url}/").data["allowed_actions"] == []
    # a cancel through the core releases the trip as fleet's own cancel would
    assert api(w.alice).post(f"{url}/cancel/", format="json").status_code == 200
    trip.refresh_from_db()
    assert (trip.stage, trip.booked) == (T.CANCELLED, False)


def test_core_filing_of_a_trip_category_is_refused(fleet):
    w = fleet.w
    from tickets.services.requests import request_create

    before = ServiceRequest.objects.count(), Event.objects.count()
    with pytest.raises(TransitionNotAllowed, match="请在其业务页面办理"):
        request_create(actor=w.alice, category=fleet.ref.trip_category, compound=w.compound, title="用车")
    assert (ServiceRequest.objects.count(), Event.objects.count()) == before
