"""Read paths of the fleet module, with their related rows loaded so a list costs a fixed number of queries."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from fleet import permissions as perms
from fleet.models import (
    Driver,
    TripApproval,
    TripStage,
    Vehicle,
    VehicleAlert,
    VehicleRecord,
    VehicleSeal,
    VehicleStatus,
    VehicleTrip,
)
from tickets.models import ServiceRequest, User
from tickets.querysets import visibility_q
from tickets.services.permissions import awaiting_approval_q

UNAVAILABLE = (VehicleStatus.MAINTENANCE, VehicleStatus.SEALED, VehicleStatus.RETIRED)


def trip_list(*, user: User) -> QuerySet[VehicleTrip]:
    """Trips whose core request the user may see (the core's visibility rule, through the relation)."""
    q = visibility_q(user, prefix="request__")
    qs = VehicleTrip.objects.all() if q is None else VehicleTrip.objects.filter(q)
    return qs.select_related(
        "request",
        "request__unit",
        "request__requester",
        "request__contractor",
        "request__compound",
        "request__category",
        "vehicle",
        "driver__user",
    ).prefetch_related(Prefetch("approvals", queryset=TripApproval.objects.select_related("approver")))


def trips_awaiting_approval(*, user: User) -> QuerySet[VehicleTrip]:
    """Trips waiting for this user's level, by the core's rule: the unit's approver (the nearest up the unit
    tree), then the bureau's vehicle office."""
    waiting = ServiceRequest.objects.filter(awaiting_approval_q(user)).values("pk")
    return trip_list(user=user).filter(stage=TripStage.REQUESTED, request__in=waiting)


def driver_trips(*, user: User) -> QuerySet[VehicleTrip]:
    return trip_list(user=user).filter(driver__user=user, stage__in=[TripStage.DISPATCHED, TripStage.OUT])


def vehicle_list(*, user: User) -> QuerySet[Vehicle]:
    if not perms.may_see_vehicles(user):
        return Vehicle.objects.none()
    return Vehicle.objects.select_related("home_compound", "owning_unit", "rental_contractor")


def vehicle_file(*, vehicle: Vehicle) -> QuerySet[VehicleRecord]:
    return VehicleRecord.objects.filter(vehicle=vehicle).select_related("created_by", "trip__request")


def driver_list(*, user: User) -> QuerySet[Driver]:
    qs = Driver.objects.select_related("user", "user__contractor")
    if perms.is_fleet_bureau(user):
        return qs
    if perms.is_car_service_staff(user) and user.contractor_id is not None:
        return qs.filter(user__contractor_id=user.contractor_id)
    return qs.none()


def free_vehicles(*, trip: VehicleTrip) -> QuerySet[Vehicle]:
    """Vehicles that may take the trip: not sealed or out of service, big enough, not booked in the slot."""
    busy = VehicleTrip.objects.filter(
        vehicle=OuterRef("pk"), booked=True, slot_start__lt=trip.slot_end, slot_end__gt=trip.slot_start
    ).exclude(pk=trip.pk)
    sealed = VehicleSeal.objects.filter(
        vehicle=OuterRef("pk"), starts_at__lt=trip.slot_end, ends_at__gt=trip.slot_start
    )
    qs = (
        Vehicle.objects.exclude(status__in=UNAVAILABLE)
        .filter(seats__gte=trip.passenger_count)
        .exclude(Exists(busy))
        .exclude(Exists(sealed))
        .select_related("home_compound", "owning_unit")
    )
    if trip.rental:
        qs = qs.filter(Q(rental=False) | Q(rental_contractor_id=trip.request.contractor_id))
    else:
        qs = qs.filter(rental=False)
    return qs.order_by("seats", "plate")


def free_drivers(*, trip: VehicleTrip) -> QuerySet[Driver]:
    from django.utils import timezone

    busy = VehicleTrip.objects.filter(
        driver=OuterRef("pk"), booked=True, slot_start__lt=trip.slot_end, slot_end__gt=trip.slot_start
    ).exclude(pk=trip.pk)
    return (
        Driver.objects.filter(
            active=True,
            user__is_active=True,
            user__contractor_id=trip.request.contractor_id or 0,  # not routed yet: no contractor's drivers
            licence_expires__gte=timezone.localtime(trip.slot_end).date(),
        )
        .exclude(Exists(busy))
        .select_related("user")
        .order_by("user__username")
    )


def board(*, user: User, start: datetime, end: datetime) -> list[tuple[Vehicle, list[VehicleTrip]]]:
    """The dispatch board: each vehicle with its trips (dispatched, out or back) that touch [start, end)."""
    trips = (
        VehicleTrip.objects.filter(vehicle__isnull=False, slot_start__lt=end, slot_end__gt=start)
        .exclude(stage__in=[TripStage.CANCELLED, TripStage.REJECTED])
        .select_related("request", "request__unit", "driver__user")
        .order_by("slot_start")
    )
    by_vehicle: dict[int, list[VehicleTrip]] = {}
    for trip in trips:
        by_vehicle.setdefault(trip.vehicle_id, []).append(trip)  # type: ignore[arg-type]
    vehicles = vehicle_list(user=user).exclude(status=VehicleStatus.RETIRED)
    return [(v, by_vehicle.get(v.pk, [])) for v in vehicles]


def alert_list(*, user: User) -> QuerySet[VehicleAlert]:
    if not perms.may_see_vehicles(user):
        return VehicleAlert.objects.none()
    return VehicleAlert.objects.select_related("vehicle", "trip__request")
