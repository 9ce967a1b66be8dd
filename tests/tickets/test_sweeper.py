"""The sweeper warns at 80 % and flags each breach once, stamped with the due time, even when run twice."""

from tests.tickets.helpers import at, file_leak
from tickets.models import Event, Notification
from tickets.services.sweeper import sla_sweep
from tickets.services.transitions import transition


def test_warning_then_breach_exactly_once(world):
    # urgent: response and on-site arrival both due at 09:30, warnings at 09:24
    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    assert req.response_warn_at == at(2026, 3, 10, 9, 24)
    assert sla_sweep(now=at(2026, 3, 10, 9, 20))["warnings"] == 0
    assert sla_sweep(now=at(2026, 3, 10, 9, 25))["warnings"] == 2
    assert sla_sweep(now=at(2026, 3, 10, 9, 26))["warnings"] == 0
    first = sla_sweep(now=at(2026, 3, 10, 9, 31))
    second = sla_sweep(now=at(2026, 3, 10, 9, 32))
    assert first["breaches"] == 2 and second["breaches"] == 0
    breach = Event.objects.get(request=req, kind="sla_breach", changes__target="response")
    assert breach.created_at == at(2026, 3, 10, 9, 30)  # stamped with the due time, not the sweep time
    req.refresh_from_db()
    assert req.response_breached
    # warning goes to the dispatcher, the breach escalates to the bureau supervisor
    assert Notification.objects.filter(recipient=world.bob, event__kind="sla_warning").count() == 2
    assert Notification.objects.filter(recipient=world.carol, event__kind="sla_breach").count() == 2


def test_met_targets_are_not_flagged(world):
    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    transition(service_request=req, action="accept", actor=world.wang, now=at(2026, 3, 10, 9, 10))
    transition(service_request=req, action="start", actor=world.wang, now=at(2026, 3, 10, 9, 20))
    transition(service_request=req, action="resolve", actor=world.wang, note="ok", now=at(2026, 3, 10, 9, 40))
    result = sla_sweep(now=at(2026, 3, 11, 9, 0))
    assert result["breaches"] == 0
    assert not Event.objects.filter(kind__in=["sla_breach", "sla_warning"]).exists()


def test_paused_requests_are_not_swept(world):
    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    transition(service_request=req, action="accept", actor=world.wang, now=at(2026, 3, 10, 9, 5))
    transition(
        service_request=req,
        action="hold",
        actor=world.wang,
        hold_reason="awaiting_requester",
        note="约下午",
        now=at(2026, 3, 10, 9, 10),
    )
    assert sla_sweep(now=at(2026, 3, 12, 9, 0))["breaches"] == 0


def test_sweep_query_count_is_bounded(world, django_assert_max_num_queries):
    for i in range(5):
        file_leak(world, now=at(2026, 3, 10, 9, i), title=f"漏水{i}")
    with django_assert_max_num_queries(5 + 5 * 14):
        sla_sweep(now=at(2026, 3, 10, 9, 27))


def test_a_row_changed_after_the_sweep_read_it_is_left_alone(world):
    """The sweep reads its batch first; a request accepted in between must not be flagged from the stale read."""
    from tickets.models import ServiceRequest
    from tickets.services.sweeper import _check_one

    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    stale = ServiceRequest.objects.select_related("contractor").get(pk=req.pk)
    transition(service_request=req, action="accept", actor=world.wang, now=at(2026, 3, 10, 9, 29))
    assert _check_one(stale, at(2026, 3, 10, 9, 31)) == (0, 0)
    assert not Event.objects.filter(request=req, kind__in=["sla_breach", "sla_warning"]).exists()
    req.refresh_from_db()
    assert not req.response_breached
    # the next sweep reads the row as it is now: response met in time, arrival still pending and now late
    assert sla_sweep(now=at(2026, 3, 10, 9, 31))["breaches"] == 1
    assert Event.objects.get(request=req, kind="sla_breach").changes["target"] == "arrival"


def _sweep_queries(world, due: int, start) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(due):
        file_leak(world, now=start, title=f"漏水{i}")
    with CaptureQueriesContext(connection) as ctx:
        result = sla_sweep(now=start.replace(minute=31))
    assert result["breaches"] == 2 * due  # response and arrival of each
    return len(ctx.captured_queries)


def test_a_sweep_costs_the_same_queries_for_10_and_300_due(world):
    """Set-based: the batch's read, its lock, one UPDATE, the keys already written, one INSERT of events, the
    recipients, the notifications, the webhook endpoints and their deliveries, whatever the number due."""
    from tickets.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(name="企业微信", url="http://127.0.0.1:9/hook", secret="s")
    ten = _sweep_queries(world, 10, at(2026, 3, 10, 9, 0))
    three_hundred = _sweep_queries(world, 300, at(2026, 3, 10, 9, 0))
    assert ten == three_hundred <= 9 + 2  # the test's transaction adds a savepoint and its release
    assert Event.objects.filter(kind="sla_breach").count() == 2 * 310
    assert Notification.objects.filter(recipient=world.carol, event__kind="sla_breach").count() == 2 * 310
    assert Notification.objects.filter(recipient=world.bob, event__kind="sla_breach").count() == 2 * 310
    assert WebhookDelivery.objects.filter(event__kind="sla_breach").count() == 2 * 310


def test_signal_and_webhooks_per_breach(world):
    """Each breach sends `sla_breached` once with the request already flagged; a webhook endpoint hears only its
    own line and kinds."""
    from tickets import signals
    from tickets.models import ServiceLine, WebhookDelivery, WebhookEndpoint

    heard: list[tuple[int, str, bool]] = []

    def receiver(sender, service_request, event, target, **kwargs):
        heard.append((service_request.pk, target, getattr(service_request, f"{target}_breached")))

    breaches_only = WebhookEndpoint.objects.create(
        name="督办", url="http://127.0.0.1:9/a", secret="s", event_kinds=["sla_breach"]
    )
    WebhookEndpoint.objects.create(
        name="车辆", url="http://127.0.0.1:9/b", secret="s", service_line=ServiceLine.VEHICLES
    )
    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    signals.sla_breached.connect(receiver, dispatch_uid="test-sweeper")
    try:
        assert sla_sweep(now=at(2026, 3, 10, 9, 25))["warnings"] == 2
        assert sla_sweep(now=at(2026, 3, 10, 9, 31))["breaches"] == 2
    finally:
        signals.sla_breached.disconnect(dispatch_uid="test-sweeper")
    assert sorted(heard) == [(req.pk, "arrival", True), (req.pk, "response", True)]
    assert set(WebhookDelivery.objects.values_list("endpoint_id", "event__kind")) == {(breaches_only.pk, "sla_breach")}
    assert WebhookDelivery.objects.count() == 2


def test_a_breach_crossed_again_in_the_same_cycle_is_not_written_twice(world):
    """A reassignment clears the flag; the breach of that target in that cycle is already in the log, so the next
    sweep flags the row again without a second event or notification."""
    from tickets.models import ServiceRequest

    req = file_leak(world, now=at(2026, 3, 10, 9, 0))
    assert sla_sweep(now=at(2026, 3, 10, 9, 31))["breaches"] == 2
    ServiceRequest.objects.filter(pk=req.pk).update(response_breached=False, next_sla_check_at=at(2026, 3, 10, 9, 30))
    assert sla_sweep(now=at(2026, 3, 10, 9, 40))["breaches"] == 0
    req.refresh_from_db()
    assert req.response_breached
    assert Event.objects.filter(request=req, kind="sla_breach", changes__target="response").count() == 1
    assert Notification.objects.filter(recipient=world.carol, event__kind="sla_breach").count() == 2


def test_a_batch_with_nothing_left_to_check(world):
    """Every claimed row's last pending target breaches: the next check is NULL for the whole batch (on PostgreSQL
    the statement must still know the column's type)."""
    from tickets.models import ServiceRequest

    reqs = [file_leak(world, now=at(2026, 3, 10, 9, 0), title=f"漏水{i}") for i in range(3)]
    ServiceRequest.objects.filter(pk__in=[r.pk for r in reqs]).update(
        arrival_due=None, arrival_warn_at=None, resolution_due=None, resolution_warn_at=None
    )
    assert sla_sweep(now=at(2026, 3, 10, 9, 31))["breaches"] == 3
    assert set(ServiceRequest.objects.values_list("next_sla_check_at", "response_breached")) == {(None, True)}


def test_a_sweeps_emails_go_out_once_through_one_task(world, settings, mailoutbox, django_capture_on_commit_callbacks):
    """One queued task sends the batch's e-mails; run twice, it sends each once."""
    from tickets import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = True
    for i in range(3):
        file_leak(world, now=at(2026, 3, 10, 9, 0), title=f"漏水{i}")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=at(2026, 3, 10, 9, 31))
    breach_mails = [m for m in mailoutbox if "超时" in m.subject]
    # six breaches (response and arrival of three), each to the dispatcher and the supervisor
    assert len(breach_mails) == 12
    ids = list(Event.objects.filter(kind="sla_breach").values_list("pk", flat=True))
    assert tasks.send_events_emails(ids) == 0  # already sent
