"""The bureau's plan pages: the list of plans and the form that creates or edits one with its recurrence, through
the plan service (so the page refuses what the API refuses, with the same messages)."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.maintenance.conftest import at
from tickets.maintenance.models import Equipment, MaintenanceOccurrence, MaintenancePlan
from tickets.maintenance.services import plan_create, planned_maintenance_run

pytestmark = pytest.mark.django_db
LIST, NEW = reverse("maintenance:plans"), reverse("maintenance:plan-new")


def client(user=None):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        c.force_login(user)
    return c


def form(world, lift, **changes):
    return {
        "title": "电梯周保养",
        "equipment": lift.pk,
        "contract": world.contract.pk,
        "category": world.leak.pk,
        "urgency": "normal",
        "frequency": "weekly",
        "interval": "2",
        "weekdays": ["0", "3"],
        "starts_on": "2026-01-05",
        "float_to_working_day": "on",
        "lead_days": "1",
        "grace_days": "5",
        "active": "on",
        **changes,
    }


@time_machine.travel(at(2026, 1, 2), tick=False)
def test_the_property_supervisor_creates_a_plan_with_its_recurrence(world, lift):
    res = client(world.carol).post(NEW, form(world, lift))
    assert res.status_code == 302 and res["Location"] == LIST
    plan = MaintenancePlan.objects.get(title="电梯周保养")
    assert (plan.frequency, plan.interval, plan.weekdays, plan.float_to_working_day) == ("weekly", 2, [0, 3], True)
    assert (plan.lead_days, plan.grace_days, plan.filed_by) == (1, 5, world.carol)
    assert plan.effective_from == date(2026, 1, 5)
    page = client(world.carol).get(LIST).content.decode()
    assert "电梯周保养" in page and "每2周（周一、周四）" in page and "南院物业服务合同" in page


@time_machine.travel(at(2026, 1, 2), tick=False)
def test_a_plan_that_never_occurs_or_has_a_zero_interval_is_refused_with_messages(world, lift):
    carol = client(world.carol)
    res = carol.post(NEW, form(world, lift, interval="0"))
    assert res.status_code == 400 and "间隔必须是不小于1的整数。" in res.content.decode()
    res = carol.post(NEW, form(world, lift, frequency=""))
    assert res.status_code == 400 and "请选择维保周期" in res.content.decode()
    res = carol.post(NEW, form(world, lift, frequency="yearly", weekdays=[], month="2", day="30"))
    assert res.status_code == 400
    res = carol.post(NEW, form(world, lift, frequency="daily"))  # weekdays only for a weekly plan
    assert res.status_code == 400 and "只有按周的计划可以指定星期。" in res.content.decode()
    assert not MaintenancePlan.objects.exists()


def test_an_edit_changes_only_the_dates_to_come(world, checked_plan):
    planned_maintenance_run(now=at(2026, 1, 16, 8))  # 1 and 16 January written and opened
    opened = set(MaintenanceOccurrence.objects.values_list("scheduled_on", "status", "service_request_id"))
    url = reverse("maintenance:plan-edit", args=[checked_plan.pk])
    with time_machine.travel(at(2026, 1, 20), tick=False):
        assert "电梯半月保养" in client(world.carol).get(url).content.decode()
        values = form(world, checked_plan.equipment, title="电梯月保养", frequency="monthly", interval="1",
                      weekdays=[], starts_on="2026-01-01", checklist=checked_plan.checklist_id)  # fmt: skip
        assert client(world.carol).post(url, values).status_code == 302
    checked_plan.refresh_from_db()
    assert (checked_plan.title, checked_plan.frequency, checked_plan.effective_from) == (
        "电梯月保养",
        "monthly",
        date(2026, 1, 20),
    )
    assert set(MaintenanceOccurrence.objects.values_list("scheduled_on", "status", "service_request_id")) == opened


def test_only_the_bureau_keeps_plans(world, lift, checked_plan):
    edit = reverse("maintenance:plan-edit", args=[checked_plan.pk])
    for user in (world.bob, world.wang, world.zed, world.alice, world.vic):
        assert client(user).get(LIST).status_code == 403
        assert client(user).post(NEW, form(world, lift)).status_code == 403
        assert client(user).post(edit, form(world, lift, title="改")).status_code == 403
    assert client().get(LIST).status_code == 302
    assert client(world.dave).get(LIST).status_code == 200
    assert MaintenancePlan.objects.get().title == "电梯半月保养"


def test_the_plan_list_costs_a_fixed_number_of_queries(world, plan_values, checked_plan):
    carol = client(world.carol)
    carol.get(LIST)
    with CaptureQueriesContext(connection) as few:
        carol.get(LIST)
    for n in range(10):
        item = Equipment.objects.create(code=f"f{n}", name=f"风机{n}", category="hvac", compound=world.compound,
                                        building=world.building)  # fmt: skip
        plan_create(actor=world.dave, now=at(2025, 12, 31), **{**plan_values, "equipment": item, "title": f"风机{n}"})
    with CaptureQueriesContext(connection) as many:
        assert "风机9" in carol.get(LIST).content.decode()
    assert len(many) == len(few)


def test_an_items_page_links_to_its_plans_for_the_bureau(world, checked_plan):
    item_url = reverse("maintenance:equipment", args=[checked_plan.equipment_id])
    page = client(world.carol).get(item_url).content.decode()
    assert reverse("maintenance:plan-edit", args=[checked_plan.pk]) in page
    new = client(world.carol).get(f"{NEW}?equipment={checked_plan.equipment_id}").content.decode()
    assert f'<option value="{checked_plan.equipment_id}" selected>' in new
    assert (
        reverse("maintenance:plan-edit", args=[checked_plan.pk]) not in client(world.bob).get(item_url).content.decode()
    )
