"""Inspections (抽检/巡检) by bureau supervisors; a failed item opens a rectification request (整改)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from tickets.assessment.schemes import parse_decimal
from tickets.exceptions import ActionForbidden
from tickets.models import (
    Building,
    ChecklistItem,
    ChecklistTemplate,
    Compound,
    Contract,
    Inspection,
    InspectionPhoto,
    InspectionResult,
    Role,
    User,
)
from tickets.services.comments import safe_name, sniff_upload
from tickets.services.common import now_or
from tickets.services.permissions import is_bureau_for
from tickets.services.requests import request_create
from tickets.services.transitions import transition

TWO = Decimal("0.01")


@dataclass(frozen=True)
class ItemInput:
    item: int
    passed: bool | None = None
    score: Any = None
    measured: Any = None
    note: str = ""
    photo_indexes: tuple[int, ...] = ()


MAX_MEASURED = Decimal("9999999.999")  # the column holds 7 digits before the point and 3 after
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # an inspection dated before this is a typing error


def _decimal(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    return parse_decimal(value, field, errors)


def snapshot_of(item: ChecklistItem) -> dict[str, Any]:
    """The item as it is when the inspection is recorded: later edits in the admin never change the result."""
    return {
        "item_text": item.text,
        "item_kind": item.kind,
        "item_points": item.points,
        "item_unit": item.unit,
        "item_limit": item.limit,
    }


def evaluate(
    item: ChecklistItem, given: ItemInput, errors: dict[str, list[str]]
) -> tuple[bool, Decimal, Decimal | None]:
    """(passed, points earned, measured value) of one item; errors are keyed results.<item id>."""
    key = f"results.{item.pk}"
    if item.kind == ChecklistItem.Kind.PASS_FAIL:
        if given.passed is None:
            errors.setdefault(key, []).append(_("请选择合格或不合格。"))
            return False, Decimal(0), None
        return bool(given.passed), (item.points if given.passed else Decimal(0)), None
    if item.kind == ChecklistItem.Kind.SCORE:
        score = _decimal(given.score, key, errors) if given.score not in (None, "") else None
        if score is None:
            errors.setdefault(key, []).append(_("请填写得分。"))
            return False, Decimal(0), None
        if not Decimal(0) <= score <= item.points:
            errors.setdefault(key, []).append(_("得分应在0到%(max)s之间。") % {"max": item.points})
            return False, Decimal(0), None
        mark = item.pass_mark if item.pass_mark is not None else item.points * Decimal("0.6")
        return score >= mark, score, None
    measured = _decimal(given.measured, key, errors) if given.measured not in (None, "") else None
    if measured is None:
        errors.setdefault(key, []).append(_("请填写实测值（%(unit)s）。") % {"unit": item.unit})
        return False, Decimal(0), None
    if measured < 0:
        errors.setdefault(key, []).append(_("实测值不能为负数。"))
        return False, Decimal(0), None
    if measured > MAX_MEASURED:
        errors.setdefault(key, []).append(_("实测值过大。"))
        return False, Decimal(0), None
    measured = measured.quantize(Decimal("0.001"), ROUND_HALF_UP)
    assert item.limit is not None
    passed = measured <= item.limit
    return passed, (item.points if passed else Decimal(0)), measured


def evaluate_all(
    items: dict[int, ChecklistItem], results: list[ItemInput], errors: dict[str, list[str]]
) -> tuple[dict[int, ItemInput], dict[int, tuple[bool, Decimal, Decimal | None]]]:
    """Each item of the checklist answered exactly once (the answers by item), then evaluated. Messages go to
    ``errors["results"]`` (an item of another checklist, one answered twice, those not answered) or to the item's
    own field."""
    given: dict[int, ItemInput] = {}
    for r in results:
        if r.item not in items:
            errors.setdefault("results", []).append(_("检查项 %(id)s 不属于该检查表。") % {"id": r.item})
        elif r.item in given:
            errors.setdefault("results", []).append(_("检查项 %(id)s 重复。") % {"id": r.item})
        else:
            given[r.item] = r
    missing = [str(pk) for pk in items if pk not in given]
    if missing:
        errors.setdefault("results", []).append(_("以下检查项未填写：%(ids)s。") % {"ids": ", ".join(missing)})
    return given, {pk: evaluate(items[pk], r, errors) for pk, r in given.items()}


def inspection_record(
    *,
    actor: User,
    template: ChecklistTemplate,
    contract: Contract,
    compound: Compound,
    building: Building | None = None,
    results: list[ItemInput],
    note: str = "",
    photos: list[UploadedFile] | None = None,
    inspected_at: datetime | None = None,
    now: datetime | None = None,
) -> Inspection:
    """Record an inspection. Each failed item files a rectification request with the supervisor as filer,
    routed to the inspected contract; its deadline comes from the SLA policy of the rectification category."""
    now = now_or(now)
    inspected_at = inspected_at or now
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN) and not actor.is_superuser:
        raise ActionForbidden(_("只有管理处室可以登记检查。"))
    if not is_bureau_for(actor, contract.service_line):
        raise ActionForbidden(_("您不负责该合同的服务条线。"))
    errors: dict[str, list[str]] = {}
    if template.service_line != contract.service_line or not template.active:
        errors["template"] = [_("检查表与合同的服务条线不一致或已停用。")]
    if not contract.compounds.filter(pk=compound.pk).exists():
        errors["compound"] = [_("该院区不在合同服务范围内。")]
    if building is not None and building.compound_id != compound.pk:
        errors["building"] = [_("楼栋不在所选院区内。")]
    if inspected_at > now:
        errors["inspected_at"] = [_("检查时间不能晚于当前时间。")]
    elif inspected_at < EARLIEST:
        errors["inspected_at"] = [_("检查时间不能早于2000年。")]
    items = {item.pk: item for item in template.items.all()}
    given, evaluated = evaluate_all(items, results, errors)
    checked = []
    for n, upload in enumerate(photos or []):
        try:
            checked.append((upload, *sniff_upload(upload)))
        except ValidationError as exc:
            errors.setdefault(f"photos.{n}", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    earned = sum((e[1] for e in evaluated.values()), Decimal(0))
    possible = sum((item.points for item in items.values()), Decimal(0))
    score = (earned * 100 / possible).quantize(TWO, ROUND_HALF_UP) if possible else Decimal(100)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            template=template,
            contract=contract,
            compound=compound,
            building=building,
            inspector=actor,
            inspected_at=inspected_at,
            score=score,
            failed_items=sum(1 for e in evaluated.values() if not e[0]),
            note=note,
            created_at=now,
        )
        saved: dict[int, InspectionResult] = {}
        for pk, (passed, points, measured) in evaluated.items():
            r = given[pk]
            saved[pk] = InspectionResult.objects.create(
                inspection=inspection,
                item=items[pk],
                **snapshot_of(items[pk]),
                passed=passed,
                score=points.quantize(TWO),
                measured=measured,
                note=r.note[:300],
            )
        for index, (upload, content_type, ext) in enumerate(checked):
            owner = next((saved[pk] for pk, r in given.items() if index in r.photo_indexes), None)
            photo = InspectionPhoto(
                inspection=inspection,
                result=owner,
                stored_name=f"{secrets.token_hex(12)}.{ext}",
                original_name=safe_name(upload.name or "photo", ext=ext),
                content_type=content_type,
                size=upload.size or 0,
            )
            photo.file.save(photo.stored_name, upload, save=False)
            photo.save()
        for pk, (passed, _points, measured) in evaluated.items():
            if not passed:
                _rectify(inspection, saved[pk], items[pk], measured, actor=actor, now=now)
    return inspection


def _rectify(
    inspection: Inspection,
    result: InspectionResult,
    item: ChecklistItem,
    measured: Decimal | None,
    *,
    actor: User,
    now: datetime,
) -> None:
    template = inspection.template
    detail = _("检查项：%(text)s") % {"text": item.text}
    if measured is not None:
        detail += _("；实测 %(value)s %(unit)s，限值 %(limit)s %(unit)s") % {
            "value": format(measured.normalize(), "f"),
            "unit": item.unit,
            "limit": format(item.limit.normalize(), "f") if item.limit is not None else "",
        }
    if result.note:
        detail += _("；说明：%(note)s") % {"note": result.note}
    category = template.rectification_category
    req = request_create(
        actor=actor,
        category=category,
        kind=category.kind,
        title=(_("整改：%(text)s") % {"text": item.text})[:200],
        description=detail,
        urgency=template.rectification_urgency,
        compound=inspection.compound,
        building=inspection.building,
        location_detail=str(inspection.building or inspection.compound),
        idempotency_key=f"inspection:{inspection.pk}:{item.pk}",
        now=now,
    )
    if req.contract_id != inspection.contract_id:
        # The catalogue routed it elsewhere (or to the bureau queue): the finding is the inspected contract's.
        req = transition(
            service_request=req,
            action="reassign",
            actor=actor,
            now=now,
            contract=inspection.contract,
            note=_("检查整改，交由被检查合同的服务商处理。"),
        )
    InspectionResult.objects.filter(pk=result.pk).update(rectification=req)
    result.rectification = req
