"""Reads of assessment: what each user may see, the month's indicator figures, and the roll-ups."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from tickets.api.fields import visible_or_404  # noqa: F401 (the views' and the API's look-up)
from tickets.assessment.models import Inspection, Scorecard
from tickets.assessment.scoring import HUNDRED, counted_site, mean, month_bounds, q2
from tickets.maintenance.selectors import on_time_rates
from tickets.models import Complaint, Contract, Role, ServiceRequest, User
from tickets.reports.selectors import (
    RATED_Q,
    REOPENED_Q,
    RESOLVED_EVER_Q,
    SATISFIED_Q,
    late_q,
    on_time_q,
)

YEARS = (2000, 2100)  # the years a roll-up may ask for


def inspections_visible_to(user: User) -> QuerySet[Inspection]:
    qs = Inspection.objects.select_related("template", "contract__contractor", "compound", "building", "inspector")
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role == Role.SUPERVISOR and user.service_line:
        return qs.filter(contract__service_line=user.service_line)
    if user.role == Role.DISPATCHER and user.contractor_id:
        return qs.filter(contract__contractor_id=user.contractor_id)
    return qs.none()


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


def _small_int(raw: str) -> int | None:
    """ASCII digits only: "²" passes str.isdigit() but not int()."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else None


def rollup_period(year: Any, quarter: Any, *, today: date) -> tuple[int, int | None]:
    """(year, quarter or None for the whole year) from the query's text; the year defaults to today's."""
    year_raw = (year if isinstance(year, str) else "").strip() or str(today.year)
    quarter_raw = (quarter if isinstance(quarter, str) else "").strip()
    errors: dict[str, list[str]] = {}
    year_n, quarter_n = _small_int(year_raw), _small_int(quarter_raw)
    if year_n is None or not YEARS[0] <= year_n <= YEARS[1]:
        errors["year"] = [_("年份无效。")]
    if quarter_raw and not (quarter_n is not None and 1 <= quarter_n <= 4):
        errors["quarter"] = [_("季度应为1到4。")]
    if errors:
        raise ValidationError(errors)
    assert year_n is not None
    return year_n, quarter_n if quarter_raw else None


def scorecard_sites(card: Scorecard, names: dict[int | None, str]) -> list[dict[str, Any]]:
    """The card's site subtotals in the order of its lines: compound id (None for the whole contract), name,
    score, and whether it is the site the month's score is taken from (lowest-site rule, several sites)."""
    counted = counted_site(card.site_scores)
    out = []
    for key, score in card.site_scores.items():
        compound = int(key) if key.isdigit() else None
        out.append(
            {
                "compound": compound,
                "name": names.get(compound, "") if compound is not None else _("全合同"),
                "score": score,
                "counts": key == counted,
            }
        )
    return sorted(out, key=lambda site: (site["compound"] is not None, site["compound"] or 0))


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
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValidationError({"year": [_("年份无效。")]})
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
    mean_score = mean([c.score for c in signed])
    return {
        "contract": contract.pk,
        "contract_name": contract.name,
        "year": year,
        "quarter": quarter,
        "months": rows,
        "signed_months": len(signed),
        "mean_score": None if mean_score is None else str(mean_score),
        "lowest_score": str(min(c.score for c in signed)) if signed else None,
        "fee_total": str(q2(sum((c.monthly_fee for c in signed), Decimal(0)))),
        "payable_total": str(q2(sum((c.amount_payable for c in signed), Decimal(0)))),
        "penalty_total": str(q2(sum((c.penalty_total for c in signed), Decimal(0)))),
    }


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
    complaint_n: dict[int | None, int]
    insp_avg: dict[int | None, Any]
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
    next_month = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
    maintenance = on_time_rates(contract, month.replace(day=1), next_month, by_site=bool(key))
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
        values["planned_maintenance"] = maintenance.get(site)
        out[site] = values
    return out
