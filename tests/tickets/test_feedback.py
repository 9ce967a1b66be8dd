"""The satisfaction loop: rating, bad ratings that reopen and start a complaint, expiry as not rated."""

import pytest
from django.core.exceptions import ValidationError

from tests.tickets.helpers import at, file_leak
from tickets.exceptions import TransitionNotAllowed
from tickets.models import Complaint, Feedback, Notification, Status
from tickets.services.feedback import complaint_callback, expire_feedback, feedback_submit
from tickets.services.transitions import transition


def resolved(world, *, when=None):
    when = when or at(2026, 3, 10, 10, 0)
    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    transition(service_request=req, action="accept", actor=world.wang, now=at(2026, 3, 10, 9, 5))
    transition(service_request=req, action="resolve", actor=world.wang, note="已修复", now=when)
    req.refresh_from_db()
    return req


def test_good_rating_closes_and_is_attributed(world):
    req = resolved(world)
    feedback_submit(service_request=req, actor=world.alice, rating=4, now=at(2026, 3, 10, 11, 0))
    req.refresh_from_db()
    assert req.status == Status.CLOSED and req.rating == 4
    fb = Feedback.objects.get(request=req)
    assert (fb.contractor, fb.category, fb.compound, fb.building, fb.service_line) == (
        world.contractor,
        world.leak,
        world.compound,
        world.building,
        "property",
    )


def test_low_rating_needs_a_comment(world):
    req = resolved(world)
    with pytest.raises(ValidationError) as err:
        feedback_submit(service_request=req, actor=world.alice, rating=2, comment="  ")
    assert err.value.message_dict["comment"] == ["评分为2分及以下时请填写原因。"]
    req.refresh_from_db()
    assert req.status == Status.RESOLVED and not Feedback.objects.exists()


def test_low_rating_reopens_and_opens_complaint_with_callback(world):
    req = resolved(world, when=at(2026, 9, 30, 15, 0))
    feedback_submit(service_request=req, actor=world.alice, rating=1, comment="还在漏水", now=at(2026, 9, 30, 16, 0))
    req.refresh_from_db()
    assert req.status == Status.REOPENED and req.reopen_count == 1
    complaint = Complaint.objects.get(request=req)
    # one working day after 30 September is 8 October (National Day holiday 1–7 October)
    assert complaint.callback_due == at(2026, 10, 8, 17, 30)
    assert Notification.objects.filter(recipient=world.carol, event__kind="complaint").exists()
    # the contractor is back on it: accept again is allowed, and the resolution clock restarted
    assert req.resolution_due > at(2026, 9, 30, 16, 0)
    transition(service_request=req, action="accept", actor=world.wang, now=at(2026, 10, 8, 9, 0))
    done = complaint_callback(
        complaint=complaint, actor=world.carol, note="已电话回访，报修人认可", now=at(2026, 10, 8, 10, 0)
    )
    assert done.state == Complaint.State.CALLED_BACK


def test_requester_cannot_rate_twice_or_rate_someone_elses(world):
    req = resolved(world)
    from tickets.exceptions import ActionForbidden

    with pytest.raises(ActionForbidden):
        feedback_submit(service_request=req, actor=world.erin, rating=5)
    feedback_submit(service_request=req, actor=world.alice, rating=5)
    with pytest.raises(TransitionNotAllowed):
        feedback_submit(service_request=req, actor=world.alice, rating=5)


def test_unanswered_requests_close_as_not_rated_after_three_working_days(world):
    req = resolved(world, when=at(2026, 3, 13, 16, 0))  # Friday afternoon
    assert req.feedback_due == at(2026, 3, 18, 17, 30)  # Mon, Tue, Wed
    assert expire_feedback(now=at(2026, 3, 18, 17, 0)) == 0
    assert expire_feedback(now=at(2026, 3, 18, 17, 31)) == 1
    req.refresh_from_db()
    assert req.status == Status.CLOSED and req.rating is None
    assert not Feedback.objects.exists()
    assert req.events.last().note == "评价期满未评价，按未评价关闭"
    assert expire_feedback(now=at(2026, 3, 19, 9, 0)) == 0  # idempotent


def test_callback_only_by_the_lines_supervisor(world):
    req = resolved(world)
    feedback_submit(service_request=req, actor=world.alice, rating=2, comment="态度差")
    complaint = Complaint.objects.get()
    from tickets.exceptions import ActionForbidden

    with pytest.raises(ActionForbidden):
        complaint_callback(complaint=complaint, actor=world.vic, note="x")
    with pytest.raises(ValidationError):
        complaint_callback(complaint=complaint, actor=world.carol, note="")


def test_console_satisfaction_counts_the_supervisors_line_from_the_rating(world, client):
    """The line is read from the rating (its index), and a supervisor sees only her line's ratings."""
    import time_machine
    from django.urls import reverse

    from tickets.models import ServiceRequest

    good, bad = resolved(world), resolved(world)
    ServiceRequest.objects.filter(pk=bad.pk).update(service_line="canteen")
    bad.refresh_from_db()
    feedback_submit(service_request=good, actor=world.alice, rating=5, now=at(2026, 3, 10, 11, 0))
    feedback_submit(service_request=bad, actor=world.alice, rating=1, comment="太慢", now=at(2026, 3, 10, 11, 0))
    assert Feedback.objects.get(request=bad).service_line == "canteen"
    with time_machine.travel(at(2026, 3, 10, 12, 0), tick=False):
        client.force_login(world.carol)
        carol = client.get(reverse("console"))
        client.force_login(world.dave)
        dave = client.get(reverse("console"))
    assert (carol.context["sat"]["n"], carol.context["sat"]["percent"]) == (1, 100)
    assert (dave.context["sat"]["n"], dave.context["sat"]["percent"]) == (2, 50)
    chart = next(c for c in carol.context["charts"] if c.key == "satisfaction")
    assert chart.config["data"]["datasets"][0]["data"][-1] == 100.0


def test_console_breach_chart_counts_todays_breaches_and_lags_at_most_five_minutes(world, client):
    import time_machine
    from django.urls import reverse

    from tickets.services.sweeper import sla_sweep
    from tickets.web.console import CHART_SECONDS

    def todays_breaches():
        client.force_login(world.carol)
        response = client.get(reverse("console"))
        chart = next(c for c in response.context["charts"] if c.key == "breaches")
        return chart.config["data"]["datasets"][0]["data"][-1]

    file_leak(world, now=at(2026, 3, 10, 9, 0))
    with time_machine.travel(at(2026, 3, 10, 12, 0), tick=False) as clock:
        sla_sweep(now=at(2026, 3, 10, 12, 0))  # its deadlines that passed by noon breach
        first = todays_breaches()
        assert first >= 1
        file_leak(world, now=at(2026, 3, 10, 9, 30))
        sla_sweep(now=at(2026, 3, 10, 12, 1))
        assert todays_breaches() == first  # the trend is kept for a few minutes
        clock.shift(CHART_SECONDS + 1)
        assert todays_breaches() > first
