"""Bulk import of rooms, units and staff from the bureau's own spreadsheets (XLSX or CSV).

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

import csv
import functools
import io
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

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

logger = logging.getLogger(__name__)

KINDS: dict[str, Promise] = {"rooms": _("房间"), "units": _("使用单位"), "staff": _("人员")}
SUPPORTED_EXTENSIONS = (".xlsx", ".csv")
HEADER_ROW = 1


# --- results -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in the file. ``row`` is the spreadsheet row (header = 1; 0 = the file as a whole) and
    ``field`` the canonical column key, so callers can render either a sentence or a table."""

    row: int
    field: str
    message: str

    @property
    def field_label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))

    def __str__(self) -> str:
        if self.row <= 0:
            return gettext("%(field)s：%(message)s") % {"field": self.field_label, "message": self.message}
        return gettext("第%(row)d行 %(field)s：%(message)s") % {
            "row": self.row,
            "field": self.field_label,
            "message": self.message,
        }


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        """The one-line outcome shared by the command and the admin page, so both say the same thing."""
        return gettext("已导入 %(total)d 条（新增 %(created)d，更新 %(updated)d）") % {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
        }


class TableReadError(ValueError):
    """The file itself cannot be read as a table (wrong format, broken XLSX, unknown encoding)."""


# --- reading -----------------------------------------------------------------------------------------------


class TableRow(dict[str, str]):
    """A data row keyed by header text that remembers its spreadsheet row number, because blank rows are
    skipped and the error report must still point at the row the clerk sees in Excel."""

    def __init__(self, values: Mapping[str, str], *, number: int) -> None:
        super().__init__(values)
        self.number = number


def read_table(file: IO[bytes] | bytes, filename: str) -> list[dict[str, str]]:
    """Read the first (active) sheet of an XLSX file or a CSV file into rows keyed by header text.

    Values are stripped strings; entirely blank rows are skipped. Each row is a :class:`TableRow` carrying its
    spreadsheet row number. Raises :class:`TableReadError` for files that are not a readable table.
    """
    data = file if isinstance(file, bytes) else file.read()
    extension = _extension(filename)
    if extension == ".csv":
        records = _csv_records(data)
    elif extension == ".xlsx":
        records = _xlsx_records(data)
    else:
        raise TableReadError(gettext("仅支持 .xlsx 和 .csv 文件"))

    rows: list[dict[str, str]] = []
    headers: list[str] = []
    for number, record in enumerate(records, start=HEADER_ROW):
        if number == HEADER_ROW:
            headers = [_cell_text(value) for value in record]
            named = [header for header in headers if header]
            duplicates = sorted({header for header in named if named.count(header) > 1})
            if duplicates:
                raise TableReadError(gettext("表头“%(name)s”重复") % {"name": "、".join(duplicates)})
            continue
        values = [_cell_text(value) for value in record]
        if not any(values):
            continue
        values += [""] * (len(headers) - len(values))
        rows.append(TableRow({h: v for h, v in zip(headers, values, strict=False) if h}, number=number))
    return rows


def _extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot >= 0 else ""


def _csv_records(data: bytes) -> Iterable[Sequence[object]]:
    # Excel's "CSV UTF-8" writes a BOM; plain "CSV" on a Chinese Windows writes GBK, which GB18030 extends.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text, newline="")))
    raise TableReadError(gettext("无法识别 CSV 文件的编码，请另存为“CSV UTF-8”"))


def _xlsx_records(data: bytes) -> Iterable[Sequence[object]]:
    try:
        # data_only: take the values Excel cached for formulas, not the formula text.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken upload; all mean "not an XLSX file".
        raise TableReadError(gettext("无法读取 Excel 文件，请确认是 .xlsx 格式")) from exc
    try:
        sheet = workbook.active
        if sheet is None:
            return []
        # Some generators write a wrong <dimension>; without a reset, read-only mode trusts it and drops cells.
        sheet.reset_dimensions()
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """Excel stores room numbers, floors and phone numbers as numbers; render them as a person would type."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).strip()


# --- columns -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    aliases: tuple[str, ...]
    required: bool = False


ROOM_COLUMNS = (
    Column("compound", _("院区编码"), ("院区编码", "院区", "compound", "compound_code"), required=True),
    Column("building", _("楼栋编码"), ("楼栋编码", "楼栋", "building", "building_code"), required=True),
    Column("building_name", _("楼栋名称"), ("楼栋名称", "building_name")),
    Column("floor", _("楼层"), ("楼层", "floor"), required=True),
    Column("number", _("房间号"), ("房间号", "房号", "number", "room", "room_number"), required=True),
    Column("function", _("用途"), ("用途", "房间用途", "function")),
    Column("usable_area", _("使用面积"), ("使用面积", "面积", "usable_area", "area"), required=True),
)
UNIT_COLUMNS = (
    Column("code", _("单位编码"), ("单位编码", "code", "unit_code"), required=True),
    Column("name", _("单位名称"), ("单位名称", "name", "unit_name"), required=True),
    Column("parent", _("上级单位编码"), ("上级单位编码", "上级单位", "parent", "parent_code")),
    Column("level", _("机构级别"), ("机构级别", "级别", "level")),
)
STAFF_COLUMNS = (
    Column("username", _("用户名"), ("用户名", "账号", "username"), required=True),
    Column("full_name", _("姓名"), ("姓名", "full_name"), required=True),
    Column("phone", _("手机"), ("手机", "手机号", "phone", "mobile")),
    Column("role", _("角色"), ("角色", "role"), required=True),
    Column("unit", _("单位编码"), ("单位编码", "所属单位", "unit", "unit_code")),
    Column("contractor", _("服务商编码"), ("服务商编码", "服务商", "contractor", "contractor_code")),
    Column("service_line", _("负责条线"), ("负责条线", "条线", "service_line")),
    Column("email", _("邮箱"), ("邮箱", "电子邮箱", "email")),
    Column("password", _("初始密码"), ("初始密码", "密码", "password")),
)

FIELD_LABELS: dict[str, Promise] = {
    "file": _("文件"),
    **{column.key: column.label for column in (*ROOM_COLUMNS, *UNIT_COLUMNS, *STAFF_COLUMNS)},
}

# "使用面积（㎡）*" and "Usable area" are the same column as "使用面积" and "usable_area".
_HEADER_DECORATION = re.compile(r"[\(（\[【].*?[\)）\]】]|[*＊]")


def _normalise_header(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", _HEADER_DECORATION.sub("", text).strip()).casefold()


@dataclass
class _Row:
    number: int
    # Only the columns present in the file, so "absent" and "blank" stay distinguishable.
    values: dict[str, str]


def _map_columns(rows: Sequence[Mapping[str, str]], columns: Sequence[Column]) -> tuple[list[_Row], list[RowError]]:
    """Translate header text to column keys and check that the required columns are there."""
    if not rows:
        # Checked first: a header-only file would otherwise be reported as missing every column.
        return [], [RowError(0, "file", gettext("文件中没有数据行"))]
    lookup = {_normalise_header(alias): column.key for column in columns for alias in column.aliases}
    headers = list(dict.fromkeys(header for row in rows for header in row))
    mapping: dict[str, str] = {}
    errors: list[RowError] = []
    for header in headers:
        key = lookup.get(_normalise_header(header))
        if key is None:
            continue
        if key in mapping.values():
            errors.append(RowError(HEADER_ROW, key, gettext("此列重复")))
        mapping[header] = key
    present = set(mapping.values())
    errors += [RowError(HEADER_ROW, c.key, gettext("缺少此列")) for c in columns if c.required and c.key not in present]
    mapped = [
        _Row(
            number=getattr(row, "number", index + HEADER_ROW + 1),
            values={key: str(row.get(header) or "").strip() for header, key in mapping.items()},
        )
        for index, row in enumerate(rows)
    ]
    return mapped, errors


# --- field parsers -----------------------------------------------------------------------------------------


class _Invalid(Exception):
    """A cell's value is wrong; the message is the reason shown to the clerk."""


@functools.cache
def _choice_lookup(choices: type[models.TextChoices], language: str | None) -> dict[str, str]:
    """Accept the code, the Chinese label (the msgid) and the label in the current language; a label with
    alternatives ("报修人/申请人") matches each alternative as well."""
    lookup: dict[str, str] = {}
    labels: list[tuple[str, str]] = []
    for value, label in zip(choices.values, choices.labels, strict=True):
        labels.append((value, str(label)))
        with override(None):
            labels.append((value, str(label)))
    for value, label in labels:
        for text in (value, label, *label.split("/")):
            lookup[text.strip().casefold()] = value
    return lookup


def _parse_choice(text: str, choices: type[models.TextChoices]) -> str:
    value = _choice_lookup(choices, get_language()).get(text.casefold())
    if value is None:
        allowed = "、".join(str(label) for label in choices.labels)
        raise _Invalid(gettext("无法识别“%(value)s”，可填：%(choices)s") % {"value": text, "choices": allowed})
    return value


def _parse_code(text: str) -> str:
    if len(text) > 32:
        raise _Invalid(gettext("不能超过%(max)d个字符") % {"max": 32})
    try:
        validate_slug(text)
    except ValidationError as exc:
        raise _Invalid(gettext("只能包含字母、数字、下划线和连字符")) from exc
    return text


def _parse_text(text: str, *, max_length: int) -> str:
    if len(text) > max_length:
        raise _Invalid(gettext("不能超过%(max)d个字符") % {"max": max_length})
    return text


_FLOOR = re.compile(r"^(?P<sign>-|B|地下)?\s*(?P<n>\d+)\s*(F|层|楼)?$", re.IGNORECASE)


def _parse_floor(text: str) -> int:
    """Floors are counted as on the signs: 1, 2, 3…; basements as B1/地下1/-1. There is no floor 0."""
    match = _FLOOR.match(text)
    level = int(match["n"]) if match else 0
    if match and match["sign"]:
        level = -level
    if not match or level == 0 or not -20 <= level <= 300:
        raise _Invalid(gettext("必须是非零整数楼层，地下层填 -1 或 B1"))
    return level


def _parse_area(text: str) -> Decimal:
    try:
        area = Decimal(text.replace(",", ""))
    except InvalidOperation as exc:
        raise _Invalid(gettext("必须是大于0的数字")) from exc
    if not area.is_finite() or area <= 0:
        raise _Invalid(gettext("必须是大于0的数字"))
    if area >= Decimal("1000000"):  # before quantize(), which fails on huge exponents
        raise _Invalid(gettext("数值过大"))
    if area != area.quantize(Decimal("0.01")):
        raise _Invalid(gettext("最多保留两位小数"))
    return area.quantize(Decimal("0.01"))


def _parse_email(text: str) -> str:
    try:
        validate_email(text)
    except ValidationError as exc:
        raise _Invalid(gettext("邮箱格式不正确")) from exc
    return text


def _parse_username(text: str) -> str:
    _parse_text(text, max_length=150)
    try:
        User.username_validator(text)
    except ValidationError as exc:
        raise _Invalid(gettext("只能包含字母、数字和 @/./+/-/_ 字符")) from exc
    return text


def _parse_row(
    row: _Row, parsers: Mapping[str, Callable[[str], Any]], required: Iterable[str], errors: list[RowError]
) -> dict[str, Any] | None:
    """Parse the present cells of one row; a blank cell parses to "" so that it can clear a field.
    Returns None (after recording every problem) when any cell is wrong."""
    parsed: dict[str, Any] = {}
    ok = True
    for key in required:
        if not row.values.get(key):
            errors.append(RowError(row.number, key, gettext("不能为空")))
            ok = False
    for key, text in row.values.items():
        if not text:
            parsed[key] = ""
            continue
        try:
            parsed[key] = parsers[key](text)
        except _Invalid as exc:
            errors.append(RowError(row.number, key, str(exc)))
            ok = False
    return parsed if ok else None


def _required(columns: Sequence[Column]) -> list[str]:
    return [column.key for column in columns if column.required]


def _check_duplicates(rows: Sequence[_Row], key_fields: Sequence[str], errors: list[RowError]) -> None:
    """The same natural key twice in one file is ambiguous (which row wins?), so it is an error. Checked on the
    raw text of every row, so a duplicate is reported even when the first occurrence has other errors."""
    first: dict[tuple[str, ...], int] = {}
    for row in rows:
        key = tuple(row.values.get(name, "") for name in key_fields)
        if not all(key):
            continue
        if key in first:
            message = gettext("与第%(row)d行重复") % {"row": first[key]}
            errors.append(RowError(row.number, key_fields[-1], message))
        else:
            first[key] = row.number


def _check_permission(actor: User | None, kind: str, perms: Sequence[str]) -> None:
    """Imports bypass the admin's per-model checks, so the service checks the same permissions itself.
    ``actor=None`` is the system (the management command run by an operator)."""
    if actor is not None and not actor.has_perms(perms):
        raise PermissionDenied(gettext("没有导入%(kind)s的权限") % {"kind": KINDS[kind]})


def _rejected(errors: list[RowError]) -> ImportResult:
    return ImportResult(errors=sorted(errors, key=lambda error: error.row))


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
    mapped, errors = _map_columns(rows, ROOM_COLUMNS)
    if errors:
        return _rejected(errors)

    parsers: dict[str, Callable[[str], Any]] = {
        "compound": _parse_code,
        "building": _parse_code,
        "building_name": lambda text: _parse_text(text, max_length=100),
        "floor": _parse_floor,
        "number": lambda text: _parse_text(text, max_length=20),
        "function": lambda text: _parse_choice(text, RoomFunction),
        "usable_area": _parse_area,
    }
    parsed = [(row, _parse_row(row, parsers, _required(ROOM_COLUMNS), errors)) for row in mapped]
    valid = [(row, values) for row, values in parsed if values is not None]

    _check_duplicates(mapped, ("compound", "building", "number"), errors)
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
        return _rejected(errors)

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
    mapped, errors = _map_columns(rows, UNIT_COLUMNS)
    if errors:
        return _rejected(errors)

    parsers: dict[str, Callable[[str], Any]] = {
        "code": _parse_code,
        "name": lambda text: _parse_text(text, max_length=100),
        "parent": _parse_code,
        "level": lambda text: _parse_choice(text, OrganLevel),
    }
    parsed = [(row, _parse_row(row, parsers, _required(UNIT_COLUMNS), errors)) for row in mapped]
    valid = [(row, values) for row, values in parsed if values is not None]
    _check_duplicates(mapped, ("code",), errors)

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
        return _rejected(errors)

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
    mapped, errors = _map_columns(rows, STAFF_COLUMNS)
    if errors:
        return _rejected(errors)

    parsers: dict[str, Callable[[str], Any]] = {
        "username": _parse_username,
        "full_name": lambda text: _parse_text(text, max_length=50),
        "phone": lambda text: _parse_text(text, max_length=30),
        "role": lambda text: _parse_choice(text, Role),
        "unit": _parse_code,
        "contractor": _parse_code,
        "service_line": lambda text: _parse_choice(text, ServiceLine),
        "email": _parse_email,
        "password": lambda text: text,
    }
    parsed = [(row, _parse_row(row, parsers, _required(STAFF_COLUMNS), errors)) for row in mapped]
    valid = [(row, values) for row, values in parsed if values is not None]
    _check_duplicates(mapped, ("username",), errors)

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
        return _rejected(errors)

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


def import_file(*, kind: str, file: IO[bytes] | bytes, filename: str, actor: User | None) -> ImportResult:
    """Read an uploaded or local file and import it as ``kind``; a file that cannot be read is reported as a
    row-0 error rather than raised, so the admin page and the command show it like any other error."""
    if kind not in _IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {sorted(_IMPORTERS)}")
    if _extension(filename) not in SUPPORTED_EXTENSIONS:
        return ImportResult(errors=[RowError(0, "file", gettext("仅支持 .xlsx 和 .csv 文件"))])
    try:
        rows = read_table(file, filename)
    except TableReadError as exc:
        return ImportResult(errors=[RowError(0, "file", str(exc))])
    return _IMPORTERS[kind](rows=rows, actor=actor)


def _log(kind: str, actor: User | None, result: ImportResult) -> None:
    logger.info(
        "import %s by %s: %d created, %d updated",
        kind,
        actor.get_username() if actor is not None else "system",
        result.created,
        result.updated,
    )
