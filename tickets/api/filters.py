from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tickets.api.fields import as_id
from tickets.models import ServiceRequest, Status, Urgency
from tickets.querysets import BREACHED_Q


class ServiceRequestFilter(django_filters.FilterSet):
    # distinct=False: these filter columns of the request itself, so no row can repeat, and a DISTINCT over every
    # column would make the database sort the whole match before it can count or page it.
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False, label=_("状态"))
    urgency = django_filters.MultipleChoiceFilter(choices=Urgency.choices, distinct=False, label=_("紧急程度"))
    category = django_filters.NumberFilter(field_name="category_id", label=_("服务分类"))
    compound = django_filters.NumberFilter(field_name="compound_id", label=_("院区"))
    building = django_filters.NumberFilter(field_name="building_id", label=_("楼栋"))
    contractor = django_filters.NumberFilter(field_name="contractor_id", label=_("服务商"))
    assignee = django_filters.NumberFilter(field_name="assignee_id", label=_("处理人"))
    kind = django_filters.CharFilter(field_name="kind", label=_("业务类型"))
    service_line = django_filters.CharFilter(field_name="service_line", label=_("服务条线"))
    breached = django_filters.BooleanFilter(method="filter_breached", label=_("已超时"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("未结"))
    due_after = django_filters.IsoDateTimeFilter(field_name="resolution_due", lookup_expr="gte", label=_("办结时限起"))
    due_before = django_filters.IsoDateTimeFilter(field_name="resolution_due", lookup_expr="lte", label=_("办结时限止"))
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("提交时间起"))
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte", label=_("提交时间止"))
    q = django_filters.CharFilter(method="filter_text", label=_("关键词"))

    class Meta:
        model = ServiceRequest
        fields: list[str] = []

    def filter_breached(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(BREACHED_Q) if value else queryset.exclude(BREACHED_Q)

    def filter_open(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(is_open=value)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        q = Q(title__icontains=value) | Q(description__icontains=value)
        digits = value.upper().removeprefix("SD").lstrip("0")
        if (number := as_id(digits)) is not None:
            q |= Q(pk=number)
        return queryset.filter(q)
