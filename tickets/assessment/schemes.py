"""A contract's scoring scheme: the checks (the API and the admin both use them) and saving it.

The indicators' weights of the weighted indicators add up to 100; numbers are finite, within the columns'
ranges and rounded to cents, so no input reaches the database it cannot hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tickets.assessment.models import (
    DEFAULT_PENALTY_AMOUNTS,
    Indicator,
    PaymentRule,
    PenaltySeverity,
    SchemeIndicator,
    ScoringScheme,
)
from tickets.assessment.permissions import require_assessor
from tickets.assessment.scoring import HUNDRED, q2
from tickets.models import Contract, User
from tickets.services.common import now_or

Method = SchemeIndicator.Method
MAX_PENALTY_AMOUNT = Decimal(10_000_000)
# Largest value each indicator number may take (the columns hold 4 digits before the point).
INDICATOR_LIMITS = {
    "weight": HUNDRED,
    "target": Decimal(1000),
    "per_unit": HUNDRED,
    "allowance": Decimal(9999),
    "cap": HUNDRED,
}


def parse_decimal(value: Any, key: str, errors: dict[str, list[str]], default: Decimal | None = None) -> Decimal | None:
    """A finite number from text or a number; NaN, infinities and text that is no number are refused."""
    if value in (None, ""):
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        errors.setdefault(key, []).append(_("请填写数字。"))
        return default
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        errors.setdefault(key, []).append(_("请填写数字。"))
        return default
    return number


def _bounded(value: Decimal | None, key: str, limit: Decimal, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None:
        return None
    if not Decimal(0) <= value <= limit:
        errors.setdefault(key, []).append(_("数值应在0到%(max)s之间。") % {"max": format(limit.normalize(), "f")})
        return None
    return q2(value)


def scheme_check_indicators(indicators: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The indicator rows as saved, and the errors keyed indicators.<n> (the n-th row) or indicators (the set):
    a known indicator once, weight or deduction, a weight and a target above 0, deduction points above 0, and
    the weights of the weighted indicators adding up to 100."""
    errors: dict[str, list[str]] = {}
    rows = []
    seen: set[str] = set()
    if not isinstance(indicators, list):
        return [], {"indicators": [_("指标应为对象列表。")]}
    for n, raw in enumerate(indicators):
        key = f"indicators.{n}"
        if not isinstance(raw, Mapping):
            errors.setdefault(key, []).append(_("指标应为对象列表。"))
            continue
        indicator, method = raw.get("indicator"), raw.get("method")
        if not isinstance(indicator, str) or indicator not in Indicator.values:
            errors.setdefault(key, []).append(_("未知的指标：%(v)s。") % {"v": indicator})
            continue
        if indicator in seen:
            errors.setdefault(key, []).append(_("指标重复：%(v)s。") % {"v": Indicator(indicator).label})
        seen.add(indicator)
        if not isinstance(method, str) or method not in Method.values:
            errors.setdefault(key, []).append(_("计分方式应为权重或扣分。"))
            continue
        row: dict[str, Any] = {"indicator": indicator, "method": method, "sort": n}
        for name, default in (("weight", Decimal(0)), ("target", None), ("per_unit", Decimal(0))):
            row[name] = _bounded(
                parse_decimal(raw.get(name), key, errors, default), key, INDICATOR_LIMITS[name], errors
            )
        for name, default in (("allowance", Decimal(0)), ("cap", None)):
            row[name] = _bounded(
                parse_decimal(raw.get(name), key, errors, default), key, INDICATOR_LIMITS[name], errors
            )
        if method == Method.WEIGHT and not (row["weight"] or 0) > 0:
            errors.setdefault(key, []).append(_("权重指标的权重必须大于0。"))
        if method == Method.WEIGHT and row["target"] is not None and not row["target"] > 0:
            errors.setdefault(key, []).append(_("目标值必须大于0。"))
        if method == Method.DEDUCTION and not (row["per_unit"] or 0) > 0:
            errors.setdefault(key, []).append(_("扣分指标的每单位扣分必须大于0。"))
        row["weight"] = row["weight"] or Decimal(0)
        row["per_unit"] = row["per_unit"] or Decimal(0)
        row["allowance"] = row["allowance"] or Decimal(0)
        rows.append(row)
    weights = sum((r["weight"] for r in rows if r["method"] == Method.WEIGHT), Decimal(0))
    if not indicators:
        errors["indicators"] = [_("请至少设置一个考核指标。")]
    elif weights != HUNDRED:
        errors.setdefault("indicators", []).append(
            _("权重指标的权重合计必须为100，当前为%(sum)s。") % {"sum": format(weights.normalize(), "f")}
        )
    return rows, errors


def scheme_check_rules(
    *,
    payment_rule: Any = PaymentRule.THRESHOLD,
    pass_score: Any = 85,
    base_percent: Any = 15,
    pool_percent: Any = 5,
    penalty_amounts: Any = None,
    appeal_days: Any = 5,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The payment rule, penalty amounts and appeal days as saved, and the errors keyed by field."""
    errors: dict[str, list[str]] = {}
    if not isinstance(payment_rule, str) or payment_rule not in PaymentRule.values:
        errors["payment_rule"] = [_("未知的支付规则。")]
    pass_d = parse_decimal(pass_score, "pass_score", errors, Decimal(85))
    base_d = parse_decimal(base_percent, "base_percent", errors, Decimal(15))
    pool_d = parse_decimal(pool_percent, "pool_percent", errors, Decimal(5))
    if pass_d is not None and not Decimal(0) <= pass_d <= HUNDRED:
        errors["pass_score"] = [_("分数线应在0到100之间。")]
    if base_d is not None and not Decimal(0) <= base_d <= HUNDRED:
        errors["base_percent"] = [_("支付基数应在0到100之间。")]
    if pool_d is not None and not Decimal(0) <= pool_d <= HUNDRED:
        errors["pool_percent"] = [_("考核金比例应在0到100之间。")]
    amounts: dict[str, int | float] = {}
    if not isinstance(penalty_amounts or {}, Mapping):
        errors["penalty_amounts"] = [_("应为等级到金额的对象。")]
        penalty_amounts = {}
    for severity, amount in (penalty_amounts or {}).items():
        value = parse_decimal(amount, "penalty_amounts", errors)
        if severity not in PenaltySeverity.values:
            errors.setdefault("penalty_amounts", []).append(_("未知的扣款等级：%(v)s。") % {"v": severity})
        elif value is None or value < 0:
            errors.setdefault("penalty_amounts", []).append(_("扣款金额不能为负数。"))
        elif value > MAX_PENALTY_AMOUNT:
            errors.setdefault("penalty_amounts", []).append(
                _("扣款金额不能超过%(max)s元。") % {"max": MAX_PENALTY_AMOUNT}
            )
        else:
            amounts[severity] = float(q2(value))
    try:
        days = int(appeal_days) if not isinstance(appeal_days, bool) else 0
    except (TypeError, ValueError, OverflowError):
        days = 0
    if not 0 < days <= 60:
        errors["appeal_days"] = [_("申诉期限应在1到60天之间。")]
    values = {
        "payment_rule": payment_rule,
        "pass_score": None if pass_d is None else q2(pass_d),
        "base_percent": None if base_d is None else q2(base_d),
        "pool_percent": None if pool_d is None else q2(pool_d),
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
    penalty_amounts: Mapping[str, Any] | None = None,
    appeal_days: Any = 5,
    now: datetime | None = None,
) -> ScoringScheme:
    """Set the contract's scheme. Refused (400) unless the weights of the weighted indicators add up to 100 and
    the payment rule, penalty amounts and appeal days are valid (the API and the admin both save through here)."""
    now = now_or(now)
    require_assessor(actor, contract)
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
        scheme.lowest_site_rule = bool(lowest_site_rule)
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
    """The scheme as the scorecard keeps it (and as the API shows it): later edits never change a scorecard."""
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
