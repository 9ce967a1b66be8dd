"""The demo's planned maintenance: a year of history through the real services, a few late occurrences, one
missed, a failed item's repair, a certificate about to expire; and the scorecard's rule moving with the miss."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tickets.maintenance.demo import load_maintenance_demo
from tickets.maintenance.models import Equipment, EquipmentWork, MaintenanceOccurrence, WorkSource
from tickets.maintenance.reminders import inspection_reminders_send
from tickets.maintenance.selectors import on_time_rates

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 15, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_demo_holds_a_year_of_planned_work(db):
    from tickets import demo

    demo.load_reference()
    demo.load_catalogue()
    demo.load_users()
    with demo.backdated(now=NOW):
        load_maintenance_demo(now=NOW)
    statuses = set(MaintenanceOccurrence.objects.values_list("status", flat=True))
    assert {"done", "late", "missed", "opened"} <= statuses
    assert MaintenanceOccurrence.objects.filter(status="missed").count() == 1
    assert EquipmentWork.objects.filter(source=WorkSource.CHECKLIST).exists()
    lift = Equipment.objects.get(code="lift-s1-1")
    assert lift.inspection_due_on == date(2026, 12, 6)
    assert inspection_reminders_send(now=NOW) == 1
    missed = MaintenanceOccurrence.objects.select_related("plan__contract").get(status="missed")
    month = missed.due_on.replace(day=1)
    next_month = (month.replace(day=28) + date.resolution * 4).replace(day=1)
    rate = on_time_rates(missed.plan.contract, month, next_month, by_site=False)[None]
    assert rate is not None and rate < Decimal(100)
    load_maintenance_demo(now=NOW)  # a second run changes nothing
    assert Equipment.objects.count() == 6
    # The demo's scorecards (drafted after the modules' demo, as load_demo does) weight the rule: the month of the
    # missed check scores below the months without one.
    from tickets.assessment.demo import load_reports_demo
    from tickets.models import ScorecardLine

    with demo.backdated(now=NOW):
        load_reports_demo(now=NOW)
    lines = ScorecardLine.objects.filter(
        indicator="planned_maintenance", scorecard__contract=missed.plan.contract, compound=missed.plan.compound
    )
    by_month = {line.scorecard.month: line for line in lines.select_related("scorecard")}
    site_rate = on_time_rates(missed.plan.contract, month, next_month, by_site=True)[missed.plan.compound_id]
    assert by_month[month].value == site_rate < Decimal(95) and by_month[month].points < Decimal(10)
    assert any(line.points == Decimal(10) for m, line in by_month.items() if m != month)
