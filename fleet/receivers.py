"""Reactions to the core's signals, so a trip stays in step with its request whichever path moved it.

Approvals, rejections, cancellations and the rating's confirm may come through the core's pages and API as well
as through fleet's: ``steps.follow_core`` records the approval level, sets the stage and releases the booking
for both. What a trip may not do was refused before the core wrote (the kind's allowed and owned actions and its
guard, in ``fleet.apps``): nothing here raises.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from fleet.apps import TRIP_KINDS
from tickets import signals
from tickets.models import ServiceRequest


@receiver(signals.request_transitioned, dispatch_uid="fleet.request_transitioned")
def follow_transition(
    sender: Any, service_request: ServiceRequest, event: Any, action: str, actor: Any, **kwargs: Any
) -> None:
    if service_request.kind in TRIP_KINDS:
        from fleet.steps import follow_core

        follow_core(service_request=service_request, action=action, event=event, actor=actor)
