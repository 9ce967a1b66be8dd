"""The contractor's workbench: the open queue by due time, coloured by SLA state, and a worker's own tasks."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from tickets import search, selectors
from tickets.models import OPEN_STATUSES, Building, ServiceRequest, Status, Urgency, User
from tickets.pagination import CappedPaginator
from tickets.querysets import BREACHED_Q
from tickets.services.transitions import allowed_actions
from tickets.web.common import ACTION_TEXT, decorate, is_bureau, is_contractor, page, role_required
from tickets.web.filter_form import filter_fields
from tickets.web.rows import queue_rows

QUICK = ("accept", "start", "resume")  # one-tap actions offered on the queue row itself


class QueueFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in Status if s in OPEN_STATUSES], label=_("状态"), empty_label=_("全部")
    )
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label=_("紧急程度"), empty_label=_("全部"))
    building = django_filters.ModelChoiceFilter(
        queryset=Building.objects.select_related("compound"), label=_("楼栋"), empty_label=_("全部")
    )
    who = django_filters.ChoiceFilter(
        method="filter_who",
        label=_("处理人"),
        empty_label=_("全部"),
        choices=[("mine", _("我的")), ("unassigned", _("未派单"))],
    )
    sla = django_filters.ChoiceFilter(
        method="filter_sla",
        label=_("时限"),
        empty_label=_("全部"),
        choices=[("overdue", _("已超时")), ("hour", _("1小时内到期"))],
    )
    q = django_filters.CharFilter(method="filter_text", label=_("关键词"))

    class Meta:
        model = ServiceRequest
        fields: list[str] = []

    def filter_who(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == "mine":
            return qs.filter(assignee=self.request.user)  # type: ignore[union-attr]
        if value == "unassigned":
            return qs.filter(assignee__isnull=True)
        return qs

    def filter_sla(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        now = timezone.now()
        if value == "overdue":
            return qs.filter(BREACHED_Q | Q(queue_due__lt=now))
        if value == "hour":
            return qs.filter(queue_due__gte=now, queue_due__lt=now + timedelta(hours=1))
        return qs

    def filter_text(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return qs
        return qs.filter(search.text_q(value))  # words through the full-text index, or a request number


def queue_queryset(user: User) -> QuerySet[ServiceRequest]:
    return (
        selectors.request_page_rows(user=user)
        .filter(is_open=True)
        .exclude(status=Status.PENDING_APPROVAL)
        .order_by("queue_due", "created_at", "id")
    )


def _with_quick(rows: list[ServiceRequest], user: User) -> list[ServiceRequest]:
    for r in rows:
        r.quick = [(a, ACTION_TEXT[a]) for a in allowed_actions(r, user) if a in QUICK]  # type: ignore[attr-defined]
    return rows


def _real_user(request: HttpRequest) -> Any:
    user: Any = request.user
    if isinstance(user, SimpleLazyObject):
        _ = user.pk  # evaluated (role_required has already read it)
        return user._wrapped
    return user


def _allowed(user: User) -> bool:
    return is_contractor(user) or is_bureau(user)


@role_required(_allowed, _("工作台仅供服务商和管理处室使用。"))
def workbench(request: HttpRequest, mine: bool = False) -> HttpResponse:
    # The user itself, not the lazy wrapper: each row asks the user's role and contractor a dozen times, and every
    # attribute read through the wrapper cost three calls (a tenth of the page's CPU).
    user: Any = _real_user(request)
    qs = queue_queryset(user)
    if mine:
        qs = qs.filter(assignee=user)
    flt = QueueFilter(request.GET or None, queryset=qs, request=request)
    flt.form.label_suffix = ""
    for field in flt.form.fields.values():
        field.widget.attrs.setdefault("class", "input")
    if mine:
        flt.form.fields.pop("who")
    rows_qs = flt.qs if flt.is_bound else qs
    page_obj = CappedPaginator(rows_qs, 50).get_page(request.GET.get("page"))
    rows = _with_quick(decorate(page_obj.object_list), user)
    html = queue_rows(rows, csrf_token=get_token(request), back_url=request.get_full_path())
    template = "tickets/workbench.html"
    # The filter form in Python (called by the template only when it shows the form, not for an htmx swap).
    fields = partial(filter_fields, flt.form)
    context = {"filter": flt, "filter_fields": fields, "page_obj": page_obj, "rows": html, "mine": mine}
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "queue":
        return render(request, "tickets/_queue.html", context)
    return page(request, template, context)


def queue_row(request: HttpRequest, pk: int, message: str = "") -> HttpResponse:
    """One row of the queue after a quick action (htmx swaps it in place)."""
    user: Any = request.user
    req = get_object_or_404(selectors.request_page_rows(user=user), pk=pk)
    rows = _with_quick(decorate([req]), user)
    return HttpResponse(
        queue_rows(rows, csrf_token=get_token(request), back_url=request.get_full_path(), message=message)[0]
    )
