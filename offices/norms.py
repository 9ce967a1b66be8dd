"""The per-person area norm: the seeded tables and the pure check of a room against them.

The check is pure (no ORM, no clock): rooms, people and a version's table in, findings out, so it is tested by
hand-computed tables and runs over 20,000 rooms in memory after a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict

from offices.models import OFFICE_USES, Rank

R = Rank
D = Decimal

# 党政机关办公用房建设标准 (发改投资〔2014〕2674号), per-person office usable area upper limits in ㎡.
# Central 处级 (12) covers 正处 and 副处. Municipal 正局(处)/副局(处) are the third and fourth columns; a
# municipal 正处 or 副处 rank in the fifth and sixth columns is not in the table and is refused. Township:
# set by the province, "in principle no more than 24" — seeded at 24 for every rank until the bureau enters
# its province's numbers as a new version.
TABLE_2014: dict[str, dict[str, Decimal]] = {
    "central": {
        R.PRINCIPAL: D(54), R.DEPUTY: D(42), R.BUREAU_CHIEF: D(24), R.DEPUTY_BUREAU_CHIEF: D(18),
        R.DIVISION_CHIEF: D(12), R.DEPUTY_DIVISION_CHIEF: D(12), R.STAFF: D(9),
    },
    "provincial": {
        R.PRINCIPAL: D(54), R.DEPUTY: D(42), R.BUREAU_CHIEF: D(30), R.DEPUTY_BUREAU_CHIEF: D(24),
        R.DIVISION_CHIEF: D(18), R.DEPUTY_DIVISION_CHIEF: D(12), R.STAFF: D(9),
    },
    "municipal": {
        R.PRINCIPAL: D(42), R.DEPUTY: D(30), R.BUREAU_CHIEF: D(24), R.DEPUTY_BUREAU_CHIEF: D(18), R.STAFF: D(9),
    },
    "county": {
        R.PRINCIPAL: D(30), R.DEPUTY: D(24), R.DIVISION_CHIEF: D(18), R.DEPUTY_DIVISION_CHIEF: D(12), R.STAFF: D(9),
    },
    "township": {R.PRINCIPAL: D(24), R.DEPUTY: D(24), R.STAFF: D(24)},
}  # fmt: skip

# 党政机关办公用房建设标准 (计投资〔1999〕2250号), kept as history: many pages titled "2014" still print these.
TABLE_1999: dict[str, dict[str, Decimal]] = {
    "central": {
        R.PRINCIPAL: D(54), R.DEPUTY: D(42), R.BUREAU_CHIEF: D(24), R.DEPUTY_BUREAU_CHIEF: D(18),
        R.DIVISION_CHIEF: D(12), R.DEPUTY_DIVISION_CHIEF: D(12), R.STAFF: D(9),
    },
    "provincial": {
        R.PRINCIPAL: D(54), R.DEPUTY: D(42), R.BUREAU_CHIEF: D(24), R.DEPUTY_BUREAU_CHIEF: D(18),
        R.DIVISION_CHIEF: D(12), R.DEPUTY_DIVISION_CHIEF: D(12), R.STAFF: D(9),
    },
    "municipal": {
        R.PRINCIPAL: D(32), R.DEPUTY: D(18), R.BUREAU_CHIEF: D(12), R.DEPUTY_BUREAU_CHIEF: D(12), R.STAFF: D(6),
    },
    "county": {
        R.PRINCIPAL: D(20), R.DEPUTY: D(12), R.DIVISION_CHIEF: D(9), R.DEPUTY_DIVISION_CHIEF: D(9), R.STAFF: D(6),
    },
}  # fmt: skip


class SeedVersion(TypedDict):
    code: str
    name: str
    source: str
    effective_from: str
    current: bool
    note: str
    table: Any


SEED_VERSIONS: tuple[SeedVersion, ...] = (
    {
        "code": "1999",
        "name": "党政机关办公用房建设标准(1999)",
        "source": "计投资〔1999〕2250号",
        "effective_from": "1999-12-21",
        "current": False,
        "note": "已废止，仅作历史对照。",
        "table": TABLE_1999,
    },
    {
        "code": "2014",
        "name": "党政机关办公用房建设标准(2014)",
        "source": "发改投资〔2014〕2674号",
        "effective_from": "2014-11-24",
        "current": True,
        "note": "乡级按省级规定，原则上不超过24㎡；请按本省规定另建版本。",
        "table": TABLE_2014,
    },
)

#: (level, rank) -> allowance in ㎡, for one version.
NormTable = Mapping[tuple[str, str], Decimal]


@dataclass(frozen=True)
class Sitter:
    person_id: int
    name: str
    level: str
    rank: str


@dataclass(frozen=True)
class RoomInput:
    room_id: int
    area: Decimal
    use: str
    people: tuple[Sitter, ...]


@dataclass
class RoomResult:
    room_id: int
    area: Decimal
    compared: bool  # offices only; other uses are not compared per person
    allowance: Decimal = field(default_factory=Decimal)
    excess: Decimal = field(default_factory=Decimal)
    people: list[dict[str, object]] = field(default_factory=list)
    unknown: list[dict[str, object]] = field(default_factory=list)  # (level, rank) the table does not know

    @property
    def over(self) -> bool:
        return self.excess > 0


def check_room(room: RoomInput, table: NormTable) -> RoomResult:
    """Compare an office room's usable area with the sum of its occupants' allowances (equal is allowed)."""
    result = RoomResult(room_id=room.room_id, area=room.area, compared=room.use in OFFICE_USES and bool(room.people))
    if not result.compared:
        return result
    for sitter in room.people:
        allowance = table.get((sitter.level, sitter.rank))
        entry: dict[str, object] = {
            "person": sitter.person_id,
            "name": sitter.name,
            "level": sitter.level,
            "rank": sitter.rank,
            "allowance": str(allowance) if allowance is not None else None,
        }
        result.people.append(entry)
        if allowance is None:
            result.unknown.append(entry)
        else:
            result.allowance += allowance
    if not result.unknown and room.area > result.allowance:
        result.excess = room.area - result.allowance
    return result


def check_rooms(rooms: Iterable[RoomInput], table: NormTable) -> list[RoomResult]:
    return [check_room(room, table) for room in rooms]
