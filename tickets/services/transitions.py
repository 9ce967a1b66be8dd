"""The one gate that changes a request's status.

`MOVES` says, for each action, the states it may start from, the state it leads to and which parties may take
it. `transition()` locks the row, checks the table, applies the action's effects, recomputes the SLA columns,
saves only what changed and writes one event. Views, the API, the admin, commands and tasks all call it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets import signals
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import (
    CLOCK_STOPPING_HOLDS,
    Contract,
    EventKind,
    HoldReason,
    Pause,
    Role,
    ServiceRequest,
    Status,
    User,
)
from tickets.registry import GuardCall, RequestKind, find_kind, get_kind
from tickets.services import deadlines, notifications
from tickets.services.common import now_or, record_event
from tickets.services.permissions import Party, approval_levels, parties_of
from tickets.sla.calendars import calendars_cached

S = Status
P = Party
StrOrPromise = str | Promise
OPEN_WORK = (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD, S.REOPENED)


@dataclass(frozen=True)
class Move:
    sources: tuple[Status, ...]
    target: Status | None  # None: the status stays (assign) or is decided by the action (approve)
    parties: frozenset[Party]
    label: StrOrPromise  # the button's text and the timeline's entry


MOVES: dict[str, Move] = {
    "approve": Move((S.PENDING_APPROVAL,), None, frozenset({P.APPROVER}), gettext_lazy("审批通过")),
    "accept": Move((S.SUBMITTED, S.REOPENED), S.ACCEPTED, frozenset({P.CONTRACTOR}), gettext_lazy("受理")),
    "assign": Move(OPEN_WORK, None, frozenset({P.DISPATCHER, P.BUREAU}), gettext_lazy("派单")),
    "start": Move((S.ACCEPTED,), S.IN_PROGRESS, frozenset({P.CONTRACTOR}), gettext_lazy("开始处理")),
    "hold": Move((S.ACCEPTED, S.IN_PROGRESS), S.ON_HOLD, frozenset({P.CONTRACTOR}), gettext_lazy("挂起")),
    "resume": Move((S.ON_HOLD,), S.IN_PROGRESS, frozenset({P.CONTRACTOR, P.BUREAU}), gettext_lazy("恢复处理")),
    "resolve": Move((S.ACCEPTED, S.IN_PROGRESS), S.RESOLVED, frozenset({P.CONTRACTOR}), gettext_lazy("办结")),
    "confirm": Move((S.RESOLVED,), S.CLOSED, frozenset({P.REQUESTER}), gettext_lazy("确认")),
    "reopen": Move((S.RESOLVED,), S.REOPENED, frozenset({P.REQUESTER, P.BUREAU}), gettext_lazy("重开")),
    "cancel": Move(
        (S.PENDING_APPROVAL, S.SUBMITTED, S.ACCEPTED), S.CANCELLED, frozenset({P.REQUESTER}), gettext_lazy("取消")
    ),
    "reject": Move(
        (S.PENDING_APPROVAL, S.SUBMITTED, S.ACCEPTED, S.REOPENED),
        S.REJECTED,
        frozenset({P.BUREAU, P.APPROVER}),
        gettext_lazy("驳回"),
    ),
    "reassign": Move(OPEN_WORK, S.SUBMITTED, frozenset({P.BUREAU}), gettext_lazy("改派")),
    "close": Move((S.RESOLVED,), S.CLOSED, frozenset({P.BUREAU, P.SYSTEM}), gettext_lazy("关闭")),
}


# Work on a request assigned to someone: only that assignee or the contractor's dispatcher takes it.
ASSIGNEE_WORK = frozenset({"start", "hold", "resolve"})


def acting_parties(parties: set[Party], user: User | None, service_request: ServiceRequest, action: str) -> set[Party]:
    """The parties `user` (who is `parties` on the request) acts for in taking `action`: a worker of the
    contractor is not the contractor for another worker's assigned request."""
    if (
        action in ASSIGNEE_WORK
        and user is not None
        and user.role == Role.WORKER
        and service_request.assignee_id not in (None, user.pk)
    ):
        return parties - {P.CONTRACTOR}
    return parties


def allowed_actions(service_request: ServiceRequest, user: User | None, *, now: datetime | None = None) -> list[str]:
    """The actions this user may take now through the core's pages and API: what they offer as buttons.

    Leaves out what the request's kind does not allow, owns (its module's pages offer those) or refuses."""
    parties = parties_of(user, service_request)
    kind = find_kind(service_request.kind)
    offered = []
    for name, move in MOVES.items():
        if (
            service_request.status not in move.sources
            or not acting_parties(parties, user, service_request, name) & move.parties
        ):
            continue
        if kind is not None and (not kind.allows(name) or kind.owns(name)):
            continue
        if kind is not None and kind.guard is not None:
            call = GuardCall(kind, name, service_request, user, now_or(now), owner="", probe=True)
            try:
                kind.guard(call)
            except (TransitionNotAllowed, ActionForbidden):
                continue
        offered.append(name)
    return offered


def kind_refusal(
    *, kind: RequestKind, action: str, owner: str, label: StrOrPromise, status: str = ""
) -> TransitionNotAllowed | None:
    """The 409 for an action the kind does not allow at all, or owns and was not asked through its owner."""
    if not kind.allows(action):
        return TransitionNotAllowed(
            _("“%(kind)s”不能%(action)s。") % {"kind": kind.label, "action": label}, action=action, status=status
        )
    if kind.owns(action) and owner != kind.owner:
        return TransitionNotAllowed(
            _("“%(kind)s”的“%(action)s”请在其业务页面办理。") % {"kind": kind.label, "action": label},
            action=action,
            status=status,
        )
    return None


def transition(
    *,
    service_request: ServiceRequest | int,
    action: str,
    actor: User | None,
    now: datetime | None = None,
    note: str = "",
    hold_reason: str = "",
    assignee: User | None = None,
    contract: Contract | None = None,
    system_reason: str = "",
    owner: str = "",
) -> ServiceRequest:
    """Take `action` on the request for `actor` (None: the system). Raises TransitionNotAllowed (409),
    ActionForbidden (403) or ValidationError (400); on any error nothing is written.

    The request's kind is asked first (what it allows, what only its module's gate may take: that gate passes
    `owner=`), then the table, then the kind's guard: all before the first write."""
    now = now_or(now)
    move = MOVES.get(action)
    if move is None:
        raise ValidationError({"action": [_("未知的操作：%(action)s") % {"action": action}]})
    pk = service_request.pk if isinstance(service_request, ServiceRequest) else service_request
    # The national holiday table read once for the transition (minutes worked, then the new deadlines), not twice.
    with transaction.atomic(), calendars_cached(), ExitStack() as scope:
        req = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("category", "policy_version", "calendar", "contractor")
            .get(pk=pk)
        )
        scope.enter_context(deadlines.remembering_pauses(req))  # read once: minutes worked, then the deadlines
        request_kind = get_kind(req.kind)
        refusal = kind_refusal(kind=request_kind, action=action, owner=owner, label=move.label, status=req.status)
        if refusal is not None:
            raise refusal
        if not acting_parties(parties_of(actor, req), actor, req, action) & move.parties:
            raise ActionForbidden(_("您无权对该请求执行“%(action)s”。") % {"action": move.label})
        if req.status not in move.sources:
            raise TransitionNotAllowed(
                _("请求当前状态为“%(status)s”，不能%(action)s。")
                % {"status": req.get_status_display(), "action": move.label},
                action=action,
                status=req.status,
            )
        if request_kind.guard is not None:
            request_kind.guard(GuardCall(request_kind, action, req, actor, now, owner=owner))
        from_status = req.status
        before = deadlines.snapshot(req)
        changed: set[str] = set()
        changes: dict[str, Any] = {}
        effect = _EFFECTS[action]
        effect(
            req,
            actor=actor,
            now=now,
            note=note,
            hold_reason=hold_reason,
            assignee=assignee,
            contract=contract,
            changed=changed,
            changes=changes,
        )
        if move.target is not None:
            req.status = move.target
            changed.add("status")
        notes = deadlines.recompute(req, now=now)
        changed.update(deadlines.SLA_FIELDS)
        req.updated_at = now
        changed.add("updated_at")
        req.save(update_fields=sorted(changed))
        changes.update(deadlines.deadline_changes(before, req))
        if notes and changes.keys() & {"response_due", "arrival_due", "resolution_due"}:
            changes["deadline_notes"] = notes
        kind = {"assign": EventKind.ASSIGNED, "reassign": EventKind.REASSIGNED}.get(action, EventKind.TRANSITION)
        event = record_event(
            service_request=req,
            kind=kind,
            actor=actor,
            at=now,
            action=action,
            from_status=from_status,
            to_status=req.status,
            changes=changes,
            note=note or system_reason,
        )
        assert event is not None
        signals.request_transitioned.send(
            sender=ServiceRequest, service_request=req, event=event, action=action, actor=actor
        )
        notifications.notify_for_event(event)
    return req


# --- effects of each action -------------------------------------------------------------------------------


def _approve(req: ServiceRequest, *, now: datetime, changed: set[str], changes: dict[str, Any], **_kw: Any) -> None:
    levels = approval_levels(req)
    req.approval_stage += 1
    changed.add("approval_stage")
    changes["approval_stage"] = [req.approval_stage - 1, req.approval_stage]
    if req.approval_stage >= len(levels):
        # Approval done: the contractor's clock starts only now (waiting for approval is not theirs).
        req.status = S.SUBMITTED
        req.clock_started_at = now
        req.resolution_clock_from = now
        changed.update({"status", "clock_started_at", "resolution_clock_from"})


def _accept(req: ServiceRequest, *, actor: User | None, now: datetime, changed: set[str], **_kw: Any) -> None:
    if req.responded_at is None:
        req.responded_at = now
        req.response_minutes = _worked_minutes(req, req.clock_started_at, now)
        changed.update({"responded_at", "response_minutes"})
    if req.assignee_id is None and actor is not None and actor.role == Role.WORKER:
        req.assignee = actor
        changed.add("assignee")


def _assign(
    req: ServiceRequest, *, assignee: User | None, changed: set[str], changes: dict[str, Any], **_kw: Any
) -> None:
    if assignee is None:
        raise ValidationError({"assignee": [_("请选择处理人。")]})
    if (
        not assignee.is_active
        or assignee.contractor_id != req.contractor_id
        or assignee.role
        not in (
            Role.WORKER,
            Role.DISPATCHER,
        )
    ):
        raise ValidationError({"assignee": [_("处理人必须是承接该请求的服务商人员。")]})
    changes["assignee"] = [req.assignee_id, assignee.pk]
    req.assignee = assignee
    changed.add("assignee")


def _start(req: ServiceRequest, *, actor: User | None, now: datetime, changed: set[str], **_kw: Any) -> None:
    if req.arrived_at is None:
        req.arrived_at = now
        changed.add("arrived_at")
    if req.assignee_id is None and actor is not None and actor.role == Role.WORKER:
        req.assignee = actor
        changed.add("assignee")


def _hold(
    req: ServiceRequest,
    *,
    now: datetime,
    note: str,
    hold_reason: str,
    changed: set[str],
    changes: dict[str, Any],
    **_kw: Any,
) -> None:
    if hold_reason not in HoldReason.values:
        raise ValidationError({"hold_reason": [_("请选择挂起原因。")]})
    if not note.strip():
        raise ValidationError({"note": [_("请说明挂起原因。")]})
    req.hold_reason = hold_reason
    changed.add("hold_reason")
    changes["hold_reason"] = hold_reason
    if hold_reason in CLOCK_STOPPING_HOLDS:
        Pause.objects.create(request=req, reason=hold_reason, note=note[:200], started_at=now)
        deadlines.forget_pauses(req)
        req.paused_at = now
        changed.add("paused_at")
        changes["clock"] = "paused"


def _end_pause(req: ServiceRequest, now: datetime, changed: set[str], changes: dict[str, Any]) -> None:
    if req.paused_at is not None:
        Pause.objects.filter(request=req, ended_at__isnull=True).update(ended_at=now)
        deadlines.forget_pauses(req)
        req.paused_at = None
        changed.add("paused_at")
        changes["clock"] = "resumed"


def _resume(req: ServiceRequest, *, now: datetime, changed: set[str], changes: dict[str, Any], **_kw: Any) -> None:
    _end_pause(req, now, changed, changes)
    req.hold_reason = ""
    changed.add("hold_reason")


def _resolve(req: ServiceRequest, *, now: datetime, note: str, changed: set[str], **_kw: Any) -> None:
    from django.conf import settings

    from tickets.sla.clock import add_working_days

    if not note.strip():
        raise ValidationError({"note": [_("请填写处理结果。")]})
    if req.arrived_at is None:
        req.arrived_at = now
        changed.add("arrived_at")
    req.resolved_at = now
    req.resolution_minutes = _worked_minutes(req, req.resolution_clock_from or req.clock_started_at, now)
    window = settings.SERVICEDESK["FEEDBACK_WINDOW_WORKING_DAYS"]
    req.feedback_due = add_working_days(now, window, deadlines.office_calendar())
    changed.update({"resolved_at", "resolution_minutes", "feedback_due"})


def _close(req: ServiceRequest, *, now: datetime, changed: set[str], **_kw: Any) -> None:
    req.closed_at = now
    req.feedback_due = None
    changed.update({"closed_at", "feedback_due"})


def _reopen(req: ServiceRequest, *, now: datetime, note: str, changed: set[str], **_kw: Any) -> None:
    if not note.strip():
        raise ValidationError({"note": [_("请说明重开原因。")]})
    req.reopen_count += 1
    req.resolved_at = None
    req.closed_at = None
    req.feedback_due = None
    req.resolution_breached = False
    req.resolution_clock_from = now
    changed.update(
        {"reopen_count", "resolved_at", "closed_at", "feedback_due", "resolution_breached", "resolution_clock_from"}
    )


def _cancel(req: ServiceRequest, *, now: datetime, changed: set[str], changes: dict[str, Any], **_kw: Any) -> None:
    _end_pause(req, now, changed, changes)
    req.closed_at = now
    changed.add("closed_at")


def _reject(
    req: ServiceRequest, *, now: datetime, note: str, changed: set[str], changes: dict[str, Any], **_kw: Any
) -> None:
    if not note.strip():
        raise ValidationError({"note": [_("请填写驳回理由。")]})
    _end_pause(req, now, changed, changes)
    req.closed_at = now
    changed.add("closed_at")


def _reassign(
    req: ServiceRequest,
    *,
    now: datetime,
    note: str,
    contract: Contract | None,
    changed: set[str],
    changes: dict[str, Any],
    **_kw: Any,
) -> None:
    if contract is None:
        raise ValidationError({"contract": [_("请选择改派的合同。")]})
    if not note.strip():
        raise ValidationError({"note": [_("请说明改派原因。")]})
    if contract.service_line != req.service_line:
        raise ValidationError({"contract": [_("合同的服务条线与请求不一致。")]})
    today = timezone.localdate(now)
    if not contract.active or not contract.starts_on <= today <= contract.ends_on:
        raise ValidationError({"contract": [_("该合同不在有效期内。")]})
    if not contract.compounds.filter(pk=req.compound_id).exists():
        raise ValidationError({"contract": [_("该合同不覆盖请求所在院区。")]})
    changes["contract"] = [req.contract_id, contract.pk]
    changes["contractor"] = [req.contractor_id, contract.contractor_id]
    _end_pause(req, now, changed, changes)
    req.contract = contract
    req.contractor_id = contract.contractor_id
    req.assignee = None
    req.hold_reason = ""
    # The new contractor's clock starts now, under its own contract's policy and calendar.
    req.policy_version = contract.sla_policy.current_version()
    req.calendar = contract.calendar
    req.clock_started_at = now
    req.resolution_clock_from = now
    req.responded_at = req.arrived_at = None
    req.response_breached = req.arrival_breached = req.resolution_breached = False
    changed.update(
        {
            "contract",
            "contractor",
            "assignee",
            "hold_reason",
            "policy_version",
            "calendar",
            "responded_at",
            "arrived_at",
        }
    )


def _confirm(req: ServiceRequest, **kwargs: Any) -> None:
    _close(req, **kwargs)


def _worked_minutes(req: ServiceRequest, start: datetime | None, end: datetime) -> int | None:
    if start is None:
        return None
    from tickets.sla.clock import working_minutes_between

    return working_minutes_between(start, end, deadlines.work_calendar_of(req), deadlines.pauses_of(req))


# Each takes the locked request and the keywords transition() passes (actor, now, note, …, changed, changes).
_EFFECTS: dict[str, Callable[..., None]] = {
    "approve": _approve,
    "accept": _accept,
    "assign": _assign,
    "start": _start,
    "hold": _hold,
    "resume": _resume,
    "resolve": _resolve,
    "confirm": _confirm,
    "reopen": _reopen,
    "cancel": _cancel,
    "reject": _reject,
    "reassign": _reassign,
    "close": _close,
}
