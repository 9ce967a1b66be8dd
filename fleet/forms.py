"""Page forms: they parse input only; the services decide and their ValidationErrors become form errors."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fleet.apps import TRIP_KIND
from fleet.models import MAX_ODOMETER_KM, ApprovalDecision, Driver, RecordKind, TripScope, Vehicle, VehicleCategory
from tickets.models import Category, Compound
from tickets.web.forms import WebForm
from tickets.web.params import BoundedDateField

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# <input type="date"> shows only an ISO value; the locale's format (2026/12/01) leaves it empty.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TripForm(WebForm):
    category = forms.ModelChoiceField(
        Category.objects.filter(kind=TRIP_KIND, active=True), label=_("服务类别"), empty_label=_("请选择")
    )
    compound = forms.ModelChoiceField(Compound.objects.all(), label=_("所在院区"), empty_label=_("请选择院区"))
    purpose = forms.CharField(label=_("用车事由"), max_length=200)
    passenger_count = forms.IntegerField(label=_("乘车人数"), min_value=1, max_value=99, initial=1)
    passenger_names = forms.CharField(label=_("乘车人"), max_length=300, required=False)
    origin = forms.CharField(label=_("出发地"), max_length=200)
    destination = forms.CharField(label=_("目的地"), max_length=200)
    slot_start = forms.DateTimeField(label=_("用车开始"), widget=DT)
    slot_end = forms.DateTimeField(label=_("用车结束"), widget=DT)
    scope = forms.ChoiceField(label=_("范围"), choices=TripScope.choices)
    vehicle_category = forms.ChoiceField(
        label=_("需求车型"), choices=VehicleCategory.choices, initial=VehicleCategory.OTHER
    )
    rental = forms.BooleanField(label=_("公务租车"), required=False)


class NoteForm(WebForm):
    note = forms.CharField(
        label=_("意见/理由"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PosthocForm(NoteForm):
    decision = forms.ChoiceField(label=_("意见"), choices=ApprovalDecision.choices)


class DispatchForm(WebForm):
    vehicle = forms.ModelChoiceField(Vehicle.objects.none(), label=_("车辆"), empty_label=_("请选择车辆"))
    driver = forms.ModelChoiceField(Driver.objects.none(), label=_("驾驶员"), empty_label=_("请选择驾驶员"))

    def __init__(self, *args: object, vehicles: object = None, drivers: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Offered: only free, big-enough, unsealed vehicles and licensed free drivers; the service re-checks.
        self.fields["vehicle"].queryset = vehicles  # type: ignore[attr-defined]
        self.fields["driver"].queryset = drivers  # type: ignore[attr-defined]


class DepartForm(WebForm):
    odometer = forms.IntegerField(label=_("出车里程(公里)"), min_value=0, max_value=MAX_ODOMETER_KM)


class ReturnForm(WebForm):
    odometer = forms.IntegerField(label=_("回场里程(公里)"), min_value=0, max_value=MAX_ODOMETER_KM)
    tolls = forms.DecimalField(label=_("通行费(元)"), max_digits=10, decimal_places=2, initial=0)
    parking = forms.DecimalField(label=_("停车费(元)"), max_digits=10, decimal_places=2, initial=0)
    fuel = forms.DecimalField(label=_("油费/电费(元)"), max_digits=10, decimal_places=2, initial=0)
    note = forms.CharField(label=_("备注"), max_length=1000, required=False)


class RateForm(WebForm):
    rating = forms.TypedChoiceField(label=_("评分"), coerce=int, choices=[(i, i) for i in range(5, 0, -1)])
    comment = forms.CharField(label=_("评价"), max_length=1000, required=False)


class RecordForm(WebForm):
    kind = forms.ChoiceField(label=_("类型"), choices=RecordKind.choices)
    date = forms.DateField(label=_("日期"), widget=DATE)
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=DATE)
    amount = forms.DecimalField(label=_("金额(元)"), max_digits=10, decimal_places=2, initial=0)
    odometer_km = forms.IntegerField(label=_("里程(公里)"), min_value=0, max_value=MAX_ODOMETER_KM, required=False)
    provider = forms.CharField(label=_("单位/保险公司"), max_length=100, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


# A report covers at most this many days: the figures are per vehicle and unit, and years of them are an archive.
PERIOD_MAX_DAYS = 5 * 366


def period_errors(start: date, end: date) -> dict[str, list[str]]:
    if end < start:
        return {"end": [str(_("结束日期不能早于开始日期。"))]}
    if (end - start).days > PERIOD_MAX_DAYS:
        return {"end": [str(_("统计区间不能超过%(days)d天。") % {"days": PERIOD_MAX_DAYS})]}
    return {}


class PeriodForm(WebForm):
    start = BoundedDateField(label=_("开始日期"), widget=DATE, required=True)
    end = BoundedDateField(label=_("结束日期"), widget=DATE, required=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end"):
            for name, messages in period_errors(data["start"], data["end"]).items():
                self.add_error(name, messages)
        return data
