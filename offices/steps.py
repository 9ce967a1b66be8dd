"""The office-space module's one gate: space requests and vacating items on top of the core request.

A space request is a core request of kind ``office_space``: the unit approver approves, then the bureau
(the core's ``approve``, levels ``("unit", "bureau")``); the bureau's answer is the allocation, carried out by
the ``fulfil`` step, which allocates or takes back rooms and then takes the core's ``accept`` and ``resolve``
(the bureau acts as the contractor party: the kind is ``worked_by_bureau``), so the SLA clock measures the
bureau's answer. A vacating item (kind ``office_vacating``) carries a room's give-back deadline, its reminders and
its overdue notice on the core's event log and notifications.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from offices import selectors, services
from offices.apps import SPACE_KIND, VACATE_KIND
from offices.models import Allocation, Purpose, RoomUse, Seat, SpaceRequest, VacateReason, VacatingDeadline
from offices.permissions import is_space_bureau, may_file_space_request
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import (
    Building,
    Category,
    Compound,
    Room,
    ServiceLine,
    ServiceRequest,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTargetRow,
    Status,
    Urgency,
    User,
)
from tickets.services.common import now_or
from tickets.services.permissions import parties_of
from tickets.services.requests import request_create
from tickets.services.transitions import MOVES, allowed_actions, transition

S = Status
# The module passes itself as the owner of the steps it owns once the core's transition() takes ``owner``.
_OWNER: dict[str, Any] = {"owner": "offices"} if "owner" in inspect.signature(transition).parameters else {}
_CREATE_OWNER: dict[str, Any] = {"owner": "offices"} if "owner" in inspect.signature(request_create).parameters else {}

# The bureau's targets for answering a space request, in business minutes after the last approval: start
# within 3 working days, allocate within 15.
WORKING_DAY = 8 * 60
SPACE_TARGETS = {"response": 3 * WORKING_DAY, "resolution": 15 * WORKING_DAY}


@dataclass(frozen=True)
class Step:
    sources: tuple[Status, ...]
    label: str | Promise


STEPS: dict[str, Step] = {
    "approve": Step((S.PENDING_APPROVAL,), gettext_lazy("审批通过")),
    "reject": Step((S.PENDING_APPROVAL, S.SUBMITTED, S.ACCEPTED), gettext_lazy("驳回")),
    "cancel": Step((S.PENDING_APPROVAL, S.SUBMITTED), gettext_lazy("撤回申请")),
    "fulfil": Step((S.SUBMITTED, S.ACCEPTED), gettext_lazy("配置办结")),
}

#: The bureau's steps on a vacating item (kind ``office_vacating``): one table, one gate (``vacating_step``).
VACATE_STEPS: dict[str, Step] = {
    "close": Step((S.SUBMITTED, S.REOPENED, S.ACCEPTED, S.RESOLVED), gettext_lazy("确认腾退并关闭")),
}

STEP_LABELS = {
    "allocated": gettext_lazy("配置用房"),
    "returned": gettext_lazy("收回用房"),
    "vacate_reminder": gettext_lazy("腾退提醒"),
    "vacate_overdue": gettext_lazy("腾退逾期"),
}


# --- categories ------------------------------------------------------------------------------------------------


def space_category() -> Category:
    """The catalogue entry of space requests, with the bureau's answer targets (made on first use)."""
    category = Category.objects.filter(code="office-space").first()
    if category is not None:
        return category
    with transaction.atomic():
        policy, created = SlaPolicy.objects.get_or_create(code="office-space", defaults={"name": "办公用房申请答复"})
        if created:
            version = SlaPolicyVersion.objects.create(
                policy=policy, number=1, note="办公用房申请：3个工作日受理，15个工作日配置"
            )
            SlaTargetRow.objects.create(
                version=version,
                urgency=Urgency.NORMAL,
                response_minutes=SPACE_TARGETS["response"],
                resolution_minutes=SPACE_TARGETS["resolution"],
                business_time=True,
            )
        category, _created = Category.objects.get_or_create(
            code="office-space",
            defaults={
                "name": "办公用房申请",
                "name_en": "Office space request",
                "kind": SPACE_KIND,
                "service_line": ServiceLine.OFFICE_SPACE,
                "sla_policy": policy,
                "needs_approval": True,
            },
        )
    return category


def vacating_category() -> Category:
    category, _created = Category.objects.get_or_create(
        code="office-vacating",
        defaults={
            "name": "办公用房腾退",
            "name_en": "Office vacating",
            "kind": VACATE_KIND,
            "service_line": ServiceLine.OFFICE_SPACE,
        },
    )
    return category


# --- the guard the core calls before it writes (module contract of issue #11) ---------------------------------


def guard(call: Any) -> None:
    """Refuse, before anything is written, what only this module's gate may do from any other path."""
    if call.action == "create" and call.owner != "offices":
        raise TransitionNotAllowed(_("办公用房事项请在办公用房模块提交。"), action="create", status="")
    if (
        call.action in ("accept", "resolve", "start", "hold", "resume", "reassign", "reopen")
        and call.owner != "offices"
    ):
        raise TransitionNotAllowed(_("办公用房的配置与腾退请在办公用房模块办理。"), action=call.action, status="")


# --- space requests --------------------------------------------------------------------------------------------


def space_request_file(
    *,
    actor: User,
    purpose: str,
    compound: Compound | None,
    reason: str,
    building: Building | None = None,
    area_requested: Decimal | None = None,
    headcount: int | None = None,
    returned_rooms: list[Room] | tuple[Room, ...] = (),
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> SpaceRequest:
    """A unit asks for new space, an adjustment, or returns space; the unit's approver approves first."""
    if not may_file_space_request(actor):
        raise ActionForbidden(_("只有使用单位的工作人员可以提交用房申请。"))
    now = now_or(now)
    unit = actor.unit
    assert unit is not None
    errors: dict[str, list[str]] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = [_("请选择申请事项。")]
    if purpose in (Purpose.NEW, Purpose.ADJUST):
        if area_requested is None:
            errors["area_requested"] = [_("请填写申请面积。")]
        elif area_requested <= 0:
            errors["area_requested"] = [_("申请面积必须大于0。")]
        if headcount is None or headcount <= 0:
            errors["headcount"] = [_("请填写使用人数。")]
    if purpose in (Purpose.RETURN, Purpose.ADJUST):
        if not returned_rooms:
            errors["returned_rooms"] = [_("请选择要退还的房间。")]
        day = timezone.localdate(now)
        for room in returned_rooms:
            holder = selectors.allocation_on(room=room, day=day)
            if holder is None or holder.unit_id != unit.pk:
                errors.setdefault("returned_rooms", []).append(
                    _("房间%(room)s不是本单位使用的房间。") % {"room": room.number}
                )
        if compound is None and returned_rooms:
            building = returned_rooms[0].floor.building
            compound = building.compound
    if not reason.strip():
        errors["reason"] = [_("请填写申请理由。")]
    if compound is None and "returned_rooms" not in errors:
        errors["compound"] = [_("请选择院区。")]
    if errors:
        raise ValidationError(errors)
    title = _("%(unit)s %(purpose)s") % {"unit": unit.name, "purpose": Purpose(purpose).label}
    if area_requested:
        title += f" {area_requested}㎡"
    with transaction.atomic():
        service_request = request_create(
            actor=actor,
            category=space_category(),
            title=title,
            description=reason.strip(),
            compound=compound,
            building=building,
            kind=SPACE_KIND,
            idempotency_key=idempotency_key,
            now=now,
            **_CREATE_OWNER,
        )
        existing = SpaceRequest.objects.filter(service_request=service_request).first()
        if existing is not None:
            return existing
        space_request = SpaceRequest.objects.create(
            service_request=service_request,
            unit=unit,
            purpose=purpose,
            area_requested=area_requested,
            headcount=headcount,
        )
        space_request.returned_rooms.set(returned_rooms)
    return space_request


def space_actions(space_request: SpaceRequest, user: User) -> list[str]:
    """The steps this user may take now: the buttons on the pages and ``actions`` in the API."""
    if not user.is_authenticated:
        return []
    req = space_request.service_request
    core = set(allowed_actions(req, user))
    actions: list[str] = [
        name for name in ("approve", "reject", "cancel") if name in core and req.status in STEPS[name].sources
    ]
    if req.status in STEPS["fulfil"].sources and is_space_bureau(user):
        actions.append("fulfil")
    return actions


def space_step(
    *,
    space_request: SpaceRequest,
    step: str,
    actor: User,
    note: str = "",
    rooms: list[Room] | tuple[Room, ...] = (),
    starts_on: date | None = None,
    use: str = RoomUse.OFFICE,
    now: datetime | None = None,
) -> SpaceRequest:
    """Take ``step`` on a space request: one table (``STEPS``), one gate. Approve, reject and cancel are the
    core's own moves; ``fulfil`` allocates (or takes back) the rooms and answers the request in one transaction."""
    if step not in STEPS:
        raise ValidationError({"step": [_("未知的操作：%(step)s") % {"step": step}]})
    now = now_or(now)
    with transaction.atomic():
        req = ServiceRequest.objects.select_for_update(of=("self",)).get(pk=space_request.service_request_id)
        # The party first, then the state: a party who may never take the step hears 403, not "not now".
        if step == "fulfil" and not is_space_bureau(actor):
            raise ActionForbidden(_("只有机关事务局房产管理人员可以配置用房。"))
        if step != "fulfil" and not parties_of(actor, req) & MOVES[step].parties:
            raise ActionForbidden(_("您无权对该申请执行“%(step)s”。") % {"step": STEPS[step].label})
        if req.status not in STEPS[step].sources:
            raise TransitionNotAllowed(
                _("申请当前状态为“%(status)s”，不能%(step)s。")
                % {"status": req.get_status_display(), "step": STEPS[step].label},
                action=step,
                status=req.status,
            )
        if step != "fulfil":
            transition(service_request=req, action=step, actor=actor, note=note, now=now, **_OWNER)
        else:
            _fulfil(space_request, req, actor=actor, rooms=rooms, starts_on=starts_on, use=use, note=note, now=now)
    space_request.refresh_from_db()
    return space_request


def _fulfil(
    space_request: SpaceRequest,
    req: ServiceRequest,
    *,
    actor: User,
    rooms: list[Room] | tuple[Room, ...],
    starts_on: date | None,
    use: str,
    note: str,
    now: datetime,
) -> None:
    if not is_space_bureau(actor):
        raise ActionForbidden(_("只有机关事务局房产管理人员可以配置用房。"))
    day = starts_on or timezone.localdate(now)
    purpose = space_request.purpose
    if purpose in (Purpose.NEW, Purpose.ADJUST) and not rooms:
        raise ValidationError({"rooms": [_("请选择配置的房间。")]})
    done: list[str] = []
    if purpose in (Purpose.RETURN, Purpose.ADJUST):
        for room in space_request.returned_rooms.all():
            holder = Allocation.objects.filter(selectors.q_current(day), room=room, unit=space_request.unit).first()
            if holder is None:
                raise ValidationError({"returned_rooms": [_("房间%(room)s已不在本单位名下。") % {"room": room.number}]})
            if holder.starts_on >= day:
                raise ValidationError({"starts_on": [_("收回日期必须晚于配置起始日期。")]})
            services.allocation_end(
                actor=actor, allocation=holder, ends_on=day, reason=_("用房申请%(no)s退还") % {"no": req.pk}, now=now
            )
            done.append(_("收回%(room)s") % {"room": room.number})
    for room in rooms:
        allocation = services.allocation_create(
            actor=actor,
            room=room,
            unit=space_request.unit,
            starts_on=day,
            use=use,
            space_request=space_request,
            now=now,
        )
        done.append(
            _("配置%(room)s（协议%(agreement)s，凭证%(certificate)s）")
            % {"room": room.number, "agreement": allocation.agreement_no, "certificate": allocation.certificate_no}
        )
    summary = "；".join(done)
    if req.status == S.SUBMITTED:
        transition(service_request=req, action="accept", actor=actor, now=now, **_OWNER)
    transition(
        service_request=req,
        action="resolve",
        actor=actor,
        note=(note.strip() + " " + summary).strip(),
        now=now,
        **_OWNER,
    )
    space_request.fulfilled_at = now
    space_request.save(update_fields=["fulfilled_at"])


# --- vacating items --------------------------------------------------------------------------------------------


def vacating_open(*, seat: Seat, reason: str, due_on: date, actor: User, now: datetime) -> ServiceRequest:
    person = seat.person
    title = _("腾退%(room)s：%(person)s%(reason)s，期限%(due)s") % {
        "room": seat.room.number,
        "person": person.name,
        "reason": VacateReason(reason).label,
        "due": due_on.isoformat(),
    }
    requester = person.user if person.user is not None and person.user.unit_id == seat.unit_id else actor
    return request_create(
        actor=actor,
        requester=requester,
        category=vacating_category(),
        title=title,
        room=seat.room,
        kind=VACATE_KIND,
        now=now,
        **_CREATE_OWNER,
    )


def vacating_close(*, deadline: VacatingDeadline, actor: User | None, now: datetime) -> None:
    """The room is given back: the bureau's record answers the vacating item. A unit's own record leaves it for
    the bureau to confirm (the bureau takes the room back, not the unit)."""
    if actor is None or not is_space_bureau(actor):
        return
    req = deadline.service_request
    note = _("已于%(day)s腾退。") % {"day": deadline.vacated_on}
    if req.status in (S.SUBMITTED, S.REOPENED):
        transition(service_request=req, action="accept", actor=actor, now=now, **_OWNER)
        transition(service_request=req, action="resolve", actor=actor, note=note, now=now, **_OWNER)
    elif req.status == S.ACCEPTED:
        transition(service_request=req, action="resolve", actor=actor, note=note, now=now, **_OWNER)


def vacating_actions(deadline: VacatingDeadline, user: User) -> list[str]:
    """The bureau's buttons on a vacating item: "close" once the room is given back and the item is still open.
    Reads the deadline's own row and its request (select_related), so a list pays nothing per row."""
    if not is_space_bureau(user) or deadline.vacated_on is None:
        return []
    return [name for name, row in VACATE_STEPS.items() if deadline.service_request.status in row.sources]


def vacating_step(
    *, deadline: VacatingDeadline, step: str, actor: User, note: str = "", now: datetime | None = None
) -> VacatingDeadline:
    """The bureau confirms a room is given back and closes its vacating item: the core's accept and resolve (owned
    by this module), then the core's close, in one transaction. 403 for anyone but the bureau's office-space staff;
    409 while the room is not vacated yet or once the item is closed."""
    if step not in VACATE_STEPS:
        raise ValidationError({"step": [_("未知的操作：%(step)s") % {"step": step}]})
    now = now_or(now)
    with transaction.atomic():
        # The deadline first, then the request: the order seat_end() takes them in, so the two never deadlock.
        locked = (
            VacatingDeadline.objects.select_for_update(of=("self",)).select_related("seat__room").get(pk=deadline.pk)
        )
        req = ServiceRequest.objects.select_for_update(of=("self",)).get(pk=locked.service_request_id)
        if not is_space_bureau(actor):
            raise ActionForbidden(_("只有机关事务局房产管理人员可以关闭腾退事项。"))
        if req.status not in VACATE_STEPS[step].sources:
            raise TransitionNotAllowed(
                _("腾退事项当前状态为“%(status)s”，不能关闭。") % {"status": req.get_status_display()},
                action=step,
                status=req.status,
            )
        if locked.vacated_on is None or locked.seat.until is None:
            raise TransitionNotAllowed(
                _("房间%(room)s尚未腾退，请先登记腾退完成。") % {"room": locked.seat.room.number},
                action=step,
                status=req.status,
            )
        done = _("已于%(day)s腾退，机关事务局确认关闭。") % {"day": locked.vacated_on}
        text = (note.strip() + " " + done).strip()
        if req.status in (S.SUBMITTED, S.REOPENED):
            req = transition(service_request=req, action="accept", actor=actor, now=now, **_OWNER)
        if req.status == S.ACCEPTED:
            req = transition(service_request=req, action="resolve", actor=actor, note=text, now=now, **_OWNER)
        transition(service_request=req, action="close", actor=actor, note=text, now=now, **_OWNER)
    deadline.refresh_from_db()
    return deadline
