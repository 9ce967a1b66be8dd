"""XLSX/CSV import of the equipment register through the core's import layer (``tickets.services.tabular`` and
``imports.register_importer``): every row checked (cells, places, contract, the register's own rules) before
anything is written; one wrong row and nothing is; a second run of the same file updates, keyed by the code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tickets.maintenance.models import Equipment, EquipmentCategory
from tickets.maintenance.permissions import is_register_keeper
from tickets.maintenance.register import EQUIPMENT_FIELDS, equipment_errors, equipment_save
from tickets.models import Building, Compound, Contract, Room, User
from tickets.services.imports import check_permission, register_importer
from tickets.services.tabular import (
    Column,
    ImportResult,
    Invalid,
    RowError,
    choice_of,
    parse_code,
    parse_date,
    parse_table,
    rejected,
    text_of,
)

LABEL = _("设备台账")
EXAMPLE = Path(__file__).with_name("equipment_example.csv")


def _parse_equipment_code(text: str) -> str:
    if len(text) > 50 or not text.isascii() or not all(c.isalnum() or c in "-_" for c in text):
        raise Invalid(gettext("只能包含字母、数字、下划线和连字符，最多50个字符"))
    return text


COLUMNS = (
    Column("code", _("设备编号"), ("设备编号", "编号", "code"), _parse_equipment_code, required=True),
    Column("name", _("名称"), ("名称", "设备名称", "name"), text_of(100), required=True),
    Column("category", _("设备类别"), ("设备类别", "类别", "category"), choice_of(EquipmentCategory), required=True),
    Column("compound", _("院区编码"), ("院区编码", "院区", "compound"), parse_code, required=True),
    Column("building", _("楼栋编码"), ("楼栋编码", "楼栋", "building"), parse_code),
    Column("room", _("房间号"), ("房间号", "房间", "room"), text_of(20)),
    Column("make", _("品牌"), ("品牌", "make"), text_of(100)),
    Column("model", _("型号"), ("型号", "model"), text_of(100)),
    Column("serial", _("出厂编号"), ("出厂编号", "serial"), text_of(100)),
    Column("installed_on", _("安装日期"), ("安装日期", "installed_on"), parse_date),
    Column("warranty_ends_on", _("保修截止"), ("保修截止", "warranty_ends_on"), parse_date),
    Column("contract", _("维保合同编号"), ("维保合同编号", "维保合同", "contract"), text_of(50)),
    Column("inspection_due_on", _("法定检验到期日"), ("法定检验到期日", "检验到期", "inspection_due_on"), parse_date),
)


def import_equipment(*, rows: Sequence[Mapping[str, str]], actor: User | None) -> ImportResult:
    check_permission(actor, LABEL, ["tickets.add_equipment", "tickets.change_equipment"])
    if actor is not None and not is_register_keeper(actor):
        raise PermissionDenied(gettext("只有机关事务局的管理员或物业条线主管可以维护设备台账。"))
    table = parse_table(rows, COLUMNS, natural_key=("code",))
    if not table.complete:
        return rejected(table.errors, COLUMNS)
    valid, errors = table.valid, table.errors
    compounds = Compound.objects.in_bulk({v["compound"] for _r, v in valid}, field_name="code")
    buildings = {
        (b.compound.code, b.code): b
        for b in Building.objects.select_related("compound").filter(code__in={v.get("building") for _r, v in valid})
    }
    contracts = Contract.objects.in_bulk({v["contract"] for _r, v in valid if v.get("contract")}, field_name="code")
    existing = Equipment.objects.in_bulk({v["code"] for _r, v in valid}, field_name="code")
    planned: list[tuple[Equipment, dict[str, Any]]] = []
    for row, v in valid:
        compound = compounds.get(v["compound"])
        if compound is None:
            errors.append(RowError(row.number, "compound", gettext("院区“%(code)s”不存在") % {"code": v["compound"]}))
            continue
        building = room = None
        if v.get("building"):
            building = buildings.get((compound.code, v["building"]))
            if building is None:
                message = gettext("楼栋“%(code)s”不在该院区") % {"code": v["building"]}
                errors.append(RowError(row.number, "building", message))
                continue
        if v.get("room"):
            if building is None:
                errors.append(RowError(row.number, "room", gettext("填写房间号时须填写楼栋编码")))
                continue
            found = list(Room.objects.filter(floor__building=building, number=v["room"])[:2])
            if len(found) != 1:
                errors.append(RowError(row.number, "room", gettext("该楼栋没有唯一的房间“%(n)s”") % {"n": v["room"]}))
                continue
            room = found[0]
        contract = None
        if v.get("contract"):
            contract = contracts.get(v["contract"])
            if contract is None:
                message = gettext("合同“%(code)s”不存在") % {"code": v["contract"]}
                errors.append(RowError(row.number, "contract", message))
                continue
        item = existing.get(v["code"]) or Equipment()
        values: dict[str, Any] = {name: getattr(item, name) for name in EQUIPMENT_FIELDS} if item.pk else {}
        values.update(
            {k: v[k] or ("" if k in ("make", "model", "serial") else None) for k in v if k in EQUIPMENT_FIELDS}
        )
        values.update(compound=compound, building=building, floor=None, room=room, contract=contract)
        values.setdefault("active", True)
        for name, messages in equipment_errors(values, instance=item if item.pk else None).items():
            for message in messages:
                errors.append(RowError(row.number, name if name in {c.key for c in COLUMNS} else "code", message))
        planned.append((item, values))
    if errors:
        return rejected(errors, COLUMNS)
    result = ImportResult()
    with transaction.atomic():
        for item, values in planned:
            created = item.pk is None
            try:
                equipment_save(item, values)
            except ValidationError as exc:  # another keeper changed the register meanwhile: nothing is kept
                transaction.set_rollback(True)
                return rejected([RowError(0, "code", " ".join(exc.messages))], COLUMNS)
            result.created += created
            result.updated += not created
    return result


def register_equipment_import() -> None:
    register_importer(key="equipment", label=LABEL, run=import_equipment, example=EXAMPLE)
