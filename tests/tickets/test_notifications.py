"""Deliveries that leave the building (e-mail, webhooks), and the switch that holds them back while history is
filed after the fact. Alice files, Bob dispatches and hears of new requests, Wang accepts."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from tests.tickets.helpers import at, file_leak
from tickets.models import Event, Notification, WebhookDelivery, WebhookEndpoint
from tickets.services.notifications import deliveries_are_suppressed, deliveries_suppressed
from tickets.services.transitions import transition


@pytest.fixture
def hook(db):
    """A webhook endpoint that really receives POSTs on a local port; yields the list of bodies received."""
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    WebhookEndpoint.objects.create(name="OA", url=f"http://127.0.0.1:{server.server_port}/hook", secret="s")
    yield received
    server.shutdown()
    server.server_close()


def test_outside_the_block_mail_and_webhooks_go_out(world, hook, run_on_commit):
    with run_on_commit(execute=True):
        req = file_leak(world)

    assert Notification.objects.filter(request=req, recipient=world.bob).exists()
    assert [m.to for m in mail.outbox] == [[world.bob.email]]
    assert len(hook) == 1
    assert WebhookDelivery.objects.filter(event__request=req, delivered_at__isnull=False).count() == 1


def test_within_the_block_the_inbox_is_written_and_nothing_is_queued(world, hook, run_on_commit):
    # The callbacks run after the block has closed: what was notified inside it stays suppressed at commit.
    with run_on_commit(execute=True), deliveries_suppressed():
        req = file_leak(world, now=at(2026, 3, 10, 9, 0))
        transition(service_request=req, action="accept", actor=world.wang, now=at(2026, 3, 10, 9, 5))
    assert not deliveries_are_suppressed()

    # The history reads as it happened: its events, and the in-app rows of Bob (new) and Alice (accepted).
    assert Event.objects.filter(request=req).count() >= 2
    assert Notification.objects.filter(request=req, recipient=world.bob, emailed_at__isnull=True).exists()
    assert Notification.objects.filter(request=req, recipient=world.alice, emailed_at__isnull=True).exists()
    # …but no e-mail or webhook task was queued, and no delivery row waits for one.
    assert mail.outbox == [] and hook == []
    assert not WebhookDelivery.objects.exists()

    # Once the block is left, the next event goes out again.
    with run_on_commit(execute=True):
        transition(service_request=req, action="start", actor=world.wang, now=at(2026, 3, 10, 9, 30))
    assert [m.to for m in mail.outbox] == [[world.alice.email]]
    assert len(hook) == 1


def test_events_before_inbox_since_get_no_inbox_row(world, run_on_commit):
    with run_on_commit(execute=True), deliveries_suppressed(inbox_since=at(2026, 3, 10, 9, 3)):
        req = file_leak(world, now=at(2026, 3, 10, 9, 0))
        transition(service_request=req, action="accept", actor=world.wang, now=at(2026, 3, 10, 9, 5))

    assert Event.objects.filter(request=req).count() >= 2  # the events are all written
    assert not Notification.objects.filter(request=req, recipient=world.bob).exists()  # filed at 9:00
    assert Notification.objects.filter(request=req, recipient=world.alice).exists()  # accepted at 9:05
    assert mail.outbox == []


def test_the_block_holds_only_for_its_own_thread():
    seen: list[bool] = []
    with deliveries_suppressed():
        assert deliveries_are_suppressed()
        # A web or worker thread running meanwhile delivers as usual.
        thread = threading.Thread(target=lambda: seen.append(deliveries_are_suppressed()))
        thread.start()
        thread.join()
    assert seen == [False]
    assert not deliveries_are_suppressed()
