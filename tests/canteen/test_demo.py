"""The canteen's demo loader, after the core's demo: menus, bookings, counts, one flagged sample, one open
complaint; a second run changes nothing."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command

from canteen.demo import canteen_demo, load_canteen_demo
from canteen.models import Canteen, FoodSample, HeadCount, LogInspection, MealBooking, MenuStatus, WeeklyMenu
from tests.canteen.conftest import at
from tickets import demo
from tickets.models import ServiceRequest

pytestmark = pytest.mark.django_db


@time_machine.travel(at(2026, 3, 18, 15, 0), tick=False)
def test_demo_loads_once_with_a_flagged_sample_and_an_open_complaint():
    call_command("load_demo", "--no-history", stdout=io.StringIO(), stderr=io.StringIO())
    with demo.backdated():
        first = canteen_demo(history=True, weeks=1)
    assert Canteen.objects.count() == 3 and first["head_counts"] > 0
    assert WeeklyMenu.objects.filter(status=MenuStatus.SUBMITTED).count() == 3  # next week's, awaiting the bureau
    assert FoodSample.objects.filter(underweight=True).count() == 1
    complaint = ServiceRequest.objects.get(kind="canteen_complaint")
    assert complaint.is_open and complaint.contractor.code == "hefeng"
    # February's logs (none in this short history) recorded once as the south canteen contract's inspection.
    (log,) = LogInspection.objects.select_related("inspection__contract")
    assert (log.canteen.code, log.month.isoformat(), log.inspection.score) == ("south", "2026-02-01", 100)
    assert log.inspection.contract.contractor.code == "hefeng"
    before = (MealBooking.objects.count(), HeadCount.objects.count(), FoodSample.objects.count())
    with demo.backdated():
        logins = load_canteen_demo(history=True, weeks=1)
    assert [name for _label, name, _password in logins] == ["st_diaodu", "jg_canyin"]
    assert (MealBooking.objects.count(), HeadCount.objects.count(), FoodSample.objects.count()) == before
    assert LogInspection.objects.count() == 1
