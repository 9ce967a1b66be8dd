"""The sample and waste logs as an inspection of the canteen contractor (考核), once a month.

The core's assessment counts inspections: the scheme's ``inspection`` indicator is the month's average inspection
score of the contract, and a failed item of an inspection files a rectification request. A canteen's
``LogChecklist`` says which checklist items the logs fill; ``log_inspection_record`` reads a finished month's logs,
fills those items and records them through the core's ``inspection_record`` (the core never names this module), in
the name of the bureau's canteen supervisor the bureau set. So the logs move the contractor's scorecard exactly
where the scheme says so: not at all without an inspection indicator, by its weight with one.

The beat (``canteen-log-inspections``) records the month before on the 1st, ahead of the scorecards' drafts; the
bureau may record a finished month by hand. Once per canteen and month (a unique row, taken under the canteen's lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from canteen import permissions
from canteen.models import (
    SAMPLE_MIN_GRAMS,
    SAMPLE_MIN_HOURS,
    Canteen,
    FoodSample,
    LogChecklist,
    LogInspection,
    WasteLog,
)
from tickets.assessment.inspections import ItemInput, inspection_record
from tickets.assessment.scoring import month_bounds
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import ChecklistItem, ServiceLine, User
from tickets.services.common import now_or

Kind = ChecklistItem.Kind
GRAMS = Decimal("0.001")


@dataclass(frozen=True)
class LogFindings:
    """A month of a canteen's logs, as the checklist items read them."""

    samples: int
    underweight: int
    early_disposal: int
    waste_kg: Decimal
    diners: int

    @property
    def waste_g_per_diner(self) -> Decimal | None:
        if not self.diners:
            return None
        return (self.waste_kg * 1000 / self.diners).quantize(GRAMS, ROUND_HALF_UP)


def log_findings(*, canteen: Canteen, month: date) -> LogFindings:
    """Samples taken in the month (flags as they stand) and the month's waste, in two queries."""
    start, end = month_bounds(month)
    samples = FoodSample.objects.filter(canteen=canteen, taken_at__gte=start, taken_at__lt=end).aggregate(
        n=Count("id"), under=Count("id", filter=Q(underweight=True)), early=Count("id", filter=Q(early_disposal=True))
    )
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1)
    waste = WasteLog.objects.filter(canteen=canteen, date__gte=first, date__lt=last).aggregate(
        kg=Sum("waste_kg"), diners=Sum("diners")
    )
    return LogFindings(
        samples=samples["n"],
        underweight=samples["under"],
        early_disposal=samples["early"],
        waste_kg=waste["kg"] or Decimal(0),
        diners=waste["diners"] or 0,
    )


def log_checklist_errors(config: LogChecklist) -> dict[str, list[str]]:
    """What is wrong with a canteen's setting (the admin shows these; the recording refuses with them)."""
    errors: dict[str, list[str]] = {}
    template, contract = config.template, config.contract
    if template.service_line != ServiceLine.CANTEEN or contract.service_line != ServiceLine.CANTEEN:
        errors["template"] = [_("检查表和合同都须属于食堂条线。")]
    if contract.contractor_id != config.canteen.contractor_id:
        errors["contract"] = [_("合同须为该食堂服务商的合同。")]
    elif not contract.compounds.filter(pk=config.canteen.compound_id).exists():
        errors["contract"] = [_("合同服务范围不含该食堂所在院区。")]
    mapped = {
        "underweight_item": config.underweight_item,
        "early_disposal_item": config.early_disposal_item,
        "waste_item": config.waste_item,
    }
    chosen = [item for item in mapped.values() if item is not None]
    if not chosen:
        errors["underweight_item"] = [_("请至少指定一个检查项。")]
    for field, item in mapped.items():
        if item is None:
            continue
        if item.template_id != template.pk:
            errors[field] = [_("检查项不属于所选检查表。")]
        elif field == "waste_item" and item.kind != Kind.MEASURE:
            errors[field] = [_("人均浪费须为实测值类检查项（单位 g/人，限值为上限）。")]
    if len({item.pk for item in chosen}) != len(chosen):
        errors.setdefault("waste_item", []).append(_("同一检查项不能重复指定。"))
    # The core's inspection asks for every item of the checklist: the logs must be able to fill them all.
    unfilled = [item.text for item in template.items.all() if item.pk not in {i.pk for i in chosen}]
    if unfilled:
        message = _("检查表中以下检查项无法由日志填写：%(items)s") % {"items": "、".join(unfilled)}
        errors.setdefault("template", []).append(message)
    return errors


def _count_result(item: ChecklistItem, count: int, total: int, note: str) -> ItemInput:
    if item.kind == Kind.MEASURE:
        return ItemInput(item=item.pk, measured=count, note=note)
    if item.kind == Kind.PASS_FAIL:
        return ItemInput(item=item.pk, passed=count == 0, note=note)
    share = Decimal(total - count) / Decimal(total) if total else Decimal(1)
    return ItemInput(item=item.pk, score=(item.points * share).quantize(Decimal("0.01"), ROUND_HALF_UP), note=note)


def log_results(config: LogChecklist, found: LogFindings) -> list[ItemInput]:
    results = []
    if config.underweight_item is not None:
        note = _("本月留样%(n)d份，不足%(min)d克%(bad)d份") % {
            "n": found.samples,
            "min": SAMPLE_MIN_GRAMS,
            "bad": found.underweight,
        }
        results.append(_count_result(config.underweight_item, found.underweight, found.samples, note))
    if config.early_disposal_item is not None:
        note = _("本月留样%(n)d份，不足%(min)d小时即处置%(bad)d份") % {
            "n": found.samples,
            "min": SAMPLE_MIN_HOURS,
            "bad": found.early_disposal,
        }
        results.append(_count_result(config.early_disposal_item, found.early_disposal, found.samples, note))
    if config.waste_item is not None:
        per_diner = found.waste_g_per_diner
        if per_diner is None:
            note = _("本月无浪费记录")
        else:
            note = _("本月餐厨垃圾%(kg)s千克，就餐%(diners)d人次，人均%(g)s克") % {
                "kg": format(found.waste_kg.normalize(), "f"),
                "diners": found.diners,
                "g": format(per_diner.normalize(), "f"),
            }
        results.append(ItemInput(item=config.waste_item.pk, measured=per_diner or Decimal(0), note=note))
    return results


def log_inspection_record(
    *, canteen: Canteen, month: date, actor: User | None = None, now: datetime | None = None
) -> LogInspection:
    """Record a finished month's logs as an inspection of the canteen contract; the month's existing record when
    there is one. ``actor`` None is the beat: the inspection is then recorded in the set supervisor's name."""
    now = now_or(now)
    month = month.replace(day=1)
    if actor is not None and not permissions.is_canteen_bureau(actor):
        raise ActionForbidden(_("只有机关事务局可以将日志计入考核。"))
    _start, end = month_bounds(month)
    if end > now:
        raise TransitionNotAllowed(_("该月尚未结束，不能计入考核。"), action="log_inspection", status="open")
    config = (
        LogChecklist.objects.select_related(
            "canteen", "contract", "template", "underweight_item", "early_disposal_item", "waste_item", "inspector"
        )
        .filter(canteen=canteen)
        .first()
    )
    if config is None:
        raise ValidationError({"canteen": [_("尚未为该食堂设置留样与浪费考核。")]})
    errors = log_checklist_errors(config)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            # Two beats (or the beat and a clerk) at once: the second waits here and finds the first one's record.
            Canteen.objects.select_for_update().filter(pk=canteen.pk).first()
            existing = LogInspection.objects.filter(canteen=canteen, month=month).first()
            if existing is not None:
                return existing
            found = log_findings(canteen=canteen, month=month)
            inspection = inspection_record(
                actor=actor or config.inspector,
                template=config.template,
                contract=config.contract,
                compound=canteen.compound,
                building=canteen.building,
                results=log_results(config, found),
                note=_("依据%(month)s留样与浪费记录") % {"month": f"{month:%Y-%m}"},
                inspected_at=end - timedelta(seconds=1),
                now=now,
            )
            return LogInspection.objects.create(
                canteen=canteen,
                month=month,
                inspection=inspection,
                samples=found.samples,
                underweight=found.underweight,
                early_disposal=found.early_disposal,
                waste_g_per_diner=found.waste_g_per_diner,
                created_at=now,
            )
    except IntegrityError:
        # SQLite without the row lock's effect on another connection: the loser's whole record was rolled back.
        return LogInspection.objects.get(canteen=canteen, month=month)


def log_inspections_for_last_month(*, now: datetime | None = None) -> int:
    """Beat, on the 1st: every configured canteen's month before. A canteen whose setting is wrong is skipped (its
    admin page says why); the others are recorded."""
    now = now_or(now)
    month = (timezone.localdate(now).replace(day=1) - timedelta(days=1)).replace(day=1)
    recorded = 0
    for config in LogChecklist.objects.select_related("canteen").filter(canteen__active=True):
        try:
            log_inspection_record(canteen=config.canteen, month=month, now=now)
        except (ValidationError, ActionForbidden):
            continue
        recorded += 1
    return recorded
