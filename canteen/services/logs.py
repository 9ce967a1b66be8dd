"""Sample (留样) and waste (反食品浪费) logs.

A sample under 125 g, or disposed of before 48 hours, is flagged when recorded; the bureau may turn a flagged
sample into a rectification request (a core request, routed to the canteen contractor like any other).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canteen import permissions
from canteen.models import SAMPLE_MIN_GRAMS, SAMPLE_MIN_HOURS, Canteen, Dish, FoodSample, WasteLog
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import ServiceRequest, Urgency, User
from tickets.services.common import now_or
from tickets.services.requests import request_create


def _decimal(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _require_operator(actor: User, canteen: Canteen) -> None:
    if not permissions.is_operator(actor, canteen):
        raise ActionForbidden(_("只有食堂运营方可以登记留样和浪费记录。"))


def sample_record(
    *,
    actor: User,
    canteen: Canteen,
    dish_name: str,
    weight_g: Any,
    taken_at: datetime | None,
    keeper: str,
    dish: Dish | None = None,
    now: datetime | None = None,
) -> FoodSample:
    now = now_or(now)
    _require_operator(actor, canteen)
    errors: dict[str, list[str]] = {}
    weight = _decimal(weight_g)
    if weight is None or weight <= 0 or weight >= Decimal("100000"):
        errors["weight_g"] = [_("留样重量须为大于0的克数。")]
    if taken_at is None:
        errors["taken_at"] = [_("请填写留样时间。")]
    elif taken_at > now:
        errors["taken_at"] = [_("留样时间不能晚于当前时间。")]
    if dish is not None and dish.menu.canteen_id != canteen.pk:
        errors["dish"] = [_("该菜品不属于这个食堂。")]
    name = (dish.name if dish is not None and not dish_name.strip() else dish_name).strip()
    if not name:
        errors["dish_name"] = [_("请填写菜名。")]
    if not keeper.strip():
        errors["keeper"] = [_("请填写留样人。")]
    if errors:
        raise ValidationError(errors)
    assert weight is not None and taken_at is not None
    return FoodSample.objects.create(
        canteen=canteen,
        dish=dish,
        dish_name=name[:60],
        weight_g=weight.quantize(Decimal("0.1")),
        taken_at=taken_at,
        keeper=keeper.strip()[:50],
        underweight=weight < SAMPLE_MIN_GRAMS,
        recorded_by=actor,
        created_at=now,
    )


def sample_dispose(
    *, actor: User, sample: FoodSample, disposed_at: datetime | None, now: datetime | None = None
) -> FoodSample:
    now = now_or(now)
    _require_operator(actor, sample.canteen)
    if disposed_at is None:
        raise ValidationError({"disposed_at": [_("请填写处置时间。")]})
    if disposed_at > now:
        raise ValidationError({"disposed_at": [_("处置时间不能晚于当前时间。")]})
    if disposed_at < sample.taken_at:
        raise ValidationError({"disposed_at": [_("处置时间不能早于留样时间。")]})
    with transaction.atomic():
        locked = FoodSample.objects.select_for_update().get(pk=sample.pk)
        if locked.disposed_at is not None:
            raise TransitionNotAllowed(_("该留样已处置。"), action="dispose", status="disposed")
        locked.disposed_at = disposed_at
        locked.early_disposal = disposed_at - locked.taken_at < timedelta(hours=SAMPLE_MIN_HOURS)
        locked.save(update_fields=["disposed_at", "early_disposal"])
    return locked


def sample_problems(sample: FoodSample) -> list[str]:
    problems = []
    if sample.underweight:
        problems.append(_("留样 %(weight)s 克，不足 %(min)d 克") % {"weight": sample.weight_g, "min": SAMPLE_MIN_GRAMS})
    if sample.early_disposal and sample.disposed_at is not None:
        hours = (sample.disposed_at - sample.taken_at).total_seconds() / 3600
        problems.append(_("留样 %(hours).1f 小时即处置，不足 %(min)d 小时") % {"hours": hours, "min": SAMPLE_MIN_HOURS})
    return problems


def sample_rectify(*, actor: User, sample: FoodSample, now: datetime | None = None) -> ServiceRequest:
    """The bureau turns a flagged sample into a rectification request for the canteen contractor (once)."""
    now = now_or(now)
    if not permissions.is_canteen_bureau(actor):
        raise ActionForbidden(_("只有机关事务局可以下达整改。"))
    problems = sample_problems(sample)
    if not problems:
        raise TransitionNotAllowed(_("该留样记录没有问题，无需整改。"), action="rectify", status="ok")
    canteen = sample.canteen
    if canteen.rectification_category is None:
        raise ValidationError({"category": [_("请先在后台为该食堂设置整改分类。")]})
    with transaction.atomic():
        locked = FoodSample.objects.select_for_update().get(pk=sample.pk)
        if locked.rectification_id is not None:
            return locked.rectification  # type: ignore[return-value]
        req = request_create(
            actor=actor,
            category=canteen.rectification_category,
            title=(_("留样整改：%(dish)s") % {"dish": sample.dish_name})[:200],
            description="；".join(problems),
            urgency=Urgency.URGENT,
            compound=canteen.compound,
            building=canteen.building,
            location_detail=canteen.name,
            idempotency_key=f"canteen-sample:{sample.pk}",
            now=now,
        )
        FoodSample.objects.filter(pk=sample.pk).update(rectification=req)
        sample.rectification = req
    return req


def waste_record(
    *,
    actor: User,
    canteen: Canteen,
    day: date | None,
    waste_kg: Any,
    diners: Any,
    note: str = "",
    now: datetime | None = None,
) -> WasteLog:
    """The day's waste; recording the same day again corrects it."""
    now = now_or(now)
    _require_operator(actor, canteen)
    errors: dict[str, list[str]] = {}
    kg = _decimal(waste_kg)
    if kg is None or kg < 0 or kg >= Decimal("1000000"):
        errors["waste_kg"] = [_("浪费量须为不小于0的千克数。")]
    try:
        people = int(str(diners))
    except ValueError:
        people = 0
    if people <= 0 or people > 1000000:
        errors["diners"] = [_("就餐人次须为大于0的整数。")]
    if day is None:
        errors["date"] = [_("请填写日期。")]
    elif day > timezone.localdate(now):
        errors["date"] = [_("不能登记将来日期的浪费量。")]
    if errors:
        raise ValidationError(errors)
    assert kg is not None and day is not None
    log, _created = WasteLog.objects.update_or_create(
        canteen=canteen,
        date=day,
        defaults={
            "waste_kg": kg.quantize(Decimal("0.01")),
            "diners": people,
            "note": note.strip()[:200],
            "recorded_by": actor,
            "created_at": now,
        },
    )
    return log
