"""Writes of planned maintenance: plans (checked, then saved), occurrences generated and opened as core requests.

The beat runs ``planned_maintenance_run()``: ``occurrences_generate()`` writes each plan's dates that are due to
open in a fixed number of queries whatever the number of plans (one read of the plans, the national calendar once,
one ``INSERT … ON CONFLICT DO NOTHING`` against the unique (plan, date), one bulk update of the plans' cursor),
then ``occurrence_open()`` opens each in its own short transaction under a row lock, so two beats at once open one
request per occurrence. A date the core refuses to file (category retired, no one to file it) is kept as skipped
with the reason; nothing is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.maintenance.models import (
    Equipment,
    EquipmentWork,
    Frequency,
    MaintenanceOccurrence,
    MaintenancePlan,
    OccurrenceStatus,
    WorkSource,
)
from tickets.maintenance.recurrence import Recurrence, dates_between, due_dates, first_date
from tickets.models import Category, Contract, Role, Urgency, User
from tickets.services.common import now_or
from tickets.services.requests import resolve_place
from tickets.sla.calendars import calendars_cached, load_work_calendar

log = logging.getLogger(__name__)

KIND = "planned_maintenance"
OWNER = "tickets"  # the core's own gate files this kind: only the beat opens planned work
MAX_LEAD_DAYS = 90
MAX_INTERVAL = 366
PLAN_FIELDS = (
    "title",
    "description",
    "equipment",
    "compound",
    "building",
    "floor",
    "checklist",
    "contract",
    "category",
    "urgency",
    "frequency",
    "interval",
    "weekdays",
    "month",
    "day",
    "starts_on",
    "ends_on",
    "float_to_working_day",
    "lead_days",
    "grace_days",
    "active",
)
MAX_GRACE_DAYS = 60


def _local_date(now: datetime) -> date:
    return timezone.localtime(now).date()


def check_plan_actor(actor: User, contract: Contract | None) -> None:
    if actor.is_superuser or actor.role == Role.ADMIN:
        return
    if actor.role == Role.SUPERVISOR and (contract is None or actor.service_line == contract.service_line):
        return
    raise ActionForbidden(_("只有机关事务局的管理员或本条线主管可以维护维保计划。"))


def recurrence_of(values: Mapping[str, Any]) -> Recurrence:
    return Recurrence(
        frequency=values["frequency"],
        interval=values["interval"],
        starts_on=values["starts_on"],
        ends_on=values.get("ends_on"),
        weekdays=tuple(values.get("weekdays") or ()),
        month=values.get("month"),
        day=values.get("day"),
    )


def plan_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field messages for a plan's values (empty when they may be saved). Reads nothing but the given rows."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not str(values.get("title") or "").strip():
        add("title", _("请填写计划名称。"))
    frequency = values.get("frequency") or ""
    if not frequency:
        add("frequency", _("请选择维保周期：按天、按周、按月或每年固定日期。"))
    elif frequency not in Frequency.values:
        add("frequency", _("维保周期无效。"))
    interval = values.get("interval")
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
        add("interval", _("间隔必须是不小于1的整数。"))
    elif interval > MAX_INTERVAL:
        add("interval", _("间隔不能超过%(n)d。") % {"n": MAX_INTERVAL})
    weekdays = values.get("weekdays") or []
    if not isinstance(weekdays, list | tuple) or not all(
        isinstance(w, int) and not isinstance(w, bool) and 0 <= w <= 6 for w in weekdays
    ):
        add("weekdays", _("星期须为0（周一）到6（周日）之间的数字。"))
    elif weekdays and frequency != Frequency.WEEKLY:
        add("weekdays", _("只有按周的计划可以指定星期。"))
    if values.get("urgency", Urgency.NORMAL) not in Urgency.values:
        add("urgency", _("紧急程度无效。"))
    month, day = values.get("month"), values.get("day")
    if frequency == Frequency.YEARLY:
        if not month or not day:
            add("day", _("每年固定日期的计划需填写月和日。"))
        elif not 1 <= month <= 12 or not 1 <= day <= 31:
            add("day", _("月或日超出范围。"))
    elif month or day:
        add("day", _("只有每年固定日期的计划填写月和日。"))
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if not isinstance(starts_on, date):
        add("starts_on", _("请填写开始日期。"))
    elif ends_on is not None and ends_on < starts_on:
        add("ends_on", _("结束日期不能早于开始日期。"))
    lead_days = values.get("lead_days", 0)
    if not isinstance(lead_days, int) or not 0 <= lead_days <= MAX_LEAD_DAYS:
        add("lead_days", _("提前开单天数须在0到%(n)d之间。") % {"n": MAX_LEAD_DAYS})
    if not errors and first_date(recurrence_of(values)) is None:
        add("frequency", _("按此周期规则，计划在开始日期之后从不发生，请检查周期与日期。"))
    grace_days = values.get("grace_days", 7)
    if not isinstance(grace_days, int) or not 0 <= grace_days <= MAX_GRACE_DAYS:
        add("grace_days", _("宽限天数须在0到%(n)d之间。") % {"n": MAX_GRACE_DAYS})
    equipment: Equipment | None = values.get("equipment")
    contract: Contract | None = values.get("contract")
    category: Category | None = values.get("category")
    compound, building, floor = values.get("compound"), values.get("building"), values.get("floor")
    if equipment is not None:
        if not equipment.active:
            add("equipment", _("该设备已停用。"))
        if any(p is not None and p.pk != getattr(equipment, f"{n}_id") for n, p in _place_parts(values)):
            add("equipment", _("计划的位置须与设备所在位置一致，或只选设备。"))
    elif compound is None and building is None and floor is None:
        add("equipment", _("请选择设备，或选择作业的位置（院区、楼栋、楼层）。"))
    else:
        try:
            resolve_place(compound=compound, building=building, floor=floor, room=None)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    add(name, message)
    checklist = values.get("checklist")
    if (
        checklist is not None
        and contract is not None
        and (not checklist.active or checklist.service_line != contract.service_line)
    ):
        add("checklist", _("检查表已停用或与合同的服务条线不一致。"))
    if contract is None:
        add("contract", _("请选择维保合同。"))
    if category is None:
        add("category", _("请选择服务分类。"))
    elif not category.active or category.children.exists():
        add("category", _("请选择一个具体的服务分类。"))
    if contract is not None and category is not None and "category" not in errors:
        if category.service_line != contract.service_line:
            add("category", _("服务分类与合同的服务条线不一致。"))
        elif not contract.categories.filter(pk__in=category.lineage_ids()).exists():
            add("category", _("合同的服务范围不包含该分类。"))
    target_compound_id = equipment.compound_id if equipment is not None else _compound_id(values)
    if (
        contract is not None
        and target_compound_id is not None
        and "equipment" not in errors
        and not contract.compounds.filter(pk=target_compound_id).exists()
    ):
        add("contract", _("合同的服务范围不包含该设备所在院区。"))
    return errors


def _place_parts(values: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [(n, values.get(n)) for n in ("compound", "building", "floor")]


def _compound_id(values: Mapping[str, Any]) -> int | None:
    for name in ("floor", "building", "compound"):
        part = values.get(name)
        if part is None:
            continue
        if name == "floor":
            return int(part.building.compound_id)
        return int(part.compound_id if name == "building" else part.pk)
    return None


def _fill_place(plan: MaintenancePlan) -> None:
    """The plan's place: the item's when it names one, else the given parts completed upwards."""
    if plan.equipment is not None:
        plan.compound_id = plan.equipment.compound_id
        plan.building_id = plan.equipment.building_id
        plan.floor_id = plan.equipment.floor_id
        return
    place = resolve_place(compound=plan.compound, building=plan.building, floor=plan.floor, room=None)
    plan.compound, plan.building, plan.floor = place.compound, place.building, place.floor


def _save(plan: MaintenancePlan, values: Mapping[str, Any], *, actor: User, now: datetime) -> MaintenancePlan:
    check_plan_actor(actor, values.get("contract"))
    errors = plan_errors(values)
    if errors:
        raise ValidationError(errors)
    for name in PLAN_FIELDS:
        if name in values:
            setattr(plan, name, values[name])
    plan.weekdays = sorted(set(plan.weekdays or []))
    _fill_place(plan)
    plan.filed_by = actor
    plan.updated_at = now
    plan.save()
    return plan


@transaction.atomic
def plan_create(*, actor: User, now: datetime | None = None, **values: Any) -> MaintenancePlan:
    """A new plan; its dates are generated from its start (or today, if it starts in the past)."""
    now = now_or(now)
    unknown = set(values) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    values = {"interval": 1, "lead_days": 0, "grace_days": 7, "weekdays": [], "active": True, **values}
    today = _local_date(now)
    start = values.get("starts_on")
    plan = MaintenancePlan(effective_from=max(start, today) if isinstance(start, date) else today)
    return _save(plan, values, actor=actor, now=now)


@transaction.atomic
def plan_update(
    *, plan: MaintenancePlan | int, actor: User, now: datetime | None = None, **changes: Any
) -> MaintenancePlan:
    """Edit a plan: only dates from today on follow the new rule. Occurrences already opened stay as they were
    (with their requests); dates generated but not yet opened are generated again under the new rule."""
    now = now_or(now)
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    pk = plan.pk if isinstance(plan, MaintenancePlan) else plan
    # of=("self",): the item is an outer join now (a plan may be for a place), and PostgreSQL locks no nullable side.
    locked = (
        MaintenancePlan.objects.select_for_update(of=("self",))
        .select_related("equipment", "contract", "category")
        .get(pk=pk)
    )
    values = {name: getattr(locked, name) for name in PLAN_FIELDS} | changes
    today = _local_date(now)
    check_plan_actor(actor, locked.contract)
    saved = _save(locked, values, actor=actor, now=now)
    MaintenanceOccurrence.objects.filter(plan=saved, status=OccurrenceStatus.PLANNED, scheduled_on__gte=today).delete()
    saved.effective_from = max(today, saved.starts_on)
    saved.save(update_fields=["effective_from"])
    return saved


# --- the beat ---------------------------------------------------------------------------------------------------


def occurrences_generate(*, now: datetime | None = None) -> int:
    """Write the occurrences of every active plan whose opening day has come. Returns the dates found (a date
    another beat wrote first is found, and not written, again).

    A fixed number of queries for any number of plans. From each plan's ``effective_from`` on, so a beat that did
    not run for a week writes the week's dates too (opened late, never dropped); the unique (plan, date) makes a
    second run, or a second beat at once, write nothing more.
    """
    now = now_or(now)
    today = _local_date(now)
    last_written = dict(
        MaintenanceOccurrence.objects.filter(plan__active=True)
        .values("plan_id")
        .annotate(last=Max("scheduled_on"))
        .values_list("plan_id", "last")
    )
    rows = []
    with calendars_cached():
        plans = MaintenancePlan.objects.filter(active=True, effective_from__lte=today + timedelta(days=MAX_LEAD_DAYS))
        for plan in plans.select_related("contract__calendar"):
            start = plan.effective_from
            if (last := last_written.get(plan.pk)) is not None and last >= start:
                start = last + timedelta(days=1)
            end = today + timedelta(days=plan.lead_days)
            if start > end:
                continue
            calendar = load_work_calendar(plan.contract.calendar)
            days = dates_between(recurrence_of(plan.__dict__), start, end)
            for scheduled, due in due_dates(days, floating=plan.float_to_working_day, calendar=calendar):
                opens_on = due - timedelta(days=plan.lead_days)
                if opens_on <= today:
                    rows.append(
                        MaintenanceOccurrence(
                            plan=plan,
                            scheduled_on=scheduled,
                            due_on=due,
                            opens_on=opens_on,
                            closes_on=due + timedelta(days=plan.grace_days),
                        )
                    )
    MaintenanceOccurrence.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def occurrence_open(*, occurrence_id: int, now: datetime | None = None) -> MaintenanceOccurrence:
    """Open one occurrence as a core request, once: the row is locked and re-read, and an occurrence already
    opened (or skipped) by another beat is returned as it is."""
    return _open(occurrence_id, now)[0]


def _open(occurrence_id: int, now: datetime | None) -> tuple[MaintenanceOccurrence, str]:
    """The occurrence and what this call did: "opened", "skipped" or "" (another call had done it)."""
    from tickets.services.requests import request_create
    from tickets.services.transitions import transition

    now = now_or(now)
    with transaction.atomic():
        occurrence = (
            MaintenanceOccurrence.objects.select_for_update(of=("self",))
            .select_related(
                "plan__equipment",
                "plan__category",
                "plan__contract",
                "plan__filed_by",
                "plan__compound",
                "plan__building",
                "plan__floor",
            )
            .get(pk=occurrence_id)
        )
        if occurrence.status != OccurrenceStatus.PLANNED:
            return occurrence, ""
        plan = occurrence.plan
        equipment = plan.equipment
        try:
            with transaction.atomic():
                service_request = request_create(
                    actor=plan.filed_by,
                    category=plan.category,
                    kind=KIND,
                    owner=OWNER,
                    title=_("计划维保：%(plan)s（%(date)s）")
                    % {"plan": plan.title, "date": occurrence.due_on.isoformat()},
                    description=plan.description,
                    urgency=plan.urgency,
                    compound=plan.compound,
                    building=plan.building,
                    room=equipment.room if equipment is not None else None,
                    location_detail=str(equipment) if equipment is not None else _floor_text(plan),
                    idempotency_key=f"maintenance:{occurrence.pk}",
                    now=now,
                    clock_from=planned_start(occurrence.due_on),
                )
                if service_request.contract_id != plan.contract_id:
                    # The catalogue routed it elsewhere: planned work is the plan's contract's.
                    service_request = transition(
                        service_request=service_request,
                        action="reassign",
                        actor=plan.filed_by,
                        now=now,
                        contract=plan.contract,
                        note=_("计划维保，交由计划的维保合同处理。"),
                    )
        except (ValidationError, TransitionNotAllowed, ActionForbidden) as refusal:
            occurrence.status = OccurrenceStatus.SKIPPED
            occurrence.skip_reason = _refusal_text(refusal)
            occurrence.save(update_fields=["status", "skip_reason"])
            log.warning("planned maintenance %s on %s not opened: %s", plan.pk, occurrence.scheduled_on, refusal)
            return occurrence, "skipped"
        occurrence.status = OccurrenceStatus.OPENED
        occurrence.service_request = service_request
        occurrence.opened_at = now
        occurrence.save(update_fields=["status", "service_request", "opened_at"])
        if equipment is not None:
            EquipmentWork.objects.create(
                equipment=equipment,
                service_request=service_request,
                source=WorkSource.PLANNED,
                occurrence=occurrence,
                created_at=now,
            )
    return occurrence, "opened"


def planned_start(due_on: date) -> datetime:
    """Where the SLA clock of a planned work order starts: the beginning of its planned (due) day, local time.
    A business-hours target then starts at that day's first working hour."""
    return timezone.make_aware(datetime.combine(due_on, datetime.min.time()), timezone.get_default_timezone())


def _floor_text(plan: MaintenancePlan) -> str:
    if plan.floor is None:
        return ""
    return plan.floor.name or f"{plan.floor.level}F"


def _refusal_text(refusal: Exception) -> str:
    if isinstance(refusal, ValidationError):
        return "；".join(str(m) for m in refusal.messages)
    return str(getattr(refusal, "message", refusal))


def planned_maintenance_run(*, now: datetime | None = None) -> dict[str, int]:
    """The beat's job: generate what is due, then open every occurrence whose opening day has come."""
    now = now_or(now)
    generated = occurrences_generate(now=now)
    due = list(
        MaintenanceOccurrence.objects.filter(status=OccurrenceStatus.PLANNED, opens_on__lte=_local_date(now))
        .order_by("opens_on", "pk")
        .values_list("pk", flat=True)
    )
    counts = {"generated": generated, "opened": 0, "skipped": 0}
    with calendars_cached():
        for pk in due:
            _occurrence, outcome = _open(pk, now)
            if outcome:
                counts[outcome] += 1
    counts["missed"] = occurrences_mark_missed(now=now)
    return counts


def occurrences_mark_missed(*, now: datetime | None = None) -> int:
    """Record as missed every opened occurrence whose last day has passed unfinished. One UPDATE that matches only
    rows still opened, so two beats at once (or a worker completing at that moment, under its row lock) never
    record one twice or overwrite a completion."""
    now = now_or(now)
    return MaintenanceOccurrence.objects.filter(status=OccurrenceStatus.OPENED, closes_on__lt=_local_date(now)).update(
        status=OccurrenceStatus.MISSED, missed_at=now
    )
