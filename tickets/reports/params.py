"""Report input: the period, the grouping, the filters, and who may see what.

Every report, export and drill-down (API, pages, background exports, the monthly report) parses its query here,
through one serializer, so the same rules give the same 400/403.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tickets.api.fields import IdField
from tickets.exceptions import ActionForbidden
from tickets.models import (
    Building,
    Category,
    Compound,
    Contract,
    Contractor,
    Role,
    ServiceLine,
    Urgency,
    User,
)

MAX_PERIOD_DAYS = 1100  # three years: longer periods belong in the yearly roll-ups
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)  # a date outside these is a typing error
PERIOD_REQUIRED = gettext_lazy("请填写统计期间的起止日期（不接受不限期的统计）。")
BAD_DATE = gettext_lazy("日期格式应为 YYYY-MM-DD。")
# group_by value → (ServiceRequest field, label)
GROUPINGS: dict[str, tuple[str, Any]] = {
    "contractor": ("contractor", gettext_lazy("服务商")),
    "category": ("category", gettext_lazy("服务分类")),
    "compound": ("compound", gettext_lazy("院区")),
    "building": ("building", gettext_lazy("楼栋")),
    "urgency": ("urgency", gettext_lazy("紧急程度")),
    "service_line": ("service_line", gettext_lazy("服务条线")),
}

# filter name → (model for an id filter, or None for a choice filter)
FILTERS: dict[str, Any] = {
    "contractor": Contractor,
    "contract": Contract,
    "category": Category,
    "compound": Compound,
    "building": Building,
    "urgency": Urgency,
    "service_line": ServiceLine,
}


@dataclass(frozen=True)
class ReportParams:
    date_from: date
    date_to: date  # inclusive
    group_by: str
    filters: dict[str, Any] = field(default_factory=dict)  # name → id or choice value
    scope: Q | None = None  # what the user may see; None: everything

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def end(self) -> datetime:
        """Exclusive end: midnight after date_to, local time."""
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    @property
    def group_field(self) -> str:
        return GROUPINGS[self.group_by][0]

    def filter_q(self, prefix: str = "") -> Q:
        q = Q(**{f"{prefix}created_at__gte": self.start, f"{prefix}created_at__lt": self.end})
        return q & self.where_q(prefix)

    def where_q(self, prefix: str = "") -> Q:
        """Scope and filters without the period (the backlog looks at requests older than the period)."""
        q = Q()
        for name, value in self.filters.items():
            column = name if name in ("urgency", "service_line") else f"{name}_id"
            q &= Q(**{f"{prefix}{column}": value})
        if self.scope is not None:
            q &= _prefixed(self.scope, prefix)
        return q

    def query_dict(self) -> dict[str, str]:
        """The parameters as a query string dict, for drill-down links and stored exports."""
        out = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat(), "group_by": self.group_by}
        out.update({k: str(v) for k, v in self.filters.items()})
        return out


def _prefixed_lookup(child: object, prefix: str) -> tuple[str, Any]:
    """A Q's leaf is a (lookup, value) pair."""
    assert isinstance(child, tuple), child
    lookup, value = child
    return f"{prefix}{lookup}", value


def _prefixed(q: Q, prefix: str) -> Q:
    if not prefix:
        return q
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    clone.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (f"{prefix}{child[0]}", child[1])  # type: ignore[index]
        for child in q.children
    ]
    return clone


class ReportForbidden(ActionForbidden):
    """An ActionForbidden that keeps the field names, so the 403 answer is field-keyed too."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("；".join(fields.values()))
        self.fields = fields


def report_scope(user: User) -> Q | None:
    """Bureau leaders see everything, supervisors their service line, dispatchers their contractor's requests.
    Requesters, unit approvers and workers get no reports."""
    if not user.is_authenticated:
        raise ActionForbidden(_("请先登录。"))
    if user.is_superuser or user.role == Role.ADMIN:
        return None
    if user.role == Role.SUPERVISOR and user.service_line:
        return Q(service_line=user.service_line)
    if user.role == Role.DISPATCHER and user.contractor_id:
        return Q(contractor_id=user.contractor_id)
    raise ActionForbidden(_("您无权查看报表。"))


class ChoiceIn(serializers.ChoiceField):
    """A choice whose refusal names the value (and, for the grouping, the choices)."""

    def to_internal_value(self, data: Any) -> Any:
        if data == "" and self.allow_blank:
            return ""
        text = str(data)[:50]
        if text not in self.choice_strings_to_values:
            if self.field_name == "group_by":
                raise serializers.ValidationError(
                    _("未知的分组：%(value)s（可选：%(choices)s）。") % {"value": text, "choices": ", ".join(GROUPINGS)}
                )
            raise serializers.ValidationError(_("无效的取值：%(value)s。") % {"value": text})
        return self.choice_strings_to_values[text]


class ReportQuery(serializers.Serializer):
    """A report's query: the period (both ends required, local dates, inclusive), the grouping and the filters.
    Every report, export and drill-down (API and pages) is parsed here, so the same input gives the same 400."""

    date_from = serializers.DateField(
        label=gettext_lazy("开始日期"), error_messages={"required": PERIOD_REQUIRED, "invalid": BAD_DATE}
    )
    date_to = serializers.DateField(
        label=gettext_lazy("结束日期"), error_messages={"required": PERIOD_REQUIRED, "invalid": BAD_DATE}
    )
    group_by = ChoiceIn(label=gettext_lazy("分组"), choices=list(GROUPINGS), required=False, default="contractor")
    service_line = ChoiceIn(label=gettext_lazy("服务条线"), choices=ServiceLine.choices, required=False)
    urgency = ChoiceIn(label=gettext_lazy("紧急程度"), choices=Urgency.choices, required=False)
    contractor = IdField(label=gettext_lazy("服务商"), required=False)
    contract = IdField(label=gettext_lazy("合同"), required=False)
    category = IdField(label=gettext_lazy("服务分类"), required=False)
    compound = IdField(label=gettext_lazy("院区"), required=False)
    building = IdField(label=gettext_lazy("楼栋"), required=False)

    def validate_date_from(self, value: date) -> date:
        return _in_years(value)

    def validate_date_to(self, value: date) -> date:
        return _in_years(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        date_from, date_to = attrs["date_from"], attrs["date_to"]
        if date_to < date_from:
            raise serializers.ValidationError({"date_to": [_("结束日期不能早于开始日期。")]})
        if (date_to - date_from).days >= MAX_PERIOD_DAYS:
            raise serializers.ValidationError(
                {"date_to": [_("统计期间不能超过%(days)d天。") % {"days": MAX_PERIOD_DAYS}]}
            )
        return attrs


def _in_years(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise serializers.ValidationError(
            _("日期应在%(first)s到%(last)s之间。") % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
        )
    return value


def _plain(data: Any) -> dict[str, Any]:
    """The query as one value per name (a query string's last), without empty values: a blank filter of a
    page's form means "any"."""
    if hasattr(data, "lists"):
        data = {k: v[-1] for k, v in data.lists() if v}
    if not isinstance(data, Mapping):
        raise ValidationError({"non_field_errors": [_("请求体应为 JSON 对象。")]})
    return {k: v for k, v in data.items() if v not in ("", None)}


def _valid_fields(query: ReportQuery) -> dict[str, Any]:
    """The filters that were valid on their own, so one answer names every wrong filter at once."""
    out: dict[str, Any] = {}
    for name in FILTERS:
        raw = query.initial_data.get(name)
        if raw is None or name in query.errors:
            continue
        try:
            out[name] = query.fields[name].run_validation(raw)
        except serializers.ValidationError:
            continue
    return out


def parse_report_params(user: User, data: Any, *, default_group: str = "contractor") -> ReportParams:
    """Parse and check a report query. Raises ValidationError (400, field-keyed) or ActionForbidden (403)."""
    scope = report_scope(user)
    query = ReportQuery(data={"group_by": default_group, **_plain(data)})
    errors: dict[str, list[str]] = {}
    if not query.is_valid():
        errors = {k: [str(m) for m in v] for k, v in query.errors.items()}
    values = query.validated_data if not errors else _valid_fields(query)
    filters: dict[str, Any] = {}
    objects: dict[str, Any] = {}
    for name, model in FILTERS.items():
        if name in errors or name not in values:
            continue
        if model in (Urgency, ServiceLine):
            filters[name] = values[name]
            continue
        obj = model.objects.filter(pk=values[name]).first()
        if obj is None:
            errors[name] = [_("所选对象不存在：%(value)s。") % {"value": values[name]}]
        else:
            filters[name] = obj.pk
            objects[name] = obj
    if errors:
        raise ValidationError(errors)
    _check_filters_allowed(user, filters, objects)
    return ReportParams(
        date_from=values["date_from"],
        date_to=values["date_to"],
        group_by=values["group_by"],
        filters=filters,
        scope=scope,
    )


def _check_filters_allowed(user: User, filters: dict[str, Any], objects: dict[str, Any]) -> None:
    """A filter on something outside the user's scope is refused (403), not silently emptied."""
    if user.is_superuser or user.role == Role.ADMIN:
        return
    denied: dict[str, str] = {}
    if user.role == Role.SUPERVISOR:
        line = user.service_line
        if filters.get("service_line", line) != line:
            denied["service_line"] = _("您只能查看本处室负责的服务条线。")
        for name in ("contractor", "contract", "category"):
            obj = objects.get(name)
            if obj is not None and obj.service_line != line:
                denied[name] = _("该对象不属于您负责的服务条线。")
    elif user.role == Role.DISPATCHER:
        if "contractor" in filters and filters["contractor"] != user.contractor_id:
            denied["contractor"] = _("您只能查看本服务商的数据。")
        contract = objects.get("contract")
        if contract is not None and contract.contractor_id != user.contractor_id:
            denied["contract"] = _("您只能查看本服务商的合同。")
    if denied:
        raise ReportForbidden(denied)
