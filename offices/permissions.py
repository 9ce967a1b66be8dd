"""Who may see and do what with office space, on top of the core's roles and parties."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickets.models import Role, ServiceLine
from tickets.services.permissions import is_bureau_for

if TYPE_CHECKING:
    from tickets.models import Unit, User


def is_space_bureau(user: User) -> bool:
    """The bureau's office-space staff (and admins): allocate, edit norms, see every unit."""
    return bool(user.is_authenticated) and is_bureau_for(user, ServiceLine.OFFICE_SPACE)


def is_unit_approver(user: User, unit: Unit | int | None) -> bool:
    unit_id = unit if isinstance(unit, int) or unit is None else unit.pk
    return (
        bool(user.is_authenticated)
        and user.role == Role.UNIT_APPROVER
        and unit_id is not None
        and user.unit_id == unit_id
    )


def may_file_space_request(user: User) -> bool:
    return bool(user.is_authenticated) and not user.is_contractor_staff and user.unit_id is not None


def may_see_unit_space(user: User, unit_id: int | None) -> bool:
    """A unit's rooms, people and notice: the bureau, and that unit's approver."""
    return is_space_bureau(user) or is_unit_approver(user, unit_id)


def may_use_space_pages(user: User) -> bool:
    """The floor view and ledgers: the bureau sees all; a unit approver sees their own unit's part."""
    return is_space_bureau(user) or (
        bool(user.is_authenticated) and user.role == Role.UNIT_APPROVER and user.unit_id is not None
    )
