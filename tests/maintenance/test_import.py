"""Importing the equipment register from XLSX: per-row errors in the clerk's terms, all or nothing, and a second
run of the same file updates instead of duplicating."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from tickets.maintenance.models import Equipment
from tickets.services.imports import import_file

pytestmark = pytest.mark.django_db
HEADER = ["设备编号", "名称", "设备类别", "院区编码", "楼栋编码", "房间号", "维保合同编号", "法定检验到期日"]


def xlsx(*rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@pytest.fixture
def keeper(world):
    carol = world.carol
    carol.user_permissions.add(*Permission.objects.filter(codename__in=["add_equipment", "change_equipment"]))
    return type(carol).objects.get(pk=carol.pk)


def test_a_register_is_imported_and_a_second_run_updates(world, keeper):
    data = xlsx(
        ("lift-1", "1号客梯", "电梯", "south", "b1", "", "WY-2026", "2026-06-30"),
        ("pump-1", "水泵", "water", "south", "b1", "301", "", "2026/7/1"),
    )
    result = import_file(kind="equipment", file=data, filename="设备.xlsx", actor=keeper)
    assert result.ok and (result.created, result.updated) == (2, 0), [str(e) for e in result.errors]
    pump = Equipment.objects.get(code="pump-1")
    assert pump.room == world.room and pump.floor == world.room.floor and str(pump.inspection_due_on) == "2026-07-01"
    again = import_file(kind="equipment", file=data, filename="设备.xlsx", actor=keeper)
    assert (again.created, again.updated) == (0, 2) and Equipment.objects.count() == 2


def test_one_wrong_row_and_nothing_is_written_with_every_error_by_row(world, keeper):
    data = xlsx(
        ("lift-1", "1号客梯", "电梯", "south", "b1", "", "WY-2026", "2026-06-30"),
        ("lift-2", "2号客梯", "飞船", "south", "b1", "", "", ""),
        ("lift-3", "3号客梯", "电梯", "nowhere", "", "", "", ""),
        ("lift-4", "4号客梯", "电梯", "north", "", "", "WY-2026", "明年"),
        ("lift-1", "重复", "电梯", "south", "", "", "", ""),
        ("lift-5", "5号客梯", "电梯", "south", "b1", "999", "NO-SUCH", ""),
    )
    result = import_file(kind="equipment", file=data, filename="设备.xlsx", actor=keeper)
    messages = [str(e) for e in result.errors]
    assert not result.ok and not Equipment.objects.exists()
    assert any(m.startswith("第3行 设备类别：无法识别“飞船”") for m in messages), messages
    assert any(m.startswith("第4行 院区编码：院区“nowhere”不存在") for m in messages), messages
    assert any(m.startswith("第5行 法定检验到期日：日期格式应为") for m in messages), messages
    assert any(m.startswith("第6行 设备编号：与第2行重复") for m in messages), messages
    assert any(m.startswith("第7行 房间号：") for m in messages), messages


def test_a_contract_not_covering_the_compound_is_refused_by_the_registers_rule(world, keeper):
    data = xlsx(("lift-9", "北院客梯", "电梯", "north", "", "", "WY-2026", ""))
    result = import_file(kind="equipment", file=data, filename="设备.xlsx", actor=keeper)
    assert [str(e) for e in result.errors] == ["第2行 维保合同编号：合同的服务范围不包含该设备所在院区。"]


def test_only_register_keepers_import(world):
    bob = world.bob
    bob.user_permissions.add(*Permission.objects.filter(codename__in=["add_equipment", "change_equipment"]))
    bob = type(bob).objects.get(pk=bob.pk)
    with pytest.raises(PermissionDenied):
        import_file(kind="equipment", file=xlsx(("x", "x", "电梯", "south")), filename="a.xlsx", actor=bob)
