"""Trip prices: the contract's rate in force on the day, kilometres and billed hours; money input."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fleet.models import FleetRate, VehicleTrip

CENT = Decimal("0.01")


def money(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal:
    try:
        amount = Decimal(str(value if value is not None else "0"))
    except ArithmeticError:
        errors[field] = [_("金额格式不正确。")]
        return Decimal("0")
    if amount < 0:
        errors[field] = [_("金额不能为负数。")]
    return amount.quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class TripCost:
    distance_km: int
    billed_hours: Decimal
    cost_km: Decimal
    cost_time: Decimal
    total: Decimal


def billed_hours(minutes: int) -> Decimal:
    """Time is billed by the started half hour (不足半小时按半小时计)."""
    return Decimal(math.ceil(max(minutes, 0) / 30)) / 2


def compute_trip_cost(
    *,
    distance_km: int,
    minutes: int,
    per_km: Decimal,
    per_hour: Decimal,
    tolls: Decimal,
    parking: Decimal,
    fuel: Decimal,
) -> TripCost:
    """Pure: kilometres × rate + billed hours × rate + tolls + parking + fuel.

    The brief's chain records tolls, parking and fuel (or charging) at 回场 and costs the trip at 核算: what the
    driver paid on the trip is passed on at cost, and the contract's rates price the service (kilometres and time).
    """
    hours = billed_hours(minutes)
    cost_km = (Decimal(distance_km) * per_km).quantize(CENT, ROUND_HALF_UP)
    cost_time = (hours * per_hour).quantize(CENT, ROUND_HALF_UP)
    return TripCost(distance_km, hours, cost_km, cost_time, cost_km + cost_time + tolls + parking + fuel)


def rate_for(trip: VehicleTrip) -> FleetRate | None:
    on = timezone.localtime(trip.out_at or trip.slot_start).date()
    if trip.request.contract_id is None:
        return None
    return (
        FleetRate.objects.filter(contract_id=trip.request.contract_id, valid_from__lte=on)
        .order_by("-valid_from")
        .first()
    )
