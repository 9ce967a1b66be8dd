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


def trip_actions(trip: VehicleTrip, user: User) -> list[str]:
    """The steps this user may take on the trip now: the buttons on the pages and ``actions`` in the API.

    Reads only the trip, its request (with category), driver and prefetched approvals: no query per trip.
    """
    from fleet.models import ApprovalDecision, TripStage
    from tickets.services.permissions import Party, parties_of

    if not user.is_authenticated:
        return []
    req = trip.request
    parties = parties_of(user, req)
    is_requester = Party.REQUESTER in parties
    dispatcher = is_trip_dispatcher(user, trip)
    actions: list[str] = []
    stage = trip.stage
    if stage == TripStage.REQUESTED and Party.APPROVER in parties:
        actions += ["approve", "reject"]
    if stage == TripStage.APPROVED:
        if dispatcher:
            actions.append("dispatch")
        if Party.BUREAU in parties:
            actions.append("reject")
    if stage in (TripStage.REQUESTED, TripStage.APPROVED, TripStage.DISPATCHED) and is_requester:
        actions.append("cancel")
    if stage == TripStage.DISPATCHED and (dispatcher or is_trip_driver(user, trip)):
        actions.append("depart")
    if stage == TripStage.OUT and (dispatcher or is_trip_driver(user, trip)):
        actions.append("return")
    if (
        trip.costed_at is None
        and stage in (TripStage.RETURNED, TripStage.RATED)
        and (dispatcher or is_fleet_bureau(user))
    ):
        actions.append("cost")
    if stage in (TripStage.RETURNED, TripStage.COSTED) and is_requester:
        actions.append("rate")
    if trip.emergency and stage not in (TripStage.CANCELLED, TripStage.REJECTED):
        done = {a.level for a in trip.approvals.all() if a.decision in ApprovalDecision.values}
        if ("unit" not in done and user.role == Role.UNIT_APPROVER and user.unit_id == req.unit_id) or (
            "unit" in done and "bureau" not in done and is_fleet_bureau(user)
        ):
            actions.append("approve_posthoc")
    return actions
