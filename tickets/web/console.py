"""The bureau's console: what is open where, what is about to breach or has, satisfaction, and complaints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets import selectors
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.http import AuthenticatedHttpRequest
from tickets.models import (
    OPEN_STATUSES,
    Complaint,
    Contractor,
    Event,
    EventKind,
    Feedback,
    Role,
    ServiceLine,
    ServiceRequest,
    Status,
    User,
)
from tickets.querysets import ServiceRequestQuerySet, visibility_q
from tickets.selectors import time_bucket
from tickets.services.feedback import complaint_callback
from tickets.web import charts
from tickets.web.common import decorate, errors_to_form, is_bureau, page, role_required
from tickets.web.forms import CallbackForm
from tickets.web.rows import request_cards

bureau_only = role_required(is_bureau, gettext_lazy("监管台仅供机关事务局管理处室使用。"))


def console_scope_q(user: User, prefix: str = "") -> Q:
    """A supervisor watches the service line in their charge; the admin and the leaders watch everything.

    A supervisor's line only: its requests are all visible to them, so no OR with their own requests of other lines
    (with the OR, SQLite read the whole table for every count on this page)."""
    if user.role == Role.SUPERVISOR and not user.is_superuser:
        return Q(**{f"{prefix}service_line": user.service_line})
    return visibility_q(user, prefix) or Q()


def feedback_scope_q(user: User) -> Q:
    """console_scope_q for ratings: a supervisor's line read from the rating itself (its index), not its request."""
    if user.role == Role.SUPERVISOR and not user.is_superuser:
        return Q(service_line=user.service_line)
    return console_scope_q(user, "request__")


def console_scope(user: User) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(console_scope_q(user))


def _local_midnight(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _cards(qs: QuerySet[ServiceRequest], now: datetime) -> Sequence[str]:
    return request_cards(decorate(cast(ServiceRequestQuerySet, qs).with_page_columns()[:20], now))


# The two trend charts read weeks and months of history (18k breach events joined to their requests, 650k ratings
# at 1M requests: 0.3 s together). A trend may lag a few minutes, so their figures are kept in the cache that long,
# per scope and day; the cards and lists of the console stay live.
CHART_SECONDS = 300


def _kept[T](user: User, name: str, today: datetime, compute: Callable[[], T]) -> T:
    """A chart's figures from the cache, computed and kept CHART_SECONDS when missing. Every supervisor of a line
    sees the same figures; anyone else by their own visibility."""
    line = user.role == Role.SUPERVISOR and not user.is_superuser
    scope = f"line:{user.service_line}" if line else f"user:{user.pk}"
    return cast(T, cache.get_or_set(f"console:{name}:{scope}:{today:%Y-%m-%d}", compute, CHART_SECONDS))


def breach_counts(scope: Q, *, today: datetime, days: int = 30) -> list[int]:
    """SLA breaches per day over the last ``days`` days (today included), counted once per target breached.
    `scope` is console_scope_q(user, "request__")."""
    per_day = dict(
        Event.objects.filter(scope, kind=EventKind.SLA_BREACH, created_at__gte=today - timedelta(days=days - 1))
        .annotate(day=time_bucket("created_at", [today - timedelta(days=days - 1 - i) for i in range(days)]))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return [per_day.get(i, 0) for i in range(days)]


def breaches_chart(counts: list[int], *, today: datetime) -> charts.Chart:
    first = (today - timedelta(days=len(counts) - 1)).date()
    day_list = [first + timedelta(days=i) for i in range(len(counts))]
    return charts.line("breaches", _("近30天超时"), [d.strftime("%m-%d") for d in day_list], [(_("超时次数"), counts)])


def _month_starts(month: datetime, months: int) -> list[datetime]:
    starts = [month]
    for _i in range(months - 1):
        starts.insert(0, (starts[0] - timedelta(days=1)).replace(day=1))
    return starts


def satisfied_percents(scope: Q, *, month: datetime, months: int = 6) -> list[float | None]:
    """The share of ratings of 4 or 5 per month over the last ``months`` months (this one included).
    `scope` is feedback_scope_q(user)."""
    starts = _month_starts(month, months)
    rows = (
        Feedback.objects.filter(scope, created_at__gte=starts[0])
        .annotate(month=time_bucket("created_at", starts))
        .values("month")
        .annotate(n=Count("id"), satisfied=Count("id", filter=Q(rating__gte=4)))
    )
    by_month = {r["month"]: r for r in rows}
    return [
        round(100 * r["satisfied"] / r["n"], 1) if (r := by_month.get(i)) and r["n"] else None
        for i in range(len(starts))
    ]


def satisfaction_chart(values: list[float | None], *, month: datetime) -> charts.Chart:
    starts = _month_starts(month, len(values))
    return charts.line(
        "satisfaction",
        _("满意率趋势（%）"),
        [start.strftime("%Y-%m") for start in starts],
        [(_("满意率%"), values)],
        max_value=100,
    )


@bureau_only
def console(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    scope = console_scope(user)
    open_qs = scope.filter(is_open=True)
    status_labels = dict(Status.choices)
    line_labels = dict(ServiceLine.choices)
    # One pass over an index of the open requests for the three tables of counts; contractors named afterwards.
    # The contractor is grouped as an expression so that SQLite reads the status index (which holds every column
    # here) instead of scanning the whole contractor index in order to skip sorting the groups.
    counts: list[Any] = list(
        scope.filter(status__in=OPEN_STATUSES)
        .annotate(contractor_key=Coalesce("contractor_id", Value(0)))
        .values("status", "service_line", "contractor_key")
        .annotate(n=Count("id"))
        .order_by()
    )
    names = dict(Contractor.objects.filter(pk__in={r["contractor_key"] for r in counts}).values_list("pk", "name"))
    tallies: dict[str, Counter[Any]] = {key: Counter() for key in ("status", "service_line", "contractor_key")}
    for r in counts:
        for key, tally in tallies.items():
            tally[r[key]] += r["n"]
    by_status = [{"label": status_labels.get(k, k), "n": n, "status": k} for k, n in sorted(tallies["status"].items())]
    by_line = [{"label": line_labels.get(k, k), "n": n} for k, n in sorted(tallies["service_line"].items())]
    by_contractor: list[dict[str, Any]] = sorted(
        (
            {"label": names.get(k) or _("未分派（待管理处室处理）"), "n": n}
            for k, n in tallies["contractor_key"].items()
        ),
        key=lambda r: (-r["n"], str(r["label"])),
    )
    due_soon = open_qs.exclude(status=Status.PENDING_APPROVAL).filter(
        queue_due__gte=now, queue_due__lt=now + timedelta(hours=1), paused_at__isnull=True
    )
    today = _local_midnight(now)
    # The breach events of today first (their time index), then the requests: joining the events of every request
    # in scope and de-duplicating cost 1.3 s at 100k on SQLite.
    breached_ids = Event.objects.filter(kind=EventKind.SLA_BREACH, created_at__gte=today).values("request_id")
    breached_today = scope.filter(pk__in=breached_ids)
    unrouted = open_qs.filter(contractor__isnull=True)
    month = today.replace(day=1)
    feedback_qs = Feedback.objects.filter(feedback_scope_q(user) & Q(created_at__gte=month))
    sat = feedback_qs.aggregate(n=Count("id"), avg=Avg("rating"), satisfied=Count("id", filter=Q(rating__gte=4)))
    sat["percent"] = round(100 * sat["satisfied"] / sat["n"]) if sat["n"] else None
    sat["target"] = settings.SERVICEDESK["SATISFIED_TARGET_PERCENT"]
    recent = list(feedback_qs.select_related("request", "contractor").order_by("-created_at")[:10])
    open_complaints = selectors.complaints_for(user=user).exclude(state=Complaint.State.CLOSED).count()
    console_charts = [
        charts.bar(
            "by-status",
            _("未结请求按状态"),
            [r["label"] for r in by_status],
            [(_("请求"), [r["n"] for r in by_status])],
        ),
        charts.bar(
            "by-contractor",
            _("未结请求按服务商"),
            [r["label"] for r in by_contractor],
            [(_("请求"), [r["n"] for r in by_contractor])],
            horizontal=True,
        ),
        breaches_chart(
            _kept(user, "breaches", today, lambda: breach_counts(console_scope_q(user, "request__"), today=today)),
            today=today,
        ),
        satisfaction_chart(
            _kept(user, "satisfaction", today, lambda: satisfied_percents(feedback_scope_q(user), month=month)),
            month=month,
        ),
    ]
    return page(
        request,
        "tickets/console.html",
        {
            "open_total": sum(r["n"] for r in by_status),
            "by_status": by_status,
            "by_line": by_line,
            "by_contractor": by_contractor,
            "due_soon": _cards(due_soon.order_by("queue_due"), now),
            "breached_today": _cards(breached_today.order_by("-created_at"), now),
            "unrouted": _cards(unrouted.order_by("created_at"), now),
            "sat": sat,
            "recent": recent,
            "open_complaints": open_complaints,
            "charts": console_charts,
        },
    )


@bureau_only
def complaints(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    state = request.GET.get("state", "open")
    qs = selectors.complaints_for(user=user).select_related("request", "contractor", "feedback", "callback_by")
    if state == "open":
        qs = qs.exclude(state=Complaint.State.CLOSED)
    rows = list(qs.order_by("callback_due")[:100])
    now = timezone.now()
    for c in rows:
        c.overdue = c.state == Complaint.State.OPEN and c.callback_due < now  # type: ignore[attr-defined]
        c.form = CallbackForm(prefix=f"c{c.pk}")  # type: ignore[attr-defined]
    bound = getattr(request, "_bound_callback", None)
    if bound:
        for c in rows:
            if c.pk == bound[0]:
                c.form = bound[1]  # type: ignore[attr-defined]
    return page(request, "tickets/complaints.html", {"rows": rows, "state": state}, status=400 if bound else 200)


@bureau_only
def complaint_callback_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("complaints")
    complaint = get_object_or_404(selectors.complaints_for(user=request.user), pk=pk)
    form = CallbackForm(request.POST, prefix=f"c{pk}")
    if form.is_valid():
        try:
            complaint_callback(
                complaint=complaint,
                actor=request.user,
                note=form.cleaned_data["note"],
                close=form.cleaned_data["close"],
            )
        except ActionForbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect("complaints")
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("回访已记录。"))
            return redirect("complaints")
    messages.error(request, _("请按提示修改后重新提交。"))
    request._bound_callback = (pk, form)  # type: ignore[attr-defined]
    request.method = "GET"
    return complaints(request)
