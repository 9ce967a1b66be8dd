"""Every write of the office-space module: norm versions, allocations, people in rooms, departures, scans.

Keyword-only, atomic, taking the actor and an optional ``now``. Bad input raises ``ValidationError`` (400, with
field messages), a conflict with the room's state ``TransitionNotAllowed`` (409), a wrong party
``ActionForbidden`` (403); nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from offices import norms, selectors
from offices.models import (
    VACATE_MONTHS,
    Allocation,
    AreaNorm,
    AreaNormVersion,
    Counter,
    NormCheck,
    NormFinding,
    Person,
    Post,
    Rank,
    RoomUse,
    Seat,
    SpaceRequest,
    VacateReason,
    VacatingDeadline,
)
from offices.permissions import is_space_bureau, is_unit_approver
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import OrganLevel, Room, Unit, User
from tickets.services.common import now_or


def _bureau_only(actor: User | None) -> None:
    if actor is not None and not is_space_bureau(actor):
        raise ActionForbidden(_("只有机关事务局房产管理人员可以办理。"))


# --- norms ---------------------------------------------------------------------------------------------------


def norms_seed(*, now: datetime | None = None) -> list[AreaNormVersion]:
    """The 2014 table (current) and the 1999 table (history); a seeded version already there is left alone."""
    now = now_or(now)
    versions = []
    with transaction.atomic():
        for seed in norms.SEED_VERSIONS:
            version, created = AreaNormVersion.objects.get_or_create(
                code=seed["code"],
                defaults={
                    "name": seed["name"],
                    "source": seed["source"],
                    "effective_from": date.fromisoformat(str(seed["effective_from"])),
                    "current": False,
                    "note": seed["note"],
                    "created_at": now,
                },
            )
            if created:
                table: Mapping[str, Mapping[str, Decimal]] = seed["table"]  # type: ignore[assignment]
                AreaNorm.objects.bulk_create(
                    AreaNorm(version=version, level=level, rank=rank, area=area)
                    for level, row in table.items()
                    for rank, area in row.items()
                )
                if seed["current"] and not AreaNormVersion.objects.filter(current=True).exists():
                    version.current = True
                    version.save(update_fields=["current"])
            versions.append(version)
    return versions


def current_version() -> AreaNormVersion:
    version = AreaNormVersion.objects.filter(current=True).first()
    if version is None:
        norms_seed()
        version = AreaNormVersion.objects.get(current=True)
    return version


def norm_version_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    effective_from: date,
    rows: Mapping[tuple[str, str], Decimal | None],
    based_on: AreaNormVersion | None = None,
    make_current: bool = True,
    source: str = "",
    note: str = "",
    now: datetime | None = None,
) -> AreaNormVersion:
    """A new version: the base version's rows with ``rows`` applied (``None`` removes a row). Editing a table is
    always this: versions already cited by findings keep their rows."""
    _bureau_only(actor)
    now = now_or(now)
    errors: dict[str, list[str]] = {}
    if not code.strip():
        errors["version_code"] = [_("请填写编号。")]
    elif AreaNormVersion.objects.filter(code=code).exists():
        errors["version_code"] = [_("编号已存在。")]
    if not name.strip():
        errors["name"] = [_("请填写名称。")]
    for (level, rank), area in rows.items():
        if level not in OrganLevel.values or rank not in Rank.values:
            errors.setdefault("rows", []).append(
                _("未知的机构级别或职级：%(level)s %(rank)s") % {"level": level, "rank": rank}
            )
        elif area is not None and area <= 0:
            errors.setdefault("rows", []).append(_("面积必须大于0。"))
    if errors:
        raise ValidationError(errors)
    table = dict(selectors.norm_table(based_on)) if based_on is not None else {}
    for key, area in rows.items():
        if area is None:
            table.pop(key, None)
        else:
            table[key] = area
    if not table:
        raise ValidationError({"rows": [_("标准不能为空。")]})
    with transaction.atomic():
        if make_current:
            AreaNormVersion.objects.filter(current=True).update(current=False)
        version = AreaNormVersion.objects.create(
            code=code.strip(),
            name=name.strip(),
            source=source,
            effective_from=effective_from,
            current=make_current,
            note=note,
            based_on=based_on,
            created_by=actor,
            created_at=now,
        )
        AreaNorm.objects.bulk_create(
            AreaNorm(version=version, level=level, rank=rank, area=area) for (level, rank), area in table.items()
        )
    return version


def allowance_of(*, level: str, rank: str, version: AreaNormVersion | None = None) -> Decimal:
    """A person's allowance; a level or rank the table does not know is a 400."""
    if level not in OrganLevel.values:
        raise ValidationError({"level": [_("未知的机构级别：%(level)s") % {"level": level}]})
    if rank not in Rank.values:
        raise ValidationError({"rank": [_("未知的职级：%(rank)s") % {"rank": rank}]})
    version = version or current_version()
    row = AreaNorm.objects.filter(version=version, level=level, rank=rank).first()
    if row is None:
        raise ValidationError(
            {
                "rank": [
                    _("%(version)s中没有%(level)s“%(rank)s”的标准。")
                    % {"version": version.name, "level": OrganLevel(level).label, "rank": Rank(rank).label}
                ]
            }
        )
    return row.area


# --- numbering -----------------------------------------------------------------------------------------------


def next_number(prefix: str, year: int) -> str:
    """``SY2026-0001``: per prefix and year, without gaps; the counter row is locked until the caller commits."""
    key = f"{prefix}{year}"
    with transaction.atomic():
        if not Counter.objects.filter(key=key).exists():
            try:
                with transaction.atomic():
                    Counter.objects.create(key=key, value=0)
            except IntegrityError:
                pass
        Counter.objects.filter(key=key).update(value=F("value") + 1)
        value = Counter.objects.values_list("value", flat=True).get(key=key)
    return f"{key}-{value:04d}"


# --- allocation ----------------------------------------------------------------------------------------------


def _overlap_message(other: Allocation) -> str:
    return _("房间%(room)s在该期间已配置给%(unit)s（协议%(no)s），不得重复配置。") % {
        "room": other.room.number,
        "unit": other.unit.name,
        "no": other.agreement_no,
    }


def allocation_create(
    *,
    actor: User,
    room: Room,
    unit: Unit,
    starts_on: date,
    use: str = RoomUse.OFFICE,
    space_request: SpaceRequest | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Allocation:
    """Allocate a room to a unit from ``starts_on``, with a numbered use agreement and certificate.

    The overlap check gives the clear message; the database constraint is what makes it true when two clerks
    allocate the same room at the same moment (the loser's insert fails and answers 409 the same way)."""
    _bureau_only(actor)
    now = now_or(now)
    errors: dict[str, list[str]] = {}
    if room.usable_area is None or room.usable_area <= 0:
        errors["room"] = [_("房间没有登记使用面积，不能配置。")]
    if use not in RoomUse.values:
        errors["use"] = [_("用途无效。")]
    if not unit.active:
        errors["unit"] = [_("单位已停用。")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            # Lock the room so that two allocations of it queue here; the database constraint still decides.
            Room.objects.select_for_update().filter(pk=room.pk).first()
            other = selectors.overlapping_allocations(room=room, starts_on=starts_on, ends_on=None).first()
            if other is not None:
                raise TransitionNotAllowed(_overlap_message(other), action="allocate", status="allocated")
            year = starts_on.year
            allocation = Allocation.objects.create(
                room=room,
                unit=unit,
                use=use,
                starts_on=starts_on,
                agreement_no=next_number("SY", year),
                certificate_no=next_number("PZ", year),
                space_request=space_request,
                note=note[:300],
                created_by=actor,
                created_at=now,
            )
    except IntegrityError as exc:
        if "no_overlap" not in str(exc) and "offices_alloc" not in str(exc):
            raise
        other = selectors.overlapping_allocations(room=room, starts_on=starts_on, ends_on=None).first()
        message = _overlap_message(other) if other else _("该房间刚被配置给其他单位，请刷新后重试。")
        raise TransitionNotAllowed(message, action="allocate", status="allocated") from exc
    return allocation


def allocation_end(
    *, actor: User, allocation: Allocation, ends_on: date, reason: str, now: datetime | None = None
) -> Allocation:
    """Take a room back (收回) on ``ends_on``; refused while people still sit in it."""
    _bureau_only(actor)
    with transaction.atomic():
        locked = Allocation.objects.select_for_update().select_related("room", "unit").get(pk=allocation.pk)
        if locked.ends_on is not None:
            raise TransitionNotAllowed(_("该配置已终止。"), action="end", status="ended")
        if ends_on <= locked.starts_on:
            raise ValidationError({"ends_on": [_("终止日期必须晚于起始日期。")]})
        if not reason.strip():
            raise ValidationError({"reason": [_("请填写收回原因。")]})
        if Seat.objects.filter(room=locked.room, until__isnull=True).exists():
            raise ValidationError({"room": [_("房间内仍有人员办公，请先办理人员腾退。")]})
        locked.ends_on = ends_on
        locked.end_reason = reason.strip()[:300]
        locked.save(update_fields=["ends_on", "end_reason"])
    return locked


# --- people --------------------------------------------------------------------------------------------------


def person_create(
    *, actor: User | None, name: str, unit: Unit, level: str, rank: str, title: str = "", user: User | None = None
) -> Person:
    if actor is not None and not (is_space_bureau(actor) or is_unit_approver(actor, unit)):
        raise ActionForbidden(_("无权登记该单位的人员。"))
    if not name.strip():
        raise ValidationError({"name": [_("请填写姓名。")]})
    allowance_of(level=level, rank=rank)  # a level or rank the table does not know is refused here
    return Person.objects.create(name=name.strip()[:50], unit=unit, level=level, rank=rank, title=title[:50], user=user)


def seat_assign(
    *,
    actor: User | None,
    person: Person,
    room: Room,
    since: date,
    post: str = Post.MAIN,
    unit: Unit | None = None,
    now: datetime | None = None,
) -> Seat:
    """Seat a person in a room. The room must be allocated to the post's unit on that day."""
    unit = unit or person.unit
    if actor is not None and not (is_space_bureau(actor) or is_unit_approver(actor, unit)):
        raise ActionForbidden(_("无权安排该单位的办公室。"))
    if post not in Post.values:
        raise ValidationError({"post": [_("岗位无效。")]})
    if not person.active:
        raise ValidationError({"person": [_("该人员已离岗。")]})
    allowance_of(level=person.level, rank=person.rank)
    with transaction.atomic():
        holder = selectors.allocation_on(room=room, day=since)
        if holder is None or holder.unit_id != unit.pk:
            raise ValidationError(
                {
                    "room": [
                        _("房间%(room)s未配置给%(unit)s，不能安排该单位人员。")
                        % {"room": room.number, "unit": unit.name}
                    ]
                }
            )
        if Seat.objects.filter(person=person, post=post, until__isnull=True).exists():
            raise ValidationError({"person": [_("该人员已有该岗位的办公室，请先腾退原办公室。")]})
        return Seat.objects.create(person=person, room=room, unit=unit, post=post, since=since)


def seat_end(*, actor: User | None, seat: Seat, on: date, now: datetime | None = None) -> Seat:
    """The person has left the room (腾退); an open vacating deadline for it is met."""
    from offices import steps

    if actor is not None and not (is_space_bureau(actor) or is_unit_approver(actor, seat.unit_id)):
        raise ActionForbidden(_("无权办理该单位的腾退。"))
    now = now_or(now)
    with transaction.atomic():
        locked = Seat.objects.select_for_update().get(pk=seat.pk)
        if locked.until is not None:
            raise TransitionNotAllowed(_("该人员已腾退此房间。"), action="vacate", status="vacated")
        if on < locked.since:
            raise ValidationError({"on": [_("腾退日期不能早于入驻日期。")]})
        locked.until = on
        locked.save(update_fields=["until"])
        deadline = VacatingDeadline.objects.filter(seat=locked, vacated_on__isnull=True).first()
        if deadline is not None:
            deadline.vacated_on = on
            deadline.save(update_fields=["vacated_on"])
            steps.vacating_close(deadline=deadline, actor=actor, now=now)
    return locked


def add_months(day: date, months: int) -> date:
    """Calendar months: 31 Jan + 1 month is 28 (or 29) Feb."""
    return day + relativedelta(months=months)


def person_depart(
    *, actor: User, person: Person, reason: str, on: date, now: datetime | None = None
) -> list[VacatingDeadline]:
    """Record a transfer, a retirement or the end of a second post: each room to give back gets a deadline
    (1 calendar month; 2 for a second post's office) and a vacating item on the core, which carries the reminders."""
    from offices import steps

    if not (is_space_bureau(actor) or is_unit_approver(actor, person.unit_id)):
        raise ActionForbidden(_("无权办理该单位人员的变动。"))
    if reason not in VacateReason.values:
        raise ValidationError({"reason": [_("请选择变动原因。")]})
    now = now_or(now)
    with transaction.atomic():
        held = Seat.objects.select_for_update().filter(person=person, until__isnull=True).select_related("room", "unit")
        if reason == VacateReason.SECOND_POST:
            held = held.filter(post=Post.SECOND)
        seats = list(held)
        if not seats:
            raise ValidationError({"person": [_("该人员没有需要腾退的办公室。")]})
        if reason != VacateReason.SECOND_POST:
            person.active = False
            person.save(update_fields=["active"])
        deadlines = []
        for seat in seats:
            if VacatingDeadline.objects.filter(seat=seat).exists():
                raise TransitionNotAllowed(_("该办公室已有腾退期限。"), action="depart", status="pending")
            due = add_months(on, VACATE_MONTHS[VacateReason(reason)])
            service_request = steps.vacating_open(seat=seat, reason=reason, due_on=due, actor=actor, now=now)
            deadlines.append(
                VacatingDeadline.objects.create(
                    seat=seat, reason=reason, event_on=on, due_on=due, service_request=service_request
                )
            )
    return deadlines


# --- the over-standard scan ------------------------------------------------------------------------------------


def norm_scan(*, actor: User | None, version: AreaNormVersion | None = None, now: datetime | None = None) -> NormCheck:
    """Check every occupied office room with one version and store what was over, with the people and numbers
    as they are now. A later norm edit is a new version: this check and its findings stay as they were."""
    if actor is not None:
        _bureau_only(actor)
    now = now_or(now)
    version = version or current_version()
    table = selectors.norm_table(version)
    day = timezone.localdate(now)
    inputs = selectors.room_inputs(day=day)
    holders = selectors.holders_on(day=day, room_ids=[r.room_id for r in inputs])
    with transaction.atomic():
        check = NormCheck.objects.create(version=version, checked_at=now, checked_by=actor, rooms_checked=0)
        findings = []
        compared = 0
        for result in norms.check_rooms(inputs, table):
            compared += result.compared
            if result.over:
                findings.append(
                    NormFinding(
                        check_run=check,
                        room_id=result.room_id,
                        unit_id=holders.get(result.room_id),
                        area=result.area,
                        allowance=result.allowance,
                        excess=result.excess,
                        people=result.people,
                    )
                )
        NormFinding.objects.bulk_create(findings, batch_size=1000)
        check.rooms_checked = compared
        check.save(update_fields=["rooms_checked"])
    return check
