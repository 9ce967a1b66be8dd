"""Writes of the equipment register (设备台账): items saved through one checked path (pages, API, admin and the
XLSX import call it), repairs filed naming an item, and the cost of a piece of work."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets.exceptions import ActionForbidden
from tickets.maintenance.models import Equipment, EquipmentCategory, EquipmentWork, WorkSource
from tickets.maintenance.permissions import may_record_cost, require_register_keeper
from tickets.models import Category, ServiceLine, ServiceRequest, Urgency, User
from tickets.services import comments
from tickets.services.common import now_or
from tickets.services.requests import request_create, resolve_place

EQUIPMENT_FIELDS = (
    "code",
    "name",
    "category",
    "compound",
    "building",
    "floor",
    "room",
    "make",
    "model",
    "serial",
    "installed_on",
    "warranty_ends_on",
    "contract",
    "inspection_due_on",
    "active",
)
MAX_COST = Decimal("9999999999.99")


def equipment_errors(values: Mapping[str, Any], *, instance: Equipment | None = None) -> dict[str, list[str]]:
    """Field messages for an item's values (empty when they may be saved)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    code = str(values.get("code") or "").strip()
    if not code:
        add("code", _("请填写设备编号。"))
    elif len(code) > 50 or not all(c.isalnum() or c in "-_" for c in code) or not code.isascii():
        add("code", _("设备编号只能由字母、数字、连字符和下划线组成，最多50个字符。"))
    elif Equipment.objects.filter(code=code).exclude(pk=instance.pk if instance else 0).exists():
        add("code", _("设备编号 %(code)s 已存在。") % {"code": code})
    name = str(values.get("name") or "").strip()
    if not name:
        add("name", _("请填写设备名称。"))
    elif len(name) > 100:
        add("name", _("设备名称最多100个字。"))
    if values.get("category") not in EquipmentCategory.values:
        add("category", _("请选择设备类别。"))
    for field in ("make", "model", "serial"):
        if len(str(values.get(field) or "")) > 100:
            add(field, _("最多100个字。"))
    for field in ("installed_on", "warranty_ends_on", "inspection_due_on"):
        if values.get(field) is not None and not isinstance(values.get(field), date):
            add(field, _("日期无效。"))
    installed, warranty = values.get("installed_on"), values.get("warranty_ends_on")
    if isinstance(installed, date) and isinstance(warranty, date) and warranty < installed:
        add("warranty_ends_on", _("保修截止日期不能早于安装日期。"))
    place = None
    try:
        place = resolve_place(
            compound=values.get("compound"),
            building=values.get("building"),
            floor=values.get("floor"),
            room=values.get("room"),
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                add(field, message)
    contract = values.get("contract")
    if contract is not None:
        if contract.service_line != ServiceLine.PROPERTY:
            add("contract", _("设备的维保合同须为物业服务合同。"))
        elif place is not None and not contract.compounds.filter(pk=place.compound.pk).exists():
            add("contract", _("合同的服务范围不包含该设备所在院区。"))
    return errors


def equipment_save(item: Equipment, values: Mapping[str, Any]) -> Equipment:
    """Check and save; the callers (create, update, the XLSX import) have checked the actor."""
    errors = equipment_errors(values, instance=item if item.pk else None)
    if errors:
        raise ValidationError(errors)
    for name in EQUIPMENT_FIELDS:
        if name in values:
            setattr(item, name, values[name])
    item.code = item.code.strip()
    item.name = item.name.strip()
    place = resolve_place(
        compound=values.get("compound"), building=values.get("building"), floor=values.get("floor"),
        room=values.get("room"),
    )  # fmt: skip
    item.compound, item.building, item.floor = place.compound, place.building, place.floor
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:  # another keeper saved the same code a moment ago
        raise ValidationError({"code": [_("设备编号 %(code)s 已存在。") % {"code": item.code}]}) from exc
    return item


def _check_fields(values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(EQUIPMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown equipment fields: {sorted(unknown)}")


@transaction.atomic
def equipment_create(*, actor: User, now: datetime | None = None, **values: Any) -> Equipment:
    """A new item of the register. A room implies its floor, building and compound; the parts given must agree."""
    require_register_keeper(actor)
    _check_fields(values)
    values = {"active": True, "make": "", "model": "", "serial": "", **values}
    return equipment_save(Equipment(), values)


@transaction.atomic
def equipment_update(
    *, equipment: Equipment | int, actor: User, now: datetime | None = None, **changes: Any
) -> Equipment:
    require_register_keeper(actor)
    _check_fields(changes)
    pk = equipment.pk if isinstance(equipment, Equipment) else equipment
    locked = Equipment.objects.select_for_update().get(pk=pk)
    values = {name: getattr(locked, name) for name in EQUIPMENT_FIELDS} | changes
    return equipment_save(locked, values)


def repair_categories() -> list[Category]:
    """Leaf categories of the property line a repair naming an item may be filed under (the core's own kinds)."""
    from tickets.registry import find_kind

    leaves = Category.objects.filter(active=True, service_line=ServiceLine.PROPERTY, children__isnull=True)
    return [c for c in leaves.order_by("sort", "code") if (k := find_kind(c.kind)) is None or not k.owns("create")]


def equipment_repair_file(
    *,
    equipment: Equipment,
    actor: User,
    category: Category,
    title: str,
    description: str = "",
    urgency: str | None = None,
    photos: list[UploadedFile] | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """File a repair naming the item: its place is the item's, the request is linked to it (its history shows
    it). The core's filing rules and the kind's guard apply as for any request."""
    now = now_or(now)
    if not equipment.active:
        raise ValidationError({"equipment": [_("该设备已停用。")]})
    if category.service_line != ServiceLine.PROPERTY or category not in repair_categories():
        raise ValidationError({"category": [_("请选择一个物业报修分类。")]})
    if urgency is not None and urgency not in Urgency.values:
        raise ValidationError({"urgency": [_("紧急程度无效。")]})
    with transaction.atomic():
        service_request = request_create(
            actor=actor,
            category=category,
            title=title,
            description=description,
            urgency=urgency,
            compound=equipment.compound,
            building=equipment.building,
            room=equipment.room,
            location_detail=str(equipment)[:200],
            idempotency_key=idempotency_key,
            now=now,
        )
        EquipmentWork.objects.get_or_create(
            service_request=service_request,
            defaults={"equipment": equipment, "source": WorkSource.REPAIR, "created_at": now},
        )
        for photo in photos or []:
            comments.attachment_add(service_request=service_request, actor=actor, upload=photo, now=now)
    return service_request


def work_cost_record(
    *, work: EquipmentWork | int, actor: User, cost: Any, note: str = "", now: datetime | None = None
) -> EquipmentWork:
    """The cost (元) of one piece of work on an item, set or corrected by the bureau or the maintainer's dispatcher."""
    now = now_or(now)
    with transaction.atomic():
        pk = work.pk if isinstance(work, EquipmentWork) else work
        locked = EquipmentWork.objects.select_for_update(of=("self",)).select_related("equipment").get(pk=pk)
        if not may_record_cost(actor, locked.equipment):
            raise ActionForbidden(_("只有管理处室或该设备维保单位的调度可以登记费用。"))
        try:
            amount = Decimal(str(cost).strip())
        except (InvalidOperation, ValueError):
            raise ValidationError({"cost": [_("费用须为数字（元）。")]}) from None
        if not amount.is_finite() or amount < 0 or amount > MAX_COST:
            raise ValidationError({"cost": [_("费用须为不小于0的金额。")]})
        if len(note) > 200:
            raise ValidationError({"cost_note": [_("费用说明最多200个字。")]})
        locked.cost = amount.quantize(Decimal("0.01"))
        locked.cost_note = note.strip()
        locked.cost_recorded_by = actor
        locked.cost_recorded_at = now
        locked.save(update_fields=["cost", "cost_note", "cost_recorded_by", "cost_recorded_at"])
    return locked
