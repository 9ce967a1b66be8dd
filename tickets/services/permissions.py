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


def parties_of(user: User | None, service_request: ServiceRequest) -> set[Party]:
    if user is None:
        return {Party.SYSTEM}
    parties: set[Party] = set()
    if service_request.requester_id == user.pk or service_request.filed_by_id == user.pk:
        parties.add(Party.REQUESTER)
    if (
        user.role in (Role.DISPATCHER, Role.WORKER)
        and user.contractor_id
        and user.contractor_id == service_request.contractor_id
    ):
        parties.add(Party.CONTRACTOR)
        if user.role == Role.DISPATCHER:
            parties.add(Party.DISPATCHER)
    if is_bureau_for(user, service_request.service_line):
        parties.add(Party.BUREAU)
        if _worked_by_bureau(service_request):
            parties.add(Party.CONTRACTOR)
    if _may_approve_now(user, service_request):
        parties.add(Party.APPROVER)
    return parties


def sees_internal(user: User, service_request: ServiceRequest) -> bool:
    """Internal notes are for the contractor handling the request and the supervising line only."""
    return bool(parties_of(user, service_request) & {Party.CONTRACTOR, Party.BUREAU})


def _worked_by_bureau(service_request: ServiceRequest) -> bool:
    try:
        return get_kind(service_request.kind).worked_by_bureau
    except LookupError:
        return False


def current_approval_level(service_request: ServiceRequest) -> str | None:
    levels = approval_levels(service_request)
    return levels[service_request.approval_stage] if service_request.approval_stage < len(levels) else None


def approval_levels(service_request: ServiceRequest) -> tuple[str, ...]:
    try:
        levels = get_kind(service_request.kind).approval_levels
    except LookupError:
        levels = ()
    if not levels and service_request.category.needs_approval:
        levels = (ApprovalLevel.BUREAU,)
    return levels


def _may_approve_now(user: User, service_request: ServiceRequest) -> bool:
    level = current_approval_level(service_request)
    if level == ApprovalLevel.UNIT:
        return user.role == Role.UNIT_APPROVER and user.unit_id is not None and user.unit_id == service_request.unit_id
    if level == ApprovalLevel.BUREAU:
        return is_bureau_for(user, service_request.service_line)
    return False
