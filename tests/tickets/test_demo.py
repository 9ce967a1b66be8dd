"""``manage.py load_demo``: realistic reference data, idempotent, and a history driven through the services."""

import io
from datetime import date, timedelta

from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import RequestFactory

from tests.tickets.helpers import at
from tickets import demo
from tickets.models import (
    Category,
    Complaint,
    Compound,
    Event,
    EventKind,
    Feedback,
    Notification,
    OrganLevel,
    Room,
    RoomFunction,
    ServiceRequest,
    Status,
    Unit,
    User,
    WebhookDelivery,
)
from tickets.services import notifications
from tickets.services.routing import find_contract


def run_command(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def snapshot():
    """Counts plus the natural keys and values a second run must not change."""
    return {
        "counts": demo.counts(),
        "users": sorted(User.objects.values_list("username", "password", "role", "unit__code", "contractor__code")),
        "rooms": sorted(Room.objects.values_list("floor__building__code", "number", "function", "usable_area")),
        "categories": sorted(Category.objects.values_list("code", "parent__code", "sla_policy__code")),
    }


def test_load_demo_twice_changes_nothing(db, run_on_commit):
    # Other modules' loaders write back-dated history of their own (inspections, rectifications): the command
    # runs them with deliveries suppressed too, so even with every commit hook run no e-mail goes out.
    with run_on_commit(execute=True):
        first_output = run_command("--no-history")
    assert mail.outbox == []
    first = snapshot()
    run_command("--no-history")
    assert snapshot() == first

    counts = first["counts"]
    assert counts["compounds"] >= 3
    assert counts["buildings"] >= 6
    assert counts["rooms"] >= 300
    assert counts["units"] >= 15
    assert counts["contractors"] >= 3
    assert counts["users"] >= 60
    assert not demo.history_loaded()  # --no-history (other modules' loaders may file a few requests of their own)
    assert set(Compound.objects.values_list("code", flat=True)) >= {"south", "north", "cppcc"}
    assert not Unit.objects.exclude(level=OrganLevel.MUNICIPAL).filter(code__in=[u[0] for u in demo.UNITS]).exists()
    assert Unit.objects.filter(parent__isnull=False).count() >= 3

    offices = Room.objects.filter(function=RoomFunction.OFFICE)
    assert offices.count() > Room.objects.count() / 2
    assert not offices.filter(Q(usable_area__lt=9) | Q(usable_area__gt=54)).exists()
    assert (
        not Room.objects.filter(function=RoomFunction.MEETING)
        .filter(Q(usable_area__lt=60) | Q(usable_area__gt=200))
        .exists()
    )

    # Every service line of the catalogue routes its leaves to a contract, in every compound.
    leaves = Category.objects.annotate(n=Count("children")).filter(n=0, code__in=[c.code for c in demo.CATEGORIES])
    lines = set(leaves.values_list("service_line", flat=True))
    assert lines == {"property", "canteen"}
    for line in lines:
        leaf = leaves.filter(service_line=line).first()
        for compound in Compound.objects.filter(code__in=["south", "north", "cppcc"]):
            contract = find_contract(category=leaf, compound=compound, on=date(2026, 6, 1))
            assert contract is not None and contract.service_line == line, (leaf, compound)

    # The printed log-ins work.
    assert "zhangwei" in first_output and demo.PASSWORD in first_output
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="zhangwei", password=demo.PASSWORD) is not None
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


def test_history_runs_through_the_services(db):
    demo.load_reference()
    demo.load_catalogue(today=date(2026, 3, 20))
    demo.load_users()
    now = at(2026, 3, 20, 18, 0)

    filed = demo.load_history(now=now, months=1, open_target=10)

    requests = ServiceRequest.objects.all()
    assert filed == requests.count() > 60
    assert requests.filter(created_at__gt=now).count() == 0
    statuses = set(requests.values_list("status", flat=True))
    assert {Status.CLOSED, Status.ACCEPTED, Status.IN_PROGRESS, Status.SUBMITTED} <= statuses
    assert len(statuses) >= 5
    assert requests.filter(status__in=[Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD]).count()
    assert not requests.filter(contract__isnull=True).exists()
    # Every request has its creation event, and the work shows as transitions by the contractor's people.
    assert Event.objects.filter(kind=EventKind.CREATED).count() == filed
    assert Event.objects.filter(kind=EventKind.TRANSITION, action="resolve", actor__role="worker").exists()
    assert Event.objects.filter(kind=EventKind.ASSIGNED, actor__role="dispatcher").exists()
    assert Feedback.objects.filter(rating__gte=4).exists()
    assert requests.filter(status=Status.CLOSED, rating__isnull=True).exists()  # closed unrated by expiry
    assert Event.objects.filter(kind=EventKind.SLA_BREACH).exists()
    assert requests.filter(Q(response_breached=True) | Q(resolution_breached=True)).exists()

    # The past sends no e-mail and queues no webhook, yet the last two weeks fill the inbox as they would have;
    # deliveries are back on afterwards.
    assert mail.outbox == []
    assert not WebhookDelivery.objects.exists()
    inbox_from = now - timedelta(days=demo.INBOX_DAYS)
    assert Notification.objects.filter(created_at__gte=inbox_from).exists()
    assert not Notification.objects.filter(created_at__lt=inbox_from).exists()
    assert not notifications.deliveries_are_suppressed()

    # Run again: the history is there, nothing is added.
    events = Event.objects.count()
    assert demo.load_history(now=now, months=1) == 0
    assert ServiceRequest.objects.count() == filed and Event.objects.count() == events
    assert Complaint.objects.filter(feedback__rating__gt=2).count() == 0


LOADER_CALLS: list[dict] = []


def throwaway_demo_loader(*, history: bool) -> list[tuple[str, str, str]]:
    """A module's demo loader, as a kind declares it: it records how it was called and returns a log-in."""
    from tickets.sla import calendars

    LOADER_CALLS.append(
        {
            "history": history,
            "suppressed": notifications.deliveries_are_suppressed(),
            "calendars_cached": calendars._cache.get() is not None,
        }
    )
    return [("演示模块用户", "module-user", demo.PASSWORD)]


def test_load_demo_calls_each_declared_module_loader_once(db):
    from tickets import registry
    from tickets.management.commands.load_demo import Command

    path = f"{__name__}:throwaway_demo_loader"
    missing = "tests.tickets.no_such_module:load_demo"
    kinds = [
        registry.RequestKind(key=f"demo_test_{n}", label="演示", service_line="property", demo_loader=loader)
        for n, loader in ((1, path), (2, path), (3, missing))
    ]
    LOADER_CALLS.clear()
    for kind in kinds:
        registry.register_kind(kind)
    try:
        errors = io.StringIO()
        command = Command(stdout=io.StringIO(), stderr=errors)
        logins = command.run_module_loaders(history=False)
    finally:
        for kind in kinds:
            registry.unregister_kind(kind.key)

    # Two kinds share the loader: it runs once, with the keyword, inside the back-dating switches.
    assert LOADER_CALLS == [{"history": False, "suppressed": True, "calendars_cached": True}]
    assert ("演示模块用户", "module-user", demo.PASSWORD) in logins
    # A declared loader that cannot be imported (a module being written) is reported and the demo goes on.
    assert f"跳过 {missing}" in errors.getvalue()
    assert not notifications.deliveries_are_suppressed()
