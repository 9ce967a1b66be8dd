"""A real Celery worker is killed (SIGKILL) in the middle of a task; a new worker picks the task up again.

Needs PostgreSQL (the subprocess worker must see the test database) and Redis (visibility_timeout is what
brings an unacknowledged task back). Settings: acks_late + reject_on_worker_lost; the worker runs with
CELERY_VISIBILITY_TIMEOUT=5.

What holds, measured here:
- E-mail is claimed (a conditional UPDATE of Notification.emailed_at) *before* it is sent. A worker killed
  while talking to the mail server has claimed the e-mail; the redelivered task finds nothing to claim.
  Guarantee: AT MOST ONCE — never two e-mails, but the e-mail in flight is lost (the in-app notification
  remains). This test proves exactly that: one SMTP conversation started, none finished, no second one.
- A webhook is marked delivered only after the receiver answered. A worker killed while the POST is in
  flight leaves the delivery open; the redelivered task POSTs again. Guarantee: AT LEAST ONCE to the
  receiver (it saw two POSTs of the same event), EXACTLY ONCE recorded (one delivered_at).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from servicedesk.celery import app
from tests.reliability.conftest import FIGURES, ROOT
from tests.tickets.helpers import file_leak
from tickets.models import Notification, WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


class Hanging:
    """Records each connection; holds the first one open (never answers) until released."""

    def __init__(self) -> None:
        self.hits: list[bytes] = []
        self.first = threading.Event()
        self.release = threading.Event()


def start_smtp(state: Hanging) -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)

    def serve() -> None:
        while not state.release.is_set():
            sock.settimeout(0.5)
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            state.hits.append(b"connect")
            state.first.set()
            # no greeting: smtplib waits for it forever (EMAIL_TIMEOUT is None)
            threading.Thread(target=lambda c=conn: (state.release.wait(120), c.close()), daemon=True).start()
        sock.close()

    threading.Thread(target=serve, daemon=True).start()
    return sock.getsockname()[1]


def start_http(state: Hanging) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.hits.append(body)
            if len(state.hits) == 1:
                state.first.set()
                state.release.wait(120)  # the worker is killed while it waits for this answer
                return
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def worker_env(tmp: Path, smtp_port: int) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": app.conf.broker_url,
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "SERVICEDESK_VAR_DIR": str(tmp),
        "DB_CONN_MAX_AGE": "0",
        "PYTHONPATH": str(ROOT),
    }


# `celery -A servicedesk worker --pool=prefork -c 1`, with one test-only tweak: kombu scans for tasks whose
# visibility timeout ran out every 10 s × 10 calls by default; here every second, so the test takes seconds.
WORKER = """
from servicedesk.celery import app
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options, "unacked_restore_interval": 1, "unacked_restore_throttle": 1,
}
app.worker_main(["worker", "--pool=prefork", "-c", "1", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "--loglevel=INFO"])
"""


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # the pool child too: a real crash, nothing is acknowledged
    proc.wait(timeout=10)
    FIGURES["faults_injected"] += 1


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def received(log: Path, task: str) -> int:
    return len(re.findall(rf"Task tickets\.tasks\.{task}\[[0-9a-f-]+\] received", log.read_text(errors="replace")))


@pytest.mark.skipif(not settings.CELERY_BROKER_URL.startswith("redis"), reason="needs the Redis broker")
def test_killed_worker_task_is_redelivered_and_takes_effect_once(world, tmp_path):
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    smtp, hook = Hanging(), Hanging()
    smtp_port = start_smtp(smtp)
    server = start_http(hook)
    WebhookEndpoint.objects.create(name="OA", url=f"http://127.0.0.1:{server.server_port}/hook", secret="s")
    env = worker_env(tmp_path, smtp_port)
    log = tmp_path / "worker.log"
    workers = []
    try:
        req = file_leak(world)  # commits; the e-mail task and the webhook task go to Redis
        event = req.events.get()
        workers.append(start_worker(env, log))
        wait_for(lambda: smtp.first.is_set() or hook.first.is_set(), 90, "a task to reach its outside call")
        first_fault = "smtp" if smtp.first.is_set() else "webhook"
        kill(workers[-1])
        # the next worker gets the killed task back after the visibility timeout, and the other task
        for _ in range(2):
            workers.append(start_worker(env, log))
            if smtp.first.is_set() and hook.first.is_set():
                break
            wait_for(lambda: smtp.first.is_set() and hook.first.is_set(), 90, "the second outside call")
            kill(workers[-1])
        wait_for(
            lambda: WebhookDelivery.objects.filter(event=event, delivered_at__isnull=False).exists(),
            90,
            "the webhook to be delivered by a later worker",
        )
        wait_for(lambda: received(log, "send_event_emails") >= 2, 60, "the e-mail task to come back")
    finally:
        smtp.release.set()
        hook.release.set()
        for w in workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGTERM)
                w.wait(timeout=30)
        server.shutdown()

    assert first_fault in ("smtp", "webhook")
    # e-mail: at most once — the task came back (received twice) but nothing was sent a second time
    assert received(log, "send_event_emails") >= 2
    assert received(log, "deliver_webhook") >= 2
    assert len(smtp.hits) == 1
    assert Notification.objects.filter(event=event, emailed_at__isnull=False).count() == 1
    # webhook: the receiver saw the same event twice, the delivery is recorded once
    assert len(hook.hits) == 2 and hook.hits[0] == hook.hits[1]
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.delivered_at is not None and delivery.attempts == 2
    FIGURES["redelivered_tasks"] += 2
    FIGURES["double_effects"] += 0  # one e-mail claim, one recorded delivery
