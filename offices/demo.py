"""Office-space demo data on top of the core's demo: each unit holds the office floors it sits on, people sit in
the rooms by rank, a few rooms are over the standard, one is shared, one person's give-back deadline is overdue,
some offices stand empty long enough for the reallocation pool, and one space request waits for the bureau.

Safe to run twice: a database that already has allocations is left as it is."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from offices import services, steps, timers
from offices.models import Allocation, Purpose, Rank, RoomUse, UnitSpace
from tickets.models import Building, Compound, Floor, Role, Room, RoomFunction, ServiceLine, Unit, User

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建红文辉力鹏宇浩凯婷雪琳晨阳"
R = Rank


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13 + 3) % len(GIVEN)]


def _ranks_for(area: Decimal, lead_floor: bool) -> list[str]:
    """Who sits in a room of this size, so that most rooms keep to the 2014 municipal numbers."""
    if lead_floor:
        return [R.PRINCIPAL] if area >= 42 else [R.DEPUTY] if area >= 30 else [R.BUREAU_CHIEF]
    if area <= 9:
        return [R.STAFF]
    if area <= 18:
        return [R.STAFF, R.STAFF]
    if area <= 24:
        return [R.BUREAU_CHIEF]
    if area <= 27:
        return [R.STAFF, R.STAFF, R.STAFF]
    if area <= 30:
        return [R.DEPUTY]
    return [R.PRINCIPAL] if area <= 42 else [R.STAFF] * 5


def _bureau_user() -> User:
    user = User.objects.filter(role=Role.SUPERVISOR, service_line=ServiceLine.OFFICE_SPACE).order_by("pk").first()
    if user is None:
        user = User.objects.create_user(
            username="jg_fangchan", full_name="邓洁", role=Role.SUPERVISOR, service_line=ServiceLine.OFFICE_SPACE
        )
    return user


def _minimal_places() -> None:
    """Without the core's demo: one building with a floor of offices and two units."""
    compound = Compound.objects.get_or_create(code="south", defaults={"name": "南院"})[0]
    building = Building.objects.get_or_create(compound=compound, code="s1", defaults={"name": "1号楼"})[0]
    floor = Floor.objects.get_or_create(building=building, level=3)[0]
    for i, area in enumerate((9, 18, 24, 30, 42, 20, 16, 12)):
        Room.objects.get_or_create(floor=floor, number=f"3{i + 1:02d}", defaults={"usable_area": Decimal(area)})
    for code, name in (("fgw", "市发展和改革委员会"), ("czj", "市财政局")):
        Unit.objects.get_or_create(code=code, defaults={"name": name})


def _unit_floors() -> list[tuple[Unit, list[Floor]]]:
    """The floors each top-level unit sits on in the core's demo (its UNITS table), or one floor each."""
    try:
        from tickets.demo.tables import UNITS
    except ImportError:  # pragma: no cover
        UNITS = []
    out = []
    for code, _unit_name, parent, building_code, levels in UNITS:
        unit = Unit.objects.filter(code=code).first()
        if parent or unit is None:
            continue
        floors = list(Floor.objects.filter(building__code=building_code, level__in=levels))
        if floors:
            out.append((unit, floors))
    if not out:
        floors = list(Floor.objects.filter(rooms__function=RoomFunction.OFFICE).distinct()[:2])
        out = list(zip(Unit.objects.filter(parent__isnull=True).order_by("code"), [[f] for f in floors], strict=False))
    return out


@transaction.atomic
def load_offices_demo(*, history: bool = True) -> list[tuple[str, str, str]]:
    """Returns the demo log-ins to print: (label, username, password)."""
    from tickets.demo.tables import PASSWORD

    services.norms_seed()
    if Allocation.objects.exists():
        return []
    if not Room.objects.filter(function=RoomFunction.OFFICE).exists():
        _minimal_places()
    bureau = _bureau_user()
    now = timezone.now()
    today = timezone.localdate(now)
    start = date(today.year - 1, 1, 1)
    person_no = 0
    held: dict[int, Decimal] = {}
    empty_left = 0
    for unit, floors in _unit_floors():
        rooms = Room.objects.filter(floor__in=floors, function=RoomFunction.OFFICE).select_related("floor")
        for index, room in enumerate(rooms.order_by("floor__level", "number")):
            lead = room.floor.level >= 12 or (room.floor.building.code == "zx1" and room.floor.level == 7)
            use = RoomUse.LEADER_OFFICE if lead else RoomUse.OFFICE
            ranks = _ranks_for(room.usable_area, lead)
            if len(ranks) > 1:
                use = RoomUse.SHARED_OFFICE
            services.allocation_create(actor=bureau, room=room, unit=unit, starts_on=start, use=use, now=now)
            held[unit.pk] = held.get(unit.pk, Decimal(0)) + room.usable_area
            if index == 5 and empty_left < 4:
                empty_left += 1  # an office nobody has used since it was allocated: the reallocation pool
                continue
            if index in (2, 9) and not lead and room.usable_area > 18:
                ranks = [R.STAFF]  # one staff member alone in a large office: over the standard
            for rank in ranks:
                person_no += 1
                person = services.person_create(
                    actor=bureau, name=_name(person_no), unit=unit, level="municipal", rank=rank
                )
                services.seat_assign(actor=bureau, person=person, room=room, since=start + timedelta(days=1))
    for n, (unit_id, area) in enumerate(held.items()):
        factor = Decimal("0.92") if n == 0 else Decimal("1.10")  # the first unit uses more than it is approved
        UnitSpace.objects.create(unit_id=unit_id, approved_area=(area * factor).quantize(Decimal("1")))
    _overdue_vacating(bureau, today)
    _open_space_request(today)
    timers.idle_rooms(now=now)
    services.norm_scan(actor=None, now=now)
    if not bureau.has_usable_password():
        bureau.set_password(PASSWORD)
        bureau.save(update_fields=["password"])
    return [("管理处室（办公用房）", bureau.username, PASSWORD)]


def _overdue_vacating(bureau: User, today: date) -> None:
    """A requester of the first unit was transferred 45 days ago and still sits in her office."""
    approver = User.objects.filter(role=Role.UNIT_APPROVER, unit__allocations__isnull=False).order_by("pk").first()
    if approver is None or approver.unit is None:
        return
    user = User.objects.filter(role=Role.REQUESTER, unit=approver.unit).order_by("pk").first()
    room = (
        Room.objects.filter(allocations__unit=approver.unit, allocations__ends_on__isnull=True).order_by("pk").first()
    )
    if user is None or room is None:
        return
    person = services.person_create(
        actor=bureau,
        name=user.full_name or user.username,
        unit=approver.unit,
        level="municipal",
        rank=R.STAFF,
        user=user,
    )
    on = today - timedelta(days=45)
    services.seat_assign(actor=bureau, person=person, room=room, since=on - timedelta(days=200))
    services.person_depart(actor=approver, person=person, reason="transfer", on=on)
    timers.vacating_timers()


def _open_space_request(today: date) -> None:
    """A unit asks for a room for two new staff; its approver has approved; the bureau has yet to answer."""
    approver = User.objects.filter(role=Role.UNIT_APPROVER, unit__allocations__isnull=False).order_by("-pk").first()
    if approver is None:
        return
    filer = User.objects.filter(role=Role.REQUESTER, unit=approver.unit).order_by("-pk").first() or approver
    compound = Compound.objects.filter(buildings__floors__rooms__allocations__unit=approver.unit).first()
    sr = steps.space_request_file(
        actor=filer,
        purpose=Purpose.NEW,
        compound=compound,
        area_requested=Decimal("18"),
        headcount=2,
        reason="新调入两名科员，现有办公室已满员，申请增配办公室一间。",
    )
    if filer != approver:
        steps.space_step(space_request=sr, step="approve", actor=approver, note="情况属实，同意。")
