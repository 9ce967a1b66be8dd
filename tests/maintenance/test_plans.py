"""Plans are checked before anything is written: each refusal answers with a field message in Chinese."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tickets.exceptions import ActionForbidden
from tickets.maintenance.models import MaintenancePlan
from tickets.maintenance.services import plan_create, plan_update

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"frequency": ""}, "frequency", "请选择维保周期"),
        ({"interval": 0}, "interval", "间隔必须是不小于1的整数"),
        ({"frequency": "yearly", "interval": 1, "month": 2, "day": 30}, "frequency", "从不发生"),
        ({"ends_on": date(2025, 12, 1)}, "ends_on", "结束日期不能早于开始日期"),
        ({"frequency": "monthly", "weekdays": [0]}, "weekdays", "只有按周的计划"),
        ({"frequency": "weekly", "weekdays": [7]}, "weekdays", "星期须为0"),
        ({"frequency": "yearly"}, "day", "需填写月和日"),
        ({"lead_days": 400}, "lead_days", "提前开单天数"),
        ({"category": None}, "category", "请选择服务分类"),
    ],
)
def test_bad_plans_are_refused_and_nothing_written(world, plan_values, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        plan_create(actor=world.dave, **{**plan_values, **changes})
    assert any(message in text for text in refused.value.message_dict[field])
    assert not MaintenancePlan.objects.exists()


def test_category_outside_the_contract_is_refused(world, plan_values):
    with pytest.raises(ValidationError) as refused:
        plan_create(actor=world.dave, **{**plan_values, "category": world.cleaning})
    assert refused.value.message_dict["category"] == ["合同的服务范围不包含该分类。"]


def test_equipment_in_a_compound_outside_the_contract_is_refused(world, plan_values, lift):
    lift.compound = world.other_compound
    lift.building = None
    lift.save()
    with pytest.raises(ValidationError) as refused:
        plan_create(actor=world.dave, **plan_values)
    assert refused.value.message_dict["contract"] == ["合同的服务范围不包含该设备所在院区。"]


@pytest.mark.parametrize("who", ["alice", "bob", "wang", "vic"])
def test_only_the_bureau_of_the_line_keeps_plans(world, plan_values, who):
    with pytest.raises(ActionForbidden):
        plan_create(actor=getattr(world, who), **plan_values)
    assert not MaintenancePlan.objects.exists()


def test_supervisor_of_the_line_and_admin_may(world, plan_values):
    assert plan_create(actor=world.carol, **plan_values).filed_by == world.carol
    assert plan_create(actor=world.dave, **plan_values).filed_by == world.dave


def test_a_bad_edit_changes_nothing(world, plan_values):
    plan = plan_create(actor=world.dave, **plan_values)
    with pytest.raises(ValidationError):
        plan_update(plan=plan, actor=world.dave, interval=0, title="改名")
    plan.refresh_from_db()
    assert (plan.interval, plan.title) == (15, "电梯半月保养")


def test_refusals_in_english(world, plan_values):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        plan_create(actor=world.dave, **{**plan_values, "interval": 0})
    assert refused.value.message_dict["interval"] == ["The interval must be a whole number of at least 1."]
