"""Issue #12 §6, permission holes, through the API as a user would: another worker's assigned request, a
reassignment to a contract that cannot take the request, internal notes for another line's supervisor, and
assignee ids that cannot be probed."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.tickets.helpers import at, file_leak
from tickets.models import Contract, Event, Role, Status
from tickets.services.comments import comment_add
from tickets.services.transitions import allowed_actions, transition


@pytest.fixture
def li(world):
    """A second worker of the same contractor as wang."""
    return UserFactory(username="li", full_name="李师傅", contractor=world.contractor, role=Role.WORKER)


def _assigned_to_wang(world, *, start=True):
    req = file_leak(world)
    transition(service_request=req, action="assign", actor=world.bob, assignee=world.wang, now=at(2026, 3, 10, 9, 5))
    transition(service_request=req, action="accept", actor=world.wang, now=at(2026, 3, 10, 9, 6))
    if start:
        transition(service_request=req, action="start", actor=world.wang, now=at(2026, 3, 10, 9, 7))
    req.refresh_from_db()
    return req


@pytest.mark.parametrize(
    ("action", "body", "start"),
    [
        ("resolve", {"note": "处理完毕"}, True),
        ("hold", {"hold_reason": "awaiting_parts", "note": "等配件"}, True),
        ("start", {}, False),
    ],
)
def test_another_worker_may_not_work_an_assigned_request(world, api, li, action, body, start):
    req = _assigned_to_wang(world, start=start)
    status, events = req.status, Event.objects.filter(request=req).count()
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
        assert action not in api(li).get(f"/api/v1/requests/{req.pk}/").data["allowed_actions"]
        response = api(li).post(f"/api/v1/requests/{req.pk}/{action}/", body, format="json")
        assert response.status_code == 403, response.data
        req.refresh_from_db()
        assert req.status == status and Event.objects.filter(request=req).count() == events
        # the assignee and the dispatcher still may
        assert action in allowed_actions(req, world.wang)
        assert action in allowed_actions(req, world.bob)
        ok = api(world.bob).post(f"/api/v1/requests/{req.pk}/{action}/", body, format="json")
        assert ok.status_code == 200, ok.data


def test_an_unassigned_request_is_open_to_any_worker_of_the_contractor(world, api, li):
    req = file_leak(world)
    with time_machine.travel(at(2026, 3, 10, 9, 10), tick=False):
        assert api(li).post(f"/api/v1/requests/{req.pk}/accept/", format="json").status_code == 200
        assert api(li).post(f"/api/v1/requests/{req.pk}/start/", format="json").status_code == 200
    req.refresh_from_db()
    assert req.assignee == li and req.status == Status.IN_PROGRESS


def _other_contract(world, **kw):
    values = {
        "code": "WY2",
        "name": "备用物业合同",
        "contractor": world.other_contractor,
        "service_line": "property",
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 12, 31),
        "sla_policy": world.policy,
        "calendar": world.calendar,
        "monthly_fee": Decimal("5000"),
    } | kw
    return Contract.objects.create(**values)


@pytest.mark.parametrize(
    ("ends_on", "compound", "message"),
    [
        (date(2026, 2, 28), "compound", "该合同不在有效期内。"),
        (date(2026, 12, 31), "other_compound", "该合同不覆盖请求所在院区。"),
    ],
)
def test_reassign_to_a_contract_that_cannot_take_the_request_is_400(world, api, ends_on, compound, message):
    req = file_leak(world)
    contract = _other_contract(world, ends_on=ends_on)
    contract.compounds.add(getattr(world, compound))
    events = Event.objects.filter(request=req).count()
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
        response = api(world.carol).post(
            f"/api/v1/requests/{req.pk}/reassign/", {"contract": contract.pk, "note": "原服务商无人"}, format="json"
        )
    assert response.status_code == 400
    assert response.data["contract"] == [message]
    req.refresh_from_db()
    assert req.contractor == world.contractor and Event.objects.filter(request=req).count() == events


def test_reassign_to_a_contract_in_force_at_the_compound_goes_through(world, api):
    req = file_leak(world)
    contract = _other_contract(world)
    contract.compounds.add(world.compound)
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
        response = api(world.carol).post(
            f"/api/v1/requests/{req.pk}/reassign/", {"contract": contract.pk, "note": "原服务商无人"}, format="json"
        )
    assert response.status_code == 200, response.data
    assert response.data["contractor_name"] == "顺达物业"


def test_another_lines_supervisor_who_filed_does_not_see_internal_notes(world, api):
    req = file_leak(world, by=world.vic)
    comment_add(
        service_request=req, actor=world.wang, body="内部：业主难沟通", internal=True, now=at(2026, 3, 10, 9, 30)
    )
    comment_add(service_request=req, actor=world.wang, body="师傅已出发", now=at(2026, 3, 10, 9, 31))
    detail = api(world.vic).get(f"/api/v1/requests/{req.pk}/")
    assert detail.status_code == 200
    assert [c["body"] for c in detail.data["comments"]] == ["师傅已出发"]
    client = Client()
    client.force_login(world.vic)
    page = client.get(reverse("request-detail", args=[req.pk])).content.decode()
    assert "师傅已出发" in page and "业主难沟通" not in page
    # the supervising line and the contractor still see it
    for user in (world.carol, world.wang):
        comments = api(user).get(f"/api/v1/requests/{req.pk}/").data["comments"]
        assert "内部：业主难沟通" in [c["body"] for c in comments]


def test_unknown_assignee_id_answers_as_an_ineligible_one(world, api):
    req = file_leak(world)
    bob = api(world.bob)
    unknown = bob.post(f"/api/v1/requests/{req.pk}/assign/", {"assignee": 987654}, format="json")
    ineligible = bob.post(f"/api/v1/requests/{req.pk}/assign/", {"assignee": world.zed.pk}, format="json")
    assert unknown.status_code == ineligible.status_code == 400
    assert unknown.json() == ineligible.json() == {"assignee": ["处理人必须是承接该请求的服务商人员。"]}
    req.refresh_from_db()
    assert req.assignee_id is None
