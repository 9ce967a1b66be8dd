"""The beat opens each due date once as a core request of the planned-maintenance kind, keeps what it could not
open, and a plan edit leaves past occurrences as they were."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.exceptions import TransitionNotAllowed
from tickets.maintenance.models import Equipment, MaintenanceOccurrence, OccurrenceStatus
from tickets.maintenance.services import (
    occurrence_open,
    occurrences_generate,
    plan_create,
    plan_update,
    planned_maintenance_run,
)
from tickets.maintenance.tasks import open_planned_maintenance
from tickets.models import ServiceRequest
from tickets.services.requests import request_create

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hour=9):
    return datetime(y, m, d, hour, tzinfo=SH)


@pytest.fixture
def plan(world, plan_values):
    # A month's grace: these tests are about opening; missed occurrences have their own tests (test_work.py).
    return plan_create(actor=world.dave, now=at(2025, 12, 31), float_to_working_day=True, grace_days=30, **plan_values)


def _opened():
    return list(
        MaintenanceOccurrence.objects.filter(status=OccurrenceStatus.OPENED)
        .order_by("scheduled_on")
        .values_list("scheduled_on", "due_on", "service_request__kind")
    )


def test_the_beat_run_twice_opens_each_occurrence_once(world, plan):
    first = open_planned_maintenance.delay(at(2026, 1, 20).isoformat()).get()
    second = open_planned_maintenance.delay(at(2026, 1, 20, 15).isoformat()).get()
    assert first["opened"] == 2 and second["opened"] == 0
    # A beat that did not run on 1 January opens that date late, not never; 1 Jan floats to the 调休 Sunday 4th.
    assert _opened() == [
        (date(2026, 1, 1), date(2026, 1, 4), "planned_maintenance"),
        (date(2026, 1, 16), date(2026, 1, 16), "planned_maintenance"),
    ]
    assert ServiceRequest.objects.count() == 2
    service_request = ServiceRequest.objects.get(maintenance_occurrence__scheduled_on=date(2026, 1, 16))
    assert service_request.contract == world.contract
    assert service_request.category == world.leak
    assert service_request.building == world.building
    assert service_request.filed_by == world.dave
    assert "2026-01-16" in service_request.title


def test_an_occurrence_opened_by_another_beat_is_not_opened_again(world, plan):
    assert occurrences_generate(now=at(2026, 1, 3)) == 0  # 1 Jan floats to the 4th: not yet
    occurrences_generate(now=at(2026, 1, 4))
    (occurrence,) = MaintenanceOccurrence.objects.all()
    first = occurrence_open(occurrence_id=occurrence.pk, now=at(2026, 1, 4))
    again = occurrence_open(occurrence_id=occurrence.pk, now=at(2026, 1, 4, 10))
    assert again.service_request_id == first.service_request_id
    assert again.opened_at == at(2026, 1, 4)
    # and generating the same dates again writes no second row (unique plan × date)
    occurrences_generate(now=at(2026, 1, 4))
    assert MaintenanceOccurrence.objects.count() == 1
    assert ServiceRequest.objects.count() == 1


def test_lead_days_open_ahead_of_the_due_date(world, plan_values):
    plan_create(actor=world.dave, now=at(2025, 12, 31), lead_days=3, **plan_values)
    planned_maintenance_run(now=at(2026, 1, 12))
    assert [o.scheduled_on for o in MaintenanceOccurrence.objects.all()] == [date(2026, 1, 1)]
    planned_maintenance_run(now=at(2026, 1, 13))
    assert [o.opens_on for o in MaintenanceOccurrence.objects.order_by("scheduled_on")] == [
        date(2025, 12, 29),
        date(2026, 1, 13),
    ]


def test_a_plan_edit_changes_only_future_occurrences(world, plan):
    planned_maintenance_run(now=at(2026, 1, 20))
    before = list(MaintenanceOccurrence.objects.order_by("pk").values("scheduled_on", "due_on", "service_request"))
    plan_update(plan=plan, actor=world.dave, now=at(2026, 1, 20, 10), interval=7)
    planned_maintenance_run(now=at(2026, 1, 30))
    after = list(MaintenanceOccurrence.objects.order_by("pk").values("scheduled_on", "due_on", "service_request"))
    assert after[:2] == before
    # Every 7 days from 1 January: the 22nd and 29th are the first dates on or after the edit (the 15th is past).
    assert [o["scheduled_on"] for o in after[2:]] == [date(2026, 1, 22), date(2026, 1, 29)]


def test_a_date_the_core_refuses_is_kept_as_skipped_with_its_reason(world, plan):
    world.leak.active = False
    world.leak.save()
    counts = planned_maintenance_run(now=at(2026, 1, 5))
    assert counts["skipped"] == 1
    (occurrence,) = MaintenanceOccurrence.objects.all()
    assert occurrence.status == OccurrenceStatus.SKIPPED
    assert "请选择一个具体的服务分类" in occurrence.skip_reason
    assert not ServiceRequest.objects.exists()
    # not retried, not dropped
    assert planned_maintenance_run(now=at(2026, 1, 6))["skipped"] == 0
    assert MaintenanceOccurrence.objects.get().status == OccurrenceStatus.SKIPPED


def test_nobody_files_the_planned_maintenance_kind_by_hand(world):
    with pytest.raises(TransitionNotAllowed):
        request_create(
            actor=world.alice, category=world.leak, kind="planned_maintenance", title="手工", compound=world.compound
        )
    assert not ServiceRequest.objects.exists()


def _plans(world, plan_values, n):
    for i in range(n):
        equipment = Equipment.objects.create(
            code=f"eq-{i}", name=f"设备{i}", category="hvac", compound=world.compound, building=world.building
        )
        plan_create(actor=world.dave, now=at(2025, 12, 31), **{**plan_values, "equipment": equipment})


@pytest.mark.parametrize("n", [1, 20])
def test_generating_a_batch_costs_the_same_queries_for_1_or_20_plans(world, plan_values, n, django_assert_num_queries):
    _plans(world, plan_values, n)
    # the occurrences' last dates, the plans with their calendars, the national table (2), one INSERT
    with django_assert_num_queries(5):
        occurrences_generate(now=at(2026, 1, 20))
    assert MaintenanceOccurrence.objects.count() == 2 * n


def test_opening_costs_the_same_queries_per_occurrence(world, plan_values):
    _plans(world, plan_values, 3)
    occurrences_generate(now=at(2026, 1, 20))
    costs = []
    for pk in MaintenanceOccurrence.objects.order_by("pk").values_list("pk", flat=True):
        with CaptureQueriesContext(connection) as queries:
            occurrence_open(occurrence_id=pk, now=at(2026, 1, 20))
        costs.append(len(queries))
    # The first pays once for what the batch then reuses (the contract's calendar and its version); every
    # further occurrence costs the same.
    assert len(set(costs[1:])) == 1 and costs[0] <= costs[1] + 3, costs
