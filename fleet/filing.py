"""Applying for a trip: a staff member's application, or an emergency the car service files (先用后批).

Fleet owns the "create" of its kinds: the core's own filing answers 409 for them, so a trip always has its
detail (slot, passengers, route) from the moment its request exists.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fleet import permissions as perms
from fleet.apps import EMERGENCY_TRIP_KIND, OWNER, TRIP_KIND
from fleet.models import TripScope, TripStage, Vehicle, VehicleCategory, VehicleStatus, VehicleTrip
from fleet.steps import tell_posthoc_approvers
from tickets.exceptions import ActionForbidden
from tickets.models import Category, Compound, ServiceRequest, Status, User
from tickets.services.common import clip, now_or
from tickets.services.requests import request_create


@dataclass(frozen=True)
class TripDetail:
    """What an application says about the trip, checked the same way for both ways of filing."""

    purpose: str
    passenger_count: int
    origin: str
    destination: str
    slot_start: datetime
    slot_end: datetime
    passenger_names: str = ""
    scope: str = TripScope.IN_CITY
    vehicle_category: str = VehicleCategory.OTHER

    def validate(self) -> None:
        errors: dict[str, list[str]] = {}
        if not self.purpose.strip():
            errors["purpose"] = [_("请填写用车事由。")]
        if not self.origin.strip():
            errors["origin"] = [_("请填写出发地。")]
        if not self.destination.strip():
            errors["destination"] = [_("请填写目的地。")]
        if self.passenger_count is None or self.passenger_count < 1:
            errors["passenger_count"] = [_("乘车人数至少为1人。")]
        else:
            names = [n for n in self.passenger_names.replace("，", ",").replace("、", ",").split(",") if n.strip()]
            if len(names) > self.passenger_count:
                errors["passenger_names"] = [_("乘车人名单多于乘车人数。")]
            largest = (
                Vehicle.objects.exclude(status=VehicleStatus.RETIRED)
                .order_by("-seats")
                .values_list("seats", flat=True)
                .first()
            )
            if largest is not None and self.passenger_count > largest:
                errors["passenger_count"] = [
                    _("乘车人数(%(n)d)超过最大车辆座位数(%(seats)d)。") % {"n": self.passenger_count, "seats": largest}
                ]
        if self.slot_start.tzinfo is None or self.slot_end.tzinfo is None:
            errors["slot_start"] = [_("时间必须带时区。")]
        elif self.slot_end <= self.slot_start:
            errors["slot_end"] = [_("结束时间必须晚于开始时间。")]
        if self.scope not in TripScope.values:
            errors["scope"] = [_("请选择市内或市外。")]
        if self.vehicle_category not in VehicleCategory.values:
            errors["vehicle_category"] = [_("车型无效。")]
        if errors:
            raise ValidationError(errors)


def trip_request_create(
    *,
    actor: User,
    category: Category,
    compound: Compound,
    rental: bool = False,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    **detail: Any,
) -> VehicleTrip:
    """A staff member applies for a car (``detail``: the fields of ``TripDetail``). The core request waits for
    the unit's approver (the nearest up the unit tree), then the bureau."""
    now = now_or(now)
    if actor.is_contractor_staff or actor.unit_id is None:
        raise ActionForbidden(_("只有使用单位的工作人员可以申请用车。"))
    if category.kind != TRIP_KIND:
        raise ValidationError({"category": [_("请选择公务用车类服务。")]})
    trip = TripDetail(**detail)
    trip.validate()
    if trip.slot_start < now - timedelta(minutes=5):
        raise ValidationError({"slot_start": [_("用车开始时间已过；事后用车请走应急用车补批。")]})
    return _file_trip(
        actor=actor,
        requester=actor,
        category=category,
        compound=compound,
        detail=trip,
        rental=rental,
        emergency=False,
        idempotency_key=idempotency_key,
        now=now,
    )


def emergency_trip_create(
    *,
    actor: User,
    requester: User,
    category: Category,
    compound: Compound,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    **detail: Any,
) -> VehicleTrip:
    """Emergency use (先用后批): the bureau or the car-service dispatcher files it; it can be dispatched at once
    and the unit and the bureau approve it afterwards (``trip_approve_posthoc``)."""
    now = now_or(now)
    if not perms.may_file_emergency(actor):
        raise ActionForbidden(_("只有车管处室或汽车服务公司调度可以登记应急用车。"))
    if category.kind != EMERGENCY_TRIP_KIND:
        raise ValidationError({"category": [_("请选择应急用车类服务。")]})
    if requester.unit_id is None:
        raise ValidationError({"requester": [_("用车人必须属于一个使用单位。")]})
    trip = TripDetail(**{"vehicle_category": VehicleCategory.EMERGENCY, **detail})
    trip.validate()
    with transaction.atomic():
        filed = _file_trip(
            actor=actor,
            requester=requester,
            category=category,
            compound=compound,
            detail=trip,
            rental=False,
            emergency=True,
            idempotency_key=idempotency_key,
            now=now,
        )
        event = getattr(filed.request, "filing_event", None)  # absent when a repeated key returned an earlier trip
        if event is not None:
            tell_posthoc_approvers(filed, event)
    return filed


def _file_trip(
    *,
    actor: User,
    requester: User,
    category: Category,
    compound: Compound,
    detail: TripDetail,
    rental: bool,
    emergency: bool,
    idempotency_key: str | None,
    now: datetime,
) -> VehicleTrip:
    fields = asdict(detail)
    title_length = ServiceRequest._meta.get_field("title").max_length or 200
    title = clip(_("用车：%(origin)s → %(destination)s") % fields, title_length)
    with transaction.atomic():
        req = request_create(
            actor=actor,
            requester=requester,
            category=category,
            compound=compound,
            title=title,
            description=detail.purpose,
            kind=category.kind,
            idempotency_key=idempotency_key,
            now=now,
            owner=OWNER,
        )
        existing = VehicleTrip.objects.filter(request=req).first()
        if existing is not None:  # a double submit with the same key
            return existing
        # The trip's first stage: waiting for approval, or (an emergency, 先用后批) waiting for a car at once.
        stage = TripStage.REQUESTED if req.status == Status.PENDING_APPROVAL else TripStage.APPROVED
        trip = VehicleTrip.objects.create(
            request=req,
            stage=stage,
            emergency=emergency,
            rental=rental,
            **{**fields, "purpose": detail.purpose.strip()},
        )
        if req.contractor_id is None:
            raise ValidationError({"compound": [_("该院区没有有效的汽车服务合同，无法派车。")]})
    return trip
