"""Space requests on the core: the unit approves, then the bureau; the bureau's answer is the allocation, and the
SLA clock measures it. Vacating deadlines: reminders and overdue notices on their dates, once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from offices import services, steps, timers
from offices.models import Allocation, Purpose, ReallocationProposal, SpaceRequest, VacatingDeadline
from tests.offices.conftest import at
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import Event, Notification, ServiceRequest, Status


def file_new(space, **kw):
    data = {
        "actor": space.w.alice,
        "purpose": Purpose.NEW,
        "compound": space.w.compound,
        "area_requested": Decimal("18"),
        "headcount": 2,
        "reason": "新增编制2人",
        "now": at(3, 2),
    }
    data.update(kw)
    return steps.space_request_file(**data)


@pytest.mark.django_db
def test_new_space_request_from_filing_to_certificate(space):
    sr = file_new(space)
    req = sr.service_request
    assert req.kind == "office_space" and req.status == Status.PENDING_APPROVAL and req.clock_started_at is None
    assert steps.space_actions(sr, space.w.uma) == ["approve", "reject"]
    assert steps.space_actions(sr, space.fang) == ["reject"]  # the unit approves first
    assert steps.space_actions(sr, space.olga) == [] and "approve" not in steps.space_actions(sr, space.w.alice)
    steps.space_step(space_request=sr, step="approve", actor=space.w.uma, now=at(3, 2, 10))
    assert steps.space_actions(sr, space.fang) == ["approve", "reject"]
    steps.space_step(space_request=sr, step="approve", actor=space.fang, now=at(3, 3, 10))
    req.refresh_from_db()
    # the clock runs from the last approval and measures the bureau's answer
    assert req.status == Status.SUBMITTED and req.clock_started_at == at(3, 3, 10) and req.resolution_due is not None
    assert "fulfil" in steps.space_actions(sr, space.fang)
    steps.space_step(
        space_request=sr,
        step="fulfil",
        actor=space.fang,
        rooms=[space.rooms["302"]],
        starts_on=date(2026, 3, 5),
        now=at(3, 4),
    )
    req.refresh_from_db()
    allocation = Allocation.objects.get()
    assert req.status == Status.RESOLVED and allocation.space_request == sr and allocation.unit == space.w.unit
    assert allocation.certificate_no in Event.objects.filter(request=req).last().note
    assert req.responded_at == at(3, 4) and not req.resolution_breached


@pytest.mark.django_db
def test_bad_space_requests_are_refused_and_nothing_written(space, allocate):
    for kw, field in (
        ({"area_requested": Decimal("0")}, "area_requested"),
        ({"area_requested": Decimal("-5")}, "area_requested"),
        ({"headcount": None}, "headcount"),
        ({"purpose": "lease"}, "purpose"),
        ({"reason": " "}, "reason"),
        ({"purpose": Purpose.RETURN, "returned_rooms": []}, "returned_rooms"),
    ):
        with pytest.raises(ValidationError) as exc:
            file_new(space, **kw)
        assert field in exc.value.message_dict
    allocate("303", unit=space.w.other_unit)
    with pytest.raises(ValidationError) as exc:  # returning a room of another unit
        file_new(space, purpose=Purpose.RETURN, returned_rooms=[space.rooms["303"]])
    assert "不是本单位" in str(exc.value)
    with pytest.raises(ActionForbidden):
        file_new(space, actor=space.w.bob)
    assert not ServiceRequest.objects.exists() and not SpaceRequest.objects.exists()


@pytest.mark.django_db
def test_fulfil_only_by_the_bureau_after_approval_and_allocation_conflict_writes_nothing(space, allocate):
    sr = file_new(space)
    with pytest.raises(TransitionNotAllowed):
        steps.space_step(space_request=sr, step="fulfil", actor=space.fang, rooms=[space.rooms["302"]])
    steps.space_step(space_request=sr, step="approve", actor=space.w.uma)
    steps.space_step(space_request=sr, step="approve", actor=space.fang)
    for user in (space.w.uma, space.w.alice, space.w.carol):
        with pytest.raises(ActionForbidden):
            steps.space_step(space_request=sr, step="fulfil", actor=user, rooms=[space.rooms["302"]])
    allocate("302", unit=space.w.other_unit)
    with pytest.raises(TransitionNotAllowed):
        steps.space_step(
            space_request=sr, step="fulfil", actor=space.fang, rooms=[space.rooms["301"], space.rooms["302"]]
        )
    assert Allocation.objects.count() == 1  # 301 was not kept either
    assert ServiceRequest.objects.get().status == Status.SUBMITTED


@pytest.mark.django_db
def test_return_request_takes_the_room_back(space, allocate):
    allocate("305")
    sr = file_new(
        space, purpose=Purpose.RETURN, returned_rooms=[space.rooms["305"]], compound=None, area_requested=None
    )
    for actor in (space.w.uma, space.fang):
        steps.space_step(space_request=sr, step="approve", actor=actor, now=at(3, 3))
    steps.space_step(space_request=sr, step="fulfil", actor=space.fang, starts_on=date(2026, 3, 10), now=at(3, 10))
    assert Allocation.objects.get().ends_on == date(2026, 3, 10)


@pytest.mark.django_db
def test_rejected_by_the_unit_goes_no_further(space):
    sr = file_new(space)
    with pytest.raises(ValidationError):  # a reason is required
        steps.space_step(space_request=sr, step="reject", actor=space.w.uma)
    steps.space_step(space_request=sr, step="reject", actor=space.w.uma, note="编制未批")
    assert sr.service_request.status == Status.REJECTED
    with pytest.raises(ActionForbidden):  # nobody is an approver of a rejected request
        steps.space_step(space_request=sr, step="approve", actor=space.fang)


# --- vacating timers ---------------------------------------------------------------------------------------


@pytest.fixture
def departed(space, allocate, seat):
    """Alice (a municipal staff member in 301) is transferred on 31 January: give the room back by 28 February."""
    allocate("301")
    s = seat("301", "municipal", "staff", name="李爱丽", user=space.w.alice)
    (deadline,) = services.person_depart(
        actor=space.w.uma, person=s.person, reason="transfer", on=date(2026, 1, 31), now=at(1, 31)
    )
    return deadline


@pytest.mark.django_db
def test_transfer_deadline_is_one_calendar_month_and_second_post_two(space, allocate, seat, departed):
    assert departed.due_on == date(2026, 2, 28)
    assert departed.service_request.kind == "office_vacating" and departed.service_request.unit == space.w.unit
    allocate("306")
    second = seat("306", "municipal", "deputy_bureau_chief", name="兼职者", post="second")
    (d2,) = services.person_depart(
        actor=space.fang, person=second.person, reason="second_post", on=date(2026, 3, 15), now=at(3, 15)
    )
    assert d2.due_on == date(2026, 5, 15)
    second.person.refresh_from_db()
    assert second.person.active  # leaving a second post is not leaving


@pytest.mark.django_db
def test_reminder_and_overdue_fire_on_their_dates_and_once(space, departed):
    with time_machine.travel(at(2, 20, 23), tick=False):
        assert timers.vacating_timers() == {"reminded": 0, "overdue": 0}
    with time_machine.travel(at(2, 21, 8), tick=False):
        assert timers.vacating_timers() == {"reminded": 1, "overdue": 0}
        assert timers.vacating_timers() == {"reminded": 0, "overdue": 0}
    with time_machine.travel(at(2, 28, 23), tick=False):  # the last day is still in time
        assert timers.vacating_timers()["overdue"] == 0
    with time_machine.travel(at(3, 1, 0, year=2026), tick=False):
        assert timers.vacating_timers() == {"reminded": 0, "overdue": 1}
    with time_machine.travel(at(3, 5), tick=False):
        assert timers.vacating_timers() == {"reminded": 0, "overdue": 0}
    events = Event.objects.filter(request=departed.service_request, dedupe_key__startswith="offices:vacate")
    assert [(e.kind, e.created_at) for e in events.order_by("created_at")] == [
        ("sla_warning", at(2, 21, 0)),
        ("sla_breach", at(3, 1, 0)),
    ]
    overdue_to = set(Notification.objects.filter(event=events.last()).values_list("recipient__username", flat=True))
    assert overdue_to == {"alice", "uma", "fang"}
    assert not Notification.objects.filter(recipient=space.olga).exists()


@pytest.mark.django_db
def test_vacated_in_time_never_goes_overdue(space, departed):
    services.seat_end(actor=space.fang, seat=departed.seat, on=date(2026, 2, 20), now=at(2, 20))
    departed.refresh_from_db()
    assert departed.vacated_on == date(2026, 2, 20)
    assert departed.service_request.status == Status.RESOLVED
    with time_machine.travel(at(3, 5), tick=False):
        assert timers.vacating_timers() == {"reminded": 0, "overdue": 0}


@pytest.mark.django_db
def test_a_room_idle_six_months_is_proposed_once(space, allocate, seat):
    allocate("305", starts_on=date(2026, 1, 10))
    busy = seat("304", "municipal", "principal") if allocate("304") else None
    assert busy is not None
    with time_machine.travel(at(7, 9), tick=False):
        assert timers.idle_rooms() == 0
    with time_machine.travel(at(7, 10), tick=False):
        assert timers.idle_rooms() == 1
        assert timers.idle_rooms() == 0
    assert ReallocationProposal.objects.get().room.number == "305"
    assert not VacatingDeadline.objects.exists()


@pytest.mark.django_db
def test_demo_shows_every_feature_and_runs_twice():
    from django.core.management import call_command

    from offices.demo import load_offices_demo
    from offices.models import NormFinding, Seat

    call_command("load_demo", "--no-history", verbosity=0)
    load_offices_demo()
    assert Allocation.objects.exists() and NormFinding.objects.exists()
    assert Seat.objects.filter(room__in=Seat.objects.values("room"), until__isnull=True).count() > 1
    assert VacatingDeadline.objects.filter(overdue_at__isnull=False).count() == 1
    assert SpaceRequest.objects.get().service_request.status == Status.PENDING_APPROVAL
    count = Allocation.objects.count()
    load_offices_demo()
    assert Allocation.objects.count() == count


# --- the bureau closes a vacating item ----------------------------------------------------------------------


@pytest.mark.django_db
def test_bureau_closes_a_vacating_item_once_the_room_is_given_back(space, departed, api):
    from django.test import Client
    from django.urls import reverse

    url = f"/api/v1/offices/vacating/{departed.pk}/close/"
    # Not vacated yet: the button is not offered and the step answers 409, writing nothing.
    row = api(space.fang).get("/api/v1/offices/vacating/").json()[0]
    assert (row["status"], row["actions"]) == ("submitted", [])
    r = api(space.fang).post(url, {}, format="json")
    assert r.status_code == 409 and "尚未腾退" in r.json()["detail"]
    assert ServiceRequest.objects.get(pk=departed.service_request_id).status == Status.SUBMITTED
    # The unit records the room given back: the item stays open for the bureau to confirm.
    services.seat_end(actor=space.w.uma, seat=departed.seat, on=date(2026, 2, 20), now=at(2, 20))
    assert ServiceRequest.objects.get(pk=departed.service_request_id).status == Status.SUBMITTED
    assert api(space.w.uma).get("/api/v1/offices/vacating/").json()[0]["actions"] == []
    assert api(space.w.uma).post(url, {}, format="json").status_code == 403  # the unit may not close it
    assert api(space.w.erin).post(url, {}, format="json").status_code == 403
    assert api(space.olga).post(url, {}, format="json").status_code == 404  # another unit's item
    assert ServiceRequest.objects.get(pk=departed.service_request_id).status == Status.SUBMITTED
    # The bureau sees the button on the ledger and closes the item there.
    fang = Client()
    fang.force_login(space.fang)
    ledger = fang.get(reverse("offices:ledger")).content.decode()
    button = reverse("offices:vacating-step", args=[departed.pk, "close"])
    assert "已腾退待关闭" in ledger and button in ledger
    assert api(space.fang).get("/api/v1/offices/vacating/").json()[0]["actions"] == ["close"]
    assert fang.post(button).status_code == 302
    req = ServiceRequest.objects.get(pk=departed.service_request_id)
    assert req.status == Status.CLOSED and req.closed_at is not None
    kinds = list(Event.objects.filter(request=req).order_by("id").values_list("action", flat=True))
    assert kinds[-3:] == ["accept", "resolve", "close"]
    assert button not in fang.get(reverse("offices:ledger")).content.decode()
    # A second press (another tab) is refused: 409 on the page and through the API.
    assert fang.post(button).status_code == 409
    assert api(space.fang).post(url, {}, format="json").status_code == 409
    assert Event.objects.filter(request=req).count() == len(kinds)


@pytest.mark.django_db
def test_a_bureau_record_resolves_and_the_button_then_closes(space, departed):
    services.seat_end(actor=space.fang, seat=departed.seat, on=date(2026, 2, 20), now=at(2, 20))
    departed.refresh_from_db()
    assert departed.service_request.status == Status.RESOLVED
    assert steps.vacating_actions(departed, space.fang) == ["close"]
    steps.vacating_step(deadline=departed, step="close", actor=space.fang, now=at(2, 21))
    assert ServiceRequest.objects.get(pk=departed.service_request_id).status == Status.CLOSED
    with pytest.raises(ValidationError):
        steps.vacating_step(deadline=departed, step="reopen", actor=space.fang, now=at(2, 21))
