"""Bulk import of rooms, units and staff from the bureau's own spreadsheets (XLSX or CSV): the importers. Reading
the file, matching its header to the columns below and parsing the cells is ``tickets.services.tabular``.

Bureaus keep these registers in Excel, so an import has to be safe to run again and again: each kind is
keyed by its natural key (room: compound code + building code + room number; unit: code; staff: username)
and written with ``update_or_create``, so a second run of the same file updates and never duplicates.

An import is all-or-nothing. Every row is validated first against the database and against the other rows
of the file; if a single row is wrong nothing is written and the caller gets every error, with the
spreadsheet row number, so the clerk can fix the whole file in one go instead of one error per attempt.

Columns: a column present in the file is authoritative for the rows it covers (a blank cell clears an
optional field, or restores the model default for a choice with a default); a column absent from the file
leaves that field of existing records untouched. Unknown columns are ignored, so a register may carry notes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tickets.models import (
    Building,
    Compound,
    Contractor,
    Floor,
    OrganLevel,
    Role,
    Room,
    RoomFunction,
    ServiceLine,
    Unit,
    User,
)
from tickets.services.tabular import (
    FILE,
    SUPPORTED_EXTENSIONS,
    Column,
    ImportResult,
    Invalid,
    RowError,
    TableReadError,
    choice_of,
    file_extension,
    parse_area,
    parse_code,
    parse_email,
    parse_table,
    parse_text,
    read_table,
    rejected,
    text_of,
)

__all__ = [
    "KINDS",
    "SUPPORTED_EXTENSIONS",
    "ImportResult",
    "RowError",
    "import_file",
    "import_rooms",
    "import_staff",
    "import_units",
    "read_table",
    "register_importer",
]

logger = logging.getLogger(__name__)

KINDS: dict[str, Promise | str] = {"rooms": _("房间"), "units": _("使用单位"), "staff": _("人员")}


# --- cells -------------------------------------------------------------------------------------------------


_FLOOR = re.compile(r"^(?P<sign>-|B|地下)?\s*(?P<n>\d+)\s*(F|层|楼)?$", re.IGNORECASE)


def _parse_floor(text: str) -> int:
    """Floors are counted as on the signs: 1, 2, 3…; basements as B1/地下1/-1. There is no floor 0."""
    match = _FLOOR.match(text)
    level = int(match["n"]) if match else 0
    if match and match["sign"]:
        level = -level
    if not match or level == 0 or not -20 <= level <= 300:
        raise Invalid(gettext("必须是非零整数楼层，地下层填 -1 或 B1"))
    return level


def _parse_username(text: str) -> str:
    parse_text(text, max_length=150)
    try:
        User.username_validator(text)
    except ValidationError as exc:
        raise Invalid(gettext("只能包含字母、数字和 @/./+/-/_ 字符")) from exc
    return text


# --- columns -----------------------------------------------------------------------------------------------


ROOM_COLUMNS = (
    Column("compound", _("院区编码"), ("院区编码", "院区", "compound", "compound_code"), parse_code, required=True),
    Column("building", _("楼栋编码"), ("楼栋编码", "楼栋", "building", "building_code"), parse_code, required=True),
    Column("building_name", _("楼栋名称"), ("楼栋名称", "building_name"), text_of(100)),
    Column("floor", _("楼层"), ("楼层", "floor"), _parse_floor, required=True),
    Column("number", _("房间号"), ("房间号", "房号", "number", "room", "room_number"), text_of(20), required=True),
    Column("function", _("用途"), ("用途", "房间用途", "function"), choice_of(RoomFunction)),
    Column("usable_area", _("使用面积"), ("使用面积", "面积", "usable_area", "area"), parse_area, required=True),
)
UNIT_COLUMNS = (
    Column("code", _("单位编码"), ("单位编码", "code", "unit_code"), parse_code, required=True),
    Column("name", _("单位名称"), ("单位名称", "name", "unit_name"), text_of(100), required=True),
    Column("parent", _("上级单位编码"), ("上级单位编码", "上级单位", "parent", "parent_code"), parse_code),
    Column("level", _("机构级别"), ("机构级别", "级别", "level"), choice_of(OrganLevel)),
)
STAFF_COLUMNS = (
    Column("username", _("用户名"), ("用户名", "账号", "username"), _parse_username, required=True),
    Column("full_name", _("姓名"), ("姓名", "full_name"), text_of(50), required=True),
    Column("phone", _("手机"), ("手机", "手机号", "phone", "mobile"), text_of(30)),
    Column("role", _("角色"), ("角色", "role"), choice_of(Role), required=True),
    Column("unit", _("单位编码"), ("单位编码", "所属单位", "unit", "unit_code"), parse_code),
    Column("contractor", _("服务商编码"), ("服务商编码", "服务商", "contractor", "contractor_code"), parse_code),
    Column("service_line", _("负责条线"), ("负责条线", "条线", "service_line"), choice_of(ServiceLine)),
    Column("email", _("邮箱"), ("邮箱", "电子邮箱", "email"), parse_email),
    Column("password", _("初始密码"), ("初始密码", "密码", "password")),
)


def _check_permission(actor: User | None, kind: str, perms: Sequence[str]) -> None:
    """Imports bypass the admin's per-model checks, so the service checks the same permissions itself.
    ``actor=None`` is the system (the management command run by an operator)."""
    check_permission(actor, KINDS[kind], perms)


# --- rooms -------------------------------------------------------------------------------------------------


@dataclass
class _RoomPlan:
    number: int
    compound: Compound
    building_code: str
    level: int
    room_number: str
    defaults: dict[str, Any]


def import_rooms(*, rows: Sequence[Mapping[str, str]], actor: User | None) -> ImportResult:
    """Create or update rooms; buildings and floors named by the file are created when missing, compounds
    are not (a compound is a site the bureau sets up deliberately, a typo must not invent one)."""
    _check_permission(actor, "rooms", ["tickets.add_room", "tickets.change_room"])
    table = parse_table(rows, ROOM_COLUMNS, natural_key=("compound", "building", "number"))
    if not table.complete:
        return rejected(table.errors, ROOM_COLUMNS)
    valid, errors = table.valid, table.errors
    compounds = Compound.objects.in_bulk({v["compound"] for _, v in valid}, field_name="code")
    buildings = {
        (b.compound.code, b.code): b
        for b in Building.objects.select_related("compound").filter(
            compound__code__in=compounds, code__in={v["building"] for _, v in valid}
        )
    }

    # A building's name may be given on any of its rows, but not two different names.
    names: dict[tuple[str, str], tuple[int, str]] = {}
    for row, v in valid:
        key = (v["compound"], v["building"])
        if v.get("building_name"):
            if key in names and names[key][1] != v["building_name"]:
                message = gettext("与第%(row)d行的楼栋名称不一致") % {"row": names[key][0]}
                errors.append(RowError(row.number, "building_name", message))
            names.setdefault(key, (row.number, v["building_name"]))

    unnamed_reported: set[tuple[str, str]] = set()
    plans: list[_RoomPlan] = []
    for row, v in valid:
        key = (v["compound"], v["building"])
        compound = compounds.get(v["compound"])
        if compound is None:
            message = gettext("院区“%(code)s”不存在，请先在系统中建立院区") % {"code": v["compound"]}
            errors.append(RowError(row.number, "compound", message))
            continue
        if key not in buildings and key not in names and key not in unnamed_reported:
            unnamed_reported.add(key)
            message = gettext("楼栋“%(code)s”尚不存在，请填写楼栋名称以新建") % {"code": v["building"]}
            errors.append(RowError(row.number, "building_name", message))
        defaults: dict[str, Any] = {"usable_area": v["usable_area"]}
        if "function" in v:
            defaults["function"] = v["function"] or RoomFunction.OFFICE
        plans.append(_RoomPlan(row.number, compound, v["building"], v["floor"], v["number"], defaults))

    # The database allows one number per floor, the natural key one per building; if old data already has a
    # number twice in a building, updating "the" room would be a guess.
    counts: dict[tuple[int, str], int] = {}
    for building_id, number in Room.objects.filter(
        floor__building__in=buildings.values(), number__in={plan.room_number for plan in plans}
    ).values_list("floor__building_id", "number"):
        counts[(building_id, number)] = counts.get((building_id, number), 0) + 1
    for plan in plans:
        building = buildings.get((plan.compound.code, plan.building_code))
        if building is not None and counts.get((building.pk, plan.room_number), 0) > 1:
            message = gettext("该楼栋已有多个房间号为“%(number)s”的房间，无法确定更新哪一个") % {
                "number": plan.room_number
            }
            errors.append(RowError(plan.number, "number", message))

    if errors:
        return rejected(errors, ROOM_COLUMNS)

    result = ImportResult()
    with transaction.atomic():
        floors: dict[tuple[int, int], Floor] = {}
        for plan in plans:
            key = (plan.compound.code, plan.building_code)
            building = buildings.get(key)
            name = names.get(key, (0, ""))[1]
            if building is None:
                building = Building.objects.create(compound=plan.compound, code=plan.building_code, name=name)
                buildings[key] = building
            elif name and building.name != name:
                building.name = name
                building.save(update_fields=["name"])
            floor = floors.get((building.pk, plan.level))
            if floor is None:
                floor, _created = Floor.objects.get_or_create(building=building, level=plan.level)
                floors[(building.pk, plan.level)] = floor
            _room, created = Room.objects.update_or_create(
                floor__building=building, number=plan.room_number, defaults={"floor": floor, **plan.defaults}
            )
            result.created += created
            result.updated += not created
    _log("rooms", actor, result)
    return result


# --- units -------------------------------------------------------------------------------------------------


def import_units(*, rows: Sequence[Mapping[str, str]], actor: User | None) -> ImportResult:
    """Create or update using units. A parent may be another row of the same file or a unit already in the
    system; the resulting tree (file over database) must stay a tree."""
    _check_permission(actor, "units", ["tickets.add_unit", "tickets.change_unit"])
    table = parse_table(rows, UNIT_COLUMNS, natural_key=("code",))
    if not table.complete:
        return rejected(table.errors, UNIT_COLUMNS)
    valid, errors = table.valid, table.errors

    # Units are a few hundred rows at most; the whole tree is needed anyway to find cycles through the database.
    existing_parents: dict[str, str | None] = dict(Unit.objects.values_list("code", "parent__code"))
    file_codes = {v["code"] for _, v in valid}
    parents = dict(existing_parents)
    for _row, v in valid:
        if "parent" in v:
            parents[v["code"]] = v["parent"] or None
        elif v["code"] not in existing_parents:
            parents[v["code"]] = None

    for row, v in valid:
        parent = v.get("parent")
        if not parent:
            continue
        if parent == v["code"]:
            errors.append(RowError(row.number, "parent", gettext("不能以本单位为上级")))
        elif parent not in file_codes and parent not in existing_parents:
            message = gettext("上级单位“%(code)s”既不在文件中，也不在系统中") % {"code": parent}
            errors.append(RowError(row.number, "parent", message))
        else:
            cycle = _cycle_through(v["code"], parents)
            if cycle:
                message = gettext("上级关系形成循环：%(path)s") % {"path": " → ".join(cycle)}
                errors.append(RowError(row.number, "parent", message))

    if errors:
        return rejected(errors, UNIT_COLUMNS)

    # Parents first, so each row can point at a unit that already exists.
    ordered = sorted(valid, key=lambda item: _depth(item[1]["code"], parents))
    units = Unit.objects.in_bulk(
        file_codes | {parent for _, v in valid if (parent := v.get("parent"))}, field_name="code"
    )
    result = ImportResult()
    with transaction.atomic():
        for _row, v in ordered:
            defaults: dict[str, Any] = {"name": v["name"]}
            if "level" in v:
                defaults["level"] = v["level"] or OrganLevel.MUNICIPAL
            if "parent" in v:
                defaults["parent"] = units[v["parent"]] if v["parent"] else None
            unit, created = Unit.objects.update_or_create(code=v["code"], defaults=defaults)
            units[unit.code] = unit
            result.created += created
            result.updated += not created
    _log("units", actor, result)
    return result


def _cycle_through(code: str, parents: Mapping[str, str | None]) -> list[str]:
    """The chain from ``code`` back to itself, or [] if following parents reaches a root."""
    chain = [code]
    current = parents.get(code)
    while current is not None and len(chain) <= len(parents):
        chain.append(current)
        if current == code:
            return chain
        current = parents.get(current)
    return []


def _depth(code: str, parents: Mapping[str, str | None]) -> int:
    depth = 0
    current = parents.get(code)
    while current is not None and depth <= len(parents):
        depth += 1
        current = parents.get(current)
    return depth


# --- staff -------------------------------------------------------------------------------------------------


def import_staff(*, rows: Sequence[Mapping[str, str]], actor: User | None) -> ImportResult:
    """Create or update user accounts. New accounts get the 初始密码 column's password if the file has one,
    otherwise an unusable password (they sign in once an administrator sets one); existing accounts keep
    theirs, because re-importing the register must not reset passwords people have since changed."""
    _check_permission(actor, "staff", ["tickets.add_user", "tickets.change_user"])
    table = parse_table(rows, STAFF_COLUMNS, natural_key=("username",))
    if not table.complete:
        return rejected(table.errors, STAFF_COLUMNS)
    valid, errors = table.valid, table.errors

    existing = User.objects.select_related("contractor").in_bulk(
        {v["username"] for _, v in valid}, field_name="username"
    )
    units = Unit.objects.in_bulk({v["unit"] for _, v in valid if v.get("unit")}, field_name="code")
    contractors = Contractor.objects.in_bulk(
        {v["contractor"] for _, v in valid if v.get("contractor")}, field_name="code"
    )

    for row, v in valid:
        user = existing.get(v["username"])
        if user is not None and user.is_superuser and not (actor is None or actor.is_superuser):
            errors.append(RowError(row.number, "username", gettext("不能通过导入修改超级管理员账号")))
        if v.get("unit") and v["unit"] not in units:
            errors.append(RowError(row.number, "unit", gettext("单位“%(code)s”不存在") % {"code": v["unit"]}))
        if v.get("contractor") and v["contractor"] not in contractors:
            message = gettext("服务商“%(code)s”不存在") % {"code": v["contractor"]}
            errors.append(RowError(row.number, "contractor", message))
        # The rules apply to the account as it will be after the import, absent columns included.
        if "contractor" in v:
            has_contractor = bool(v["contractor"])
        else:
            has_contractor = user is not None and user.contractor_id is not None
        service_line = v.get("service_line", user.service_line if user else "")
        if v["role"] in (Role.DISPATCHER, Role.WORKER) and not has_contractor:
            message = gettext("角色为“%(role)s”时必须填写服务商编码") % {"role": Role(v["role"]).label}
            errors.append(RowError(row.number, "contractor", message))
        if v["role"] == Role.SUPERVISOR and not service_line:
            message = gettext("角色为“%(role)s”时必须填写负责条线") % {"role": Role.SUPERVISOR.label}
            errors.append(RowError(row.number, "service_line", message))
        if user is None and v.get("password"):
            try:
                validate_password(v["password"], User(username=v["username"], email=v.get("email", "")))
            except ValidationError as exc:
                errors.append(RowError(row.number, "password", "；".join(exc.messages)))

    if errors:
        return rejected(errors, STAFF_COLUMNS)

    result = ImportResult()
    with transaction.atomic():
        for _row, v in valid:
            defaults: dict[str, Any] = {"full_name": v["full_name"], "role": v["role"]}
            for key in ("phone", "email", "service_line"):
                if key in v:
                    defaults[key] = v[key]
            if "unit" in v:
                defaults["unit"] = units[v["unit"]] if v["unit"] else None
            if "contractor" in v:
                defaults["contractor"] = contractors[v["contractor"]] if v["contractor"] else None
            # make_password(None) is exactly what set_unusable_password() stores, done in the same INSERT.
            password = make_password(v.get("password") or None)
            _user, created = User.objects.update_or_create(
                username=v["username"], defaults=defaults, create_defaults={**defaults, "password": password}
            )
            result.created += created
            result.updated += not created
    _log("staff", actor, result)
    return result


# --- entry point -------------------------------------------------------------------------------------------

_IMPORTERS: dict[str, Callable[..., ImportResult]] = {
    "rooms": import_rooms,
    "units": import_units,
    "staff": import_staff,
}


#: Example files of the kinds modules registered (the core's own are in tickets/import_templates/<kind>.csv).
EXAMPLES: dict[str, Path] = {}


def register_importer(
    *, key: str, label: Promise | str, run: Callable[..., ImportResult], example: Path | None = None
) -> None:
    """A module adds a register of its own (vehicles, drivers …) to the import page and ``import_data``.

    ``run(rows=…, actor=…)`` is written like the core's importers: columns parsed with ``tickets.services.tabular``,
    every row checked before anything is written, all or nothing, the actor's permissions checked."""
    if key in _IMPORTERS and _IMPORTERS[key] is not run:
        raise ValueError(f"import kind {key!r} is already registered")
    KINDS[key] = label
    _IMPORTERS[key] = run
    if example is not None:
        EXAMPLES[key] = example


def check_permission(actor: User | None, label: Promise | str, perms: Sequence[str]) -> None:
    """For a module's importer: the same permission check as the core's."""
    if actor is not None and not actor.has_perms(perms):
        raise PermissionDenied(gettext("没有导入%(kind)s的权限") % {"kind": label})


def import_file(*, kind: str, file: IO[bytes] | bytes, filename: str, actor: User | None) -> ImportResult:
    """Read an uploaded or local file and import it as ``kind``; a file that cannot be read is reported as a
    row-0 error rather than raised, so the admin page and the command show it like any other error."""
    if kind not in _IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {sorted(_IMPORTERS)}")
    if file_extension(filename) not in SUPPORTED_EXTENSIONS:
        return ImportResult(errors=[RowError(0, FILE, gettext("仅支持 .xlsx 和 .csv 文件"))])
    try:
        rows = read_table(file, filename)
    except TableReadError as exc:
        return ImportResult(errors=[RowError(0, FILE, str(exc))])
    return _IMPORTERS[kind](rows=rows, actor=actor)


def _log(kind: str, actor: User | None, result: ImportResult) -> None:
    logger.info(
        "import %s by %s: %d created, %d updated",
        kind,
        actor.get_username() if actor is not None else "system",
        result.created,
        result.updated,
    )
