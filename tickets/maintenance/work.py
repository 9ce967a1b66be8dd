"""The worker's side of a planned work order: the checklist completed on a phone, with measured values against
their limits and photos. A failed item files a repair linked to the item (or the place) and to the occurrence; the
occurrence is recorded done on time or late, and the work order is resolved through the core's gate."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.assessment.inspections import ItemInput, evaluate_all, snapshot_of
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.maintenance.models import (
    EquipmentWork,
    MaintenanceCheck,
    MaintenanceOccurrence,
    OccurrenceStatus,
    WorkSource,
)
from tickets.models import ChecklistItem, Status, User
from tickets.services import comments
from tickets.services.common import now_or
from tickets.services.permissions import Party, parties_of
from tickets.services.requests import request_create
from tickets.services.transitions import transition

MAX_PHOTOS = 9
MAX_NOTE = 2000
REFUSALS = {
    OccurrenceStatus.PLANNED: gettext_lazy("该维保工单尚未开单，不能完成。"),
    OccurrenceStatus.SKIPPED: gettext_lazy("该维保工单未能开单，不能完成。"),
    OccurrenceStatus.DONE: gettext_lazy("该维保工单已完成。"),
    OccurrenceStatus.LATE: gettext_lazy("该维保工单已完成。"),
    OccurrenceStatus.MISSED: gettext_lazy("该维保工单已过最迟完成日期，已记为漏检。"),
}


def checklist_items(occurrence: MaintenanceOccurrence) -> list[ChecklistItem]:
    checklist = occurrence.plan.checklist
    return list(checklist.items.all()) if checklist is not None else []


def deadline_of(occurrence: MaintenanceOccurrence) -> datetime:
    """Done on time means by the end of the due day, or by the work order's resolution deadline if later."""
    end_of_day = timezone.make_aware(
        datetime.combine(occurrence.due_on + timedelta(days=1), datetime.min.time()), timezone.get_default_timezone()
    )
    due = occurrence.service_request.resolution_due if occurrence.service_request else None
    return max(end_of_day, due) if due else end_of_day


def occurrence_complete(
    *,
    occurrence: MaintenanceOccurrence | int,
    actor: User,
    results: list[ItemInput],
    note: str = "",
    photos: list[UploadedFile] | None = None,
    now: datetime | None = None,
) -> MaintenanceOccurrence:
    """Record the checklist and finish the occurrence. Refused (nothing written): another party than the work
    order's contractor (403), an occurrence not open or already finished or missed (409), an answer outside its
    item's type or a missing one (400)."""
    now = now_or(now)
    pk = occurrence.pk if isinstance(occurrence, MaintenanceOccurrence) else occurrence
    with transaction.atomic():
        locked = (
            MaintenanceOccurrence.objects.select_for_update(of=("self",))
            .select_related(
                "plan__checklist__rectification_category",
                "plan__equipment",
                "plan__contract",
                "plan__compound",
                "plan__building",
                "service_request",
            )
            .get(pk=pk)
        )
        service_request = locked.service_request
        if service_request is None or Party.CONTRACTOR not in parties_of(actor, service_request):
            raise ActionForbidden(_("只有该工单的维保单位人员可以填写维保记录。"))
        if locked.status != OccurrenceStatus.OPENED:
            raise TransitionNotAllowed(
                str(REFUSALS[OccurrenceStatus(locked.status)]), action="complete", status=locked.status
            )
        if service_request.status not in (Status.ACCEPTED, Status.IN_PROGRESS):
            raise TransitionNotAllowed(
                _("请先受理工单并开始作业，再填写维保记录。"), action="complete", status=service_request.status
            )
        items = {item.pk: item for item in checklist_items(locked)}
        errors: dict[str, list[str]] = {}
        given, evaluated = evaluate_all(items, results, errors)
        if len(note) > MAX_NOTE:
            errors["note"] = [_("说明最多%(n)d个字。") % {"n": MAX_NOTE}]
        if len(photos or []) > MAX_PHOTOS:
            errors["photos"] = [_("最多上传%(n)d张照片。") % {"n": MAX_PHOTOS}]
        for r in given.values():
            if len(r.note) > 300:
                errors.setdefault(f"results.{r.item}", []).append(_("说明最多300个字。"))
        if errors:
            raise ValidationError(errors)
        checks = []
        for item_pk, (passed, points, measured) in evaluated.items():
            checks.append(
                MaintenanceCheck.objects.create(
                    occurrence=locked,
                    item=items[item_pk],
                    **snapshot_of(items[item_pk]),
                    passed=passed,
                    score=points.quantize(Decimal("0.01")),
                    measured=measured,
                    note=given[item_pk].note.strip(),
                )
            )
        for photo in photos or []:
            comments.attachment_add(service_request=service_request, actor=actor, upload=photo, now=now)
        for check in checks:
            if not check.passed:
                _repair(locked, check, actor=actor, now=now)
        failed = sum(1 for c in checks if not c.passed)
        summary = _("维保完成：%(n)d项检查，%(f)d项不合格。") % {"n": len(checks), "f": failed}
        transition(
            service_request=service_request,
            action="resolve",
            actor=actor,
            now=now,
            note=f"{summary}\n{note.strip()}".strip(),
        )
        locked.status = OccurrenceStatus.DONE if now <= deadline_of(locked) else OccurrenceStatus.LATE
        locked.completed_at = now
        locked.completed_by = actor
        locked.note = note.strip()
        locked.save(update_fields=["status", "completed_at", "completed_by", "note"])
    return locked


def _repair(occurrence: MaintenanceOccurrence, check: MaintenanceCheck, *, actor: User, now: datetime) -> None:
    """A failed item files a repair under the checklist's rectification category, on the plan's contract."""
    plan = occurrence.plan
    checklist = plan.checklist
    assert checklist is not None
    detail = _("维保检查项不合格：%(text)s") % {"text": check.item_text}
    if check.measured is not None:
        detail += _("；实测 %(value)s %(unit)s，限值 %(limit)s %(unit)s") % {
            "value": format(check.measured.normalize(), "f"),
            "unit": check.item_unit,
            "limit": format(check.item_limit.normalize(), "f") if check.item_limit is not None else "",
        }
    if check.note:
        detail += _("；说明：%(note)s") % {"note": check.note}
    equipment = plan.equipment
    category = checklist.rectification_category
    repair = request_create(
        actor=actor,
        category=category,
        kind=category.kind,
        title=(
            _("维保发现：%(what)s %(text)s")
            % {"what": equipment.name if equipment else plan.title, "text": check.item_text}
        )[:200],
        description=detail,
        urgency=checklist.rectification_urgency,
        compound=plan.compound,
        building=plan.building,
        room=equipment.room if equipment is not None else None,
        location_detail=(str(equipment) if equipment is not None else plan.title)[:200],
        idempotency_key=f"maintenance:{occurrence.pk}:{check.item_id}",
        now=now,
    )
    # Routed by the catalogue like any repair (a specialist lift contractor may repair what the property
    # contractor inspects); a repair no contract takes waits in the bureau's queue.
    MaintenanceCheck.objects.filter(pk=check.pk).update(repair=repair)
    check.repair = repair
    if equipment is not None:
        EquipmentWork.objects.get_or_create(
            service_request=repair,
            defaults={
                "equipment": equipment,
                "source": WorkSource.CHECKLIST,
                "occurrence": occurrence,
                "created_at": now,
            },
        )
