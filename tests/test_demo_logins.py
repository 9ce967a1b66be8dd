"""The demo as a newcomer meets it (issue #16, item 6): loaded on the 1st of a month, every log-in it prints signs
in through the login page and finds its role's main page with work on it; the fleet has a past and a present;
the monthly report archive and the scorecards are what the scheduled jobs would have left, none dated later
than the moment of loading."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tickets import registry
from tickets.models import Event, MonthlyReport, Role, Scorecard, ServiceRequest, User

SH = ZoneInfo("Asia/Shanghai")
LOADED_AT = datetime(2026, 12, 1, 10, 0, tzinfo=SH)  # after the 06:00 report and 06:30 draft jobs of the 1st
FLEET_LOADER = "fleet.demo:load_fleet_demo"


@pytest.fixture
def fleet_declares_its_loader():
    """fleet declares its demo loader on its kind; until it does, a throwaway kind declares it for this test."""
    if any(kind.demo_loader == FLEET_LOADER for kind in registry.all_kinds()):
        yield
        return
    kind = registry.RequestKind(key="demo_fleet", label="公务用车", service_line="vehicles", demo_loader=FLEET_LOADER)
    registry.register_kind(kind)
    try:
        yield
    finally:
        registry.unregister_kind(kind.key)


def printed_logins(output: str) -> list[tuple[str, str, str]]:
    lines = output.split("演示账号：", 1)[1].strip().splitlines()
    return [tuple(line.split()) for line in lines]  # type: ignore[misc]


def main_page(user: User) -> str:
    """Where the role's journey starts, as the home page and navigation lead it."""
    if user.is_superuser:
        return reverse("admin:index")
    if hasattr(user, "driver"):
        return reverse("fleet:driver")
    if user.role == Role.SUPERVISOR and user.service_line == "vehicles":
        return reverse("fleet:approvals")
    return reverse(
        {
            Role.REQUESTER: "request-list",
            Role.UNIT_APPROVER: "awaiting-approval",
            Role.DISPATCHER: "workbench",
            Role.WORKER: "my-tasks",
            Role.SUPERVISOR: "console",
            Role.ADMIN: "console",
        }[user.role]
    )


def test_every_printed_login_finds_its_work_and_nothing_is_dated_after_the_load(
    db, client, run_on_commit, fleet_declares_its_loader
):
    from fleet.models import Driver, TripStage, VehicleTrip

    out = io.StringIO()
    with time_machine.travel(LOADED_AT, tick=False), run_on_commit(execute=True):
        call_command("load_demo", "--months", "2", stdout=out, stderr=io.StringIO())
    logins = printed_logins(out.getvalue())
    assert mail.outbox == []  # the past's mail, the monthly reports' included, went out long ago

    # The printed driver drives for the fleet; every driver, and the vehicles office, sign in with the demo password.
    by_label = {label: username for label, username, _password in logins}
    password = logins[0][2]
    assert Driver.objects.filter(user__username=by_label["驾驶员"]).exists()
    assert "管理处室（公务用车）" in by_label
    assert all(driver.user.check_password(password) for driver in Driver.objects.select_related("user"))

    # Each log-in, through the login page, reaches its role's main page, and the pages that list work list some.
    dispatched = VehicleTrip.objects.get(stage=TripStage.DISPATCHED, driver__user__username=by_label["驾驶员"])
    awaiting_bureau = VehicleTrip.objects.filter(stage=TripStage.REQUESTED, approvals__isnull=False).first()
    # The printed requester works in a division (a sub-unit); the printed unit approver, of the bureau above it,
    # finds the trip under 待审批: approval follows the unit tree.
    awaiting_unit = VehicleTrip.objects.get(
        stage=TripStage.REQUESTED, approvals__isnull=True, request__requester__username=by_label["报修人/申请人"]
    )
    approver = User.objects.get(username=by_label["单位审核人"])
    assert awaiting_unit.request.unit.parent_id == approver.unit_id
    work_shown = {
        "驾驶员": reverse("fleet:trip-step", args=[dispatched.pk, "depart"]),  # the form to go out with
        "管理处室（公务用车）": awaiting_bureau.request.number,
        "单位审核人": awaiting_unit.request.number,
    }
    for label, username, secret in logins:
        client.logout()
        with time_machine.travel(LOADED_AT, tick=False):
            signed_in = client.post(reverse("login"), {"username": username, "password": secret})
            assert signed_in.status_code == 302, (label, username)
            page = client.get(main_page(User.objects.get(username=username)))
        assert page.status_code == 200, (label, username, page.status_code)
        if label in work_shown:
            assert work_shown[label] in page.content.decode(), label

    # The fleet has a past: trips that went out, came back, were costed and rated.
    past = VehicleTrip.objects.filter(returned_at__lt=LOADED_AT, cost_total__isnull=False)
    assert past.count() >= 20 and past.filter(stage=TripStage.RATED).exists()

    # What the jobs of the 1st would have left: a report for every month with requests up to November, each made
    # at 06:00 on the 1st after it; November's scorecards drafted at 06:30 today and not yet signed.
    first = timezone.localdate(ServiceRequest.objects.order_by("created_at").first().created_at).replace(day=1)
    reports = list(MonthlyReport.objects.order_by("month"))
    assert reports[0].month == first and reports[-1].month == date(2026, 11, 1)
    assert len(reports) == (2026 - first.year) * 12 + 11 - first.month + 1
    for report in reports:
        job_at = timezone.localtime(report.generated_at)
        assert (job_at.day, job_at.hour, job_at.minute) == (1, 6, 0) and job_at <= LOADED_AT
    november = Scorecard.objects.filter(month__year=2026, month__month=11)
    assert november.exists() and set(november.values_list("state", flat=True)) == {"draft"}
    assert not Scorecard.objects.filter(signed_at__gt=LOADED_AT).exists()
    assert not Scorecard.objects.filter(created_at__gt=LOADED_AT).exists()
    assert not ServiceRequest.objects.filter(created_at__gt=LOADED_AT).exists()
    assert not Event.objects.filter(created_at__gt=LOADED_AT).exists()
