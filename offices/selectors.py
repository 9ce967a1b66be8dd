"""Reads of the office-space module. Each answers in a fixed number of queries whatever the number of rooms:
rooms, their current allocations, the people sitting in them and the norm table are read once each and joined
in memory."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from offices import norms
from offices.models import (
    OFFICE_USES,
    Allocation,
    AreaNorm,
    AreaNormVersion,
    Person,
    RoomUse,
    Seat,
    SpaceRequest,
    UnitSpace,
    VacatingDeadline,
)
from offices.permissions import is_space_bureau
from tickets.models import Floor, Room, RoomFunction, Unit, User

# A room no unit holds counts as its core function says.
FUNCTION_USE: dict[str, RoomUse] = {
    RoomFunction.OFFICE: RoomUse.OFFICE,
    RoomFunction.MEETING: RoomUse.MEETING,
    RoomFunction.SERVICE: RoomUse.SERVICE,
    RoomFunction.EQUIPMENT: RoomUse.EQUIPMENT,
}


def q_current(day: date, prefix: str = "", start: str = "starts_on", end: str = "ends_on") -> Q:
    """Rows whose period [start, end) contains ``day``."""
    return Q(**{f"{prefix}{start}__lte": day}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gt": day})
    )


def norm_table(version: AreaNormVersion) -> dict[tuple[str, str], Decimal]:
    return {
        (level, rank): area
        for level, rank, area in AreaNorm.objects.filter(version=version).values_list("level", "rank", "area")
    }


def overlapping_allocations(*, room: Room, starts_on: date, ends_on: date | None) -> QuerySet[Allocation]:
    q = Q(room=room) & (Q(ends_on__isnull=True) | Q(ends_on__gt=starts_on))
    if ends_on is not None:
        q &= Q(starts_on__lt=ends_on)
    return Allocation.objects.filter(q).select_related("room", "unit")


def allocation_on(*, room: Room, day: date) -> Allocation | None:
    return Allocation.objects.filter(q_current(day), room=room).select_related("unit").first()


def holders_on(*, day: date, room_ids: list[int] | None = None) -> dict[int, int]:
    qs = Allocation.objects.filter(q_current(day))
    if room_ids is not None and len(room_ids) < 1000:
        qs = qs.filter(room_id__in=room_ids)
    return dict(qs.values_list("room_id", "unit_id"))


@dataclass
class RoomState:
    """One room as the floor view and the ledgers show it."""

    room: Room
    allocation: Allocation | None
    use: str
    seats: list[Seat] = field(default_factory=list)
    result: norms.RoomResult | None = None
    overdue: list[VacatingDeadline] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.overdue:
            return "overdue"
        if self.result is not None and self.result.over:
            return "over"
        return "vacant" if self.allocation is None else "occupied"

    @property
    def empty_office(self) -> bool:
        """Held as an office with nobody in it (the idle timer proposes it to the reallocation pool after 6 months)."""
        return self.allocation is not None and self.use in OFFICE_USES and not self.seats

    @property
    def use_label(self) -> str:
        return str(RoomUse(self.use).label)


def room_states(*, rooms: QuerySet[Room], day: date, version: AreaNormVersion) -> list[RoomState]:
    """Rooms with their holder, sitters, norm result and overdue deadlines: five queries for any number of rooms."""
    room_list = list(rooms.select_related("floor__building").order_by("floor__building_id", "floor__level", "number"))
    in_rooms = Q(room__in=rooms.values("pk"))
    allocations = {a.room_id: a for a in Allocation.objects.filter(in_rooms, q_current(day)).select_related("unit")}
    seats: dict[int, list[Seat]] = defaultdict(list)
    for seat in Seat.objects.filter(in_rooms, q_current(day, start="since", end="until")).select_related("person"):
        seats[seat.room_id].append(seat)
    overdue: dict[int, list[VacatingDeadline]] = defaultdict(list)
    for deadline in VacatingDeadline.objects.filter(
        Q(seat__room__in=rooms.values("pk")), vacated_on__isnull=True, due_on__lt=day
    ).select_related("seat__person"):
        overdue[deadline.seat.room_id].append(deadline)
    table = norm_table(version)
    states = []
    for room in room_list:
        allocation = allocations.get(room.pk)
        use = allocation.use if allocation else FUNCTION_USE.get(room.function, RoomUse.OTHER)
        sitting = seats.get(room.pk, [])
        room_input = norms.RoomInput(
            room_id=room.pk,
            area=room.usable_area,
            use=use,
            people=tuple(norms.Sitter(s.person_id, s.person.name, s.person.level, s.person.rank) for s in sitting),
        )
        states.append(
            RoomState(
                room=room,
                allocation=allocation,
                use=use,
                seats=sitting,
                result=norms.check_room(room_input, table),
                overdue=overdue.get(room.pk, []),
            )
        )
    return states


def room_inputs(*, day: date, rooms: QuerySet[Room] | None = None) -> list[norms.RoomInput]:
    """What the over-standard scan reads: office rooms held by a unit, with the people in them. Two queries."""
    allocations = Allocation.objects.filter(q_current(day), use__in=OFFICE_USES)
    seats = Seat.objects.filter(q_current(day, start="since", end="until"))
    if rooms is not None:
        allocations = allocations.filter(room__in=rooms.values("pk"))
        seats = seats.filter(room__in=rooms.values("pk"))
    held = {
        room_id: (use, area) for room_id, use, area in allocations.values_list("room_id", "use", "room__usable_area")
    }
    people: dict[int, list[norms.Sitter]] = defaultdict(list)
    for room_id, person_id, name, level, rank in seats.values_list(
        "room_id", "person_id", "person__name", "person__level", "person__rank"
    ):
        if room_id in held:
            people[room_id].append(norms.Sitter(person_id, name, level, rank))
    return [
        norms.RoomInput(room_id=room_id, area=area, use=use, people=tuple(people.get(room_id, ())))
        for room_id, (use, area) in held.items()
    ]


@dataclass
class UnitUsage:
    unit: Unit
    approved: Decimal | None
    used: Decimal

    @property
    def excess(self) -> Decimal:
        return max(self.used - self.approved, Decimal(0)) if self.approved is not None else Decimal(0)


def unit_usage(*, day: date, units: QuerySet[Unit] | None = None) -> list[UnitUsage]:
    """Each unit's used office area (office rooms held on ``day``) against its approved area. Two queries."""
    used = dict(
        Allocation.objects.filter(q_current(day), use__in=OFFICE_USES)
        .values("unit_id")
        .order_by()
        .annotate(area=Sum("room__usable_area"))
        .values_list("unit_id", "area")
    )
    approved = dict(UnitSpace.objects.values_list("unit_id", "approved_area"))
    units = units if units is not None else Unit.objects.filter(Q(pk__in=list(used)) | Q(pk__in=list(approved)))
    return [
        UnitUsage(unit=u, approved=approved.get(u.pk), used=used.get(u.pk) or Decimal(0))
        for u in units.order_by("code")
    ]


def visible_units(user: User) -> QuerySet[Unit]:
    if is_space_bureau(user):
        return Unit.objects.all()
    if user.is_authenticated and user.unit_id:
        return Unit.objects.filter(pk=user.unit_id)
    return Unit.objects.none()


def visible_rooms(user: User, day: date) -> QuerySet[Room]:
    """The bureau sees every room; a unit approver the rooms their unit holds."""
    if is_space_bureau(user):
        return Room.objects.all()
    if user.is_authenticated and user.unit_id:
        return Room.objects.filter(
            pk__in=Allocation.objects.filter(q_current(day), unit_id=user.unit_id).values("room_id")
        )
    return Room.objects.none()


def visible_floors(user: User, day: date) -> QuerySet[Floor]:
    return Floor.objects.filter(pk__in=visible_rooms(user, day).values("floor_id")).select_related("building__compound")


def people_of(user: User) -> QuerySet[Person]:
    return Person.objects.filter(unit__in=visible_units(user)).select_related("unit")


def vacating_list(*, user: User) -> QuerySet[VacatingDeadline]:
    qs = VacatingDeadline.objects.select_related(
        "seat__person", "seat__room__floor__building", "seat__unit", "service_request"
    )
    if is_space_bureau(user):
        return qs
    return qs.filter(seat__unit__in=visible_units(user))


def space_requests(*, user: User) -> QuerySet[SpaceRequest]:
    from tickets.models import ServiceRequest

    return SpaceRequest.objects.filter(service_request__in=ServiceRequest.objects.visible_to(user)).select_related(
        "service_request", "unit"
    )
