"""Report pages: thin views over the same selectors and services as the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.api.fields import visible_or_404
from tickets.exceptions import ActionForbidden
from tickets.http import AuthenticatedHttpRequest
from tickets.models import (
    Compound,
    Contractor,
    Export,
    MonthlyReport,
    Role,
    ServiceLine,
    Urgency,
)
from tickets.reports.params import GROUPINGS, parse_report_params
from tickets.reports.selectors import (
    DRILL_METRICS,
    drill_queryset,
    planned_maintenance_compliance,
    sla_report_with_trend,
)
from tickets.web import charts


def _guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Bad input renders the form again with field messages (400); a forbidden scope renders 403."""

    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ActionForbidden as exc:
            return render(request, "tickets/reports/error.html", {"message": exc.message}, status=403)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            return render(request, "tickets/reports/error.html", {"errors": errors}, status=400)

    return login_required(inner)


def sla_charts(report: dict[str, Any], trend: list[dict[str, Any]]) -> list[charts.Chart]:
    """Trend (volume and on-time %), backlog by age and satisfaction per group, as the supervisor reads them."""
    rows = report["rows"]
    labels = [str(r["label"]) for r in rows]
    buckets = [("le_1d", _("≤1天")), ("d1_3", _("1–3天")), ("d3_7", _("3–7天")), ("gt_7d", _(">7天"))]
    return [
        charts.line(
            "trend",
            _("趋势"),
            [r["bucket"] for r in trend],
            [
                (_("请求量"), [r["volume"] for r in trend]),
                (_("受理及时率%"), [r["response_on_time_pct"] for r in trend]),
                (_("办结及时率%"), [r["resolution_on_time_pct"] for r in trend]),
            ],
            percent_series=(1, 2),
        ),
        charts.bar(
            "backlog",
            _("积压（按时长）"),
            labels,
            [(label, [r["backlog"][key] for r in rows]) for key, label in buckets],
            stacked=True,
        ),
        charts.bar(
            "satisfaction",
            _("满意度"),
            labels,
            [(_("满意率%"), [r["satisfaction"]["satisfied_pct"] for r in rows])],
            max_value=100,
        ),
    ]


def _default_query(request: AuthenticatedHttpRequest) -> dict[str, str]:
    data = request.GET.dict()
    if not data.get("date_from") and not data.get("date_to"):
        today = timezone.localdate()
        data["date_from"] = today.replace(day=1).isoformat()
        data["date_to"] = today.isoformat()
    return data


@_guarded
def sla_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = _default_query(request)
    params = parse_report_params(request.user, data)
    now = timezone.now()
    report, trend = sla_report_with_trend(params, now=now)
    api_base = reverse("reports-api:sla-requests")
    page_base = reverse("reports:sla-requests-page")
    for row in [*report["rows"], report["total"]]:
        row["page_links"] = {m: url.replace(api_base, page_base, 1) for m, url in row["links"].items()}
    query = urlencode(params.query_dict())
    report_charts = sla_charts(report, trend)
    return render(
        request,
        "tickets/reports/sla.html",
        {
            "report": report,
            "params": params,
            "data": data,
            "groupings": [(k, str(v[1])) for k, v in GROUPINGS.items()],
            "service_lines": ServiceLine.choices,
            "urgencies": Urgency.choices,
            "contractors": Contractor.objects.filter(active=True),
            "compounds": Compound.objects.all(),
            "charts": report_charts,
            "query": query,
            "query_fields": list(params.query_dict().items()),
            "maintenance": planned_maintenance_compliance(params, request.user),
        },
    )


def metric_label(metric: str) -> str:
    """What a drill-down lists, in words ("受理超时" rather than "response_late")."""
    buckets = {"le_1d": _("≤1天"), "d1_3": _("1–3天"), "d3_7": _("3–7天"), "gt_7d": _(">7天")}
    fixed = {
        "volume": _("全部请求"),
        "breached": _("超时请求"),
        "rated": _("已评价"),
        "satisfied": _("满意（4–5分）"),
        "rate_eligible": _("可评价"),
        "reopened": _("返修（重开）"),
        "resolved_ever": _("已办结"),
        "response_measured": _("已计受理用时"),
        "resolution_measured": _("已计办结用时"),
        "complaints": _("投诉"),
        "backlog": _("积压"),
        "response_on_time": _("受理及时"),
        "response_late": _("受理超时"),
        "arrival_on_time": _("到场及时"),
        "arrival_late": _("到场超时"),
        "resolution_on_time": _("办结及时"),
        "resolution_late": _("办结超时"),
    }
    if metric in fixed:
        return fixed[metric]
    if metric.startswith("backlog_") and metric[8:] in buckets:
        return _("积压%(bucket)s") % {"bucket": buckets[metric[8:]]}
    return metric


@_guarded
def drill_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    params = parse_report_params(request.user, request.GET)
    metric = request.GET.get("metric", "volume")
    if metric not in DRILL_METRICS:
        raise ValidationError({"metric": [_("未知的指标：%(v)s。") % {"v": metric}]})
    qs = drill_queryset(params, metric, request.GET.get("key", ""), timezone.now())
    qs = qs.with_list_relations().order_by("-created_at", "-id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rest = request.GET.copy()
    rest.pop("page", None)
    return render(
        request,
        "tickets/reports/drill.html",
        {"page": page, "metric": metric_label(metric), "params": params, "rest": rest.urlencode()},
    )


@_guarded
def export_page(request: HttpRequest, pk: int) -> HttpResponse:
    export = visible_or_404(Export.objects.all(), pk, owner=request.user)
    return render(
        request,
        "tickets/reports/export.html",
        {"export": export, "poll_url": reverse("reports-api:export", args=[export.pk])},
    )


@_guarded
def monthly_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: Any = request.user
    if not (user.is_superuser or user.role in (Role.ADMIN, Role.SUPERVISOR)):
        raise ActionForbidden(_("只有机关事务局人员可以查看月报。"))
    return render(request, "tickets/reports/monthly.html", {"reports": MonthlyReport.objects.all()[:120]})
