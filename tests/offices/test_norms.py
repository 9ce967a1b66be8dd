"""The area norm by hand: each organ level and rank, the municipal column, a shared room, equal is allowed, and a
norm edit that leaves past findings as they were."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from offices import norms, selectors, services
from offices.models import AreaNormVersion, NormFinding, RoomUse
from tests.offices.conftest import at

D = Decimal

# Hand-copied from the 2014 standard (发改投资〔2014〕2674号), not from offices.norms, so a typo in the seed fails.
EXPECTED_2014 = [
    ("central", "principal", 54), ("central", "deputy", 42), ("central", "bureau_chief", 24),
    ("central", "deputy_bureau_chief", 18), ("central", "division_chief", 12), ("central", "deputy_division_chief", 12),
    ("central", "staff", 9),
    ("provincial", "principal", 54), ("provincial", "deputy", 42), ("provincial", "bureau_chief", 30),
    ("provincial", "deputy_bureau_chief", 24), ("provincial", "division_chief", 18),
    ("provincial", "deputy_division_chief", 12), ("provincial", "staff", 9),
    ("municipal", "principal", 42), ("municipal", "deputy", 30), ("municipal", "bureau_chief", 24),
    ("municipal", "deputy_bureau_chief", 18), ("municipal", "staff", 9),
    ("county", "principal", 30), ("county", "deputy", 24), ("county", "division_chief", 18),
    ("county", "deputy_division_chief", 12), ("county", "staff", 9),
    ("township", "principal", 24), ("township", "deputy", 24), ("township", "staff", 24),
]  # fmt: skip


def one(level, rank, area, use=RoomUse.OFFICE):
    return norms.RoomInput(room_id=1, area=D(area), use=use, people=(norms.Sitter(1, "甲", level, rank),))


@pytest.mark.django_db
def test_seeded_2014_table_is_current_and_1999_kept_as_history():
    services.norms_seed()
    current = AreaNormVersion.objects.get(current=True)
    assert current.code == "2014"
    table = selectors.norm_table(current)
    assert {(lv, rk): int(a) for (lv, rk), a in table.items()} == {(lv, rk): a for lv, rk, a in EXPECTED_2014}
    old = selectors.norm_table(AreaNormVersion.objects.get(code="1999"))
    assert [old[("municipal", r)] for r in ("principal", "deputy", "bureau_chief", "staff")] == [32, 18, 12, 6]


@pytest.mark.django_db
@pytest.mark.parametrize(("level", "rank", "allowance"), EXPECTED_2014)
def test_each_level_and_rank_equal_allowed_and_half_a_metre_over_flagged(level, rank, allowance):
    table = selectors.norm_table(services.current_version())
    equal = norms.check_room(one(level, rank, allowance), table)
    assert equal.compared and equal.allowance == allowance and not equal.over
    over = norms.check_room(one(level, rank, D(allowance) + D("0.5")), table)
    assert over.over and over.excess == D("0.5")
    assert D(over.people[0]["allowance"]) == allowance


@pytest.mark.django_db
def test_municipal_column_and_ranks_the_table_does_not_know():
    table = selectors.norm_table(services.current_version())
    # 市级: 正职 42, 副职 30, 正局(处) 24, 副局(处) 18, 以下 9 — not the 1999 numbers 32/18/12/6.
    assert norms.check_room(one("municipal", "principal", 43), table).excess == 1
    assert norms.check_room(one("municipal", "deputy", 32), table).excess == 2
    assert norms.check_room(one("municipal", "bureau_chief", 24), table).excess == 0
    assert norms.check_room(one("municipal", "deputy_bureau_chief", 20), table).excess == 2
    unknown = norms.check_room(one("municipal", "division_chief", 40), table)
    assert unknown.unknown and not unknown.over
    with pytest.raises(ValidationError) as exc:
        services.allowance_of(level="municipal", rank="division_chief")
    assert "没有市级“正处(科)级”的标准" in str(exc.value)
    with pytest.raises(ValidationError):
        services.allowance_of(level="galactic", rank="staff")
    with pytest.raises(ValidationError):
        services.allowance_of(level="county", rank="emperor")


@pytest.mark.django_db
def test_shared_room_sums_allowances_and_other_uses_are_not_compared():
    table = selectors.norm_table(services.current_version())
    three = tuple(norms.Sitter(i, f"人{i}", "municipal", "staff") for i in range(3))
    shared = norms.RoomInput(room_id=1, area=D("30"), use=RoomUse.SHARED_OFFICE, people=three)
    assert norms.check_room(shared, table).excess == 3  # 30 - 3 × 9
    assert not norms.check_room(norms.RoomInput(1, D("27"), RoomUse.SHARED_OFFICE, three), table).over
    mixed = (norms.Sitter(1, "局长", "municipal", "bureau_chief"), norms.Sitter(2, "科员", "municipal", "staff"))
    assert norms.check_room(norms.RoomInput(1, D("35"), RoomUse.OFFICE, mixed), table).excess == 2  # 35 - (24 + 9)
    meeting = norms.RoomInput(1, D("120"), RoomUse.MEETING, three)
    assert not norms.check_room(meeting, table).compared


@pytest.mark.django_db
def test_scan_flags_exactly_the_over_standard_rooms(space, allocate, seat):
    for number in ("301", "302", "303", "304", "305", "306"):
        allocate(number)
    seat("301", "municipal", "staff", "一")  # 18 > 9: over by 9
    seat("302", "municipal", "bureau_chief", "二")  # 24 = 24: allowed
    seat("303", "municipal", "staff", "三a")  # shared 30 > 27: over by 3
    seat("303", "municipal", "staff", "三b")
    seat("303", "municipal", "staff", "三c")
    seat("304", "municipal", "principal", "四")  # 42 = 42
    # 305 (60 ㎡) has nobody: idle, not over; 306 (12) a deputy bureau chief: 12 < 18
    seat("306", "municipal", "deputy_bureau_chief", "六")
    check = services.norm_scan(actor=space.fang, now=at(3, 1))
    found = {f.room.number: f.excess for f in check.findings.select_related("room")}
    assert found == {"301": D("9.00"), "303": D("3.00")}
    finding = check.findings.get(room__number="303")
    assert finding.unit == space.w.unit and finding.allowance == 27
    assert sorted(p["name"] for p in finding.people) == ["三a", "三b", "三c"]
    assert check.version.code == "2014" and check.rooms_checked == 5


@pytest.mark.django_db
def test_norm_edit_is_a_new_version_and_past_findings_stay(space, allocate, seat):
    allocate("301")
    seat("301", "municipal", "staff")
    first = services.norm_scan(actor=space.fang, now=at(3, 1))
    assert first.findings.get().excess == 9
    v2014 = services.current_version()
    edited = services.norm_version_create(
        actor=space.fang,
        code="2014-local",
        name="本市细则",
        effective_from=date(2026, 4, 1),
        rows={("municipal", "staff"): D("18")},
        based_on=v2014,
        now=at(4, 1),
    )
    assert services.current_version() == edited and edited.rows.count() == v2014.rows.count()
    assert v2014.rows.get(level="municipal", rank="staff").area == 9  # the old version is untouched
    second = services.norm_scan(actor=space.fang, now=at(4, 2))
    assert second.version == edited and not second.findings.exists()
    finding = NormFinding.objects.get(check_run=first)
    assert (finding.excess, finding.allowance, first.version.code) == (9, 9, "2014")


@pytest.mark.django_db
def test_norm_edit_refuses_bad_rows_and_other_parties(space):
    base = services.current_version()
    for rows in ({("municipal", "staff"): D("0")}, {("municipal", "staff"): D("-3")}, {("mars", "staff"): D("9")}):
        with pytest.raises(ValidationError):
            services.norm_version_create(
                actor=space.fang, code="x", name="x", effective_from=date(2026, 1, 1), rows=rows, based_on=base
            )
    from tickets.exceptions import ActionForbidden

    for user in (space.w.uma, space.w.alice, space.w.bob, space.w.carol):
        with pytest.raises(ActionForbidden):
            services.norm_version_create(
                actor=user, code="y", name="y", effective_from=date(2026, 1, 1), rows={}, based_on=base
            )
    assert AreaNormVersion.objects.count() == 2


@pytest.mark.django_db
def test_unit_usage_against_approved_area(space, allocate):
    from offices.models import UnitSpace

    UnitSpace.objects.create(unit=space.w.unit, approved_area=D("60"))
    allocate("301")  # 18
    allocate("304")  # 42
    allocate("306", use=RoomUse.STORAGE)  # not office area
    allocate("303", unit=space.w.other_unit)
    usage = {u.unit.code: u for u in selectors.unit_usage(day=date(2026, 2, 1))}
    assert usage["fgw"].used == 60 and usage["fgw"].excess == 0
    allocate("302")  # 24 more
    usage = {u.unit.code: u for u in selectors.unit_usage(day=date(2026, 2, 1))}
    assert usage["fgw"].excess == 24 and usage["czj"].approved is None
