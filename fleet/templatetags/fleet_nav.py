"""The fleet pages' own row of links: only those the user may open (a link that answers 403 is a broken link)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from fleet import permissions as perms
from tickets.models import Role

register = template.Library()


@register.simple_tag(takes_context=True)
def fleet_links(context: dict[str, Any]) -> list[tuple[str, str]]:
    user = context["request"].user
    if not user.is_authenticated:
        return []
    links: list[tuple[str, str]] = []
    if not user.is_contractor_staff:
        links.append((_("我的用车"), "fleet:trip-list"))
        if user.unit_id is not None:
            links.append((_("申请用车"), "fleet:trip-apply"))
    if user.role == Role.UNIT_APPROVER or perms.is_fleet_bureau(user):
        links.append((_("待我审批"), "fleet:approvals"))
    if perms.may_manage_vehicles(user):  # as the header: the vehicles office and the dispatcher
        links += [(_("调度台"), "fleet:board"), (_("车辆档案"), "fleet:vehicle-list"), (_("核算报表"), "fleet:report")]
    if perms.is_car_service_staff(user) and user.role == Role.WORKER:
        links.append((_("出车任务"), "fleet:driver"))
    return [(label, reverse(name)) for label, name in links]
