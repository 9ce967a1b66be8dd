"""The one gate: allowed moves, who may make them, 409 for a move the state does not allow, nothing half-done."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.tickets.helpers import at, file_leak
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import Event, Pause, Status
from tickets.services.requests import request_create
from tickets.services.transitions import allowed_actions, transition


def test_requester_cannot_accept_and_contractor_cannot_confirm(world):
    req = file_leak(world)
    with pytest.raises(ActionForbidden):
        transition(service_request=req, action="accept", actor=world.alice)
    with pytest.raises(ActionForbidden):
        transition(service_request=req, action="accept", actor=world.zed)  # another contractor's worker
    transition(service_request=req, action="accept", actor=world.wang)
    with pytest.raises(ActionForbidden):
        transition(service_request=req, action="confirm", actor=world.wang)


def test_move_not_allowed_from_state_is_409_and_writes_nothing(world, api):
    req = file_leak(world)
    events = Event.objects.count()
    with pytest.raises(TransitionNotAllowed):
        transition(service_request=req, action="start", actor=world.wang)
    assert Event.objects.count() == events
    response = api(world.wang).post(f"/api/v1/requests/{req.pk}/resume/", format="json")
    assert response.status_code == 409
    assert response.data["detail"] == "请求当前状态为“已提交”，不能恢复处理。"
    assert response.data["code"] == "transition_not_allowed"
    req.refresh_from_db()
    assert req.status == Status.SUBMITTED


def test_cancel_only_before_work_starts(world, api):
    req = file_leak(world)
    transition(service_request=req, action="accept", actor=world.wang)
    transition(service_request=req, action="start", actor=world.wang)
    response = api(world.alice).post(f"/api/v1/requests/{req.pk}/cancel/", format="json")
    assert response.status_code == 409
    other = file_leak(world)
    assert api(world.alice).post(f"/api/v1/requests/{other.pk}/cancel/", format="json").data["status"] == "cancelled"


def test_reject_needs_reason_in_chinese(world, api):
    req = file_leak(world)
    response = api(world.carol).post(f"/api/v1/requests/{req.pk}/reject/", {"note": ""}, format="json")
    assert response.status_code == 400
    assert response.data["note"] == ["请填写驳回理由。"]
    ok = api(world.carol).post(f"/api/v1/requests/{req.pk}/reject/", {"note": "重复报修"}, format="json")
    assert ok.data["status"] == "rejected"


def test_hold_awaiting_requester_pauses_clock_and_moves_deadline(world):
    req = file_leak(world, now=at(2026, 3, 10, 9, 0))  # urgent: resolution 240 business minutes → 14:30
    assert req.resolution_due == at(2026, 3, 10, 14, 30)
    transition(service_request=req, action="accept", actor=world.wang, now=at(2026, 3, 10, 9, 5))
    transition(
        service_request=req,
        action="hold",
        actor=world.wang,
        now=at(2026, 3, 10, 9, 30),
        hold_reason="awaiting_requester",
        note="报修人不在办公室",
    )
    req.refresh_from_db()
    assert req.paused_at == at(2026, 3, 10, 9, 30)
    assert req.resolution_due is None  # the clock is stopped: no deadline while waiting
    transition(service_request=req, action="resume", actor=world.wang, now=at(2026, 3, 10, 10, 30))
    req.refresh_from_db()
    assert req.resolution_due == at(2026, 3, 10, 15, 30)  # one paused hour later
    assert Pause.objects.get(request=req).ended_at == at(2026, 3, 10, 10, 30)
    event = req.events.filter(action="resume").get()
    assert datetime.fromisoformat(event.changes["resolution_due"][1]) == at(2026, 3, 10, 15, 30)


def test_hold_for_parts_does_not_stop_contractor_clock(world):
    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    transition(service_request=req, action="accept", actor=world.wang, now=at(2026, 3, 10, 9, 5))
    transition(
        service_request=req,
        action="hold",
        actor=world.wang,
        now=at(2026, 3, 10, 9, 30),
        hold_reason="awaiting_parts",
        note="等配件",
    )
    req.refresh_from_db()
    assert req.paused_at is None
    assert req.resolution_due == at(2026, 3, 10, 14, 30)


def test_hold_without_reason_is_refused_and_nothing_written(world):
    req = file_leak(world)
    transition(service_request=req, action="accept", actor=world.wang)
    with pytest.raises(ValidationError) as err:
        transition(service_request=req, action="hold", actor=world.wang, hold_reason="awaiting_requester", note=" ")
    assert "note" in err.value.message_dict
    req.refresh_from_db()
    assert req.status == Status.ACCEPTED
    assert not Pause.objects.exists()


def test_assign_only_to_own_contractor_staff(world, api):
    req = file_leak(world)
    response = api(world.bob).post(f"/api/v1/requests/{req.pk}/assign/", {"assignee": world.zed.pk}, format="json")
    assert response.status_code == 400
    assert "assignee" in response.data
    assert (
        api(world.wang)
        .post(f"/api/v1/requests/{req.pk}/assign/", {"assignee": world.wang.pk}, format="json")
        .status_code
        == 403
    )  # a worker is not the dispatcher


def test_reassign_by_bureau_restarts_clock_for_new_contractor(world):
    from datetime import date
    from decimal import Decimal

    from tickets.models import Contract

    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    other = Contract.objects.create(
        code="WY2-2026",
        name="备用物业合同",
        contractor=world.other_contractor,
        service_line="property",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        sla_policy=world.policy,
        calendar=world.calendar,
        monthly_fee=Decimal("5000"),
    )
    other.compounds.add(world.compound)
    with pytest.raises(ValidationError):
        transition(service_request=req, action="reassign", actor=world.carol, contract=other, note="")
    transition(
        service_request=req,
        action="reassign",
        actor=world.carol,
        contract=other,
        note="原服务商无人",
        now=at(2026, 3, 10, 10, 0),
    )
    req.refresh_from_db()
    assert req.contractor == world.other_contractor
    assert req.response_due == at(2026, 3, 10, 10, 30)
    assert "accept" in allowed_actions(req, world.zed)
    assert "accept" not in allowed_actions(req, world.wang)


def test_allowed_actions_offered_per_role(world):
    req = file_leak(world)
    assert set(allowed_actions(req, world.alice)) == {"cancel"}
    assert set(allowed_actions(req, world.bob)) == {"accept", "assign"}
    assert set(allowed_actions(req, world.carol)) == {"assign", "reject", "reassign"}
    assert allowed_actions(req, world.erin) == []


def test_approval_levels_hold_the_clock_until_approved(world):
    world.cleaning.needs_approval = True
    world.cleaning.save()
    world.contract.categories.add(world.cleaning)
    req = request_create(
        actor=world.alice, category=world.cleaning, room=world.room, title="大扫除", now=at(2026, 3, 10, 9, 0)
    )
    assert req.status == Status.PENDING_APPROVAL
    assert req.response_due is None
    with pytest.raises(ActionForbidden):
        transition(service_request=req, action="approve", actor=world.wang)
    transition(service_request=req, action="approve", actor=world.carol, now=at(2026, 3, 10, 11, 0))
    req.refresh_from_db()
    assert req.status == Status.SUBMITTED
    assert req.clock_started_at == at(2026, 3, 10, 11, 0)
    assert req.response_due == at(2026, 3, 10, 12, 0)  # normal urgency: 60 business minutes
