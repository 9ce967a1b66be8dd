"""Statutory inspection reminders (e.g. a lift's yearly inspection certificate): ahead of expiry, the item's
maintaining contract gets a core request to arrange the inspection, so the reminder reaches its dispatchers through
the core's notifications (in-app, e-mail, webhooks), runs on the SLA clock and shows in the item's history.

Once per certificate: a conditional UPDATE claims the item's due date before the request is filed (two beats at
once: one claims, the other finds nothing), and the request's idempotency key holds if a claim is retried.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.maintenance.models import Equipment, EquipmentWork, WorkSource
from tickets.maintenance.services import KIND, OWNER
from tickets.models import Category, Role, ServiceLine, Urgency, User
from tickets.services.common import now_or

log = logging.getLogger(__name__)
REMIND_DAYS = 30  # the common default ahead of a certificate's expiry


def _filer() -> User | None:
    """The reminder is the bureau's: filed in the name of its first active admin."""
    return User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()


def _category_for(item: Equipment) -> Category | None:
    """A leaf category of the contract's scope (the property line's first by sort order)."""
    assert item.contract is not None
    scope = item.contract.categories.values_list("pk", flat=True)
    return (
        Category.objects.filter(active=True, children__isnull=True, service_line=ServiceLine.PROPERTY)
        .filter(Q(pk__in=scope) | Q(parent_id__in=scope))
        .order_by("sort", "code")
        .first()
    )


def inspection_reminders_send(*, now: datetime | None = None, days: int = REMIND_DAYS) -> int:
    """File one reminder request per item whose statutory inspection falls due within ``days``. Returns how many."""
    from tickets.services.requests import request_create

    now = now_or(now)
    today = timezone.localtime(now).date()
    due = (
        Equipment.objects.filter(
            active=True,
            contract__isnull=False,
            inspection_due_on__isnull=False,
            inspection_due_on__lte=today + timedelta(days=days),
        )
        .filter(Q(inspection_reminded_for__isnull=True) | ~Q(inspection_reminded_for=F("inspection_due_on")))
        .values_list("pk", "inspection_due_on")
    )
    filer = _filer()
    if filer is None:
        log.warning("inspection reminders: no active bureau admin to file them")
        return 0
    sent = 0
    for pk, due_on in list(due):
        assert due_on is not None  # filtered above
        with transaction.atomic():
            claimed = (
                Equipment.objects.filter(pk=pk, inspection_due_on=due_on)
                .filter(Q(inspection_reminded_for__isnull=True) | ~Q(inspection_reminded_for=due_on))
                .update(inspection_reminded_for=due_on)
            )
            if not claimed:
                continue  # another beat has it, or the date was just changed
            item = Equipment.objects.select_related("contract", "compound", "building", "room").get(pk=pk)
            category = _category_for(item)
            if category is None:
                log.warning("inspection reminder for %s: the contract covers no property category", item.code)
                transaction.set_rollback(True)  # unclaimed: tried again once the contract's scope is fixed
                continue
            try:
                with transaction.atomic():
                    service_request = request_create(
                        actor=filer,
                        category=category,
                        kind=KIND,
                        owner=OWNER,
                        title=_("法定检验即将到期：%(item)s（%(date)s）")
                        % {"item": item.name, "date": due_on.isoformat()},
                        description=_("请在 %(date)s 前安排 %(item)s 的法定检验并更新合格证有效期。")
                        % {"date": due_on.isoformat(), "item": str(item)},
                        urgency=Urgency.NORMAL,
                        compound=item.compound,
                        building=item.building,
                        room=item.room,
                        location_detail=str(item)[:200],
                        idempotency_key=f"inspection-due:{item.pk}:{due_on.isoformat()}",
                        now=now,
                    )
                    EquipmentWork.objects.get_or_create(
                        service_request=service_request,
                        defaults={"equipment": item, "source": WorkSource.INSPECTION, "created_at": now},
                    )
            except (ValidationError, TransitionNotAllowed, ActionForbidden) as refusal:
                log.warning("inspection reminder for %s not filed: %s", item.code, refusal)
                transaction.set_rollback(True)
                continue
            sent += 1
    return sent
