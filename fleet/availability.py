"""Whether a vehicle and a driver can take a trip: status, seals, seats, rental, licence; overlaps of bookings.

The checks here give clear messages; the database's exclusion constraint (triggers on SQLite) is what makes "no
double booking" true when two dispatchers race.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fleet.models import BOOKED_STAGES, Driver, Vehicle, VehicleSeal, VehicleStatus, VehicleTrip

UNAVAILABLE_STATUSES = (VehicleStatus.MAINTENANCE, VehicleStatus.SEALED, VehicleStatus.RETIRED)


def overlapping(qs: Any, start: datetime, end: datetime) -> Any:
    """Booked trips in ``qs`` whose slot overlaps [start, end)."""
    return qs.filter(booked=True, slot_start__lt=end, slot_end__gt=start)


def vehicle_problems(vehicle: Vehicle, trip: VehicleTrip) -> list[str]:
    """Why this vehicle cannot take this trip (400-type problems; an overlap is a 409 and checked apart)."""
    problems: list[str] = []
    if vehicle.status in UNAVAILABLE_STATUSES:
        problems.append(
            _("车辆%(plate)s处于“%(status)s”状态，不能派出。")
            % {"plate": vehicle.plate, "status": vehicle.get_status_display()}
        )
    elif VehicleSeal.objects.filter(vehicle=vehicle, starts_at__lt=trip.slot_end, ends_at__gt=trip.slot_start).exists():
        problems.append(_("车辆%(plate)s在用车时段内封存，不能派出。") % {"plate": vehicle.plate})
    if vehicle.seats < trip.passenger_count:
        problems.append(
            _("乘车人数(%(n)d)超过车辆座位数(%(seats)d)。") % {"n": trip.passenger_count, "seats": vehicle.seats}
        )
    if vehicle.rental and not trip.rental:
        problems.append(_("租赁车辆只能用于公务租车。"))
    if vehicle.rental and vehicle.rental_contractor_id != trip.request.contractor_id:
        problems.append(_("该租赁车辆不属于承接本次用车的服务商。"))
    return problems


def driver_problems(driver: Driver, trip: VehicleTrip) -> list[str]:
    problems: list[str] = []
    if not driver.active or not driver.user.is_active:
        problems.append(_("驾驶员%(name)s不在岗。") % {"name": driver})
    if driver.user.contractor_id != trip.request.contractor_id:
        problems.append(_("驾驶员必须是承接本次用车的服务商人员。"))
    last_day = timezone.localtime(trip.slot_end).date()
    if driver.licence_expires < last_day:
        problems.append(
            _("驾驶员%(name)s的驾驶证已于%(day)s过期(或在行程结束前过期)。")
            % {"name": driver, "day": driver.licence_expires.isoformat()}
        )
    return problems


def booked_q() -> Q:
    return Q(booked=True, stage__in=BOOKED_STAGES)
