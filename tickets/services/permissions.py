"""Who acts for which party on a request. The table of moves in transitions.py names parties, not users."""

from __future__ import annotations

import enum

from tickets.models import Role, ServiceRequest, User
from tickets.registry import ApprovalLevel, get_kind


class Party(enum.StrEnum):
    REQUESTER = "requester"
    CONTRACTOR = "contractor"
    DISPATCHER = "dispatcher"
    BUREAU = "bureau"
    APPROVER = "approver"
    SYSTEM = "system"


def is_bureau_for(user: User, service_line: str) -> bool:
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return user.role == Role.SUPERVISOR and user.service_line == service_line


def parties_of(user: User | None, request: ServiceRequest) -> set[Party]:
    if user is None:
        return {Party.SYSTEM}
    parties: set[Party] = set()
    if request.requester_id == user.pk or request.filed_by_id == user.pk:
        parties.add(Party.REQUESTER)
    if (
        user.role in (Role.DISPATCHER, Role.WORKER)
        and user.contractor_id
        and user.contractor_id == request.contractor_id
    ):
        parties.add(Party.CONTRACTOR)
        if user.role == Role.DISPATCHER:
            parties.add(Party.DISPATCHER)
    if is_bureau_for(user, request.service_line):
        parties.add(Party.BUREAU)
        if _worked_by_bureau(request):
            parties.add(Party.CONTRACTOR)
    if _may_approve_now(user, request):
        parties.add(Party.APPROVER)
    return parties


def sees_internal(user: User, request: ServiceRequest) -> bool:
    """Internal notes are for the contractor handling the request and the supervising line only."""
    return bool(parties_of(user, request) & {Party.CONTRACTOR, Party.BUREAU})


def _worked_by_bureau(request: ServiceRequest) -> bool:
    try:
        return get_kind(request.kind).worked_by_bureau
    except LookupError:
        return False


def current_approval_level(request: ServiceRequest) -> str | None:
    levels = approval_levels(request)
    return levels[request.approval_stage] if request.approval_stage < len(levels) else None


def approval_levels(request: ServiceRequest) -> tuple[str, ...]:
    try:
        levels = get_kind(request.kind).approval_levels
    except LookupError:
        levels = ()
    if not levels and request.category.needs_approval:
        levels = (ApprovalLevel.BUREAU,)
    return levels


def _may_approve_now(user: User, request: ServiceRequest) -> bool:
    level = current_approval_level(request)
    if level == ApprovalLevel.UNIT:
        return user.role == Role.UNIT_APPROVER and user.unit_id is not None and user.unit_id == request.unit_id
    if level == ApprovalLevel.BUREAU:
        return is_bureau_for(user, request.service_line)
    return False
