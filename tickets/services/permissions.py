"""Who acts for which party on a request. The table of moves in transitions.py names parties, not users.

Approval follows the unit tree the bureau imports: a unit approver approves for the unit and for its sub-units,
the nearest approver first. A request of 市发改委办公室 (no approver of its own) waits for 市发改委's approver; a
sub-unit with its own approver approves its own requests, and its parent's approver only sees them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from tickets.models import Role, ServiceRequest, Status, Unit, User
from tickets.registry import ApprovalLevel, all_kinds, get_kind


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
        return may_approve_for_unit(user, service_request)
    if level == ApprovalLevel.BUREAU:
        return is_bureau_for(user, service_request.service_line)
    return False


def may_approve_for_unit(user: User, service_request: ServiceRequest) -> bool:
    """The unit level: the nearest approver up the unit tree, never for their own application; where nobody else
    can (the tree has no approver, or its only one is the applicant), the bureau's office for the line stands in,
    so no request waits for a person who does not exist."""
    if user.role == Role.UNIT_APPROVER:
        return service_request.unit_id in approvable_unit_ids(user) and user.pk != service_request.requester_id
    if not is_bureau_for(user, service_request.service_line):
        return False
    tree = _tree_of(user).tree
    return tree is not None and tree.approvers_for(service_request.unit_id, service_request.requester_id) is None


# --- the unit tree ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitTree:
    """Every unit's parent and its active approvers: two queries, a few hundred small rows."""

    parent: dict[int, int | None]
    approvers: dict[int, frozenset[int]]  # unit → ids of its active unit approvers (units with none left out)

    @classmethod
    def load(cls) -> UnitTree:
        people: dict[int, set[int]] = {}
        rows = User.objects.filter(role=Role.UNIT_APPROVER, is_active=True, unit__isnull=False).values_list(
            "unit_id", "pk"
        )
        for unit_id, pk in rows:
            people.setdefault(unit_id, set()).add(pk)
        parent: dict[int, int | None] = dict(Unit.objects.order_by().values_list("pk", "parent_id"))
        return cls(parent, {unit: frozenset(ids) for unit, ids in people.items()})

    def chain(self, unit_id: int) -> list[int]:
        """The unit, its parent, … up to the root (a cycle entered by mistake stops the walk)."""
        seen: list[int] = []
        current: int | None = unit_id
        while current is not None and current not in seen:
            seen.append(current)
            current = self.parent.get(current)
        return seen

    def approving_unit(self, unit_id: int | None) -> int | None:
        """The nearest unit up the tree, the unit itself first, that has an approver."""
        if unit_id is None:
            return None
        return next((u for u in self.chain(unit_id) if u in self.approvers), None)

    def approvers_for(self, unit_id: int | None, requester_id: int | None) -> frozenset[int] | None:
        """Who approves a request of the unit filed by the requester: the nearest approving unit's approvers but
        the requester; None when nobody is left (the bureau stands in)."""
        unit = self.approving_unit(unit_id)
        people = self.approvers.get(unit, frozenset()) - {requester_id} if unit is not None else frozenset()
        return people or None

    def subtree(self, unit_id: int) -> set[int]:
        return {u for u in self.parent if unit_id in self.chain(u)}


@dataclass(frozen=True)
class _Scope:
    seen: set[int]  # a unit approver's units (the unit and its sub-units)
    approvable: set[int]  # a unit approver's: those whose nearest approver is in its unit; the bureau's: none above
    sole: dict[int, set[int]]  # the bureau's: an approver alone in the unit → the units it would approve for
    tree: UnitTree | None


def _tree_of(user: User) -> _Scope:
    """What the unit tree means for this user, cached on the user object: a list page asks for every row, and
    the tree is read once per request. The bureau approves for the units with no approver up the tree and for
    an approver's own application where the approver is alone in the unit (and sees by line, not by unit)."""
    cached: _Scope | None = getattr(user, "_unit_scope", None)
    if cached is None:
        if user.role == Role.UNIT_APPROVER and user.unit_id is not None and user.is_active:
            tree = UnitTree.load()
            seen = tree.subtree(user.unit_id)
            cached = _Scope(seen, {u for u in seen if tree.approving_unit(u) == user.unit_id}, {}, tree)
        elif user.is_bureau and user.is_active:
            tree = UnitTree.load()
            by_unit: dict[int, set[int]] = {}
            for u in tree.parent:
                if (a := tree.approving_unit(u)) is not None and len(tree.approvers[a]) == 1:
                    by_unit.setdefault(a, set()).add(u)
            sole = {next(iter(tree.approvers[a])): units for a, units in by_unit.items()}
            cached = _Scope(set(), {u for u in tree.parent if tree.approving_unit(u) is None}, sole, tree)
        else:
            cached = _Scope(set(), set(), {}, None)
        user._unit_scope = cached  # type: ignore[attr-defined]
    return cached


def unit_scope_ids(user: User) -> set[int]:
    """The units whose requests a unit approver sees: the unit and all its sub-units."""
    return _tree_of(user).seen


def approvable_unit_ids(user: User) -> set[int]:
    """The units a unit approver approves for: those of its subtree whose nearest approver is in the user's unit.
    For the bureau: the units with no approver up the tree (it stands in, for its own line)."""
    return _tree_of(user).approvable


def unit_approvers_q(service_request: ServiceRequest) -> Q:
    """Who approves the request at the unit level: the approvers of the nearest unit up the tree that has one, but
    the applicant; the bureau's office for the line where nobody is left."""
    people = UnitTree.load().approvers_for(service_request.unit_id, service_request.requester_id)
    if people is None:
        return Q(role=Role.SUPERVISOR, service_line=service_request.service_line)
    return Q(pk__in=sorted(people))


def approvers_q(service_request: ServiceRequest) -> Q:
    """Who may approve the request now (its current level), as a filter on users."""
    level = current_approval_level(service_request)
    if level == ApprovalLevel.UNIT:
        return unit_approvers_q(service_request)
    if level == ApprovalLevel.BUREAU:
        return Q(role=Role.SUPERVISOR, service_line=service_request.service_line)
    return Q(pk__in=[])


def awaiting_approval_q(user: User) -> Q:
    """The requests waiting for this user's approval now, as a filter on requests (no query but the unit tree's).

    The level at each stage comes from the request's kind; a core category that needs approval has the bureau's
    alone."""
    levels_by_kind = {k.key: k.approval_levels for k in all_kinds() if k.approval_levels}
    units = approvable_unit_ids(user)
    bureau_lines: Iterable[str] | None
    if user.is_superuser or user.role == Role.ADMIN:
        bureau_lines = None  # every line
    elif user.role == Role.SUPERVISOR and user.service_line:
        bureau_lines = [user.service_line]
    else:
        bureau_lines = []

    def bureau_where() -> Q | None:
        return Q() if bureau_lines is None else (Q(service_line__in=bureau_lines) if bureau_lines else None)

    def at_level(level: str) -> Q | None:
        if level == ApprovalLevel.UNIT:
            if user.role == Role.UNIT_APPROVER:
                return Q(unit_id__in=sorted(units)) & ~Q(requester_id=user.pk) if units else None
            if (line := bureau_where()) is None:
                return None
            # Standing in where the unit tree has no approver (or the request no unit), and for an approver's own
            # application where the approver is alone in the unit.
            stand_in = Q(unit_id__in=sorted(units)) | Q(unit_id__isnull=True)
            for approver, approved in _tree_of(user).sole.items():
                stand_in |= Q(requester_id=approver, unit_id__in=sorted(approved))
            return stand_in & line
        if level == ApprovalLevel.BUREAU:
            return bureau_where()
        return None

    mine = Q(pk__in=[])
    for key, levels in levels_by_kind.items():
        for stage, level in enumerate(levels):
            if (where := at_level(level)) is not None:
                mine |= Q(kind=key, approval_stage=stage) & where
    if (where := at_level(ApprovalLevel.BUREAU)) is not None:
        plain = Q(category__needs_approval=True, approval_stage=0) & where
        mine |= plain & ~Q(kind__in=list(levels_by_kind))
    return Q(status=Status.PENDING_APPROVAL) & mine
