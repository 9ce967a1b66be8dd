"""Reactions to the core's signals, so a trip stays in step with its request whichever path moved it.

Approvals, rejections and cancellations may come through the core's API as well as through fleet's pages;
both record the approval level and release the booking here. The steps that carry trip data (dispatch, out,
return) may only come through fleet.services: a core ``accept``/``start``/``resolve`` on a trip from any other
path is refused (the receiver raises, which rolls the core's change back).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext as _

from fleet.apps import TRIP_KINDS
from fleet.models import ApprovalDecision, TripApproval, TripStage, VehicleTrip
from tickets import signals
from tickets.models import ServiceRequest, Status
from tickets.services.permissions import approval_levels, current_approval_level

FLEET_ONLY_ACTIONS = frozenset({"accept", "assign", "start", "hold", "resume", "resolve", "reassign"})


def _in_fleet_path() -> bool:
    from fleet.services import in_fleet_path

    return in_fleet_path()


@receiver(signals.request_created, dispatch_uid="fleet.request_created")
def refuse_bare_trip_requests(sender: Any, request: ServiceRequest, **kwargs: Any) -> None:
    if request.kind in TRIP_KINDS and not _in_fleet_path():
        raise ValidationError({"category": [_("公务用车请通过用车申请提交。")]})


@receiver(signals.request_transitioned, dispatch_uid="fleet.request_transitioned")
def follow_transition(sender: Any, request: ServiceRequest, event: Any, action: str, actor: Any, **kwargs: Any) -> None:
    if request.kind not in TRIP_KINDS:
        return
    if action in FLEET_ONLY_ACTIONS and not _in_fleet_path():
        raise ValidationError({"action": [_("公务用车的派车、出车和回场请在用车模块办理。")]})
    trip = VehicleTrip.objects.filter(request=request).first()
    if trip is None:
        return
    if action == "approve":
        levels = approval_levels(request)
        level = levels[request.approval_stage - 1]
        TripApproval.objects.create(
            trip=trip,
            level=level,
            decision=ApprovalDecision.APPROVED,
            approver=actor,
            note=event.note[:300],
            decided_at=event.created_at,
        )
        if request.status == Status.SUBMITTED and trip.stage == TripStage.REQUESTED:
            trip.stage = TripStage.APPROVED
            trip.save(update_fields=["stage"])
    elif action in ("reject", "cancel"):
        if action == "reject" and event.from_status == Status.PENDING_APPROVAL and actor is not None:
            # current_approval_level reads approval_stage, which reject leaves where it was.
            refused_at = current_approval_level(request)
            if refused_at:
                TripApproval.objects.create(
                    trip=trip,
                    level=refused_at,
                    decision=ApprovalDecision.REJECTED,
                    approver=actor,
                    note=event.note[:300],
                    decided_at=event.created_at,
                )
        trip.stage = TripStage.REJECTED if action == "reject" else TripStage.CANCELLED
        trip.booked = False
        trip.save(update_fields=["stage", "booked"])


@receiver(signals.feedback_received, dispatch_uid="fleet.feedback_received")
def mark_rated(sender: Any, request: ServiceRequest, **kwargs: Any) -> None:
    if request.kind in TRIP_KINDS:
        VehicleTrip.objects.filter(request=request, stage__in=[TripStage.RETURNED, TripStage.COSTED]).update(
            stage=TripStage.RATED
        )
