"""Vehicles and drivers from the bureau's registers (XLSX or CSV), through the core's import layer.

Registered with the core in ``FleetConfig.ready()``: the admin's import page and ``manage.py import_data`` offer
them next to rooms, units and staff, with the same rules: every row checked first, all or nothing, keyed by the
natural key (a vehicle's plate, a driver's user name) so running the same file twice updates and never duplicates.
A driver is a person already in the system (import staff first); this register adds their licence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fleet.models import Driver, EnergyType, LicenceClass, Vehicle, VehicleCategory
from tickets.models import Compound, Unit, User
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

EXAMPLES = Path(__file__).resolve().parent / "import_templates"
VEHICLES_LABEL = _("公务车辆")
DRIVERS_LABEL = _("驾驶员")


def _parse_count(text: str) -> int:
    if not re.fullmatch(r"\d{1,7}", text.replace(",", "")):
        raise Invalid(gettext("必须是不小于0的整数"))
    return int(text.replace(",", ""))


def _parse_yes_no(text: str) -> bool:
    value = text.strip().casefold()
    if value in {"是", "在岗", "y", "yes", "true", "1"}:
        return True
    if value in {"否", "不在岗", "离岗", "n", "no", "false", "0"}:
        return False
    raise Invalid(gettext("请填“是”或“否”"))


def _parse_plate(text: str) -> str:
    plate = re.sub(r"\s+", "", text).upper()
    if not 5 <= len(plate) <= 20:
        raise Invalid(gettext("车牌号应为5到20个字符"))
    return plate


VEHICLE_COLUMNS = (
    Column("plate", _("车牌号"), ("车牌号", "车牌", "plate"), _parse_plate, required=True),
    Column("model", _("品牌型号"), ("品牌型号", "车型", "model"), text_of(100), required=True),
    Column("category", _("车辆类别"), ("车辆类别", "类别", "category"), choice_of(VehicleCategory), required=True),
    Column("seats", _("座位数"), ("座位数", "乘客座位数", "seats"), _parse_count, required=True),
    Column("energy", _("能源类型"), ("能源类型", "能源", "energy"), choice_of(EnergyType)),
    Column("compound", _("院区编码"), ("院区编码", "所在院区", "院区", "compound"), parse_code, required=True),
    Column("parking_spot", _("停车位"), ("停车位", "parking_spot"), text_of(30)),
    Column("owning_unit", _("使用单位编码"), ("使用单位编码", "使用单位", "owning_unit", "unit"), parse_code),
    Column("label_code", _("公务用车标识编码"), ("公务用车标识编码", "标识编码", "label_code"), text_of(40)),
    Column("odometer_km", _("当前里程"), ("当前里程", "里程", "odometer_km"), _parse_count),
)
DRIVER_COLUMNS = (
    Column("username", _("用户名"), ("用户名", "账号", "username"), text_of(150), required=True),
    Column("licence_class", _("准驾车型"), ("准驾车型", "licence_class"), choice_of(LicenceClass), required=True),
    Column("licence_number", _("驾驶证号"), ("驾驶证号", "licence_number"), text_of(30)),
    Column(
        "licence_expires",
        _("驾驶证有效期至"),
        ("驾驶证有效期至", "有效期至", "licence_expires"),
        parse_date,
        required=True,
    ),
    Column("active", _("在岗"), ("在岗", "active"), _parse_yes_no),
)


def import_vehicles(*, rows: Sequence[Mapping[str, str]], actor: User | None) -> ImportResult:
    check_permission(actor, VEHICLES_LABEL, ["fleet.add_vehicle", "fleet.change_vehicle"])
    table = parse_table(rows, VEHICLE_COLUMNS, natural_key=("plate",))
    if not table.complete:
        return rejected(table.errors, VEHICLE_COLUMNS)
    errors = table.errors
    compounds = Compound.objects.in_bulk({v["compound"] for _, v in table.valid}, field_name="code")
    units = Unit.objects.in_bulk({v["owning_unit"] for _, v in table.valid if v.get("owning_unit")}, field_name="code")
    for row, v in table.valid:
        if v["seats"] < 1:
            errors.append(RowError(row.number, "seats", gettext("座位数至少为1")))
        if v["compound"] not in compounds:
            errors.append(
                RowError(row.number, "compound", gettext("系统中没有院区“%(code)s”") % {"code": v["compound"]})
            )
        if v.get("owning_unit") and v["owning_unit"] not in units:
            message = gettext("系统中没有单位“%(code)s”") % {"code": v["owning_unit"]}
            errors.append(RowError(row.number, "owning_unit", message))
    if errors:
        return rejected(errors, VEHICLE_COLUMNS)
    result = ImportResult()
    with transaction.atomic():
        for _row, v in table.valid:
            defaults: dict[str, Any] = {
                "model": v["model"],
                "category": v["category"],
                "seats": v["seats"],
                "home_compound": compounds[v["compound"]],
            }
            for key in ("parking_spot", "label_code"):
                if key in v:
                    defaults[key] = v[key]
            if "energy" in v:
                defaults["energy"] = v["energy"] or EnergyType.PETROL
            if "owning_unit" in v:
                defaults["owning_unit"] = units.get(v["owning_unit"]) if v["owning_unit"] else None
            if v.get("odometer_km", "") != "":
                defaults["odometer_km"] = v["odometer_km"]
            _vehicle, created = Vehicle.objects.update_or_create(plate=v["plate"], defaults=defaults)
            result.created += created
            result.updated += not created
    return result


def import_drivers(*, rows: Sequence[Mapping[str, str]], actor: User | None) -> ImportResult:
    check_permission(actor, DRIVERS_LABEL, ["fleet.add_driver", "fleet.change_driver"])
    table = parse_table(rows, DRIVER_COLUMNS, natural_key=("username",))
    if not table.complete:
        return rejected(table.errors, DRIVER_COLUMNS)
    errors = table.errors
    users = User.objects.in_bulk({v["username"] for _, v in table.valid}, field_name="username")
    for row, v in table.valid:
        if v["username"] not in users:
            message = gettext("系统中没有用户“%(name)s”，请先导入人员") % {"name": v["username"]}
            errors.append(RowError(row.number, "username", message))
    if errors:
        return rejected(errors, DRIVER_COLUMNS)
    result = ImportResult()
    with transaction.atomic():
        for _row, v in table.valid:
            defaults: dict[str, Any] = {"licence_class": v["licence_class"], "licence_expires": v["licence_expires"]}
            if "licence_number" in v:
                defaults["licence_number"] = v["licence_number"]
            if "active" in v:
                defaults["active"] = True if v["active"] == "" else v["active"]
            _driver, created = Driver.objects.update_or_create(user=users[v["username"]], defaults=defaults)
            result.created += created
            result.updated += not created
    return result


def register() -> None:
    register_importer(key="vehicles", label=VEHICLES_LABEL, run=import_vehicles, example=EXAMPLES / "vehicles.csv")
    register_importer(key="drivers", label=DRIVERS_LABEL, run=import_drivers, example=EXAMPLES / "drivers.csv")
