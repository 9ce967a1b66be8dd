"""Compliance (done on time / late / missed) aggregated in SQL, and the scorecard rule that weights it."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.maintenance.conftest import at
from tickets.assessment.inspections import ItemInput
from tickets.assessment.scorecards import scorecard_draft
from tickets.assessment.selectors import indicator_values
from tickets.maintenance.models import Equipment, MaintenanceOccurrence, OccurrenceStatus
from tickets.maintenance.selectors import compliance
from tickets.maintenance.services import plan_create, planned_maintenance_run
from tickets.maintenance.work import occurrence_complete
from tickets.models import SchemeIndicator, ScoringScheme

pytestmark = pytest.mark.django_db


def complete(world, order, items, when):
    answers = [ItemInput(item=items[0].pk, passed=True), ItemInput(item=items[1].pk, measured="50")]
    return occurrence_complete(occurrence=order, actor=world.wang, results=answers, now=when)


def test_compliance_counts_done_late_and_missed_per_contract_site_category_and_month(world, order, items):
    complete(world, order, items, at(2026, 1, 16, 11))
    # Every 15 days: 1, 16 and 31 January, 15 February. By 20 February the 1st and the 31st are past their 7 days'
    # grace (missed); the 15th is still open (not decided).
    planned_maintenance_run(now=at(2026, 2, 20, 8))
    rows = compliance(user=world.carol, start=date(2026, 1, 1), end=date(2026, 3, 1))
    got = [(r["month"].month, r["category"], r["done"], r["late"], r["missed"], r["on_time_rate"]) for r in rows]
    assert got == [(1, "lift", 1, 0, 2, Decimal("33.33")), (2, "lift", 0, 0, 0, None)]
    assert rows[0]["contract"] == world.contract and rows[0]["compound"] == world.compound
    assert compliance(user=world.zed, start=date(2026, 1, 1), end=date(2026, 3, 1)) == []
    assert compliance(user=world.alice, start=date(2026, 1, 1), end=date(2026, 3, 1)) == []


def test_compliance_costs_the_same_queries_for_many_plans(world, plan_values):
    for n in range(2):
        item = Equipment.objects.create(code=f"x{n}", name="x", category="fire", compound=world.compound)
        plan_create(actor=world.dave, now=at(2025, 12, 31), **{**plan_values, "equipment": item})
    planned_maintenance_run(now=at(2026, 1, 20, 8))
    with CaptureQueriesContext(connection) as few:
        compliance(user=world.carol, start=date(2026, 1, 1), end=date(2026, 2, 1))
    for n in range(2, 12):
        item = Equipment.objects.create(code=f"x{n}", name="x", category="hvac", compound=world.compound)
        plan_create(actor=world.dave, now=at(2025, 12, 31), **{**plan_values, "equipment": item})
    planned_maintenance_run(now=at(2026, 1, 20, 9))
    with CaptureQueriesContext(connection) as many:
        rows = compliance(user=world.carol, start=date(2026, 1, 1), end=date(2026, 2, 1))
    assert sum(r["total"] for r in rows) == 24 and len(many) == len(few)


def test_the_scorecard_rule_moves_with_a_missed_occurrence(world, order, items):
    scheme = ScoringScheme.objects.create(contract=world.contract, updated_at=at(2026, 1, 1))
    SchemeIndicator.objects.create(
        scheme=scheme, indicator="planned_maintenance", method="weight", weight=Decimal(10), target=Decimal(100)
    )
    complete(world, order, items, at(2026, 1, 16, 11))
    MaintenanceOccurrence.objects.filter(scheduled_on=date(2026, 1, 1)).update(status=OccurrenceStatus.OPENED)
    before = indicator_values(world.contract, date(2026, 1, 1), by_site=False, now=at(2026, 1, 20))
    assert before[None]["planned_maintenance"] == Decimal("100.00")  # the open one is not decided yet
    planned_maintenance_run(now=at(2026, 2, 1, 8))  # 1 January's grace is long over: missed
    card = scorecard_draft(contract=world.contract, month=date(2026, 1, 1), now=at(2026, 2, 1, 9))
    line = card.lines.get(indicator="planned_maintenance")
    assert (line.value, line.points) == (Decimal("50.00"), Decimal("5.00"))
