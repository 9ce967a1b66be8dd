"""The demo's planned maintenance: lifts, HVAC and fire equipment in the demo's buildings with their plans and
checklists, and a year of history driven through the real services in simulated time (the beat each morning, the
worker's checklist on the due day): a few occurrences late, one missed, a failed item that filed a repair, and a
lift whose inspection certificate is about to expire. Keyed by the items' codes: a second run changes nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from tickets.assessment.inspections import ItemInput
from tickets.maintenance.models import Equipment, MaintenanceOccurrence, OccurrenceStatus
from tickets.maintenance.services import plan_create, planned_maintenance_run
from tickets.maintenance.work import occurrence_complete
from tickets.models import Building, Category, ChecklistItem, ChecklistTemplate, Contract, Room, RoomFunction, User
from tickets.services.transitions import transition

CONTRACT = "WY-NB"
# (code, name, category, building code, make, model, plan title, service category, frequency, interval, checklist);
# each item stands in its building's first equipment room (配电室, 水泵房 …)
EQUIPMENT = [
    ("lift-s1-1", "1号楼1号客梯", "lift", "s1", "奥的斯", "GeN2", "电梯半月保养", "lift-fault", "daily", 15, "lift"),
    ("lift-s1-2", "1号楼2号客梯", "lift", "s1", "奥的斯", "GeN2", "电梯半月保养", "lift-fault", "daily", 15, "lift"),
    ("lift-n1-1", "综合楼客梯", "lift", "n1", "三菱", "LEHY-III", "电梯半月保养", "lift-fault", "daily", 15, "lift"),
    ("ahu-s1-b", "1号楼冷水机组", "hvac", "s1", "开利", "30XW", "空调季度保养", "hvac-cooling", "monthly", 3, "hvac"),
    ("fire-s1", "1号楼消防主机", "fire", "s1", "海湾", "GST5000", "消防系统月检", "sec-order", "monthly", 1, "fire"),
    ("fire-n1", "综合楼消防水泵", "fire", "n1", "上海凯泉", "XBD", "消防系统月检", "sec-order", "monthly", 1, "fire"),
]  # fmt: skip
CHECKLISTS = {
    "lift": ("电梯半月保养检查表", "lift-fault", [
        ("曳引机运行平稳、无异响", "pass_fail", None, ""),
        ("轿厢运行噪音", "measure", Decimal("60"), "dB"),
        ("平层误差", "measure", Decimal("10"), "mm"),
    ]),
    "hvac": ("空调机组季度保养检查表", "hvac-cooling", [
        ("过滤网清洗", "pass_fail", None, ""),
        ("出水温度", "measure", Decimal("12"), "℃"),
    ]),
    "fire": ("消防系统月检表", "sec-order", [
        ("报警主机自检正常", "pass_fail", None, ""),
        ("水泵出口压力不足的偏差", "measure", Decimal("0.1"), "MPa"),
    ]),
}  # fmt: skip
WORKER = "wy_wangshifu"
FILER = "jg_wuye"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def load_maintenance_demo(*, history: bool = True, now: datetime | None = None) -> list[tuple[str, str, str]]:
    if Equipment.objects.filter(code=EQUIPMENT[0][0]).exists():
        return []
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    start = today - timedelta(days=365 if history else 0)
    # The property contract is renewed each year (WY-NB-2025, WY-NB-2026 …): a plan per yearly contract.
    contracts = {c.starts_on.year: c for c in Contract.objects.filter(code__startswith=f"{CONTRACT}-")}
    contract = contracts.get(today.year)
    filer = User.objects.filter(username=FILER).first()
    worker = User.objects.filter(username=WORKER).first()
    if contract is None or filer is None or worker is None:
        return []  # the core's demo reference data is not there
    categories = {c.code: c for c in Category.objects.filter(code__in={e[7] for e in EQUIPMENT})}
    checklists = {}
    for key, (name, rectify, items) in CHECKLISTS.items():
        template = ChecklistTemplate.objects.create(
            service_line="property", name=name, rectification_category=categories[rectify]
        )
        for n, (text, kind, limit, unit) in enumerate(items):
            ChecklistItem.objects.create(template=template, sort=n, text=text, kind=kind, limit=limit, unit=unit)
        checklists[key] = template
    for code, name, kind, building, make, model, title, category, freq, interval, checklist in EQUIPMENT:
        place = Building.objects.get(code=building)
        rooms = Room.objects.filter(floor__building=place).order_by("floor__level", "number")
        room_row = rooms.filter(function=RoomFunction.EQUIPMENT).first() or rooms.first()
        item = Equipment.objects.create(
            code=code, name=name, category=kind, compound=place.compound, building=place,
            floor=room_row.floor if room_row else None, room=room_row, make=make, model=model,
            serial=f"{code.upper()}-2019", installed_on=date(2019, 6, 1), contract=contract,
            # the first lift's yearly certificate runs out in three weeks: its reminder is due
            inspection_due_on=today + timedelta(days=21 if code == "lift-s1-1" else 200),
        )  # fmt: skip
        for year in range(start.year, today.year + 1):
            if year not in contracts:
                continue
            begins = max(start, date(year, 1, 1))
            plan_create(
                actor=filer,
                now=min(_at(begins, 7), now),
                title=title,
                equipment=item,
                contract=contracts[year],
                category=categories[category],
                frequency=freq,
                interval=interval,
                starts_on=begins,
                ends_on=date(year, 12, 31),
                float_to_working_day=freq != "daily",
                checklist=checklists[checklist],
            )
    if history:
        _simulate(start=start, today=today, worker=worker, now=now)
    return []


def _simulate(*, start: date, today: date, worker: User, now: datetime) -> None:
    """Each morning the beat; each work order done by the worker on its due day, except a few done days late
    (every ninth), one left undone (missed once its grace days pass) and the last days' still open."""
    n = 0
    day = start
    missed_one = False
    while day <= today:
        planned_maintenance_run(now=min(_at(day, 7, 10), now))  # nothing dated after the load
        opened = MaintenanceOccurrence.objects.filter(due_on=day, status=OccurrenceStatus.OPENED).select_related(
            "plan__checklist", "service_request"
        )
        for occurrence in opened:
            n += 1
            if (today - day).days < 7:
                continue  # the last days' work is still to do (within its grace days)
            equipment = occurrence.plan.equipment
            if not missed_one and (today - day).days < 60 and equipment is not None and equipment.category == "fire":
                missed_one = True
                continue
            late = n % 9 == 0
            when = _at(day + timedelta(days=3 if late else 0), 10, 30)
            service_request = occurrence.service_request
            assert service_request is not None  # opened
            transition(service_request=service_request, action="accept", actor=worker, now=when - timedelta(hours=1))
            transition(service_request=service_request, action="start", actor=worker, now=when - timedelta(minutes=50))
            occurrence_complete(
                occurrence=occurrence, actor=worker, results=_answers(occurrence, fail=n % 23 == 0), now=when
            )
        day += timedelta(days=1)
    planned_maintenance_run(now=now)


def _answers(occurrence: MaintenanceOccurrence, *, fail: bool) -> list[ItemInput]:
    items = list(occurrence.plan.checklist.items.all()) if occurrence.plan.checklist else []
    out = []
    for item in items:
        if item.kind == ChecklistItem.Kind.PASS_FAIL:
            out.append(ItemInput(item=item.pk, passed=True))
        else:
            assert item.limit is not None
            value = item.limit * (Decimal("1.2") if fail else Decimal("0.8"))
            out.append(ItemInput(item=item.pk, measured=str(value), note="超出限值，已报修" if fail else ""))
    return out
