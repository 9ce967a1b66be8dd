"""计口下粮: the count is frozen at the cut-off by the beat task and sent to the operator once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from canteen import tasks
from canteen.models import HeadCount, HeadCountNotice, HeadCountWebhook, Meal, MealBooking
from canteen.services import bookings, headcounts
from tests.canteen.conftest import at, published_menu
from tests.factories import UserFactory
from tickets.exceptions import ActionForbidden
from tickets.models import ServiceLine, WebhookEndpoint

pytestmark = pytest.mark.django_db
DAY = date(2026, 5, 6)  # a Wednesday


def _book(cw, n: int) -> list:
    people = [cw.core.alice] + [UserFactory(unit=cw.core.unit) for _ in range(n - 1)]
    for person in people:
        bookings.booking_set(actor=person, service=cw.lunch, day=DAY, eating=True, now=at(2026, 5, 5, 9))
    return people


def test_nothing_frozen_before_the_cutoff(cw):
    _book(cw, 3)
    assert headcounts.freeze_due_head_counts(now=at(2026, 5, 6, 9, 59)) == 1  # only breakfast (cut-off last night)
    assert not HeadCount.objects.filter(service=cw.lunch).exists()


def test_two_beat_runs_freeze_and_send_once(cw, settings, run_on_commit):
    people = _book(cw, 3)
    bookings.booking_set(actor=people[2], service=cw.lunch, day=DAY, eating=False, now=at(2026, 5, 6, 9))
    bookings.guest_booking_set(
        actor=cw.core.uma, service=cw.lunch, day=DAY, unit=cw.core.unit, guests=4, now=at(2026, 5, 6, 9)
    )
    WebhookEndpoint.objects.create(
        name="厨房屏", url="http://127.0.0.1:9/hook", secret="s", service_line=ServiceLine.CANTEEN
    )
    with run_on_commit(execute=False) as callbacks:
        assert tasks.freeze_head_counts(now=at(2026, 5, 6, 10, 0).isoformat()) >= 1
        assert tasks.freeze_head_counts(now=at(2026, 5, 6, 10, 1).isoformat()) == 0
    lunch = HeadCount.objects.get(service=cw.lunch, date=DAY)
    assert (lunch.diners, lunch.guests, lunch.total) == (2, 4, 6)
    assert lunch.frozen_at == at(2026, 5, 6, 10, 0)
    notices = HeadCountNotice.objects.filter(head_count=lunch)
    assert [n.recipient for n in notices] == [cw.olga]
    assert "6 人" in notices[0].title
    assert HeadCountWebhook.objects.filter(head_count=lunch).count() == 1
    # a booking after the freeze cannot change it (refused), and a third run still sends nothing
    with pytest.raises(ValidationError):
        bookings.booking_set(actor=people[2], service=cw.lunch, day=DAY, eating=True, now=at(2026, 5, 6, 10, 2))
    headcounts.send_head_count_emails(head_count_id=lunch.pk)
    headcounts.send_head_count_emails(head_count_id=lunch.pk)
    assert len([m for m in mail.outbox if "午餐" in m.subject]) == 1
    frozen = sorted((h.service.meal, h.date.isoformat()) for h in HeadCount.objects.all())
    assert len(callbacks) == len(frozen), frozen  # one commit per frozen meal, none from the second run
    assert ("lunch", "2026-05-06") in frozen and ("breakfast", "2026-05-06") in frozen


def test_holiday_has_no_head_count(cw):
    assert headcounts.freeze_due_head_counts(now=at(2026, 5, 4, 16, 0)) == 0
    assert not HeadCount.objects.exists()


def test_tiaoxiu_saturday_is_counted(cw):
    _book(cw, 1)
    bookings.booking_set(
        actor=cw.core.alice, service=cw.lunch, day=date(2026, 5, 9), eating=True, now=at(2026, 5, 8, 9)
    )
    headcounts.freeze_due_head_counts(now=at(2026, 5, 9, 10, 0))
    assert HeadCount.objects.get(service=cw.lunch, date=date(2026, 5, 9)).total == 1


def test_opt_out_canteen_counts_everyone_but_those_who_opted_out(cw):
    north_lunch = cw.other_canteen.services.get(meal=Meal.LUNCH)
    others = [UserFactory(unit=cw.core.other_unit) for _ in range(4)]
    bookings.booking_set(actor=cw.core.erin, service=north_lunch, day=DAY, eating=False, now=at(2026, 5, 5))
    headcounts.freeze_due_head_counts(now=at(2026, 5, 6, 10, 0))
    assert HeadCount.objects.get(service=north_lunch).total == len(others)  # Erin opted out


def test_dish_estimates_follow_history(cw):
    week = DAY - timedelta(days=DAY.weekday())
    published_menu(
        cw,
        week,
        now=at(2026, 4, 30, 9),
        dishes=[
            (2, Meal.LUNCH, "红烧肉", "meat"),
            (2, Meal.LUNCH, "清蒸鱼", "meat"),
            (2, Meal.LUNCH, "米饭", "staple"),
        ],
    )
    _book(cw, 10)
    count = headcounts.head_count_freeze(service=cw.lunch, day=DAY, now=at(2026, 5, 6, 10))
    portions = {row["name"]: row["portions"] for row in count.dish_estimates}
    assert portions == {"红烧肉": 5, "清蒸鱼": 5, "米饭": 10}


def test_served_recorded_by_the_operator_only(cw):
    _book(cw, 2)
    count = headcounts.head_count_freeze(service=cw.lunch, day=DAY, now=at(2026, 5, 6, 10))
    with pytest.raises(ActionForbidden):
        headcounts.head_count_record_served(actor=cw.xu, head_count=count, served=2)
    headcounts.head_count_record_served(actor=cw.kai, head_count=count, served=3)
    assert HeadCount.objects.get(pk=count.pk).served == 3
    assert MealBooking.objects.count() == 2


@pytest.fixture
def kitchen_screen(db):
    """A webhook receiver that really listens on a local port; yields the (headers, body) of each POST."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: list[tuple[dict, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    received_url = f"http://127.0.0.1:{server.server_port}/hook"
    yield received_url, received
    server.shutdown()
    server.server_close()


def test_the_count_reaches_the_operator_once_in_app_by_mail_and_by_webhook(cw, run_on_commit, kitchen_screen):
    import json

    from django.test import Client
    from django.urls import reverse

    from tickets.services.notifications import sign

    url, received = kitchen_screen
    _book(cw, 3)
    WebhookEndpoint.objects.create(name="厨房屏", url=url, secret="k1", service_line=ServiceLine.CANTEEN)
    WebhookEndpoint.objects.create(name="物业群", url=url, secret="k2", service_line=ServiceLine.PROPERTY)
    WebhookEndpoint.objects.create(name="只要新请求", url=url, secret="k3", event_kinds=["request_created"])
    with run_on_commit(execute=True):  # the e-mail and webhook tasks run as each freeze commits
        tasks.freeze_head_counts(now=at(2026, 5, 6, 10, 0).isoformat())
        tasks.freeze_head_counts(now=at(2026, 5, 6, 10, 1).isoformat())  # the beat again: nothing more
    lunch = HeadCount.objects.get(service=cw.lunch, date=DAY)
    # The tasks queued twice (a retried message, a second worker) send nothing more.
    assert tasks.send_head_count_emails(lunch.pk) == 0
    endpoint = WebhookEndpoint.objects.get(name="厨房屏")
    assert tasks.deliver_head_count_webhook(endpoint.pk, lunch.pk) is False

    lunch_mails = [m for m in mail.outbox if "午餐" in m.subject and cw.canteen.name in m.subject]
    assert [m.to for m in lunch_mails] == [[cw.olga.email]] and "3 人" in lunch_mails[0].subject
    lunch_posts = [
        (h, b) for h, b in received if json.loads(b)["meal"] == "lunch" and json.loads(b)["canteen"] == cw.canteen.code
    ]
    assert len(lunch_posts) == 1  # the canteen's endpoint only, once
    headers, body = lunch_posts[0]
    assert json.loads(body)["total"] == 3 and json.loads(body)["date"] == "2026-05-06"
    assert headers["X-Servicedesk-Signature"] == sign("k1", body)

    # In the app: the operator's day view shows the count once, then it is read.
    olga = Client()
    olga.force_login(cw.olga)
    day_url = f"{reverse('canteen:day')}?canteen={cw.canteen.code}&date={DAY.isoformat()}"
    first = olga.get(day_url).content.decode()
    assert first.count(HeadCountNotice.objects.get(head_count=lunch).title) == 1
    assert HeadCountNotice.objects.get(head_count=lunch).read_at is not None
    assert HeadCountNotice.objects.filter(head_count=lunch).count() == 1
