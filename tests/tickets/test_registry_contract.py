"""The module contract, proved with a throwaway kind: each hook a kind declares is what the core does."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import ContractorFactory, UserFactory
from tests.tickets.helpers import at
from tickets import registry
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import Category, Event, Notification, Role, ServiceLine, ServiceRequest, Status
from tickets.services.common import record_event
from tickets.services.feedback import feedback_submit
from tickets.services.requests import request_create
from tickets.services.transitions import allowed_actions, transition

KEY = "probe_kind"
OWNER = "probe_module"
CALLS: list[registry.GuardCall] = []


def _guard(call: registry.GuardCall) -> None:
    """Refuses, as a module would, on what it reads from the call; records what it was asked."""
    CALLS.append(call)
    if call.action == "create" and "拒" in call.data.get("title", ""):
        raise ValidationError({"title": ["标题含有不受理的内容。"]})
    if call.service_request is None:
        return
    if call.action == "accept" and "冻结" in call.service_request.title:
        raise TransitionNotAllowed("该请求已冻结，不能受理。", action="accept", status=call.service_request.status)
    if call.action == "cancel" and call.actor is not None and call.actor.username == "uma":
        raise ActionForbidden("审核人不能代为取消。")


PROBE = registry.RequestKind(
    key=KEY,
    label="试验业务",
    service_line=ServiceLine.PROPERTY,
    owner=OWNER,
    allowed_actions=frozenset({"accept", "start", "resolve", "confirm", "cancel", "reject", "assign"}),
    owned_actions=frozenset({"resolve"}),
    guard=_guard,
    step_labels={"weigh": "称重"},
    tiles=(
        registry.Tile("probe", "试验", "试", "试验入口", "request-list?probe=1", audience=frozenset({"requester"})),
    ),
    nav=(
        registry.NavLink("试验台", "/probe-desk/", frozenset({"bureau"}), service_line=ServiceLine.PROPERTY),
        registry.NavLink(
            "试验调度", "request-list?desk=1", frozenset({"dispatcher"}), service_line=ServiceLine.PROPERTY
        ),
        registry.NavLink("坏链接", "no-such-url-name", frozenset({"requester"})),
    ),
)


@pytest.fixture
def as_user():
    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        return client

    return make


@pytest.fixture
def probe(world):
    CALLS.clear()
    registry.register_kind(PROBE)
    world.probe_category = Category.objects.create(
        code="probe", name="试验", parent=world.repair, service_line=ServiceLine.PROPERTY, kind=KEY
    )
    yield world
    registry.unregister_kind(KEY)


def _file(world, title="称量", **kwargs):
    return request_create(
        actor=world.alice, category=world.probe_category, room=world.room, title=title, now=at(2026, 3, 10, 9), **kwargs
    )


def _written() -> tuple[int, int, int]:
    return Event.objects.count(), Notification.objects.count(), ServiceRequest.objects.count()


def test_allowed_actions_gate_every_path(probe, api):
    req = _file(probe)
    transition(service_request=req, action="accept", actor=probe.wang)
    before = _written()
    with pytest.raises(TransitionNotAllowed, match="“试验业务”不能挂起"):
        transition(service_request=req, action="hold", actor=probe.wang, hold_reason="awaiting_parts", note="等配件")
    assert _written() == before
    response = api(probe.wang).post(
        f"/api/v1/requests/{req.pk}/hold/", {"hold_reason": "awaiting_parts", "note": "等配件"}, format="json"
    )
    assert response.status_code == 409 and response.data["detail"] == "“试验业务”不能挂起。"
    assert "hold" not in allowed_actions(ServiceRequest.objects.get(pk=req.pk), probe.wang)
    assert ServiceRequest.objects.get(pk=req.pk).status == Status.ACCEPTED and _written() == before


def test_owned_actions_only_through_the_owner(probe, api):
    req = _file(probe)
    transition(service_request=req, action="accept", actor=probe.wang)
    assert "resolve" not in allowed_actions(ServiceRequest.objects.get(pk=req.pk), probe.wang)
    before = _written()
    response = api(probe.wang).post(f"/api/v1/requests/{req.pk}/resolve/", {"note": "已称"}, format="json")
    assert response.status_code == 409
    assert response.data["detail"] == "“试验业务”的“办结”请在其业务页面办理。"
    with pytest.raises(TransitionNotAllowed):
        transition(service_request=req, action="resolve", actor=probe.wang, note="已称", owner="another_module")
    assert _written() == before
    done = transition(service_request=req, action="resolve", actor=probe.wang, note="已称", owner=OWNER)
    assert done.status == Status.RESOLVED


def test_owned_create_only_through_the_owner(probe):
    owned = registry.RequestKind(**{**PROBE.__dict__, "key": "probe_owned", "owned_actions": frozenset({"create"})})
    registry.register_kind(owned)
    try:
        category = Category.objects.create(
            code="probe2", name="试验二", parent=probe.repair, service_line=ServiceLine.PROPERTY, kind="probe_owned"
        )
        before = _written()
        with pytest.raises(TransitionNotAllowed, match="请在其业务页面办理"):
            request_create(actor=probe.alice, category=category, room=probe.room, title="称量")
        assert _written() == before
        made = request_create(actor=probe.alice, category=category, room=probe.room, title="称量", owner=OWNER)
        assert made.kind == "probe_owned"
    finally:
        registry.unregister_kind("probe_owned")


def test_guard_is_asked_before_anything_is_written(probe, api):
    # create: the guard sees the filing's fields; its 400 leaves no request behind
    before = _written()
    with pytest.raises(ValidationError) as refused:
        _file(probe, title="拒收的请求")
    assert refused.value.message_dict == {"title": ["标题含有不受理的内容。"]}
    assert _written() == before
    assert CALLS[-1].action == "create" and CALLS[-1].service_request is None and CALLS[-1].owner == ""
    # a transition: the guard sees the locked row as it was, before any effect (no response time yet)
    frozen = _file(probe, title="冻结的请求")
    before = _written()
    response = api(probe.wang).post(f"/api/v1/requests/{frozen.pk}/accept/", format="json")
    assert response.status_code == 409 and response.data["detail"] == "该请求已冻结，不能受理。"
    seen = CALLS[-1].service_request
    assert seen is not None and seen.status == Status.SUBMITTED and seen.responded_at is None
    frozen.refresh_from_db()
    assert (frozen.status, frozen.responded_at, _written()) == (Status.SUBMITTED, None, before)
    # the pages and the API do not offer what the guard refuses
    assert "accept" not in allowed_actions(frozen, probe.wang)
    assert "accept" not in api(probe.wang).get(f"/api/v1/requests/{frozen.pk}/").data["allowed_actions"]
    # 403 from the guard, with nothing written either
    open_one = _file(probe)
    before = _written()
    with pytest.raises(ActionForbidden):
        transition(service_request=open_one, action="cancel", actor=probe.uma)
    assert _written() == before


def test_a_low_rating_does_not_reopen_a_kind_that_never_reopens(probe):
    req = _file(probe)
    transition(service_request=req, action="accept", actor=probe.wang)
    transition(service_request=req, action="resolve", actor=probe.wang, note="已称", owner=OWNER)
    feedback_submit(service_request=req, actor=probe.alice, rating=1, comment="不准")
    req.refresh_from_db()
    assert req.status == Status.CLOSED and req.complaints.count() == 1


def test_timeline_shows_the_kinds_step_labels(probe, as_user):
    req = _file(probe)
    record_event(
        service_request=req,
        kind="updated",
        actor=probe.wang,
        at=at(2026, 3, 10, 10),
        action="weigh",
        changes={"step": "weigh"},
    )
    html = as_user(probe.alice).get(reverse("request-detail", args=[req.pk])).content.decode()
    assert "<strong>称重</strong>" in html


def test_tiles_and_navigation_per_role(probe, as_user):
    home = as_user(probe.alice).get(reverse("home")).content.decode()
    assert '<span class="tile-label">试验</span>' in home and 'href="/requests/?probe=1"' in home
    assert "坏链接" not in home  # an unknown URL name is left out, never a broken link
    assert "试验台" not in home
    supervisor = as_user(probe.carol).get(reverse("request-list")).content.decode()
    assert '<a href="/probe-desk/">试验台</a>' in supervisor and 'tile-label">试验<' not in supervisor
    # the supervisor of another service line, and the dispatcher of another line, do not see it
    assert "试验台" not in as_user(probe.vic).get(reverse("request-list")).content.decode()
    assert "试验调度" in as_user(probe.bob).get(reverse("workbench")).content.decode()
    canteen = ContractorFactory(service_line=ServiceLine.CANTEEN)
    cook_boss = UserFactory(role=Role.DISPATCHER, contractor=canteen)
    assert "试验调度" not in as_user(cook_boss).get(reverse("workbench")).content.decode()
    assert "试验调度" not in as_user(probe.wang).get(reverse("my-tasks")).content.decode()  # a worker
