"""Forms of the planned-maintenance pages. They parse; the services decide (their messages land on the fields)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.maintenance.models import WEEKDAY_NAMES, Equipment, MaintenancePlan
from tickets.maintenance.register import EQUIPMENT_FIELDS, repair_categories
from tickets.maintenance.services import PLAN_FIELDS
from tickets.models import (
    Building,
    Category,
    ChecklistItem,
    ChecklistTemplate,
    Contract,
    Floor,
    ServiceLine,
    Urgency,
)
from tickets.services.requests import IDEMPOTENCY_KEY_VALIDATOR
from tickets.web.forms import PhotosField
from tickets.web.params import DATE_MAX, DATE_MIN


class DateInput(forms.DateInput):
    input_type = "date"


class EquipmentForm(forms.ModelForm):
    class Meta:
        model = Equipment
        fields = list(EQUIPMENT_FIELDS)
        widgets = {
            "installed_on": DateInput(),
            "warranty_ends_on": DateInput(),
            "inspection_due_on": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contract = self.fields["contract"]
        assert isinstance(contract, forms.ModelChoiceField)
        contract.queryset = Contract.objects.filter(service_line=ServiceLine.PROPERTY)
        self.fields["compound"].required = False  # a room (or building, floor) implies it

    def validate_unique(self) -> None:
        """The register's service says a taken code, in its own words."""

    def _post_clean(self) -> None:
        """No model validation here: the service checks the values (and the database constraints hold)."""


class RepairForm(forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.none(), label=_("报修类别"), empty_label=None)
    title = forms.CharField(label=_("故障简述"), max_length=200)
    description = forms.CharField(label=_("详细描述"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    photos = PhotosField(label=_("照片"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, validators=[IDEMPOTENCY_KEY_VALIDATOR])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = Category.objects.filter(pk__in=[c.pk for c in repair_categories()]).order_by("sort")


class CostForm(forms.Form):
    cost = forms.DecimalField(label=_("费用(元)"), min_value=0, max_digits=12, decimal_places=2)
    cost_note = forms.CharField(label=_("费用说明"), max_length=200, required=False)


class ChecklistForm(forms.Form):
    """One field per checklist item (pass/fail as a choice, a score or a measured value as a number) and a note
    for each, then photos and a note for the whole work."""

    note = forms.CharField(label=_("作业说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("现场照片"))

    def __init__(self, *args: Any, items: list[ChecklistItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            name = f"item_{item.pk}"
            if item.kind == ChecklistItem.Kind.PASS_FAIL:
                self.fields[name] = forms.ChoiceField(
                    label=item.text,
                    choices=[("pass", _("合格")), ("fail", _("不合格"))],
                    widget=forms.RadioSelect,
                )
            elif item.kind == ChecklistItem.Kind.SCORE:
                self.fields[name] = forms.DecimalField(
                    label=item.text, help_text=_("满分 %(n)s") % {"n": item.points}, max_digits=8, decimal_places=2
                )
            else:
                self.fields[name] = forms.DecimalField(
                    label=f"{item.text}（{item.unit}）" if item.unit else item.text,
                    help_text=_("限值 ≤ %(limit)s %(unit)s")
                    % {
                        "limit": format(item.limit.normalize(), "f") if item.limit is not None else "",
                        "unit": item.unit,
                    },
                    max_digits=13,
                    decimal_places=3,
                    widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
                )
            self.fields[f"{name}_note"] = forms.CharField(label=_("说明"), required=False, max_length=300)
        self.order_fields([*(f for i in items for f in (f"item_{i.pk}", f"item_{i.pk}_note")), "note", "photos"])

    def results(self) -> list[Any]:
        from tickets.assessment.inspections import ItemInput

        out = []
        for item in self.items:
            value = self.cleaned_data.get(f"item_{item.pk}")
            note = self.cleaned_data.get(f"item_{item.pk}_note") or ""
            if item.kind == ChecklistItem.Kind.PASS_FAIL:
                out.append(ItemInput(item=item.pk, passed=None if value in (None, "") else value == "pass", note=note))
            elif item.kind == ChecklistItem.Kind.SCORE:
                out.append(ItemInput(item=item.pk, score=value, note=note))
            else:
                out.append(ItemInput(item=item.pk, measured=value, note=note))
        return out


MAX_REPORT_DAYS = 1100  # as the SLA report: three years


def report_period(data: Mapping[str, Any], *, default_days: int) -> tuple[date, date, dict[str, str]]:
    """A report's `from`/`to` (local dates, inclusive; the last `default_days` by default) and the field messages
    for bad input, for the pages and the API alike."""
    today = timezone.localdate()
    values = {"from": today - timedelta(days=default_days), "to": today}
    errors: dict[str, str] = {}
    for name in values:
        raw = str(data.get(name) or "")
        if raw:
            try:
                values[name] = date.fromisoformat(raw[:10])
            except ValueError:
                errors[name] = str(_("日期格式应为 YYYY-MM-DD。"))
            else:
                if not DATE_MIN <= values[name] <= DATE_MAX:  # local midnight of year 1 cannot be made aware
                    errors[name] = _("日期须在 %(min)s 至 %(max)s 之间。") % {"min": DATE_MIN, "max": DATE_MAX}
    if not errors and values["to"] < values["from"]:
        errors["to"] = str(_("结束日期不能早于开始日期。"))
    elif not errors and (values["to"] - values["from"]).days >= MAX_REPORT_DAYS:
        errors["to"] = _("统计期间不能超过%(days)d天。") % {"days": MAX_REPORT_DAYS}
    return values["from"], values["to"], errors


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class PlanForm(forms.ModelForm):
    """The bureau's plan page: parses the values; `services.plan_create/plan_update` decide (their messages land on
    the fields), so the page refuses what the API and the admin refuse."""

    weekdays = forms.TypedMultipleChoiceField(
        label=_("指定星期"),
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("按周时可选"),
    )

    class Meta:
        model = MaintenancePlan
        fields = list(PLAN_FIELDS)
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        querysets = {
            "equipment": Equipment.objects.filter(active=True).order_by("code"),
            "building": Building.objects.select_related("compound").order_by("compound__name", "code"),
            "floor": Floor.objects.select_related("building").order_by("building_id", "level"),
            "contract": Contract.objects.filter(service_line=ServiceLine.PROPERTY).order_by("name"),
            "category": Category.objects.filter(service_line=ServiceLine.PROPERTY).order_by("sort", "pk"),
            "checklist": ChecklistTemplate.objects.filter(service_line=ServiceLine.PROPERTY).order_by("name"),
        }
        for name, queryset in querysets.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        for name in ("frequency", "interval", "lead_days", "grace_days"):
            self.fields[name].required = False  # the service says what is missing, in its words

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in PLAN_FIELDS}
        data["weekdays"] = sorted(data["weekdays"] or [])
        data["frequency"] = data["frequency"] or ""
        for name, default in (("interval", 1), ("lead_days", 0), ("grace_days", 7)):
            if data[name] is None:
                data[name] = default
        return data

    def validate_unique(self) -> None:
        """The service checks the plan."""

    def _post_clean(self) -> None:
        """No model validation here: the service checks the values (and the database constraints hold)."""
