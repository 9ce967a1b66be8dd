"""Approval follows the unit tree: an approver of a unit approves for its sub-units, the nearest approver first.

Ben works in 发改委办公室, a sub-unit of 发改委 with no approver of its own, so Uma (发改委's approver) approves his
trips. Hank works in 发展规划处, a sub-unit with its own approver Gina: Gina approves, Uma only sees. Olga approves
for 财政局 and sees neither. Approvers hear of what waits for them; the dispatcher hears of a trip once it is
approved, never before.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fleet.filing import emergency_trip_create
from fleet.models import TripStage, VehicleTrip
from fleet.selectors import trip_list
from fleet.steps import trip_actions, trip_approve, trip_approve_posthoc, trip_cancel, trip_reject
from tests.fleet.conftest import at
from tickets.exceptions import ActionForbidden
from tickets.models import Event, Notification, Role, Status


@pytest.fixture
def tree(fleet):
    from tests.factories import UnitFactory, UserFactory

    w = fleet.w
    office = UnitFactory(code="fgw-bgs", name="发改委办公室", parent=w.unit)
    planning = UnitFactory(code="fgw-ghc", name="发展规划处", parent=w.unit)
    desk = UnitFactory(code="fgw-bgs-wm", name="文秘科", parent=office)  # two levels down, no approver
    return type(
        "Tree",
        (),
        {
            "office": office,
            "planning": planning,
            "desk": desk,
            "ben": UserFactory(username="ben", full_name="班本", unit=office),
            "dora": UserFactory(username="dora", full_name="窦朵", unit=desk),
            "hank": UserFactory(username="hank", full_name="韩汉", unit=planning),
            "gina": UserFactory(username="gina", full_name="葛娜", unit=planning, role=Role.UNIT_APPROVER),
            "olga": UserFactory(username="olga", full_name="欧嘉", unit=w.other_unit, role=Role.UNIT_APPROVER),
        },
    )


def _client(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def _fresh(user):
    """The user as the next HTTP request loads it (the unit tree is read once per user object)."""
    return type(user).objects.get(pk=user.pk)


def test_approver_of_a_unit_approves_for_its_sub_units(fleet, tree, apply):
    w = fleet.w
    for requester in (tree.ben, tree.dora):
        trip = apply(actor=requester)
        assert trip_actions(trip, _fresh(w.uma)) == ["approve", "reject"]
        assert trip_actions(trip, _fresh(tree.gina)) == []  # another branch of the tree
        trip_approve(trip=trip, actor=_fresh(w.uma), now=at(3, 10, 9, 10))
        trip.refresh_from_db()
        assert trip.request.approval_stage == 1 and [a.approver for a in trip.approvals.all()] == [w.uma]
        trip_approve(trip=trip, actor=w.vic, now=at(3, 10, 9, 20))
        trip.refresh_from_db()
        assert trip.stage == TripStage.APPROVED and trip.request.status == Status.SUBMITTED


def test_nearest_approver_first(fleet, tree, apply):
    """Planning has its own approver: Gina approves; Uma (the parent unit's) sees the trip but may not approve."""
    w = fleet.w
    trip = apply(actor=tree.hank)
    uma = _fresh(w.uma)
    assert trip in VehicleTrip.objects.filter(pk__in=[t.pk for t in trip_list(user=uma)])
    assert trip_actions(trip, uma) == []
    events = Event.objects.count()
    with pytest.raises(ActionForbidden):
        trip_approve(trip=trip, actor=uma, now=at(3, 10, 9, 10))
    assert Event.objects.count() == events and trip.approvals.count() == 0
    trip_approve(trip=trip, actor=_fresh(tree.gina), now=at(3, 10, 9, 10))
    trip.refresh_from_db()
    assert trip.request.approval_stage == 1 and [a.approver for a in trip.approvals.all()] == [tree.gina]


def test_other_units_approver_neither_sees_nor_approves(fleet, tree, apply, api):
    trip = apply(actor=tree.ben)
    olga = _fresh(tree.olga)
    assert trip_actions(trip, olga) == []
    with pytest.raises(ActionForbidden):
        trip_approve(trip=trip, actor=olga, now=at(3, 10, 9, 10))
    assert _client(tree.olga).get(f"/fleet/trips/{trip.pk}/").status_code == 404
    assert api(tree.olga).post(f"/api/v1/requests/{trip.request_id}/approve/", {}, format="json").status_code == 404
    # Through the core's API the tree's approver approves, and the trip follows.
    r = api(fleet.w.uma).post(f"/api/v1/requests/{trip.request_id}/approve/", {"note": "同意"}, format="json")
    assert r.status_code == 200, r.content
    trip.refresh_from_db()
    assert trip.request.approval_stage == 1 and trip.approvals.get().approver == fleet.w.uma


def test_approvers_are_notified_and_dispatchers_only_once_approved(fleet, tree, apply, run_on_commit):
    w = fleet.w
    with run_on_commit(execute=True):
        trip = apply(actor=tree.ben)
    req = trip.request
    notes = {n.recipient.username: n.title for n in Notification.objects.filter(request=req)}
    assert notes == {"uma": f"待您审批 {req.number}：{req.title}"}  # not Gina, not Olga, not the dispatcher
    assert [m.to for m in mail.outbox] == [[w.uma.email]] and req.number in mail.outbox[0].subject

    mail.outbox.clear()
    with run_on_commit(execute=True):
        trip_approve(trip=trip, actor=_fresh(w.uma), now=at(3, 10, 9, 10))
    step = Notification.objects.filter(request=req, event__action="approve").order_by("event_id")
    assert {n.recipient.username: n.title for n in step} == {
        "vic": f"待您审批 {req.number}：{req.title}",  # the bureau's vehicle office, next
        "ben": f"请求 {req.number} 已通过一级审批，等待下一级审批",
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([w.vic.email, tree.ben.email])
    assert not Notification.objects.filter(recipient=fleet.dan).exists()

    with run_on_commit(execute=True):
        trip_approve(trip=trip, actor=w.vic, now=at(3, 10, 9, 20))
    assert Notification.objects.filter(recipient=fleet.dan, request=req).count() == 1
    assert Notification.objects.get(recipient=fleet.dan).title == f"请求 {req.number} 已审批通过"


def test_rejected_or_withdrawn_trip_never_reaches_the_dispatcher(fleet, tree, apply):
    trip = apply(actor=tree.ben)
    trip_reject(trip=trip, actor=_fresh(fleet.w.uma), note="不必用车", now=at(3, 10, 9, 10))
    withdrawn = apply(actor=tree.ben, slot_start=at(3, 11, 9), slot_end=at(3, 11, 11))
    trip_cancel(trip=withdrawn, actor=tree.ben, note="会议改期", now=at(3, 10, 9, 30))
    assert not Notification.objects.filter(recipient=fleet.dan).exists()
    # Uma, who had it waiting, hears it was withdrawn.
    assert Notification.objects.filter(recipient=fleet.w.uma, request=withdrawn.request, event__action="cancel")


def test_awaiting_approval_page_and_badge(fleet, tree, apply):
    w = fleet.w
    ben_trip = apply(actor=tree.ben)
    hank_trip = apply(actor=tree.hank, slot_start=at(3, 11, 9), slot_end=at(3, 11, 11))
    uma, gina, vic = _client(w.uma), _client(tree.gina), _client(w.vic)

    page = uma.get("/approvals/").content.decode()
    assert ben_trip.request.number in page and hank_trip.request.number not in page
    assert "班本 · 发改委办公室" in page  # who asks, for which unit
    assert f'href="/fleet/requests/{ben_trip.request_id}/"' in page  # the trip's own page: slot and passengers
    opened = uma.get(f"/fleet/requests/{ben_trip.request_id}/")
    assert opened.status_code == 302 and opened["Location"] == f"/fleet/trips/{ben_trip.pk}/"
    assert '<span class="badge"' in uma.get("/approvals/badge/").content.decode()
    assert ">1</span>" in uma.get("/approvals/badge/").content.decode()
    assert hank_trip.request.number in gina.get("/approvals/").content.decode()
    assert "没有等待您审批的申请" in vic.get("/approvals/").content.decode()  # the unit has not approved yet
    assert vic.get("/approvals/badge/").content.decode().strip() == ""
    # The header offers 待审批 to approvers and the bureau, not to a requester or the contractor.
    assert 'href="/approvals/"' in uma.get("/").content.decode()
    assert 'href="/approvals/"' not in _client(tree.ben).get("/").content.decode()
    assert 'href="/approvals/"' not in _client(fleet.dan).get("/").content.decode()
    assert "没有等待您审批的申请" in _client(tree.ben).get("/approvals/").content.decode()

    trip_approve(trip=ben_trip, actor=_fresh(w.uma), now=at(3, 10, 9, 10))
    assert ben_trip.request.number not in uma.get("/approvals/").content.decode()
    assert ben_trip.request.number in vic.get("/approvals/").content.decode()
    assert ben_trip.request.number in vic.get("/fleet/approvals/").content.decode()


def test_awaiting_approval_page_costs_a_fixed_number_of_queries(fleet, tree, apply):
    uma = _client(fleet.w.uma)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert uma.get("/approvals/").status_code == 200
        return len(ctx.captured_queries)

    apply(actor=tree.ben)
    one = queries()
    for n in range(5):
        apply(actor=tree.dora if n % 2 else tree.ben, slot_start=at(3, 11 + n, 9), slot_end=at(3, 11 + n, 11))
    assert queries() == one


def test_emergency_trip_is_approved_after_the_fact_by_the_tree(fleet, tree):
    w = fleet.w
    trip = emergency_trip_create(
        actor=fleet.dan,
        requester=tree.dora,
        category=fleet.ref.emergency_category,
        compound=w.compound,
        purpose="抢险",
        passenger_count=2,
        origin="南院",
        destination="江堤",
        slot_start=at(3, 10, 9),
        slot_end=at(3, 10, 12),
        now=at(3, 10, 9),
    )
    assert trip_actions(trip, _fresh(tree.gina)) == []
    assert "approve_posthoc" in trip_actions(trip, _fresh(w.uma))
    waiting = Notification.objects.filter(request=trip.request, title__contains="待您事后补批")
    assert [n.recipient for n in waiting] == [w.uma]  # the nearest approver up the tree, not the dispatcher
    trip_approve_posthoc(trip=trip, actor=_fresh(w.uma), now=at(3, 10, 13))
    assert trip.approvals.get().approver == w.uma
    assert sorted(n.recipient.username for n in waiting.all()) == ["uma", "vic"]  # then the bureau
    trip_approve_posthoc(trip=trip, actor=w.vic, now=at(3, 10, 14))
    assert waiting.all().count() == 2  # nobody is left to approve


def test_api_lists_what_awaits_my_approval(fleet, tree, apply, api):
    ben_trip = apply(actor=tree.ben)
    hank_trip = apply(actor=tree.hank, slot_start=at(3, 11, 9), slot_end=at(3, 11, 11))

    def waiting(user):
        r = api(user).get("/api/v1/requests/?awaiting_my_approval=true")
        assert r.status_code == 200
        return [row["id"] for row in r.data["results"]]

    assert waiting(fleet.w.uma) == [ben_trip.request_id]
    assert waiting(tree.gina) == [hank_trip.request_id]
    assert waiting(fleet.w.vic) == [] and waiting(tree.olga) == [] and waiting(tree.ben) == []
    assert api().get("/api/v1/requests/?awaiting_my_approval=true").status_code in (401, 403)


def test_notification_leads_the_approver_to_the_request_and_its_trip(fleet, tree, apply):
    """From the notice: the core's request page offers the approval and links to the trip's own page."""
    trip = apply(actor=tree.ben)
    uma = _client(fleet.w.uma)
    note = Notification.objects.get(recipient=fleet.w.uma, request=trip.request)
    page = uma.get(f"/notifications/{note.pk}/", follow=True)
    html = page.content.decode()
    assert page.status_code == 200 and f'href="/fleet/requests/{trip.request_id}/"' in html
    assert "/do/approve/" in html
    r = uma.post(f"/requests/{trip.request_id}/do/approve/", {}, follow=True)
    assert r.status_code == 200
    trip.refresh_from_db()
    assert trip.request.approval_stage == 1 and trip.approvals.get().approver == fleet.w.uma


def test_where_the_tree_has_no_approver_the_bureau_stands_in(fleet, tree, apply, api):
    """审计局 has no approver anywhere up its tree: Sam's trip does not wait for nobody. The vehicles office finds it
    under 待审批 at the unit level, is told of it, and approves for the unit, then for the bureau."""
    from tests.factories import UnitFactory, UserFactory

    w = fleet.w
    sam = UserFactory(username="sam", full_name="桑木", unit=UnitFactory(code="sjj", name="审计局"))
    trip = apply(actor=sam)
    assert [n.recipient for n in Notification.objects.filter(request=trip.request)] == [w.vic]
    assert trip_actions(trip, _fresh(w.vic)) == ["approve", "reject"]
    assert trip_actions(trip, _fresh(w.carol)) == []  # the property supervisor: another line
    assert trip_actions(trip, _fresh(tree.olga)) == [] and trip_actions(trip, _fresh(w.uma)) == []
    assert trip.request.number in _client(w.vic).get("/approvals/").content.decode()
    assert trip.request.number not in _client(w.carol).get("/approvals/").content.decode()
    trip_approve(trip=trip, actor=_fresh(w.vic), now=at(3, 10, 9, 10))
    trip_approve(trip=trip, actor=_fresh(w.vic), now=at(3, 10, 9, 20))
    trip.refresh_from_db()
    assert trip.stage == TripStage.APPROVED and [a.level for a in trip.approvals.all()] == ["unit", "bureau"]


def test_an_approver_never_approves_their_own_trip(fleet, tree, apply):
    """Gina applies: she is alone in 发展规划处, so the bureau stands in at the unit level (not Uma: the tree's
    nearest approver is Gina's own unit). Uma applies: she may not approve it herself either."""
    w = fleet.w
    for applicant in (tree.gina, w.uma):
        trip = apply(
            actor=applicant, slot_start=at(3, 12 + applicant.pk % 5, 9), slot_end=at(3, 12 + applicant.pk % 5, 11)
        )
        assert trip_actions(trip, _fresh(applicant)) == ["cancel"]
        with pytest.raises(ActionForbidden):
            trip_approve(trip=trip, actor=_fresh(applicant), now=at(3, 10, 9, 10))
        assert trip.request.number not in _client(applicant).get("/approvals/").content.decode()
        assert trip.request.number in _client(w.vic).get("/approvals/").content.decode()
        assert Notification.objects.get(request=trip.request).recipient == w.vic
        trip_approve(trip=trip, actor=_fresh(w.vic), now=at(3, 10, 9, 10))
        trip.refresh_from_db()
        assert [a.approver for a in trip.approvals.all()] == [w.vic] and trip.request.approval_stage == 1
