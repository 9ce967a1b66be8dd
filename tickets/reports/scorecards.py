"""Monthly contractor scorecards (考核): scheme, draft, adjust, sign, revise, appeal, roll-ups.

Scoring (docs: "Scorecard"):
- a weighted indicator earns weight × value / target, at most its weight (no target: weight × value / 100);
  without data for the month (no ratings, no inspection) it earns its full weight;
- a deduction indicator takes per_unit points for each unit above the allowance, at most cap points;
- a site's score is the sum, between 0 and 100; with the lowest-site rule and several sites, the month's score
  is the lowest site's, otherwise the indicators are computed over the whole contract;
- payment, threshold rule: score ≥ pass score → the full fee, otherwise (base + score) % of it;
  pool rule: (100 − pool) % of the fee plus the pool × score / 100; fixed penalties are then taken off.
A signed revision is frozen; a later change is a new revision with a reason.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import (
    Complaint,
    Contract,
    Indicator,
    Inspection,
    PaymentRule,
    PenaltyEvent,
    PenaltySeverity,
    Role,
    SchemeIndicator,
    Scorecard,
    ScorecardAdjustment,
    ScorecardAppeal,
    ScorecardLine,
    ScoringScheme,
    ServiceRequest,
    User,
)
from tickets.models.assessment import DEFAULT_PENALTY_AMOUNTS
from tickets.reports.selectors import (
    RATED_Q,
    REOPENED_Q,
    RESOLVED_EVER_Q,
    SATISFIED_Q,
    late_q,
    on_time_q,
)
from tickets.services.common import now_or
from tickets.services.permissions import is_bureau_for

TWO = Decimal("0.01")
HUNDRED = Decimal(100)
Method = SchemeIndicator.Method


def q2(value: Decimal) -> Decimal:
    return value.quantize(TWO, ROUND_HALF_UP)


def _require_bureau(actor: User, contract: Contract) -> None:
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN) and not actor.is_superuser:
        raise ActionForbidden(_("只有管理处室可以进行考核。"))
    if not is_bureau_for(actor, contract.service_line):
        raise ActionForbidden(_("您不负责该合同的服务条线。"))


# --- the scheme ----------------------------------------------------------------------------------------------


def _dec(value: Any, key: str, errors: dict[str, list[str]], default: Decimal | None = None) -> Decimal | None:
    if value in (None, ""):
        return default
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(key, []).append(_("请填写数字。"))
        return default


def scheme_check_indicators(indicators: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The indicator rows as saved, and the errors keyed indicators.<n> (the n-th row) or indicators (the set):
    a known indicator once, weight or deduction, a weight and a target above 0, deduction points above 0, and
    the weights of the weighted indicators adding up to 100."""
    errors: dict[str, list[str]] = {}
    rows = []
    seen: set[str] = set()
    for n, raw in enumerate(indicators):
        key = f"indicators.{n}"
        indicator, method = raw.get("indicator"), raw.get("method")
        if indicator not in Indicator.values:
            errors.setdefault(key, []).append(_("未知的指标：%(v)s。") % {"v": indicator})
            continue
        if indicator in seen:
            errors.setdefault(key, []).append(_("指标重复：%(v)s。") % {"v": Indicator(indicator).label})
        seen.add(indicator)
        if method not in Method.values:
            errors.setdefault(key, []).append(_("计分方式应为权重或扣分。"))
            continue
        row = {
            "indicator": indicator,
            "method": method,
            "sort": n,
            "weight": _dec(raw.get("weight"), key, errors, Decimal(0)),
            "target": _dec(raw.get("target"), key, errors),
            "per_unit": _dec(raw.get("per_unit"), key, errors, Decimal(0)),
            "allowance": _dec(raw.get("allowance"), key, errors, Decimal(0)),
            "cap": _dec(raw.get("cap"), key, errors),
        }
        if method == Method.WEIGHT and not (row["weight"] or 0) > 0:
            errors.setdefault(key, []).append(_("权重指标的权重必须大于0。"))
        if method == Method.WEIGHT and row["target"] is not None and not row["target"] > 0:
            errors.setdefault(key, []).append(_("目标值必须大于0。"))
        if method == Method.DEDUCTION and not (row["per_unit"] or 0) > 0:
            errors.setdefault(key, []).append(_("扣分指标的每单位扣分必须大于0。"))
        rows.append(row)
    weights = sum((r["weight"] or Decimal(0) for r in rows if r["method"] == Method.WEIGHT), Decimal(0))
    if not indicators:
        errors["indicators"] = [_("请至少设置一个考核指标。")]
    elif weights != HUNDRED:
        errors.setdefault("indicators", []).append(
            _("权重指标的权重合计必须为100，当前为%(sum)s。") % {"sum": format(weights.normalize(), "f")}
        )
    return rows, errors


def scheme_check_rules(
    *,
    payment_rule: str = PaymentRule.THRESHOLD,
    pass_score: Any = 85,
    base_percent: Any = 15,
    pool_percent: Any = 5,
    penalty_amounts: Any = None,
    appeal_days: Any = 5,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The payment rule, penalty amounts and appeal days as saved, and the errors keyed by field."""
    errors: dict[str, list[str]] = {}
    if payment_rule not in PaymentRule.values:
        errors["payment_rule"] = [_("未知的支付规则。")]
    pass_d = _dec(pass_score, "pass_score", errors, Decimal(85))
    base_d = _dec(base_percent, "base_percent", errors, Decimal(15))
    pool_d = _dec(pool_percent, "pool_percent", errors, Decimal(5))
    if pass_d is not None and not Decimal(0) <= pass_d <= HUNDRED:
        errors["pass_score"] = [_("分数线应在0到100之间。")]
    if base_d is not None and not Decimal(0) <= base_d <= HUNDRED:
        errors["base_percent"] = [_("支付基数应在0到100之间。")]
    if pool_d is not None and not Decimal(0) <= pool_d <= HUNDRED:
        errors["pool_percent"] = [_("考核金比例应在0到100之间。")]
    amounts: dict[str, int | float] = {}
    if not isinstance(penalty_amounts or {}, dict):
        errors["penalty_amounts"] = [_("应为等级到金额的对象。")]
        penalty_amounts = {}
    for severity, amount in (penalty_amounts or {}).items():
        value = _dec(amount, "penalty_amounts", errors)
        if severity not in PenaltySeverity.values:
            errors.setdefault("penalty_amounts", []).append(_("未知的扣款等级：%(v)s。") % {"v": severity})
        elif value is None or value < 0:
            errors.setdefault("penalty_amounts", []).append(_("扣款金额不能为负数。"))
        else:
            amounts[severity] = float(value)
    try:
        days = int(appeal_days)
    except (TypeError, ValueError):
        days = 0
    if not 0 < days <= 60:
        errors["appeal_days"] = [_("申诉期限应在1到60天之间。")]
    values = {
        "payment_rule": payment_rule,
        "pass_score": pass_d,
        "base_percent": base_d,
        "pool_percent": pool_d,
        "penalty_amounts": amounts,
        "appeal_days": days,
    }
    return values, errors


def scheme_save(
    *,
    actor: User,
    contract: Contract,
    indicators: list[dict[str, Any]],
    lowest_site_rule: bool = False,
    payment_rule: str = PaymentRule.THRESHOLD,
    pass_score: Any = 85,
    base_percent: Any = 15,
    pool_percent: Any = 5,
    penalty_amounts: dict[str, Any] | None = None,
    appeal_days: int = 5,
    now: datetime | None = None,
) -> ScoringScheme:
    """Set the contract's scheme. Refused (400) unless the weights of the weighted indicators add up to 100 and
    the payment rule, penalty amounts and appeal days are valid (the API and the admin both save through here)."""
    now = now_or(now)
    _require_bureau(actor, contract)
    rows, errors = scheme_check_indicators(indicators)
    rules, rule_errors = scheme_check_rules(
        payment_rule=payment_rule,
        pass_score=pass_score,
        base_percent=base_percent,
        pool_percent=pool_percent,
        penalty_amounts=penalty_amounts,
        appeal_days=appeal_days,
    )
    errors.update(rule_errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        scheme, _created = ScoringScheme.objects.select_for_update().get_or_create(
            contract=contract, defaults={"updated_at": now}
        )
        scheme.lowest_site_rule = lowest_site_rule
        scheme.payment_rule = rules["payment_rule"]
        scheme.pass_score, scheme.base_percent = rules["pass_score"], rules["base_percent"]
        scheme.pool_percent = rules["pool_percent"]
        scheme.penalty_amounts = rules["penalty_amounts"]
        scheme.appeal_days = rules["appeal_days"]
        scheme.updated_at, scheme.updated_by = now, actor
        scheme.save()
        scheme.indicators.all().delete()
        SchemeIndicator.objects.bulk_create(SchemeIndicator(scheme=scheme, **r) for r in rows)
    return scheme


def scheme_snapshot(scheme: ScoringScheme) -> dict[str, Any]:
    return {
        "lowest_site_rule": scheme.lowest_site_rule,
        "payment_rule": scheme.payment_rule,
        "pass_score": str(scheme.pass_score),
        "base_percent": str(scheme.base_percent),
        "pool_percent": str(scheme.pool_percent),
        "appeal_days": scheme.appeal_days,
        "penalty_amounts": {**DEFAULT_PENALTY_AMOUNTS, **(scheme.penalty_amounts or {})},
        "indicators": [
            {
                "indicator": i.indicator,
                "method": i.method,
                "weight": str(i.weight),
                "target": None if i.target is None else str(i.target),
                "per_unit": str(i.per_unit),
                "allowance": str(i.allowance),
                "cap": None if i.cap is None else str(i.cap),
            }
            for i in scheme.indicators.all()
        ],
    }


# --- figures and points --------------------------------------------------------------------------------------


def month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, datetime.min.time()), tz),
        timezone.make_aware(datetime.combine(nxt, datetime.min.time()), tz),
    )


def indicator_values(
    contract: Contract, month: date, *, by_site: bool, now: datetime
) -> dict[int | None, dict[str, Decimal | None]]:
    """Indicator values per site (compound id) or for the whole contract (key None), from the database."""
    start, end = month_bounds(month)
    key = "compound" if by_site else None
    period = Q(contract=contract, created_at__gte=start, created_at__lt=end)
    aggs: dict[str, Any] = {
        f"{t}_{k}": Count("id", filter=(on_time_q(t) if k == "on" else late_q(t, now)))
        for t in ("response", "arrival", "resolution")
        for k in ("on", "late")
    }
    aggs.update(
        rated=Count("id", filter=RATED_Q),
        satisfied=Count("id", filter=SATISFIED_Q),
        reopened=Count("id", filter=REOPENED_Q),
        resolved=Count("id", filter=RESOLVED_EVER_Q),
    )
    base = ServiceRequest.objects.filter(period).order_by()
    rows = base.values(key).annotate(**aggs) if key else [base.aggregate(**aggs)]
    complaints = Complaint.objects.filter(
        request__contract=contract, created_at__gte=start, created_at__lt=end
    ).order_by()
    insp = Inspection.objects.filter(contract=contract, inspected_at__gte=start, inspected_at__lt=end).order_by()
    if key:
        complaint_n = {
            r["request__compound"]: r["n"] for r in complaints.values("request__compound").annotate(n=Count("id"))
        }
        insp_avg = {r["compound"]: r["avg"] for r in insp.values("compound").annotate(avg=Avg("score"))}
        sites: list[int | None] = list(contract.compounds.values_list("pk", flat=True))
    else:
        complaint_n = {None: complaints.count()}
        insp_avg = {None: insp.aggregate(avg=Avg("score"))["avg"]}
        sites = [None]
    by_key = {(r.get(key) if key else None): r for r in rows}
    out: dict[int | None, dict[str, Decimal | None]] = {}
    for site in sites:
        r = by_key.get(site, {})

        def pct(part: int, whole: int) -> Decimal | None:
            return q2(Decimal(part) * HUNDRED / Decimal(whole)) if whole else None

        values: dict[str, Decimal | None] = {}
        for t in ("response", "arrival", "resolution"):
            on, late = r.get(f"{t}_on") or 0, r.get(f"{t}_late") or 0
            values[f"{t}_on_time"] = pct(on, on + late)
        values["satisfaction"] = pct(r.get("satisfied") or 0, r.get("rated") or 0)
        values["reopen_rate"] = pct(r.get("reopened") or 0, r.get("resolved") or 0)
        values["complaints"] = Decimal(complaint_n.get(site, 0))
        avg = insp_avg.get(site)
        values["inspection"] = None if avg is None else q2(Decimal(str(avg)))
        out[site] = values
    return out


def indicator_points(spec: dict[str, Any], value: Decimal | None) -> Decimal:
    if spec["method"] == Method.WEIGHT:
        weight = Decimal(spec["weight"])
        if value is None:
            return q2(weight)
        target = Decimal(spec["target"]) if spec.get("target") else None
        earned = weight * value / target if target else weight * value / HUNDRED
        return q2(min(weight, max(Decimal(0), earned)))
    if value is None:
        return Decimal("0.00")
    units = max(Decimal(0), value - Decimal(spec.get("allowance") or 0))
    deduction = units * Decimal(spec["per_unit"])
    if spec.get("cap") not in (None, ""):
        deduction = min(deduction, Decimal(spec["cap"]))
    return -q2(deduction)


def payment(snapshot: dict[str, Any], score: Decimal, fee: Decimal) -> Decimal:
    if snapshot["payment_rule"] == PaymentRule.POOL:
        pool = fee * Decimal(snapshot["pool_percent"]) / HUNDRED
        return q2(fee - pool + pool * score / HUNDRED)
    if score >= Decimal(snapshot["pass_score"]):
        return q2(fee)
    return q2(min(fee, fee * (Decimal(snapshot["base_percent"]) + score) / HUNDRED))


def _settle(card: Scorecard) -> None:
    """Recompute the totals of a draft from its lines (after computing or adjusting)."""
    snap = card.scheme_snapshot
    sites: dict[int | None, Decimal] = defaultdict(Decimal)
    for line in card.lines.all():
        sites[line.compound_id] += line.points
    site_scores = {k: q2(min(HUNDRED, max(Decimal(0), v))) for k, v in sites.items()}
    score = min(site_scores.values()) if site_scores else HUNDRED
    card.site_scores = {("all" if k is None else str(k)): str(v) for k, v in site_scores.items()}
    card.score = score
    card.fee_payable = payment(snap, score, card.monthly_fee)
    card.penalty_total = q2(
        sum(
            (p.amount for p in PenaltyEvent.objects.filter(contract_id=card.contract_id, month=card.month)),
            Decimal(0),
        )
    )
    card.amount_payable = max(Decimal("0.00"), q2(card.fee_payable - card.penalty_total))


# --- lifecycle -----------------------------------------------------------------------------------------------


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
    _require_bureau(actor, scorecard.contract)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("调整评分必须写明理由。")]
    new = _dec(points, "points", errors)
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
        card.save(update_fields=["site_scores", "score", "fee_payable", "penalty_total", "amount_payable"])
    return card


def scorecard_sign(*, scorecard: Scorecard, actor: User, now: datetime | None = None) -> Scorecard:
    now = now_or(now)
    _require_bureau(actor, scorecard.contract)
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
    _require_bureau(actor, scorecard.contract)
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
    _require_bureau(actor, appeal.contract)
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
    _require_bureau(actor, contract)
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
            draft.save(update_fields=["site_scores", "score", "fee_payable", "penalty_total", "amount_payable"])
    return event


# --- reads ---------------------------------------------------------------------------------------------------


def scorecards_visible_to(user: User) -> QuerySet[Scorecard]:
    qs = Scorecard.objects.select_related("contract__contractor", "signed_by")
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role == Role.SUPERVISOR and user.service_line:
        return qs.filter(contract__service_line=user.service_line)
    if user.role == Role.DISPATCHER and user.contractor_id:
        # The contractor sees its signed scorecards, never the bureau's drafts.
        return qs.filter(contract__contractor_id=user.contractor_id, state=Scorecard.State.SIGNED)
    return qs.none()


def assessed_contracts_visible_to(user: User) -> QuerySet[Contract]:
    """Contracts whose scorecards and roll-ups the user may read: as scorecards_visible_to."""
    qs = Contract.objects.select_related("contractor")
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role == Role.SUPERVISOR and user.service_line:
        return qs.filter(service_line=user.service_line)
    if user.role == Role.DISPATCHER and user.contractor_id:
        return qs.filter(contractor_id=user.contractor_id)
    return qs.none()


def rollup_period(year: str | None, quarter: str | None, *, today: date) -> tuple[int, int | None]:
    """(year, quarter or None for the whole year) from the query's text; the year defaults to today's."""
    year_raw, quarter_raw = (year or "").strip() or str(today.year), (quarter or "").strip()
    errors: dict[str, list[str]] = {}
    if not year_raw.isdigit() or not 2000 <= int(year_raw) <= 2100:
        errors["year"] = [_("年份无效。")]
    if quarter_raw and not (quarter_raw.isdigit() and 1 <= int(quarter_raw) <= 4):
        errors["quarter"] = [_("季度应为1到4。")]
    if errors:
        raise ValidationError(errors)
    return int(year_raw), int(quarter_raw) if quarter_raw else None


def current_signed(contract: Contract, months: list[date]) -> dict[date, Scorecard]:
    """The latest signed revision per month: what counts for payment and roll-ups."""
    latest = (
        Scorecard.objects.filter(contract=contract, month__in=months, state=Scorecard.State.SIGNED)
        .values("month")
        .annotate(rev=Max("revision"))
    )
    wanted = Q(pk__in=[])
    for row in latest:
        wanted |= Q(month=row["month"], revision=row["rev"])
    return {c.month: c for c in Scorecard.objects.filter(Q(contract=contract) & wanted)}


def rollup(contract: Contract, year: int, quarter: int | None = None) -> dict[str, Any]:
    """Quarterly or yearly roll-up of signed months: mean score, fees, deductions, penalties."""
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": [_("季度应为1到4。")]})
    first = 1 if quarter is None else 3 * quarter - 2
    months = [date(year, m, 1) for m in range(first, first + (12 if quarter is None else 3))]
    cards = current_signed(contract, months)
    rows = []
    for m in months:
        c = cards.get(m)
        rows.append(
            {
                "month": m.strftime("%Y-%m"),
                "signed": c is not None,
                "scorecard": c.pk if c else None,
                "revision": c.revision if c else None,
                "score": str(c.score) if c else None,
                "monthly_fee": str(c.monthly_fee) if c else None,
                "fee_payable": str(c.fee_payable) if c else None,
                "penalty_total": str(c.penalty_total) if c else None,
                "amount_payable": str(c.amount_payable) if c else None,
            }
        )
    signed = list(cards.values())
    mean = q2(sum((c.score for c in signed), Decimal(0)) / len(signed)) if signed else None
    return {
        "contract": contract.pk,
        "contract_name": contract.name,
        "year": year,
        "quarter": quarter,
        "months": rows,
        "signed_months": len(signed),
        "mean_score": None if mean is None else str(mean),
        "lowest_score": str(min(c.score for c in signed)) if signed else None,
        "fee_total": str(q2(sum((c.monthly_fee for c in signed), Decimal(0)))),
        "payable_total": str(q2(sum((c.amount_payable for c in signed), Decimal(0)))),
        "penalty_total": str(q2(sum((c.penalty_total for c in signed), Decimal(0)))),
    }
