"""Filing a request: validation, routing to a contract, the SLA snapshot, the first event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tickets import signals
from tickets.models import (
    Building,
    Category,
    Compound,
    Contract,
    EventKind,
    Floor,
    Room,
    ServiceRequest,
    SlaPolicyVersion,
    Status,
    Urgency,
    User,
)
from tickets.registry import GuardCall, find_kind
from tickets.services import deadlines, notifications
from tickets.services.common import MAX_TEXT, now_or, record_event
from tickets.services.permissions import approval_levels
from tickets.services.routing import find_contract
from tickets.services.transitions import kind_refusal
from tickets.sla.calendars import load_work_calendar
from tickets.sla.clock import compute_deadlines


@dataclass(frozen=True)
class Placement:
    compound: Compound
    building: Building | None
    room: Room | None
    floor: Floor | None = None  # kept when a requester stops at the floor; a room implies its own


def resolve_place(
    *, compound: Compound | None, building: Building | None, room: Room | None, floor: Floor | None = None
) -> Placement:
    """A room implies its floor, building and compound; the parts given must agree."""
    if room is not None:
        if floor is not None and floor.pk != room.floor_id:
            raise ValidationError({"room": [_("房间不在所选楼层内。")]})
        floor = room.floor
    if floor is not None:
        floor_building = floor.building
        if building is not None and building.pk != floor_building.pk:
            if room is not None:
                raise ValidationError({"room": [_("房间不在所选楼栋内。")]})
            raise ValidationError({"floor": [_("楼层不在所选楼栋内。")]})
        building = floor_building
    if building is not None:
        if compound is not None and compound.pk != building.compound_id:
            raise ValidationError({"building": [_("楼栋不在所选院区内。")]})
        compound = building.compound
    if compound is None:
        raise ValidationError({"compound": [_("请选择院区或房间。")]})
    return Placement(compound=compound, building=building, room=room, floor=floor)


@dataclass(frozen=True)
class Preview:
    contract: Contract | None
    policy_version: SlaPolicyVersion | None
    deadlines: dict[str, Any]
    calendar_incomplete: bool
    needs_approval: bool


def sla_preview(
    *,
    category: Category,
    place: Placement,
    urgency: str,
    start: datetime | None = None,
    kind: str | None = None,
    with_deadlines: bool = True,
) -> Preview:
    """Who will do the work and by when, before a requester submits. Pure read, nothing is written.

    Filing asks only who (`with_deadlines=False`): it computes the deadlines on the request itself."""
    start = now_or(start)
    contract = find_contract(category=category, compound=place.compound, on=timezone.localdate(start))
    policy = category.sla_policy or (contract.sla_policy if contract else None)
    version = policy.current_version() if policy else None
    needs_approval = bool(_levels_for(kind or category.kind, category))
    result: dict[str, Any] = {}
    incomplete = False
    if version is not None and with_deadlines:
        specs = deadlines.target_specs(version, urgency)
        computed = compute_deadlines(
            start, specs, load_work_calendar(contract.calendar if contract else None), (), version.warn_percent
        )
        for target, deadline in computed.items():
            result[target] = deadline.due if deadline else None
            incomplete = incomplete or bool(deadline and deadline.incomplete)
    return Preview(contract, version, result, incomplete, needs_approval)


def _levels_for(kind: str, category: Category) -> tuple[str, ...]:
    probe = ServiceRequest(kind=kind, category=category)
    return approval_levels(probe)


def _has_children(category: Category) -> bool:
    # The API's category field annotates it (leaf_categories()), saving the query.
    known = getattr(category, "has_children", None)
    return category.children.exists() if known is None else bool(known)


def leaf_check_categories() -> Any:
    """Categories as filing reads them: with their two nearest ancestors (routing walks up) and whether they have
    children (only a leaf can be filed), so neither costs a query."""
    from django.db.models import Exists, OuterRef

    children = Category.objects.filter(parent=OuterRef("pk"))
    return Category.objects.select_related("parent__parent").annotate(has_children=Exists(children))


#: What a user may send as an idempotency key: no ":", which marks the system's own keys ("inspection:12:3").
IDEMPOTENCY_KEY_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9_.-]{1,64}$", _lazy("只能包含字母、数字和 - _ .，最多 64 个字符。"), code="invalid"
)


def already_filed(idempotency_key: str, actor: User | None) -> ServiceRequest | None:
    """The request a key already filed: the system's keys are the system's, a user's keys are that user's."""
    found = ServiceRequest.objects.filter(idempotency_key=idempotency_key)
    if ":" not in idempotency_key:
        found = found.filter(filed_by=actor)
    return found.first()


def request_create(
    *,
    actor: User,
    category: Category,
    title: str,
    description: str = "",
    urgency: str | None = None,
    compound: Compound | None = None,
    building: Building | None = None,
    room: Room | None = None,
    location_detail: str = "",
    requester: User | None = None,
    kind: str | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    owner: str = "",
    clock_from: datetime | None = None,
) -> ServiceRequest:
    """File a request. A repeated idempotency key returns the request already filed (a double submit).

    ``clock_from`` starts the SLA clock at another moment than the filing (planned work counts from its planned
    date, whether it was opened ahead of it or, after a beat outage, behind it).

    The kind is asked before anything is written: whether it may be filed here at all (a module that owns
    "create" files through its own gate, which passes `owner=`), then its guard."""
    now = now_or(now)
    if idempotency_key:
        existing = already_filed(idempotency_key, actor)
        if existing is not None:
            return existing
    errors: dict[str, list[str]] = {}
    if not category.active or _has_children(category):
        errors["category"] = [_("请选择一个具体的服务分类。")]
    kind = kind or category.kind
    request_kind = find_kind(kind)
    if request_kind is None:
        errors["kind"] = [_("未知的业务类型：%(kind)s") % {"kind": kind}]
    elif refusal := kind_refusal(kind=request_kind, action="create", owner=owner, label=_("提交")):
        raise refusal
    urgency = urgency or category.default_urgency
    if urgency not in Urgency.values:
        errors["urgency"] = [_("紧急程度无效。")]
    if not title.strip():
        errors["title"] = [_("请填写标题。")]
    if len(description) > MAX_TEXT:
        errors["description"] = [_("描述不能超过%(n)d个字。") % {"n": MAX_TEXT}]
    for field in category.required_fields or []:
        if field == "description" and not description.strip():
            errors["description"] = [_("该类请求需要填写描述。")]
        if field == "room" and room is None:
            errors["room"] = [_("该类请求需要选择房间。")]
    if errors:
        raise ValidationError(errors)
    place = resolve_place(compound=compound, building=building, room=room)
    requester = requester or actor
    assert request_kind is not None
    if request_kind.guard is not None:
        data = {
            "category": category,
            "title": title,
            "description": description,
            "urgency": urgency,
            "place": place,
            "location_detail": location_detail,
            "requester": requester,
        }
        request_kind.guard(GuardCall(request_kind, "create", None, actor, now, owner=owner, data=data))
    preview = sla_preview(category=category, place=place, urgency=urgency, start=now, kind=kind, with_deadlines=False)
    try:
        with transaction.atomic():
            req = ServiceRequest(
                kind=kind,
                category=category,
                service_line=category.service_line,
                urgency=urgency,
                title=title.strip()[:200],
                description=description,
                requester=requester,
                filed_by=actor,
                unit_id=requester.unit_id,
                compound=place.compound,
                building=place.building,
                room=place.room,
                location_detail=location_detail,
                status=Status.PENDING_APPROVAL if preview.needs_approval else Status.SUBMITTED,
                contract=preview.contract,
                contractor=preview.contract.contractor if preview.contract else None,
                policy_version=preview.policy_version,
                calendar=preview.contract.calendar if preview.contract else None,
                clock_started_at=None if preview.needs_approval else (clock_from or now),
                resolution_clock_from=None if preview.needs_approval else (clock_from or now),
                created_at=now,
                updated_at=now,
                idempotency_key=idempotency_key or None,
            )
            notes = deadlines.recompute(req, now=now)
            req.save()
            changes: dict[str, Any] = {
                "contractor": req.contractor_id,
                "contract": req.contract_id,
                "policy_version": req.policy_version_id,
                **{
                    f"{t}_due": getattr(req, f"{t}_due").isoformat()
                    for t in deadlines.TARGETS
                    if getattr(req, f"{t}_due")
                },
            }
            if notes:
                changes["deadline_notes"] = notes
            changes.update(deadlines.calendar_used(req))
            if req.contract_id is None:
                changes["queue"] = "bureau"
            event = record_event(
                service_request=req, kind=EventKind.CREATED, actor=actor, at=now, to_status=req.status, changes=changes
            )
            assert event is not None
            signals.request_created.send(sender=ServiceRequest, service_request=req, event=event, actor=actor)
            notifications.notify_for_event(event)
            # The event this call wrote (absent when a repeated idempotency key returns an earlier request): a caller
            # showing the new request (the API's 201) needs no second read of its timeline.
            req.filing_event = event  # type: ignore[attr-defined]
    except IntegrityError:
        if idempotency_key:
            existing = already_filed(idempotency_key, actor)
            if existing is not None:
                return existing
        raise
    return req
