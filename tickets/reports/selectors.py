"""The SLA report: every figure is an aggregate in the database; Python only divides and labels.

Definitions (docs: "SLA report"):
- volume: requests created in the period (local dates, end inclusive).
- on time, per target (response, arrival, resolution): among requests with a due time for that target, met
  on time = done at or before the due time; late = done after it, or not done and flagged as breached or
  past due at the moment the report is computed. On-time % = on time / (on time + late); requests still
  within their time are in neither.
- durations: p50/p90/p95 of the stored net business minutes (response_minutes, resolution_minutes), see sql.py.
- backlog: requests open at the end of the period (or now, if earlier): created before it, neither resolved
  nor closed by then; aged in calendar days from creation: ≤ 1 d, 1–3 d, 3–7 d, > 7 d.
- breaches: requests created in the period with any breach flag set by the SLA sweeper.
- satisfaction: mean rating, % of ratings 4–5, response rate = rated / (resolved or rated).
- reopen rate: requests reopened at least once / requests resolved at least once.
- complaints: complaints filed in the period about requests in scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.maintenance.models import EquipmentCategory
from tickets.maintenance.selectors import compliance, rate
from tickets.models import (
    Building,
    Category,
    Complaint,
    Compound,
    Contractor,
    ServiceLine,
    ServiceRequest,
    Urgency,
)
from tickets.querysets import ServiceRequestQuerySet
from tickets.reports.params import ReportParams
from tickets.reports.sql import PERCENTILES, TOTAL, duration_percentiles
from tickets.selectors import time_bucket

TARGETS = ("response", "arrival", "resolution")
MET_AT = {"response": "responded_at", "arrival": "arrived_at", "resolution": "resolved_at"}
BACKLOG_BUCKETS = ("le_1d", "d1_3", "d3_7", "gt_7d")
NONE_KEY = "none"
# The core's request list API (servicedesk/urls.py mounts tickets.api.urls at api/v1/ without a namespace).
CORE_REQUEST_LIST_API = "/api/v1/requests/"


def on_time_q(target: str) -> Q:
    due, met = f"{target}_due", MET_AT[target]
    return Q(**{f"{due}__isnull": False, f"{met}__isnull": False, f"{met}__lte": F(due)})


def late_q(target: str, as_of: datetime) -> Q:
    due, met = f"{target}_due", MET_AT[target]
    done_late = Q(**{f"{met}__isnull": False, f"{met}__gt": F(due)})
    overdue = Q(**{f"{met}__isnull": True}) & (Q(**{f"{target}_breached": True}) | Q(**{f"{due}__lte": as_of}))
    return Q(**{f"{due}__isnull": False}) & (done_late | overdue)


BREACHED_Q = Q(response_breached=True) | Q(arrival_breached=True) | Q(resolution_breached=True)
RATED_Q = Q(rating__isnull=False)
SATISFIED_Q = Q(rating__gte=4)
RATE_ELIGIBLE_Q = Q(resolved_at__isnull=False) | Q(rating__isnull=False)
REOPENED_Q = Q(reopen_count__gt=0)
RESOLVED_EVER_Q = Q(resolved_at__isnull=False) | Q(reopen_count__gt=0)


def open_at_q(at: datetime) -> Q:
    """Created before `at`, neither resolved nor closed by then; written as three alternatives that each have an
    index (the unfinished by creation time; resolved after `at`; closed after `at`), so the database reads the
    backlog instead of the whole table. The same set as created < at ∧ (resolved null ∨ ≥ at) ∧ (closed null ∨ ≥ at)."""
    created = Q(created_at__lt=at)
    unfinished = Q(resolved_at__isnull=True, closed_at__isnull=True)
    resolved_later = Q(resolved_at__gte=at) & (Q(closed_at__isnull=True) | Q(closed_at__gte=at))
    closed_later = Q(closed_at__gte=at) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=at))
    return (created & unfinished) | (created & resolved_later) | (created & closed_later)


def backlog_bucket_q(bucket: str, at: datetime) -> Q:
    day = timedelta(days=1)
    return {
        "le_1d": Q(created_at__gte=at - day),
        "d1_3": Q(created_at__lt=at - day, created_at__gte=at - 3 * day),
        "d3_7": Q(created_at__lt=at - 3 * day, created_at__gte=at - 7 * day),
        "gt_7d": Q(created_at__lt=at - 7 * day),
    }[bucket]


def backlog_at(params: ReportParams, now: datetime) -> datetime:
    return min(params.end, now)


def metric_q(metric: str, params: ReportParams, now: datetime) -> Q:
    """The requests behind one figure of the report: the drill-down uses exactly the aggregate's condition."""
    period = params.filter_q()
    if metric.startswith("backlog"):
        at = backlog_at(params, now)
        q = params.where_q() & open_at_q(at)
        bucket = metric.removeprefix("backlog").removeprefix("_")
        return q & backlog_bucket_q(bucket, at) if bucket else q
    if metric == "complaints":
        ids = Complaint.objects.filter(created_at__gte=params.start, created_at__lt=params.end).values("request_id")
        return params.where_q() & Q(pk__in=ids)
    simple: dict[str, Q] = {
        "volume": Q(),
        "breached": BREACHED_Q,
        "rated": RATED_Q,
        "satisfied": SATISFIED_Q,
        "rate_eligible": RATE_ELIGIBLE_Q,
        "reopened": REOPENED_Q,
        "resolved_ever": RESOLVED_EVER_Q,
        "response_measured": Q(response_minutes__isnull=False),
        "resolution_measured": Q(resolution_minutes__isnull=False),
    }
    for t in TARGETS:
        simple[f"{t}_on_time"] = on_time_q(t)
        simple[f"{t}_late"] = late_q(t, now)
    if metric not in simple:
        raise KeyError(metric)
    return period & simple[metric]


DRILL_METRICS = (
    "volume", "breached", "rated", "satisfied", "rate_eligible", "reopened", "resolved_ever", "response_measured",
    "resolution_measured", "complaints", "backlog", *(f"backlog_{b}" for b in BACKLOG_BUCKETS),
    *(f"{t}_{k}" for t in TARGETS for k in ("on_time", "late")),
)  # fmt: skip


def group_q(params: ReportParams, key: Any) -> Q:
    """The condition for one row of the report (key NONE_KEY: the requests without a value)."""
    column = params.group_field if params.group_by in ("urgency", "service_line") else f"{params.group_field}_id"
    if key in (None, NONE_KEY):
        return Q(**{f"{column}__isnull": True})
    return Q(**{column: key})


def drill_queryset(params: ReportParams, metric: str, key: Any, now: datetime) -> ServiceRequestQuerySet:
    qs = ServiceRequest.objects.filter(metric_q(metric, params, now))
    if key is not None and key != "":
        qs = qs.filter(group_q(params, key))
    return qs


def _aggregates(now: datetime) -> dict[str, Any]:
    aggs: dict[str, Any] = {"volume": Count("id"), "breached": Count("id", filter=BREACHED_Q)}
    for t in TARGETS:
        aggs[f"{t}_on_time"] = Count("id", filter=on_time_q(t))
        aggs[f"{t}_late"] = Count("id", filter=late_q(t, now))
    aggs.update(
        rated=Count("id", filter=RATED_Q),
        rating_sum=Sum("rating"),
        satisfied=Count("id", filter=SATISFIED_Q),
        rate_eligible=Count("id", filter=RATE_ELIGIBLE_Q),
        reopened=Count("id", filter=REOPENED_Q),
        resolved_ever=Count("id", filter=RESOLVED_EVER_Q),
    )
    return aggs


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _shape(counts: Mapping[str, Any], pcts: dict[str, dict[float, float | None]] | None) -> dict[str, Any]:
    row: dict[str, Any] = {"volume": counts.get("volume", 0), "breached": counts.get("breached", 0)}
    for t in TARGETS:
        on, late = counts.get(f"{t}_on_time", 0), counts.get(f"{t}_late", 0)
        row[t] = {"on_time": on, "late": late, "decided": on + late, "on_time_pct": _pct(on, on + late)}
    pcts = pcts or {}
    row["durations"] = {
        name.removesuffix("_minutes"): {
            f"p{round(p * 100)}": (None if v is None else round(v, 1)) for p, v in pcts.get(name, {}).items()
        }
        or {f"p{round(p * 100)}": None for p in PERCENTILES}
        for name in ("response_minutes", "resolution_minutes")
    }
    backlog = {b: counts.get(f"backlog_{b}", 0) for b in BACKLOG_BUCKETS}
    row["backlog"] = {**backlog, "total": sum(backlog.values())}
    rated = counts.get("rated", 0)
    row["satisfaction"] = {
        "rated": rated,
        "mean": round((counts.get("rating_sum") or 0) / rated, 2) if rated else None,
        "satisfied": counts.get("satisfied", 0),
        "satisfied_pct": _pct(counts.get("satisfied", 0), rated),
        "eligible": counts.get("rate_eligible", 0),
        "response_rate": _pct(rated, counts.get("rate_eligible", 0)),
    }
    row["reopen"] = {
        "reopened": counts.get("reopened", 0),
        "resolved": counts.get("resolved_ever", 0),
        "rate": _pct(counts.get("reopened", 0), counts.get("resolved_ever", 0)),
    }
    row["complaints"] = counts.get("complaints", 0)
    return row


SUMMED = (
    "volume", "breached", "rated", "rating_sum", "satisfied", "rate_eligible", "reopened", "resolved_ever",
    "complaints", *(f"{t}_{k}" for t in TARGETS for k in ("on_time", "late")),
    *(f"backlog_{b}" for b in BACKLOG_BUCKETS),
)  # fmt: skip


def sla_report(params: ReportParams, *, now: datetime | None = None, with_links: bool = True) -> dict[str, Any]:
    """The grouped SLA report with a totals row. A fixed number of queries (5) whatever the data size."""
    return _report(params, now=now or timezone.now(), with_links=with_links, with_trend=False)[0]


def sla_report_with_trend(
    params: ReportParams, *, now: datetime | None = None, with_links: bool = True
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`sla_report` and `sla_trend` of the same period from one pass over its requests: the counts are grouped by
    (group, trend bucket) once and summed both ways (every figure of both is a count or a sum)."""
    return _report(params, now=now or timezone.now(), with_links=with_links, with_trend=True)


def _report(
    params: ReportParams, *, now: datetime, with_links: bool, with_trend: bool
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    field = params.group_field
    base = ServiceRequest.objects.filter(params.filter_q())
    counts: dict[Any, dict[str, Any]] = {}
    trend_counts: dict[int, dict[str, Any]] = {}
    buckets = trend_buckets(params) if with_trend else []
    grouped = base.order_by()
    if with_trend:
        grouped = grouped.annotate(bucket=time_bucket("created_at", [start for _label, start in buckets]))
    for row in grouped.values(field, *(["bucket"] if with_trend else [])).annotate(**_aggregates(now)):
        key = row.pop(field)
        if not with_trend:
            counts.setdefault(key, {}).update(row)
            continue
        bucket = row.pop("bucket")
        for target in (counts.setdefault(key, {}), trend_counts.setdefault(bucket, {})):
            for name, value in row.items():
                if value is not None:
                    target[name] = target.get(name, 0) + value

    at = backlog_at(params, now)
    backlog_aggs = {f"backlog_{b}": Count("id", filter=backlog_bucket_q(b, at)) for b in BACKLOG_BUCKETS}
    backlog_qs = ServiceRequest.objects.filter(params.where_q() & open_at_q(at))
    for row in backlog_qs.order_by().values(field).annotate(**backlog_aggs):
        counts.setdefault(row.pop(field), {}).update(row)

    complaint_qs = Complaint.objects.filter(
        Q(created_at__gte=params.start, created_at__lt=params.end) & params.where_q("request__")
    )
    for row in complaint_qs.order_by().values(f"request__{field}").annotate(n=Count("id")):
        counts.setdefault(row[f"request__{field}"], {})["complaints"] = row["n"]

    pcts = duration_percentiles(base, group_field=field, with_total=True)
    total_pcts = pcts.pop(TOTAL, None)

    labels = group_labels(params.group_by, [k for k in counts if k is not None])
    rows = []
    for key, c in counts.items():
        row = {
            "key": NONE_KEY if key is None else key,
            "label": labels.get(key, _("（未指定）")),
            **_shape(c, pcts.get(key)),
        }
        rows.append(row)
    rows.sort(key=lambda r: (-r["volume"], str(r["label"])))
    totals = {name: sum((c.get(name) or 0) for c in counts.values()) for name in SUMMED}
    total = {"key": "", "label": _("合计"), **_shape(totals, total_pcts)}
    report = {
        "period": {"date_from": params.date_from.isoformat(), "date_to": params.date_to.isoformat()},
        "group_by": params.group_by,
        "filters": params.filters,
        "computed_at": now.isoformat(),
        "backlog_at": at.isoformat(),
        "rows": rows,
        "total": total,
    }
    if with_links:
        for row in [*rows, total]:
            row["links"] = drill_links(params, row["key"])
    trend = [_trend_row(buckets[b][0], trend_counts[b]) for b in sorted(trend_counts)]
    return report, trend


def drill_links(params: ReportParams, key: Any) -> dict[str, str]:
    """Per figure, a link to the requests behind it: the report's own drill-down (exact for every figure) and,
    where the request list API can express the same set, the core list."""
    query = params.query_dict()
    if key != "":
        query["key"] = str(key)
    base = reverse("reports-api:sla-requests")
    links = {m: f"{base}?{urlencode({**query, 'metric': m})}" for m in DRILL_METRICS}
    core = {
        "created_after": params.start.isoformat(),
        "created_before": (params.end - timedelta(microseconds=1)).isoformat(),
    }
    for name, value in params.filters.items():
        if name != "contract":
            core[name] = str(value)
    if params.scope is not None:
        # A supervisor's list also shows their own requests of other lines; pin the line as the report does.
        for child in params.scope.children:
            if isinstance(child, tuple) and child[0] == "service_line":
                core["service_line"] = child[1]
            if isinstance(child, tuple) and child[0] == "contractor_id":
                core["contractor"] = str(child[1])
    if key not in ("", NONE_KEY) and "contract" not in params.filters:
        core[params.group_by] = str(key)
    if key != NONE_KEY and "contract" not in params.filters:
        api = CORE_REQUEST_LIST_API
        links["api_volume"] = f"{api}?{urlencode(core)}"
        links["api_breached"] = f"{api}?{urlencode({**core, 'breached': 'true'})}"
    return links


def group_labels(group_by: str, keys: list[Any]) -> dict[Any, str]:
    if group_by == "urgency":
        return {k: str(Urgency(k).label) for k in keys if k in Urgency.values}
    if group_by == "service_line":
        return {k: str(ServiceLine(k).label) for k in keys if k in ServiceLine.values}
    model = {"contractor": Contractor, "category": Category, "compound": Compound, "building": Building}[group_by]
    qs = model._default_manager.filter(pk__in=keys)
    if model is Building:
        qs = qs.select_related("compound")
    return {obj.pk: str(obj) for obj in qs}


def trend_buckets(params: ReportParams) -> list[tuple[str, datetime]]:
    """The trend's buckets as (label, local start): days for periods up to 62 days, else months."""
    by_day = (params.date_to - params.date_from).days < 62
    starts: list[date] = []
    day = params.date_from if by_day else params.date_from.replace(day=1)
    while day <= params.date_to:
        starts.append(day)
        day = day + timedelta(days=1) if by_day else (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return [
        (d.isoformat() if by_day else d.strftime("%Y-%m"), timezone.make_aware(datetime.combine(d, time.min)))
        for d in starts
    ]


def sla_trend(params: ReportParams, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Volume, on-time % and satisfaction per day (periods up to 62 days) or per month."""
    now = now or timezone.now()
    buckets = trend_buckets(params)
    bucket = time_bucket("created_at", [start for _label, start in buckets])
    qs = (
        ServiceRequest.objects.filter(params.filter_q())
        .order_by()
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(**_aggregates(now))
        .order_by("bucket")
    )
    return [_trend_row(buckets[row["bucket"]][0], row) for row in qs]


def _trend_row(label: str, counts: Mapping[str, Any]) -> dict[str, Any]:
    shaped = _shape(counts, None)
    return {
        "bucket": label,
        "volume": shaped["volume"],
        "response_on_time_pct": shaped["response"]["on_time_pct"],
        "resolution_on_time_pct": shaped["resolution"]["on_time_pct"],
        "breached": shaped["breached"],
        "satisfaction_mean": shaped["satisfaction"]["mean"],
        "satisfied_pct": shaped["satisfaction"]["satisfied_pct"],
    }


# The report's filters that planned maintenance also has (a plan's contract, place and service category).
MAINTENANCE_FILTERS = ("contractor", "contract", "compound", "building", "category")


def planned_maintenance_compliance(params: ReportParams, user: Any) -> dict[str, Any] | None:
    """The SLA report's planned-maintenance section: the period's due dates per contractor, site and equipment
    category, done on time / late / missed (the maintenance compliance selector, one aggregate). None where the
    report's filters do not apply to planned work (another service line, an urgency); the user's own visibility
    (the property line's bureau, a contractor's staff) narrows the rows."""
    line = params.filters.get("service_line")
    if (line and line != ServiceLine.PROPERTY) or "urgency" in params.filters:
        return None
    where = {k: v for k, v in params.filters.items() if k in MAINTENANCE_FILTERS}
    rows = compliance(
        user=user,
        start=params.date_from,
        end=params.date_to + timedelta(days=1),
        group=("contractor", "compound", "building", "category"),
        where=where,
    )
    labels = dict(EquipmentCategory.choices)
    for r in rows:
        r["category_label"] = labels.get(r["category"], _("场所作业")) if r["category"] else _("场所作业")
    counts = ("total", "done", "late", "missed", "open", "skipped", "decided")
    total: dict[str, Any] = {k: sum(r[k] for r in rows) for k in counts}
    total["on_time_rate"] = rate(total["done"], total["decided"])
    return {"rows": rows, "total": total}
