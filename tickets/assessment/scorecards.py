"""The monthly scorecard's life (考核): draft, adjust, penalties, sign, revise, appeal and answer.

The arithmetic is in scoring.py, the scheme in schemes.py, the reads in selectors.py. A signed revision is
frozen; a later change is a new revision with a reason.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.assessment.models import (
    DEFAULT_PENALTY_AMOUNTS,
    PenaltyEvent,
    PenaltySeverity,
    SchemeIndicator,
    Scorecard,
    ScorecardAdjustment,
    ScorecardAppeal,
    ScorecardLine,
    ScoringScheme,
)
from tickets.assessment.permissions import require_assessor
from tickets.assessment.schemes import parse_decimal, scheme_snapshot
from tickets.assessment.scoring import HUNDRED, indicator_points, q2, totals
from tickets.assessment.selectors import indicator_values
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import Contract, Role, User
from tickets.services.common import now_or

Method = SchemeIndicator.Method
SETTLED_FIELDS = ["site_scores", "score", "fee_payable", "penalty_total", "amount_payable"]


def _settle(card: Scorecard) -> None:
    """Recompute the totals of a draft from its lines and the month's penalties (after computing or adjusting)."""
    result = totals(
        card.scheme_snapshot,
        ((line.compound_id, line.points) for line in card.lines.all()),
        monthly_fee=card.monthly_fee,
        penalties=PenaltyEvent.objects.filter(
            contract_id=card.contract_id, month=card.month, withdrawn_at__isnull=True
        ).values_list("amount", flat=True),
    )
    card.site_scores, card.score = result.site_scores, result.score
    card.fee_payable, card.penalty_total = result.fee_payable, result.penalty_total
    card.amount_payable = result.amount_payable


def _latest(contract: Contract, month: date) -> Scorecard | None:
    return Scorecard.objects.filter(contract=contract, month=month).order_by("-revision").first()


def scorecard_draft(
    *, contract: Contract, month: date, actor: User | None = None, now: datetime | None = None
) -> Scorecard:
    """The month's draft, computed from the data. Idempotent: an existing revision is returned as it is."""
    now = now_or(now)
    month = month.replace(day=1)
    existing = _latest(contract, month)
    if existing is not None:
        return existing
    scheme = ScoringScheme.objects.filter(contract=contract).first()
    if scheme is None:
        raise ValidationError({"contract": [_("该合同尚未设置考核方案。")]})
    snap = scheme_snapshot(scheme)
    by_site = bool(snap["lowest_site_rule"]) and contract.compounds.count() > 1
    values = indicator_values(contract, month, by_site=by_site, now=now)
    try:
        with transaction.atomic():
            card = Scorecard(
                contract=contract,
                month=month,
                revision=1,
                score=HUNDRED,
                monthly_fee=contract.monthly_fee,
                fee_payable=contract.monthly_fee,
                amount_payable=contract.monthly_fee,
                scheme_snapshot=snap,
                created_at=now,
                created_by=actor,
            )
            card.save()
            lines = []
            for site, vals in values.items():
                for spec in snap["indicators"]:
                    value = vals.get(spec["indicator"])
                    points = indicator_points(spec, value)
                    lines.append(
                        ScorecardLine(
                            scorecard=card,
                            compound_id=site,
                            indicator=spec["indicator"],
                            method=spec["method"],
                            value=value,
                            computed_points=points,
                            points=points,
                        )
                    )
            ScorecardLine.objects.bulk_create(lines)
            _settle(card)
            card.save()
    except IntegrityError:
        # Another worker drafted the same month at the same moment.
        existing = _latest(contract, month)
        assert existing is not None
        return existing
    return card


def scorecards_draft_all(*, month: date | None = None, now: datetime | None = None) -> int:
    """Beat, on the 1st: a draft for the month before for every active contract with a scheme."""
    now = now_or(now)
    if month is None:
        first = timezone.localdate(now).replace(day=1)
        month = (first - timedelta(days=1)).replace(day=1)
    count = 0
    for contract in Contract.objects.filter(active=True, scoring_scheme__isnull=False, starts_on__lte=month):
        scorecard_draft(contract=contract, month=month, now=now)
        count += 1
    return count


def _locked_draft(card: Scorecard) -> Scorecard:
    locked = Scorecard.objects.select_for_update().get(pk=card.pk)
    if locked.state != Scorecard.State.DRAFT:
        raise TransitionNotAllowed(
            _("已签发的评分表不能修改；如需更正，请新建修订版并说明理由。"), action="adjust", status=locked.state
        )
    return locked


def scorecard_adjust(
    *,
    scorecard: Scorecard,
    line: ScorecardLine | int,
    points: Any,
    reason: str,
    actor: User,
    now: datetime | None = None,
) -> Scorecard:
    now = now_or(now)
    require_assessor(actor, scorecard.contract)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("调整评分必须写明理由。")]
    new = parse_decimal(points, "points", errors)
    if new is None and "points" not in errors:
        errors["points"] = [_("请填写调整后的得分。")]
    if errors:
        raise ValidationError(errors)
    assert new is not None
    with transaction.atomic():
        card = _locked_draft(scorecard)
        line_pk = line.pk if isinstance(line, ScorecardLine) else line
        target = card.lines.filter(pk=line_pk).first()
        if target is None:
            raise ValidationError({"line": [_("评分项不属于该评分表。")]})
        limit = Decimal(
            next((s["weight"] for s in card.scheme_snapshot["indicators"] if s["indicator"] == target.indicator), "100")
        )
        if target.method == Method.WEIGHT and not Decimal(0) <= new <= limit:
            raise ValidationError({"points": [_("得分应在0到%(max)s之间。") % {"max": format(limit.normalize(), "f")}]})
        if target.method == Method.DEDUCTION and new > 0:
            raise ValidationError({"points": [_("扣分项的得分应为0或负数。")]})
        if target.method == Method.DEDUCTION and new < -HUNDRED:
            raise ValidationError({"points": [_("扣分项的得分不能低于-100。")]})
        ScorecardAdjustment.objects.create(
            scorecard=card,
            line=target,
            old_points=target.points,
            new_points=q2(new),
            reason=reason.strip(),
            actor=actor,
            created_at=now,
        )
        target.points = q2(new)
        target.adjust_reason = reason.strip()
        target.save(update_fields=["points", "adjust_reason"])
        _settle(card)
        card.save(update_fields=SETTLED_FIELDS)
    return card


def scorecard_sign(*, scorecard: Scorecard, actor: User, now: datetime | None = None) -> Scorecard:
    now = now_or(now)
    require_assessor(actor, scorecard.contract)
    with transaction.atomic():
        card = _locked_draft(scorecard)
        _settle(card)  # penalties recorded since the draft count
        card.state = Scorecard.State.SIGNED
        card.signed_at, card.signed_by = now, actor
        card.save(
            update_fields=[
                "state",
                "signed_at",
                "signed_by",
                "site_scores",
                "score",
                "fee_payable",
                "penalty_total",
                "amount_payable",
            ]
        )
    return card


def scorecard_revise(*, scorecard: Scorecard, actor: User, reason: str, now: datetime | None = None) -> Scorecard:
    """A new draft revision of a signed month, copying its lines; the signed one stays as it was."""
    now = now_or(now)
    require_assessor(actor, scorecard.contract)
    if not reason.strip():
        raise ValidationError({"reason": [_("新建修订版必须写明理由。")]})
    with transaction.atomic():
        latest = (
            Scorecard.objects.select_for_update()
            .filter(contract_id=scorecard.contract_id, month=scorecard.month)
            .order_by("-revision")
            .first()
        )
        assert latest is not None
        if latest.state != Scorecard.State.SIGNED:
            raise TransitionNotAllowed(_("该月已有未签发的修订版。"), action="revise", status=latest.state)
        card = Scorecard.objects.create(
            contract_id=latest.contract_id,
            month=latest.month,
            revision=latest.revision + 1,
            score=latest.score,
            site_scores=latest.site_scores,
            monthly_fee=latest.monthly_fee,
            fee_payable=latest.fee_payable,
            penalty_total=latest.penalty_total,
            amount_payable=latest.amount_payable,
            scheme_snapshot=latest.scheme_snapshot,
            reason=reason.strip(),
            created_at=now,
            created_by=actor,
        )
        ScorecardLine.objects.bulk_create(
            ScorecardLine(
                scorecard=card,
                compound_id=line.compound_id,
                indicator=line.indicator,
                method=line.method,
                value=line.value,
                computed_points=line.computed_points,
                points=line.points,
                adjust_reason=line.adjust_reason,
            )
            for line in latest.lines.all()
        )
    return card


def appeal_submit(*, scorecard: Scorecard, actor: User, text: str, now: datetime | None = None) -> ScorecardAppeal:
    """The contractor's dispatcher appeals a signed month once, within the scheme's appeal days of signing."""
    now = now_or(now)
    contract = scorecard.contract
    if actor.role != Role.DISPATCHER or actor.contractor_id != contract.contractor_id:
        raise ActionForbidden(_("只有该合同服务商的调度人员可以申诉。"))
    if scorecard.state != Scorecard.State.SIGNED or scorecard.signed_at is None:
        raise TransitionNotAllowed(_("只能对已签发的评分表申诉。"), action="appeal", status=scorecard.state)
    if not text.strip():
        raise ValidationError({"text": [_("请填写申诉理由。")]})
    days = int(scorecard.scheme_snapshot.get("appeal_days", 5))
    if now > scorecard.signed_at + timedelta(days=days):
        raise TransitionNotAllowed(
            _("已超过申诉期限（签发后%(days)d天内）。") % {"days": days}, action="appeal", status=scorecard.state
        )
    try:
        with transaction.atomic():
            return ScorecardAppeal.objects.create(
                contract=contract,
                month=scorecard.month,
                scorecard=scorecard,
                text=text.strip(),
                submitted_by=actor,
                submitted_at=now,
            )
    except IntegrityError:
        raise TransitionNotAllowed(
            _("该月评分已申诉过，每月只能申诉一次。"), action="appeal", status=scorecard.state
        ) from None


def appeal_answer(*, appeal: ScorecardAppeal, actor: User, answer: str, now: datetime | None = None) -> ScorecardAppeal:
    now = now_or(now)
    require_assessor(actor, appeal.contract)
    if not answer.strip():
        raise ValidationError({"answer": [_("请填写答复。")]})
    with transaction.atomic():
        locked = ScorecardAppeal.objects.select_for_update().get(pk=appeal.pk)
        if locked.state != ScorecardAppeal.State.OPEN:
            raise TransitionNotAllowed(_("该申诉已答复。"), action="answer", status=locked.state)
        locked.state, locked.answer = ScorecardAppeal.State.ANSWERED, answer.strip()
        locked.answered_by, locked.answered_at = actor, now
        locked.save(update_fields=["state", "answer", "answered_by", "answered_at"])
    return locked


def penalty_record(
    *,
    actor: User,
    contract: Contract,
    month: date,
    severity: str,
    description: str,
    compound: Any = None,
    occurred_at: datetime | None = None,
    now: datetime | None = None,
) -> PenaltyEvent:
    now = now_or(now)
    require_assessor(actor, contract)
    errors: dict[str, list[str]] = {}
    if severity not in PenaltySeverity.values:
        errors["severity"] = [_("未知的扣款等级。")]
    if not description.strip():
        errors["description"] = [_("请填写扣款事由。")]
    month = month.replace(day=1)
    signed = Scorecard.objects.filter(contract=contract, month=month, state=Scorecard.State.SIGNED).exists()
    open_draft = Scorecard.objects.filter(contract=contract, month=month, state=Scorecard.State.DRAFT).exists()
    if signed and not open_draft:
        errors["month"] = [_("该月评分表已签发；请先新建修订版再登记扣款。")]
    if errors:
        raise ValidationError(errors)
    scheme = ScoringScheme.objects.filter(contract=contract).first()
    amount = scheme.penalty_amount(severity) if scheme else Decimal(DEFAULT_PENALTY_AMOUNTS[severity])
    with transaction.atomic():
        event = PenaltyEvent.objects.create(
            contract=contract,
            month=month,
            compound=compound,
            severity=severity,
            amount=amount,
            description=description.strip(),
            recorded_by=actor,
            occurred_at=occurred_at or now,
        )
        # The open draft shows the deduction at once, not only when it is signed.
        draft = (
            Scorecard.objects.select_for_update()
            .filter(contract=contract, month=month, state=Scorecard.State.DRAFT)
            .first()
        )
        if draft is not None:
            _settle(draft)
            draft.save(update_fields=SETTLED_FIELDS)
    return event


def penalty_withdraw(*, penalty: PenaltyEvent, actor: User, reason: str, now: datetime | None = None) -> PenaltyEvent:
    """The bureau withdraws a fixed penalty recorded in error, with a reason. The row stays (with who, when and
    why) and stops counting: the month's open draft is settled again at once. A signed month is frozen, so a
    penalty of a signed month is withdrawn on a new revision; a penalty is withdrawn once."""
    now = now_or(now)
    require_assessor(actor, penalty.contract)
    if not reason.strip():
        raise ValidationError({"reason": [_("撤销扣款必须写明理由。")]})
    with transaction.atomic():
        locked = PenaltyEvent.objects.select_for_update().get(pk=penalty.pk)
        if locked.withdrawn_at is not None:
            raise TransitionNotAllowed(_("该笔扣款已撤销。"), action="withdraw", status="withdrawn")
        draft = (
            Scorecard.objects.select_for_update()
            .filter(contract_id=locked.contract_id, month=locked.month, state=Scorecard.State.DRAFT)
            .first()
        )
        signed = Scorecard.objects.filter(
            contract_id=locked.contract_id, month=locked.month, state=Scorecard.State.SIGNED
        ).exists()
        if signed and draft is None:
            raise TransitionNotAllowed(
                _("该月评分表已签发；请先新建修订版再撤销扣款。"), action="withdraw", status=Scorecard.State.SIGNED
            )
        locked.withdrawn_at, locked.withdrawn_by, locked.withdraw_reason = now, actor, reason.strip()[:300]
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
        if draft is not None:
            _settle(draft)
            draft.save(update_fields=SETTLED_FIELDS)
    return locked
