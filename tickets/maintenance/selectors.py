"""Reads of planned maintenance: lists in a fixed number of queries, an item's history, the calendar of coming
work, and compliance (done on time / late / missed) aggregated in SQL."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from tickets.maintenance.models import (
    Equipment,
    EquipmentWork,
    MaintenanceOccurrence,
    MaintenancePlan,
    OccurrenceStatus,
    WorkSource,
)
from tickets.maintenance.permissions import (
    equipment_visible_to,
    is_maintainer_staff,
    is_register_keeper,
    occurrences_visible_to,
)
from tickets.models import Building, Compound, Contract, Contractor, User

S = OccurrenceStatus
DECIDED = (S.DONE, S.LATE, S.MISSED)
REMIND_DAYS = 30  # statutory inspections due within this many days are flagged (and reminded, see reminders.py)


def equipment_list(*, user: User, category: str = "", compound: int | None = None, q: str = "") -> QuerySet[Equipment]:
    qs = equipment_visible_to(user).select_related("compound", "building", "floor", "room", "contract")
    if category:
        qs = qs.filter(category=category)
    if compound:
        qs = qs.filter(compound_id=compound)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(serial__icontains=q))
    return qs.order_by("compound_id", "code")


def equipment_history(equipment: Equipment) -> list[EquipmentWork]:
    """Every piece of work on the item, newest first, with its request and, for planned work, its occurrence."""
    return list(
        EquipmentWork.objects.filter(equipment=equipment)
        .select_related("service_request__contractor", "occurrence", "cost_recorded_by")
        .order_by("-created_at", "-id")
    )


def equipment_costs(equipment: Equipment) -> dict[str, Any]:
    """Totals by source, in one query."""
    rows = (
        EquipmentWork.objects.filter(equipment=equipment)
        .order_by()
        .values("source")
        .annotate(n=Count("id"), cost=Sum("cost"))
    )
    by_source = {r["source"]: r for r in rows}
    total = sum((r["cost"] or Decimal(0) for r in by_source.values()), Decimal(0))
    return {"by_source": by_source, "total": total}


def equipment_breakdowns(equipment: Equipment) -> dict[str, Any]:
    """Repairs of the item (filed naming it, or by a failed check) and the mean days between them (MTBF)."""
    times = list(
        EquipmentWork.objects.filter(equipment=equipment, source__in=(WorkSource.REPAIR, WorkSource.CHECKLIST))
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    gaps = [(b - a).total_seconds() / 86400 for a, b in itertools.pairwise(times)]
    mtbf = Decimal(sum(gaps) / len(gaps)).quantize(Decimal("0.1")) if gaps else None
    return {"count": len(times), "mtbf_days": mtbf}


def plan_list(*, active: str = "") -> QuerySet[MaintenancePlan]:
    """Every plan with what its row shows (item, place, contract, checklist) in one query; `active` "1"/"0"."""
    qs = MaintenancePlan.objects.select_related(
        "equipment", "compound", "building", "floor", "contract__contractor", "checklist"
    )
    if active in ("1", "0"):
        qs = qs.filter(active=active == "1")
    return qs.order_by("-active", "contract__name", "title", "pk")


def equipment_plans(equipment: Equipment) -> list[MaintenancePlan]:
    return list(equipment.plans.select_related("contract", "checklist").order_by("title"))


def occurrence_detail(*, user: User, pk: int) -> MaintenanceOccurrence | None:
    return (
        occurrences_visible_to(user)
        .select_related(
            "plan__equipment",
            "plan__checklist",
            "plan__contract__contractor",
            "plan__compound",
            "plan__building",
            "plan__floor",
            "service_request",
            "completed_by",
        )
        .filter(pk=pk)
        .first()
    )


def calendar(*, user: User, start: date, weeks: int = 4, building: int | None = None, contractor: int | None = None):
    """Occurrences due in [start, start + weeks), planned or opened, with what each row shows in one query."""
    qs = (
        occurrences_visible_to(user)
        .filter(due_on__gte=start, due_on__lt=start + timedelta(weeks=weeks))
        .select_related(
            "plan__equipment",
            "plan__compound",
            "plan__building",
            "plan__floor",
            "plan__contract__contractor",
            "service_request",
        )
        .order_by("due_on", "plan__building_id", "plan_id")
    )
    if building:
        qs = qs.filter(plan__building_id=building)
    if contractor:
        qs = qs.filter(plan__contract__contractor_id=contractor)
    return qs


def upcoming_dates(*, user: User, start: date, weeks: int = 4, building: int | None = None) -> list[dict[str, Any]]:
    """Plans' coming dates that the beat has not written yet (the beat writes a date only when it opens), so the
    calendar shows the whole coming weeks. Pure recurrence over the visible active plans."""
    from tickets.maintenance.recurrence import dates_between, due_dates
    from tickets.maintenance.services import recurrence_of
    from tickets.sla.calendars import calendars_cached, load_work_calendar

    end = start + timedelta(weeks=weeks) - timedelta(days=1)
    plans = MaintenancePlan.objects.filter(active=True).select_related(
        "equipment", "compound", "building", "floor", "contract__contractor", "contract__calendar"
    )
    if is_maintainer_staff(user):
        plans = plans.filter(contract__contractor_id=user.contractor_id or 0)
    elif not is_register_keeper(user):
        return []
    if building:
        plans = plans.filter(building_id=building)
    written = set(
        MaintenanceOccurrence.objects.filter(plan__in=plans, scheduled_on__gte=start - timedelta(days=60)).values_list(
            "plan_id", "scheduled_on"
        )
    )
    out = []
    with calendars_cached():
        for plan in plans:
            calendar_ = load_work_calendar(plan.contract.calendar)
            days = dates_between(recurrence_of(plan.__dict__), max(start, plan.effective_from), end)
            for scheduled, due in due_dates(days, floating=plan.float_to_working_day, calendar=calendar_):
                if (plan.pk, scheduled) not in written and start <= due <= end:
                    out.append({"plan": plan, "scheduled_on": scheduled, "due_on": due})
    return sorted(out, key=lambda r: (r["due_on"], r["plan"].pk))


def compliance(
    *,
    user: User,
    start: date,
    end: date,
    group: tuple[str, ...] = ("contract", "compound", "category", "month"),
    where: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Occurrences due in [start, end) per contract, site, equipment category and month (or `group`): done on
    time, late, missed, still open and not opened (skipped), with the on-time rate of those decided. One aggregate
    query, plus one per kind of object named (contract, contractor, compound, building). `where` narrows by
    contractor, contract, compound, building or (service) category id, as the SLA report's filters do."""
    fields = {
        "contractor": "plan__contract__contractor",
        "contract": "plan__contract",
        "compound": "plan__compound",
        "building": "plan__building",
        "category": "plan__equipment__category",
        "month": "month",
    }
    qs = occurrences_visible_to(user).filter(due_on__gte=start, due_on__lt=end).order_by()
    columns = {
        "contractor": "plan__contract__contractor_id",
        "contract": "plan__contract_id",
        "compound": "plan__compound_id",
        "building": "plan__building_id",
        "category": "plan__category_id",
    }
    for name, value in (where or {}).items():
        qs = qs.filter(**{columns[name]: value})
    if "month" in group:
        qs = qs.annotate(month=TruncMonth("due_on"))
    keys = [fields[g] for g in group]
    rows = list(
        qs.values(*keys)
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status=S.DONE)),
            late=Count("id", filter=Q(status=S.LATE)),
            missed=Count("id", filter=Q(status=S.MISSED)),
            open=Count("id", filter=Q(status__in=(S.OPENED, S.PLANNED))),
            skipped=Count("id", filter=Q(status=S.SKIPPED)),
        )
        .order_by(*keys)
    )
    named: dict[str, Any] = {"contractor": Contractor, "contract": Contract, "compound": Compound, "building": Building}
    objects = {
        name: {o.pk: o for o in model._default_manager.filter(pk__in={r[fields[name]] for r in rows} - {None})}
        for name, model in named.items()
        if name in group
    }
    for r in rows:
        decided = r["done"] + r["late"] + r["missed"]
        r["decided"] = decided
        r["on_time_rate"] = rate(r["done"], decided)
        for name in named:
            r[name] = objects[name].get(r.pop(fields[name])) if name in objects else None
        r["category"] = r.pop("plan__equipment__category", None)
    return rows


def rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01")) if whole else None


def on_time_rates(contract: Contract, start: date, end: date, *, by_site: bool) -> dict[int | None, Decimal | None]:
    """The scorecard's planned-maintenance value: the share of the month's decided occurrences done on time, per
    site (compound id) or for the whole contract (key None). None when nothing was due or decided (a weighted rule
    then gives its whole weight, as the other indicators do)."""
    qs = MaintenanceOccurrence.objects.filter(
        plan__contract=contract, due_on__gte=start, due_on__lt=end, status__in=DECIDED
    ).order_by()
    aggs = {"done": Count("id", filter=Q(status=S.DONE)), "decided": Count("id")}
    if by_site:
        rows: list[Any] = list(qs.values("plan__compound").annotate(**aggs))
        return {r["plan__compound"]: rate(r["done"], r["decided"]) for r in rows}
    r = qs.aggregate(**aggs)
    return {None: rate(r["done"], r["decided"])}


BREAKDOWNS = (WorkSource.REPAIR, WorkSource.CHECKLIST)


def equipment_report(
    *, user: User, start: datetime, end: datetime, category: str = "", compound: int | None = None
) -> tuple[QuerySet[Equipment], dict[str, Any]]:
    """Breakdowns per item in [start, end) (repairs filed naming it or by a failed check), the mean time between
    them and the recorded cost (all work, and repairs alone), aggregated in SQL: the items (a queryset to page
    through, most breakdowns first) and the totals (one aggregate).

    MTBF is the mean gap between consecutive breakdowns in the period, which is (last − first) / (n − 1): the
    same definition as the item's page, computed from three aggregates instead of every row."""
    in_period = Q(works__created_at__gte=start, works__created_at__lt=end)
    broke = in_period & Q(works__source__in=BREAKDOWNS)
    # Visibility as a subquery: the contractor's OR over its plans would multiply the works joined below.
    qs = Equipment.objects.filter(pk__in=equipment_visible_to(user).values("pk"))
    if category:
        qs = qs.filter(category=category)
    if compound:
        qs = qs.filter(compound_id=compound)
    items = (
        qs.select_related("compound", "building", "contract__contractor")
        .annotate(
            breakdowns=Count("works", filter=broke),
            first_breakdown=Min("works__created_at", filter=broke),
            last_breakdown=Max("works__created_at", filter=broke),
            works_count=Count("works", filter=in_period),
            work_cost=Sum("works__cost", filter=in_period),
            repair_cost=Sum("works__cost", filter=broke),
        )
        .order_by("-breakdowns", F("work_cost").desc(nulls_last=True), "code")
    )
    totals = EquipmentWork.objects.filter(
        equipment__in=qs.values("pk"), created_at__gte=start, created_at__lt=end
    ).aggregate(
        breakdowns=Count("id", filter=Q(source__in=BREAKDOWNS)),
        works_count=Count("id"),
        work_cost=Sum("cost"),
        repair_cost=Sum("cost", filter=Q(source__in=BREAKDOWNS)),
    )
    return items, totals


def mtbf_days(item: Any) -> Decimal | None:
    """Days between breakdowns from the report's aggregates; None below two breakdowns."""
    if item.breakdowns < 2:
        return None
    span = (item.last_breakdown - item.first_breakdown).total_seconds() / 86400
    return Decimal(span / (item.breakdowns - 1)).quantize(Decimal("0.1"))
