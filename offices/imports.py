"""Allocations (用房配置) and occupants (在用人员) from the bureau's registers (XLSX or CSV), on the core's import
layer.

Registered with the core in ``OfficesConfig.ready()`` (``register_importer``), so the bureau's import page
(``offices:import``), the admin's import page and ``manage.py import_data`` offer them next to the core's rooms. The
rules are the core's: every row is checked first (against the database and against the other rows), the clerk gets
every error with its spreadsheet row, and nothing is written unless the whole file is right. Each row is keyed by
its natural key (an allocation: room + start date; an occupant: unit + name + post), so running the same file again
updates and never duplicates.

The rules of the module hold for imported rows as for typed ones: a room is allocated to one unit at a time (the
database still refuses an overlap that slips in meanwhile, and then nothing of the file is written), an occupant
sits only in a room allocated to their unit on that day, and a level or rank the current norm table does not know
is refused.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from offices import selectors, services
from offices.models import Allocation, Person, Post, Rank, RoomUse, Seat
from offices.permissions import is_space_bureau
from tickets.models import OrganLevel, Room, Unit, User
from tickets.services.imports import KINDS, register_importer
from tickets.services.tabular import (
    FILE,
    Column,
    ImportResult,
    RowError,
    choice_of,
    parse_code,
    parse_date,
    parse_table,
    read_table,
    rejected,
    text_of,
)

EXAMPLES = Path(__file__).resolve().parent / "import_templates"
ALLOCATIONS = "office_allocations"
OCCUPANTS = "office_occupants"
ALLOCATIONS_LABEL = _("用房配置")
OCCUPANTS_LABEL = _("在用人员")
#: The registers the bureau's page offers, in the order a new compound is loaded: rooms (the core's), then who holds
#: them, then who sits in them.
PAGE_KINDS: tuple[str, ...] = ("rooms", ALLOCATIONS, OCCUPANTS)

ROOM_KEY_COLUMNS = (
    Column("compound", _("院区编码"), ("院区编码", "院区", "compound"), parse_code, required=True),
    Column("building", _("楼栋编码"), ("楼栋编码", "楼栋", "building"), parse_code, required=True),
    Column("number", _("房间号"), ("房间号", "房号", "number", "room"), text_of(20), required=True),
)
ALLOCATION_COLUMNS = (
    *ROOM_KEY_COLUMNS,
    Column("unit", _("使用单位编码"), ("使用单位编码", "单位编码", "使用单位", "unit"), parse_code, required=True),
    Column("use", _("用途"), ("用途", "use"), choice_of(RoomUse)),
    Column("starts_on", _("起始日期"), ("起始日期", "配置日期", "starts_on"), parse_date, required=True),
    Column("ends_on", _("终止日期"), ("终止日期", "收回日期", "ends_on"), parse_date),
    Column("agreement_no", _("使用协议编号"), ("使用协议编号", "协议编号", "agreement_no"), text_of(30)),
    Column("certificate_no", _("配置凭证编号"), ("配置凭证编号", "凭证编号", "certificate_no"), text_of(30)),
    Column("note", _("说明"), ("说明", "备注", "note"), text_of(300)),
)
OCCUPANT_COLUMNS = (
    Column("name", _("姓名"), ("姓名", "name"), text_of(50), required=True),
    Column("unit", _("单位编码"), ("单位编码", "所在单位", "unit"), parse_code, required=True),
    Column("level", _("机构级别"), ("机构级别", "级别", "level"), choice_of(OrganLevel), required=True),
    Column("rank", _("职级"), ("职级", "rank"), choice_of(Rank), required=True),
    Column("title", _("职务"), ("职务", "title"), text_of(50)),
    *ROOM_KEY_COLUMNS,
    Column("post", _("岗位"), ("岗位", "post"), choice_of(Post)),
    Column("since", _("入驻日期"), ("入驻日期", "since"), parse_date, required=True),
    Column("username", _("用户名"), ("用户名", "账号", "username"), text_of(150)),
)


def _check_permission(actor: User | None, label: Promise | str, perms: Sequence[str]) -> None:
    """The bureau's office-space staff (who allocate rooms and seat people by hand too), or an administrator with
    the model permissions (the admin's import page); ``None`` is the system (``manage.py import_data``)."""
    if actor is not None and not (is_space_bureau(actor) or actor.has_perms(perms)):
        raise PermissionDenied(gettext("没有导入%(kind)s的权限") % {"kind": label})


def _rooms_of(values: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str, str], list[Room]]:
    """The rooms the rows name, by (compound code, building code, number), in one query."""
    found: dict[tuple[str, str, str], list[Room]] = defaultdict(list)
    rooms = Room.objects.filter(
        floor__building__compound__code__in={v["compound"] for v in values},
        floor__building__code__in={v["building"] for v in values},
        number__in={v["number"] for v in values},
    ).select_related("floor__building__compound")
    for room in rooms:
        building = room.floor.building
        found[(building.compound.code, building.code, room.number)].append(room)
    return found


def _room_of(
    row: int, v: Mapping[str, Any], rooms: Mapping[tuple[str, str, str], list[Room]], errors: list[RowError]
) -> Room | None:
    matches = rooms.get((v["compound"], v["building"], v["number"]), [])
    if len(matches) == 1:
        return matches[0]
    if matches:
        message = gettext("该楼栋有多个房间号为“%(number)s”的房间，无法确定是哪一间") % {"number": v["number"]}
    else:
        message = gettext("院区“%(compound)s”楼栋“%(building)s”没有房间“%(number)s”，请先导入房间") % {
            "compound": v["compound"],
            "building": v["building"],
            "number": v["number"],
        }
    errors.append(RowError(row, "number", message))
    return None


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def _fallback_clerk(actor: User | None) -> User | None:
    """The allocation's 经办人: the importing user, or for the system's import the first superuser."""
    return actor or User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


# --- allocations -----------------------------------------------------------------------------------------------


@dataclass
class _AllocationPlan:
    room: Room
    unit: Unit
    values: dict[str, Any]
    existing: Allocation | None


def import_allocations(*, rows: Sequence[Mapping[str, str]], actor: User | None) -> ImportResult:
    """Create the rooms' allocations the register lists, or update the use and note of one already recorded (same
    room and start date). The end of a recorded allocation is the bureau's 收回 step, not an import."""
    _check_permission(actor, ALLOCATIONS_LABEL, ["offices.add_allocation", "offices.change_allocation"])
    table = parse_table(rows, ALLOCATION_COLUMNS, natural_key=("compound", "building", "number", "starts_on"))
    if not table.complete:
        return rejected(table.errors, ALLOCATION_COLUMNS)
    valid, errors = table.valid, table.errors
    values = [v for _row, v in valid]
    rooms = _rooms_of(values)
    units = Unit.objects.in_bulk({v["unit"] for v in values}, field_name="code")
    held: dict[int, list[Allocation]] = defaultdict(list)
    for allocation in Allocation.objects.filter(
        room__in=[room for matches in rooms.values() for room in matches]
    ).select_related("unit"):
        held[allocation.room_id].append(allocation)
    numbers = {v[key] for v in values for key in ("agreement_no", "certificate_no") if v.get(key)}
    taken = {
        number: allocation
        for allocation in Allocation.objects.filter(
            Q(agreement_no__in=numbers) | Q(certificate_no__in=numbers)
        ).select_related("room")
        for number in (allocation.agreement_no, allocation.certificate_no)
    }
    clerk = _fallback_clerk(actor)
    if clerk is None:
        errors.append(RowError(0, FILE, gettext("系统中没有可作为经办人的管理员账号")))

    plans: list[tuple[int, _AllocationPlan]] = []
    in_file: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
    numbers_in_file: dict[str, int] = {}
    for row, v in valid:
        room = _room_of(row.number, v, rooms, errors)
        unit = units.get(v["unit"])
        if unit is None or not unit.active:
            message = gettext("单位“%(code)s”不存在或已停用") % {"code": v["unit"]}
            errors.append(RowError(row.number, "unit", message))
        starts_on, ends_on = v["starts_on"], v.get("ends_on") or None
        if ends_on is not None and ends_on <= starts_on:
            errors.append(RowError(row.number, "ends_on", gettext("终止日期必须晚于起始日期")))
            continue
        for key in ("agreement_no", "certificate_no"):
            number = v.get(key)
            if not number:
                continue
            if number in numbers_in_file:
                message = gettext("编号“%(no)s”与第%(row)d行重复") % {"no": number, "row": numbers_in_file[number]}
                errors.append(RowError(row.number, key, message))
            numbers_in_file.setdefault(number, row.number)
        if room is None or unit is None:
            continue
        if room.usable_area is None or room.usable_area <= 0:
            errors.append(RowError(row.number, "number", gettext("房间没有登记使用面积，不能配置")))
            continue
        existing = next((a for a in held[room.pk] if a.starts_on == starts_on), None)
        if existing is not None:
            if existing.unit_id != unit.pk:
                message = gettext("该房间自%(day)s起已配置给%(unit)s（协议%(no)s），导入不能改为其他单位") % {
                    "day": starts_on,
                    "unit": existing.unit.name,
                    "no": existing.agreement_no,
                }
                errors.append(RowError(row.number, "unit", message))
            elif existing.ends_on != ends_on:
                message = gettext("与已登记的终止日期（%(end)s）不一致；收回房间请在系统中办理") % {
                    "end": existing.ends_on or "—"
                }
                errors.append(RowError(row.number, "ends_on", message))
        for other in held[room.pk]:
            if other is not existing and _overlaps(starts_on, ends_on, other.starts_on, other.ends_on):
                message = gettext("房间在该期间已配置给%(unit)s（协议%(no)s），不得重复配置") % {
                    "unit": other.unit.name,
                    "no": other.agreement_no,
                }
                errors.append(RowError(row.number, "starts_on", message))
                break
        for other_row, other_start, other_end in in_file[room.pk]:
            if _overlaps(starts_on, ends_on, other_start, other_end):
                message = gettext("与第%(row)d行的配置期间重叠，一间房同一时间只能配置给一个单位") % {"row": other_row}
                errors.append(RowError(row.number, "starts_on", message))
                break
        in_file[room.pk].append((row.number, starts_on, ends_on))
        for key in ("agreement_no", "certificate_no"):
            owner = taken.get(v.get(key) or "")
            if owner is not None and owner != existing:
                message = gettext("编号“%(no)s”已被房间%(room)s的配置使用") % {"no": v[key], "room": owner.room.number}
                errors.append(RowError(row.number, key, message))
        plans.append((row.number, _AllocationPlan(room, unit, v, existing)))

    if errors:
        return rejected(errors, ALLOCATION_COLUMNS)
    assert clerk is not None
    result = ImportResult()
    now = timezone.now()
    try:
        with transaction.atomic():
            for _number, plan in plans:
                v = plan.values
                if plan.existing is not None:
                    changed = []
                    for key in ("use", "note"):
                        if key in v and getattr(plan.existing, key) != (v[key] or _default(key)):
                            setattr(plan.existing, key, v[key] or _default(key))
                            changed.append(key)
                    if changed:
                        plan.existing.save(update_fields=changed)
                    result.updated += 1
                    continue
                year = v["starts_on"].year
                Allocation.objects.create(
                    room=plan.room,
                    unit=plan.unit,
                    use=v.get("use") or RoomUse.OFFICE,
                    starts_on=v["starts_on"],
                    ends_on=v.get("ends_on") or None,
                    agreement_no=v.get("agreement_no") or services.next_number("SY", year),
                    certificate_no=v.get("certificate_no") or services.next_number("PZ", year),
                    note=v.get("note", ""),
                    created_by=clerk,
                    created_at=now,
                )
                result.created += 1
    except IntegrityError:
        # Another clerk allocated one of these rooms (or used a number) while the file was checked: the database
        # refused it, and nothing of the file was written.
        return ImportResult(errors=[RowError(0, FILE, gettext("导入期间房间配置已被他人修改，未导入任何数据，请重试"))])
    return result


def _default(key: str) -> str:
    return RoomUse.OFFICE if key == "use" else ""


# --- occupants -------------------------------------------------------------------------------------------------


@dataclass
class _OccupantPlan:
    person: Person | None
    unit: Unit
    room: Room
    user: User | None
    values: dict[str, Any]
    seated: bool  # already sits in this room for this post


def import_occupants(*, rows: Sequence[Mapping[str, str]], actor: User | None) -> ImportResult:
    """Register the people of the units and seat them. A person is found by unit and name (a second row of the same
    person is their other post); a person already seated elsewhere for the same post must vacate first."""
    _check_permission(actor, OCCUPANTS_LABEL, ["offices.add_person", "offices.add_seat"])
    table = parse_table(rows, OCCUPANT_COLUMNS, natural_key=("unit", "name", "post"))
    if not table.complete:
        return rejected(table.errors, OCCUPANT_COLUMNS)
    valid, errors = table.valid, table.errors
    values = [v for _row, v in valid]
    version = services.current_version()
    table_rows = selectors.norm_table(version)
    rooms = _rooms_of(values)
    units = Unit.objects.in_bulk({v["unit"] for v in values}, field_name="code")
    users = User.objects.in_bulk({v["username"] for v in values if v.get("username")}, field_name="username")
    people: dict[tuple[int, str], list[Person]] = defaultdict(list)
    for person in Person.objects.filter(unit__code__in=units, name__in={v["name"] for v in values}, active=True):
        people[(person.unit_id, person.name)].append(person)
    room_list = [room for matches in rooms.values() for room in matches]
    held: dict[int, list[Allocation]] = defaultdict(list)
    for allocation in Allocation.objects.filter(room__in=room_list).select_related("unit"):
        held[allocation.room_id].append(allocation)
    seats = {
        (seat.person_id, seat.post): seat
        for seat in Seat.objects.filter(
            person__in=[p for group in people.values() for p in group], until__isnull=True
        ).select_related("room")
    }
    levels_of_person: dict[tuple[str, str], tuple[int, str, str]] = {}

    plans: list[_OccupantPlan] = []
    for row, v in valid:
        unit = units.get(v["unit"])
        room = _room_of(row.number, v, rooms, errors)
        if unit is None:
            errors.append(RowError(row.number, "unit", gettext("单位“%(code)s”不存在") % {"code": v["unit"]}))
        if (v["level"], v["rank"]) not in table_rows:
            message = gettext("%(version)s中没有%(level)s“%(rank)s”的标准。") % {
                "version": version.name,
                "level": OrganLevel(v["level"]).label,
                "rank": Rank(v["rank"]).label,
            }
            errors.append(RowError(row.number, "rank", message))
        # One person, two posts: both rows must give the same level and rank.
        key = (v["unit"], v["name"])
        first = levels_of_person.setdefault(key, (row.number, v["level"], v["rank"]))
        if first[1:] != (v["level"], v["rank"]):
            message = gettext("与第%(row)d行同一人员的级别或职级不一致") % {"row": first[0]}
            errors.append(RowError(row.number, "rank", message))
        user = None
        if v.get("username"):
            user = users.get(v["username"])
            if user is None:
                message = gettext("系统中没有用户“%(name)s”") % {"name": v["username"]}
                errors.append(RowError(row.number, "username", message))
        if unit is None or room is None:
            continue
        day = v["since"]
        holder = next((a for a in held[room.pk] if a.starts_on <= day and (a.ends_on is None or day < a.ends_on)), None)
        if holder is None or holder.unit_id != unit.pk:
            message = gettext("房间%(room)s在%(day)s未配置给%(unit)s，不能安排该单位人员") % {
                "room": room.number,
                "day": v["since"],
                "unit": unit.name,
            }
            errors.append(RowError(row.number, "number", message))
            continue
        found = people.get((unit.pk, v["name"]), [])
        if len(found) > 1:
            message = gettext("%(unit)s有多名在岗人员名为“%(name)s”，请在系统中办理") % {
                "unit": unit.name,
                "name": v["name"],
            }
            errors.append(RowError(row.number, "name", message))
            continue
        known = found[0] if found else None
        post = v.get("post") or Post.MAIN
        seated = False
        if known is not None and (seat := seats.get((known.pk, post))) is not None:
            if seat.room_id != room.pk:
                message = gettext("该人员已在%(room)s办公，请先办理腾退") % {"room": seat.room.number}
                errors.append(RowError(row.number, "number", message))
                continue
            seated = True
        plans.append(_OccupantPlan(known, unit, room, user, v, seated))

    if errors:
        return rejected(errors, OCCUPANT_COLUMNS)
    result = ImportResult()
    with transaction.atomic():
        created_people: dict[tuple[int, str], Person] = {}
        for plan in plans:
            v = plan.values
            sitter = plan.person or created_people.get((plan.unit.pk, v["name"]))
            fields: dict[str, Any] = {"level": v["level"], "rank": v["rank"]}
            if "title" in v:
                fields["title"] = v["title"]
            if plan.user is not None:
                fields["user"] = plan.user
            if sitter is None:
                sitter = Person.objects.create(name=v["name"], unit=plan.unit, **fields)
                created_people[(plan.unit.pk, v["name"])] = sitter
            else:
                changed = [name for name, value in fields.items() if getattr(sitter, name) != value]
                for name in changed:
                    setattr(sitter, name, fields[name])
                if changed:
                    sitter.save(update_fields=changed)
            if plan.seated:
                result.updated += 1
                continue
            Seat.objects.create(
                person=sitter, room=plan.room, unit=plan.unit, post=v.get("post") or Post.MAIN, since=v["since"]
            )
            result.created += 1
    return result


# --- templates -------------------------------------------------------------------------------------------------


def example_path(kind: str) -> Path:
    """The example of a register the bureau's page offers: this module's own, or the core's rooms."""
    if kind == "rooms":
        return Path(__file__).resolve().parent.parent / "tickets" / "import_templates" / "rooms.csv"
    return EXAMPLES / f"{kind.removeprefix('office_')}.csv"


def example_xlsx(kind: str) -> bytes:
    """The downloadable template: the example CSV as a workbook, header in bold, columns wide enough to read."""
    text = example_path(kind).read_bytes()
    records = list(read_table(text, "example.csv"))
    headers = list(records[0].keys()) if records else []
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(page_labels().get(kind, kind))[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append([record.get(header, "") for header in headers])
    for index, header in enumerate(headers):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(12, len(header) * 2 + 4)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def page_labels() -> dict[str, Promise | str]:
    """The registers of the bureau's page with their labels (read late: the core's KINDS is filled in ready())."""
    return {kind: KINDS[kind] for kind in PAGE_KINDS if kind in KINDS}


def register() -> None:
    register_importer(
        key=ALLOCATIONS, label=ALLOCATIONS_LABEL, run=import_allocations, example=example_path(ALLOCATIONS)
    )
    register_importer(key=OCCUPANTS, label=OCCUPANTS_LABEL, run=import_occupants, example=example_path(OCCUPANTS))
