"""The vehicle file (一车一档): records (insurance, inspection, maintenance, fuel …) and the vehicle's status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fleet import permissions as perms
from fleet.fares import money
from fleet.models import RecordKind, TripStage, Vehicle, VehicleRecord, VehicleStatus
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import User
from tickets.services.common import now_or


def vehicle_record_add(
    *,
    vehicle: Vehicle,
    actor: User,
    kind: str,
    date: Any,
    amount: Any = 0,
    valid_until: Any = None,
    odometer_km: int | None = None,
    quantity: Any = None,
    provider: str = "",
    note: str = "",
    now: datetime | None = None,
) -> VehicleRecord:
    now = now_or(now)
    if not perms.may_manage_vehicles(actor):
        raise ActionForbidden(_("只有车管处室或汽车服务公司调度可以登记车辆档案。"))
    errors: dict[str, list[str]] = {}
    if kind not in RecordKind.values:
        errors["kind"] = [_("档案类型无效。")]
    if kind in (RecordKind.INSURANCE, RecordKind.INSPECTION) and not valid_until:
        errors["valid_until"] = [_("保险和年检须填写有效期。")]
    if valid_until and date and valid_until < date:
        errors["valid_until"] = [_("有效期不能早于登记日期。")]
    amount_checked = money(amount, "amount", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = VehicleRecord.objects.create(
            vehicle=vehicle,
            kind=kind,
            date=date,
            amount=amount_checked,
            valid_until=valid_until,
            odometer_km=odometer_km,
            quantity=quantity,
            provider=provider,
            note=note,
            created_by=actor,
            created_at=now,
        )
        if odometer_km:
            Vehicle.objects.filter(pk=vehicle.pk, odometer_km__lt=odometer_km).update(odometer_km=odometer_km)
    return record


def vehicle_set_status(*, vehicle: Vehicle, actor: User, status: str, now: datetime | None = None) -> Vehicle:
    if not perms.may_manage_vehicles(actor):
        raise ActionForbidden(_("只有车管处室或汽车服务公司调度可以变更车辆状态。"))
    if status not in VehicleStatus.values:
        raise ValidationError({"status": [_("车辆状态无效。")]})
    with transaction.atomic():
        locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if status != VehicleStatus.IN_USE and locked.trips.filter(stage=TripStage.OUT).exists():
            raise TransitionNotAllowed(_("车辆正在出车，不能变更状态。"), action="set_status", status=locked.status)
        locked.status = status
        locked.save(update_fields=["status"])
    return locked
