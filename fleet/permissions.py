"""Who may see and do what in the fleet module, on top of the core's parties."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickets.models import Role, ServiceLine
from tickets.services.permissions import is_bureau_for

if TYPE_CHECKING:
    from fleet.models import VehicleTrip
    from tickets.models import User


def is_fleet_bureau(user: User) -> bool:
    return bool(user.is_authenticated) and is_bureau_for(user, ServiceLine.VEHICLES)


def is_car_service_staff(user: User) -> bool:
    return (
        bool(user.is_authenticated)
        and user.role in (Role.DISPATCHER, Role.WORKER)
        and user.contractor is not None
        and user.contractor.service_line == ServiceLine.VEHICLES
    )


def is_car_service_dispatcher(user: User) -> bool:
    return is_car_service_staff(user) and user.role == Role.DISPATCHER


def may_see_vehicles(user: User) -> bool:
    """Vehicle files, the board and the reports: the bureau's vehicle office and the car-service company."""
    return is_fleet_bureau(user) or is_car_service_staff(user)


def may_manage_vehicles(user: User) -> bool:
    return is_fleet_bureau(user) or is_car_service_dispatcher(user)


def is_trip_dispatcher(user: User, trip: VehicleTrip) -> bool:
    return (
        user.is_authenticated
        and user.role == Role.DISPATCHER
        and user.contractor_id is not None
        and user.contractor_id == trip.request.contractor_id
    )


def is_trip_driver(user: User, trip: VehicleTrip) -> bool:
    return user.is_authenticated and trip.driver is not None and trip.driver.user_id == user.pk


def may_file_emergency(user: User) -> bool:
    return is_fleet_bureau(user) or is_car_service_dispatcher(user)
