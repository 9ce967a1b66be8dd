"""The fleet module's write paths, by job: applying (``filing``), the trip's steps with their one gate
(``steps``), fares (``fares``), vehicle and driver availability (``availability``) and the vehicle file
(``vehicle_files``). Each is keyword-only and atomic, takes the actor and an optional ``now``; this module names
them in one place for the pages, the API and the demo."""

from fleet.availability import booked_q, driver_problems, overlapping, vehicle_problems
from fleet.fares import TripCost, billed_hours, compute_trip_cost, rate_for
from fleet.filing import emergency_trip_create, trip_request_create
from fleet.steps import (
    trip_actions,
    trip_approve,
    trip_approve_posthoc,
    trip_cancel,
    trip_cost,
    trip_depart,
    trip_dispatch,
    trip_is_approved,
    trip_rate,
    trip_reject,
    trip_return,
    trip_step,
)
from fleet.vehicle_files import vehicle_record_add, vehicle_set_status

__all__ = [
    "TripCost",
    "billed_hours",
    "booked_q",
    "compute_trip_cost",
    "driver_problems",
    "emergency_trip_create",
    "overlapping",
    "rate_for",
    "trip_actions",
    "trip_approve",
    "trip_approve_posthoc",
    "trip_cancel",
    "trip_cost",
    "trip_depart",
    "trip_dispatch",
    "trip_is_approved",
    "trip_rate",
    "trip_reject",
    "trip_request_create",
    "trip_return",
    "trip_step",
    "vehicle_problems",
    "vehicle_record_add",
    "vehicle_set_status",
]
