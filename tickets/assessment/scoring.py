"""Pure scoring arithmetic of the monthly scorecard: no ORM, no clock (docs/architecture.md, "Scorecard").

- a weighted indicator earns weight × value / target, at most its weight (no target: weight × value / 100);
  without data for the month (no ratings, no inspection) it earns its full weight;
- a deduction indicator takes per_unit points for each unit above the allowance, at most cap points;
- a site's score is the sum, between 0 and 100; with the lowest-site rule and several sites, the month's score
  is the lowest site's, otherwise the indicators are computed over the whole contract;
- payment, threshold rule: score ≥ pass score → the full fee, otherwise (base + score) % of it;
  pool rule: (100 − pool) % of the fee plus the pool × score / 100; fixed penalties are then taken off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from tickets.assessment.models import PaymentRule, SchemeIndicator

TWO = Decimal("0.01")
HUNDRED = Decimal(100)
Method = SchemeIndicator.Method


def q2(value: Decimal) -> Decimal:
    return value.quantize(TWO, ROUND_HALF_UP)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as [start, end) in local time."""
    first = month.replace(day=1)
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, datetime.min.time()), tz),
        timezone.make_aware(datetime.combine(nxt, datetime.min.time()), tz),
    )


def indicator_points(spec: Mapping[str, Any], value: Decimal | None) -> Decimal:
    """The points one indicator of the scheme earns (weighted) or takes (deduction, ≤ 0) for a value."""
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


def payment(snapshot: Mapping[str, Any], score: Decimal, fee: Decimal) -> Decimal:
    """The fee payable for a score under the scheme's payment rule, before fixed penalties."""
    if snapshot["payment_rule"] == PaymentRule.POOL:
        pool = fee * Decimal(snapshot["pool_percent"]) / HUNDRED
        return q2(fee - pool + pool * score / HUNDRED)
    if score >= Decimal(snapshot["pass_score"]):
        return q2(fee)
    return q2(min(fee, fee * (Decimal(snapshot["base_percent"]) + score) / HUNDRED))


@dataclass(frozen=True)
class Totals:
    site_scores: dict[str, str]  # compound id (or "all") → score
    score: Decimal
    fee_payable: Decimal
    penalty_total: Decimal
    amount_payable: Decimal


def totals(
    snapshot: Mapping[str, Any],
    line_points: Iterable[tuple[int | None, Decimal]],
    *,
    monthly_fee: Decimal,
    penalties: Iterable[Decimal],
) -> Totals:
    """A scorecard's totals from its lines (site, points) and the month's penalty amounts: each site's score
    between 0 and 100, the month's the lowest site's, then the payment and the penalties."""
    sites: dict[int | None, Decimal] = {}
    for site, points in line_points:
        sites[site] = sites.get(site, Decimal(0)) + points
    site_scores = {k: q2(min(HUNDRED, max(Decimal(0), v))) for k, v in sites.items()}
    score = min(site_scores.values()) if site_scores else HUNDRED
    fee_payable = payment(snapshot, score, monthly_fee)
    penalty_total = q2(sum(penalties, Decimal(0)))
    return Totals(
        site_scores={("all" if k is None else str(k)): str(v) for k, v in site_scores.items()},
        score=score,
        fee_payable=fee_payable,
        penalty_total=penalty_total,
        amount_payable=max(Decimal("0.00"), q2(fee_payable - penalty_total)),
    )


def counted_site(site_scores: Mapping[str, str]) -> str | None:
    """Under the lowest-site rule, the site whose score is the month's (the first lowest); None for one site or a
    card computed over the whole contract."""
    if len(site_scores) < 2:
        return None
    return min(site_scores, key=lambda k: (Decimal(site_scores[k]), k))


def mean(values: list[Decimal]) -> Decimal | None:
    return q2(sum(values, Decimal(0)) / len(values)) if values else None
