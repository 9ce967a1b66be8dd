"""Who may see and do what in the canteen module, on top of the core's roles.

- the operator: staff of the canteen's contractor (drafts menus, records samples and waste, sees head counts);
- the bureau: supervisors of the canteen service line and admins (approve menus, see reports, ask for rectification);
- diners: staff of the units the canteen serves (book, rate); a unit's liaison (unit approver) books guests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tickets.models import Role, ServiceLine
from tickets.services.permissions import is_bureau_for

if TYPE_CHECKING:
    from canteen.models import Canteen
    from tickets.models import User


def is_canteen_bureau(user: User) -> bool:
    return bool(user.is_authenticated) and is_bureau_for(user, ServiceLine.CANTEEN)


def is_operator(user: User, canteen: Canteen) -> bool:
    return (
        bool(user.is_authenticated)
        and user.role in (Role.DISPATCHER, Role.WORKER)
        and user.contractor_id is not None
        and user.contractor_id == canteen.contractor_id
    )


def is_operator_staff(user: User) -> bool:
    """Staff of a contractor that runs at least one canteen."""
    from canteen.models import Canteen

    return (
        bool(user.is_authenticated)
        and user.role in (Role.DISPATCHER, Role.WORKER)
        and user.contractor_id is not None
        and Canteen.objects.filter(contractor_id=user.contractor_id).exists()
    )


def may_dine(user: User, canteen: Canteen) -> bool:
    return (
        bool(user.is_authenticated)
        and not user.is_contractor_staff
        and user.unit_id is not None
        and canteen.units.filter(pk=user.unit_id).exists()
    )


def is_liaison(user: User, canteen: Canteen) -> bool:
    return user.role == Role.UNIT_APPROVER and may_dine(user, canteen)


def canteens_for_diner(user: User) -> QuerySet[Canteen]:
    from canteen.models import Canteen

    if not user.is_authenticated or user.is_contractor_staff or user.unit_id is None:
        return Canteen.objects.none()
    return Canteen.objects.filter(active=True, units=user.unit_id).select_related("compound")


def canteens_managed_by(user: User) -> QuerySet[Canteen]:
    """Canteens whose logs and head counts the user may see: the operator's own, or all for the bureau."""
    from canteen.models import Canteen

    if not user.is_authenticated:
        return Canteen.objects.none()
    if is_canteen_bureau(user):
        return Canteen.objects.all().select_related("compound", "contractor")
    if user.role in (Role.DISPATCHER, Role.WORKER) and user.contractor_id:
        return Canteen.objects.filter(contractor_id=user.contractor_id).select_related("compound", "contractor")
    return Canteen.objects.none()
