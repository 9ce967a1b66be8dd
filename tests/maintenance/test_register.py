"""The equipment register: items saved through one checked service (pages, API, admin), repairs that name an item,
and the cost of a piece of work. Refusals leave nothing written."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import BuildingFactory
from tests.maintenance.conftest import at
from tickets.exceptions import ActionForbidden
from tickets.maintenance.models import Equipment, EquipmentWork, WorkSource
from tickets.maintenance.register import (
    equipment_create,
    equipment_repair_file,
    equipment_update,
    work_cost_record,
)

pytestmark = pytest.mark.django_db


def values(world, **changes):
    return {"code": "ahu-b1-1", "name": "1号楼新风机组", "category": "hvac", "room": world.room, **changes}


def test_a_keeper_registers_an_item_and_its_place_is_completed_from_the_room(world):
    item = equipment_create(actor=world.carol, contract=world.contract, **values(world))
    assert (item.compound, item.building, item.floor, item.room) == (
        world.compound,
        world.building,
        world.room.floor,
        world.room,
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": ""}, "code", "请填写设备编号。"),
        ({"code": "电梯1"}, "code", "设备编号只能由字母、数字、连字符和下划线组成，最多50个字符。"),
        ({"name": " "}, "name", "请填写设备名称。"),
        ({"category": "spaceship"}, "category", "请选择设备类别。"),
        ({"room": None}, "compound", "请选择院区或房间。"),
    ],
)
def test_bad_items_are_refused_with_field_messages(world, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        equipment_create(actor=world.dave, **values(world, **changes))
    assert refused.value.message_dict[field] == [message]
    assert not Equipment.objects.exists()


def test_a_place_that_does_not_exist_together_is_refused(world):
    north = BuildingFactory(compound=world.other_compound, code="n1", name="北1号楼")
    with pytest.raises(ValidationError) as refused:
        equipment_create(actor=world.dave, **values(world, room=None, compound=world.compound, building=north))
    assert refused.value.message_dict["building"] == ["楼栋不在所选院区内。"]


def test_a_taken_code_a_reversed_warranty_and_a_contract_elsewhere_are_refused(world, lift):
    from datetime import date

    with pytest.raises(ValidationError) as refused:
        equipment_create(
            actor=world.dave,
            **values(
                world,
                code=lift.code,
                room=None,
                compound=world.other_compound,
                contract=world.contract,
                installed_on=date(2024, 5, 1),
                warranty_ends_on=date(2023, 5, 1),
            ),
        )
    errors = refused.value.message_dict
    assert errors["code"] == [f"设备编号 {lift.code} 已存在。"]
    assert errors["warranty_ends_on"] == ["保修截止日期不能早于安装日期。"]
    assert errors["contract"] == ["合同的服务范围不包含该设备所在院区。"]


@pytest.mark.parametrize("who", ["alice", "bob", "wang", "vic"])
def test_only_the_bureaus_property_line_keeps_the_register(world, who):
    with pytest.raises(ActionForbidden):
        equipment_create(actor=getattr(world, who), **values(world))


def test_an_update_keeps_the_rest(world, lift):
    from datetime import date

    equipment_update(equipment=lift, actor=world.carol, inspection_due_on=date(2026, 6, 30))
    lift.refresh_from_db()
    assert lift.inspection_due_on == date(2026, 6, 30) and lift.serial == "OT-2019-0042"


def test_a_repair_naming_the_item_is_filed_at_its_place_and_linked(world, lift):
    service_request = equipment_repair_file(
        equipment=lift, actor=world.alice, category=world.leak, title="电梯异响", now=at(2026, 3, 2)
    )
    assert service_request.building == world.building and service_request.requester == world.alice
    assert lift.code in service_request.location_detail
    link = EquipmentWork.objects.get(service_request=service_request)
    assert (link.equipment, link.source) == (lift, WorkSource.REPAIR)


def test_a_retired_item_or_a_category_of_another_line_is_refused(world, lift):
    from tickets.models import Category

    taxi = Category.objects.create(code="taxi", name="用车", service_line="vehicles")
    with pytest.raises(ValidationError):
        equipment_repair_file(equipment=lift, actor=world.alice, category=taxi, title="x")
    lift.active = False
    with pytest.raises(ValidationError):
        equipment_repair_file(equipment=lift, actor=world.alice, category=world.leak, title="x")
    assert not EquipmentWork.objects.exists()


def test_costs_are_recorded_by_the_maintainers_dispatcher_or_the_bureau_only(world, lift):
    service_request = equipment_repair_file(equipment=lift, actor=world.alice, category=world.leak, title="异响")
    work = EquipmentWork.objects.get(service_request=service_request)
    assert work_cost_record(work=work, actor=world.bob, cost="1280.5", note="更换导靴").cost == Decimal("1280.50")
    for who in ("wang", "zed", "alice"):
        with pytest.raises(ActionForbidden):
            work_cost_record(work=work, actor=getattr(world, who), cost="1")
    with pytest.raises(ValidationError):
        work_cost_record(work=work, actor=world.carol, cost="-5")
    with pytest.raises(ValidationError):
        work_cost_record(work=work, actor=world.carol, cost="很多")
    work.refresh_from_db()
    assert work.cost == Decimal("1280.50") and work.cost_recorded_by == world.bob


def test_the_admin_saves_items_through_the_service(world, lift):
    dave = world.dave
    dave.is_staff = True
    dave.save(update_fields=["is_staff"])
    dave.user_permissions.add(*Permission.objects.filter(codename__endswith="equipment"))
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(dave)
    url = reverse("admin:tickets_equipment_add")
    data = {"code": lift.code, "name": "x", "category": "lift", "compound": world.compound.pk, "active": "on"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"设备编号 {lift.code} 已存在。" in response.content.decode()
    response = client.post(url, {**data, "code": "lift-9", "room": world.room.pk, "compound": ""})
    assert response.status_code == 302
    assert Equipment.objects.get(code="lift-9").building == world.building


def test_a_contractor_with_admin_rights_still_cannot_keep_the_register(world):
    bob = world.bob
    bob.is_staff = True
    bob.save(update_fields=["is_staff"])
    bob.user_permissions.add(*Permission.objects.filter(codename__endswith="equipment"))
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(bob)
    response = client.post(
        reverse("admin:tickets_equipment_add"),
        {"code": "lift-9", "name": "x", "category": "lift", "compound": world.compound.pk, "active": "on"},
    )
    assert response.status_code == 200 and "只有机关事务局的管理员或物业条线主管" in response.content.decode()
    assert not Equipment.objects.exists()


def test_an_items_breakdowns_and_mean_time_between_them(world, lift):
    from tickets.maintenance.selectors import equipment_breakdowns

    assert equipment_breakdowns(lift) == {"count": 0, "mtbf_days": None}
    for day in (1, 11, 31):
        when = at(2026, 3, day)
        equipment_repair_file(equipment=lift, actor=world.alice, category=world.leak, title="异响", now=when)
    assert equipment_breakdowns(lift) == {"count": 3, "mtbf_days": Decimal("15.0")}
