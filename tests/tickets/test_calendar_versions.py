"""Calendars are versioned like SLA policies: a request keeps the calendar version it was opened under, a met or
breached deadline never moves, and the timeline says which version the deadlines used."""

from __future__ import annotations

from tests.tickets.helpers import at, file_leak
from tickets.models import CalendarVersion, Event, EventKind, HoldReason
from tickets.services.deadlines import current_calendar_version
from tickets.services.transitions import transition


def edit_calendar(world, **fields):
    for name, value in fields.items():
        setattr(world.calendar, name, value)
    world.calendar.save()


def test_an_open_request_keeps_the_calendar_version_it_was_opened_under(world):
    first = file_leak(world, now=at(2026, 3, 10, 16, 30))
    assert first.calendar_version.number == 1
    due = first.resolution_due
    edit_calendar(world, always_open=True)  # e.g. the contractor now works round the clock

    first = transition(service_request=first, action="accept", actor=world.bob, now=at(2026, 3, 10, 16, 40))
    assert first.resolution_due == due
    assert first.calendar_version.number == 1

    later = file_leak(world, now=at(2026, 3, 10, 16, 30))
    assert later.calendar_version.number == 2
    assert later.resolution_due == at(2026, 3, 10, 20, 30)  # 240 minutes round the clock
    assert due != later.resolution_due


def test_a_met_deadline_never_moves(world):
    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    assert req.response_due == at(2026, 3, 10, 9, 30)
    req = transition(service_request=req, action="accept", actor=world.bob, now=at(2026, 3, 10, 9, 10))
    req = transition(
        service_request=req,
        action="hold",
        actor=world.bob,
        hold_reason=HoldReason.AWAITING_REQUESTER,
        note="等报修人开门",
        now=at(2026, 3, 10, 9, 15),
    )
    req = transition(service_request=req, action="resume", actor=world.bob, now=at(2026, 3, 10, 11, 15))
    # the response was on time at 09:10; a later pause does not turn its deadline into 11:30
    assert req.response_due == at(2026, 3, 10, 9, 30)
    assert req.responded_at <= req.response_due


def test_a_breached_deadline_never_moves(world):
    from tickets.services.sweeper import sla_sweep

    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    sla_sweep(now=at(2026, 3, 10, 9, 45))
    req.refresh_from_db()
    assert req.response_breached and req.response_due == at(2026, 3, 10, 9, 30)
    edit_calendar(world, always_open=True)
    req.calendar_version = None  # even if the snapshot were lost, the breached deadline is history
    req = transition(service_request=req, action="accept", actor=world.bob, now=at(2026, 3, 10, 9, 50))
    assert req.response_due == at(2026, 3, 10, 9, 30)


def test_the_timeline_says_which_calendar_version_the_deadlines_used(world, client):
    edit_calendar(world, weekly_hours={str(d): [["08:00", "18:00"]] for d in range(5)})
    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    created = Event.objects.get(request=req, kind=EventKind.CREATED)
    assert created.changes["calendar_version"]["number"] == req.calendar_version.number
    client.force_login(world.alice)
    page = client.get(f"/requests/{req.pk}/").content.decode()
    assert f"{world.calendar.name}」第 {req.calendar_version.number} 版" in page


def test_an_unchanged_calendar_keeps_one_version(world):
    a = current_calendar_version(world.calendar)
    b = current_calendar_version(world.calendar)
    assert a.pk == b.pk
    edit_calendar(world, observes_public_holidays=False)
    assert current_calendar_version(world.calendar).number == a.number + 1
    assert CalendarVersion.objects.filter(calendar=world.calendar).count() == 2
