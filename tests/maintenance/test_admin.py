"""Keeping plans in the admin, as Dave (bureau admin, staff) does: saved through the services, refused with their
messages and nothing saved; a contractor's dispatcher with staff rights is still refused."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tickets.maintenance.models import MaintenancePlan

pytestmark = pytest.mark.django_db
ADD = reverse("admin:tickets_maintenanceplan_add")


def admin_client(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="tickets", codename__endswith="maintenanceplan")
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def form(world, lift, **changes):
    data = {
        "title": "电梯半月保养",
        "equipment": lift.pk,
        "contract": world.contract.pk,
        "category": world.leak.pk,
        "urgency": "normal",
        "frequency": "daily",
        "interval": "15",
        "weekdays": "[]",
        "starts_on": "2026-01-01",
        "lead_days": "0",
        "grace_days": "7",
        "active": "on",
        "_save": "保存",
    }
    return {**data, **changes}


def test_admin_saves_a_plan_through_the_service(world, lift):
    response = admin_client(world.dave).post(ADD, form(world, lift))
    assert response.status_code == 302, response.context["adminform"].form.errors
    plan = MaintenancePlan.objects.get()
    assert (plan.filed_by, plan.interval) == (world.dave, 15)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"interval": "0"}, "间隔必须是不小于1的整数"),
        ({"frequency": ""}, "请选择维保周期"),
        ({"frequency": "yearly", "interval": "1", "month": "2", "day": "30"}, "从不发生"),
        ({"equipment": "999999"}, "选择一个有效的选项"),  # equipment that does not exist
    ],
)
def test_admin_refuses_a_bad_plan_with_the_services_message(world, lift, changes, message):
    response = admin_client(world.dave).post(ADD, form(world, lift, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MaintenancePlan.objects.exists()


def test_contractor_staff_cannot_keep_plans_even_with_admin_rights(world, lift):
    response = admin_client(world.bob).post(ADD, form(world, lift))
    assert response.status_code == 200
    assert "只有机关事务局的管理员或本条线主管可以维护维保计划" in response.content.decode()
    assert not MaintenancePlan.objects.exists()
