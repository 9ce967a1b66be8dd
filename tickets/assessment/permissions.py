"""Who may do what in assessment: the bureau assesses (its own service line), the contractor's dispatcher reads
its own signed scorecards and inspections and appeals; nobody else takes part."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tickets.exceptions import ActionForbidden
from tickets.models import Contract, Role, Scorecard, User
from tickets.services.permissions import is_bureau_for


def is_bureau_staff(user: Any) -> bool:
    """A bureau supervisor or admin (of any line)."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in (Role.ADMIN, Role.SUPERVISOR)))


def may_assess(user: Any, contract: Contract) -> bool:
    """Record inspections, adjust, sign and revise scorecards, record penalties, answer appeals, edit schemes."""
    return is_bureau_staff(user) and is_bureau_for(user, contract.service_line)


def require_assessor(actor: User, contract: Contract) -> None:
    if not is_bureau_staff(actor):
        raise ActionForbidden(_("只有管理处室可以进行考核。"))
    if not is_bureau_for(actor, contract.service_line):
        raise ActionForbidden(_("您不负责该合同的服务条线。"))


def may_see_contract(user: Any, contract: Contract) -> bool:
    """Its scheme, roll-ups and signed scorecards: the contractor's dispatcher or the bureau of its line."""
    if user.role == Role.DISPATCHER:
        return bool(user.contractor_id == contract.contractor_id)
    return is_bureau_for(user, contract.service_line)


def may_list_inspections(user: Any) -> bool:
    return bool(user.is_superuser or user.role in (Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER))


def may_appeal(user: Any, card: Scorecard) -> bool:
    return bool(user.role == Role.DISPATCHER and user.contractor_id == card.contract.contractor_id)
