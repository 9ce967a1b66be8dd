"""Who may see and do what in planned maintenance.

The bureau's property line (and admins) keeps the register and sees everything; a contractor's staff see the
items their contracts maintain and the work orders of their contracts; anyone signed in may open an item's page
from its QR label and file a repair naming it, but its history and costs are for the bureau and the maintainer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tickets.exceptions import ActionForbidden
from tickets.maintenance.models import Equipment, MaintenanceOccurrence
from tickets.models import Role, ServiceLine, User
from tickets.services.permissions import is_bureau_for


def is_register_keeper(user: Any) -> bool:
    """Keeps the register: an admin, or a supervisor of the property line."""
    return bool(user.is_authenticated and is_bureau_for(user, ServiceLine.PROPERTY)) and (
        user.is_superuser or user.role in (Role.ADMIN, Role.SUPERVISOR)
    )


def require_register_keeper(actor: User) -> None:
    if not is_register_keeper(actor):
        raise ActionForbidden(_("只有机关事务局的管理员或物业条线主管可以维护设备台账。"))


def is_maintainer_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.role in (Role.DISPATCHER, Role.WORKER) and user.contractor_id)


def may_use_register(user: Any) -> bool:
    """The register's lists, calendar and compliance: the property line's bureau and contractor staff."""
    return is_register_keeper(user) or is_maintainer_staff(user)


def equipment_visible_to(user: Any) -> QuerySet[Equipment]:
    if is_register_keeper(user):
        return Equipment.objects.all()
    if is_maintainer_staff(user):
        return Equipment.objects.filter(
            Q(contract__contractor_id=user.contractor_id) | Q(plans__contract__contractor_id=user.contractor_id)
        ).distinct()
    return Equipment.objects.none()


def may_see_history(user: Any, equipment: Equipment) -> bool:
    if is_register_keeper(user):
        return True
    if not is_maintainer_staff(user):
        return False
    return equipment_visible_to(user).filter(pk=equipment.pk).exists()


def occurrences_visible_to(user: Any) -> QuerySet[MaintenanceOccurrence]:
    if is_register_keeper(user):
        return MaintenanceOccurrence.objects.all()
    if is_maintainer_staff(user):
        return MaintenanceOccurrence.objects.filter(plan__contract__contractor_id=user.contractor_id)
    return MaintenanceOccurrence.objects.none()


def may_record_cost(user: Any, equipment: Equipment) -> bool:
    """The bureau's keeper, or the maintaining contractor's dispatcher."""
    if is_register_keeper(user):
        return True
    return bool(user.is_authenticated and user.role == Role.DISPATCHER and may_see_history(user, equipment))


def may_complete(user: Any, occurrence: MaintenanceOccurrence) -> bool:
    """Completing a work order is the contractor's action: its staff (dispatcher or worker) only."""
    from tickets.services.permissions import Party, parties_of

    service_request = occurrence.service_request
    return bool(
        user.is_authenticated and service_request is not None and Party.CONTRACTOR in parties_of(user, service_request)
    )
