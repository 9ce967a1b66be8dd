"""Admin for working calendars and the national holiday table (imported by ``tickets.admin``).

The bureau enters each year's State Council notice here, by uploading a CSV/XLSX file; the changelist warns
while the current or next year is missing, because deadlines in such a year are only provisional.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import FileExtensionValidator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tickets.models import BusinessCalendar, CalendarDay, HolidayYear
from tickets.models.calendars import default_weekly_hours
from tickets.sla.calendars import (
    WEEKDAY_NAMES,
    calendar_gaps,
    holiday_year_import,
    parse_holiday_file,
    parse_weekly_hours,
)

# An inline template keeps this feature in one module; it extends the admin's base so it looks native.
UPLOAD_TEMPLATE = """{% extends "admin/base_site.html" %}
{% load i18n admin_urls %}
{% block breadcrumbs %}<div class="breadcrumbs">
<a href="{% url 'admin:index' %}">{% translate 'Home' %}</a>
&rsaquo; <a href="{% url 'admin:app_list' app_label=opts.app_label %}">{{ opts.app_config.verbose_name }}</a>
&rsaquo; <a href="{% url opts|admin_urlname:'changelist' %}">{{ opts.verbose_name_plural|capfirst }}</a>
&rsaquo; {{ title }}
</div>{% endblock %}
{% block content %}<div id="content-main">
<p>{{ help_text }}</p>
<form method="post" enctype="multipart/form-data" id="holiday-upload-form">{% csrf_token %}
{{ form.non_field_errors }}
<fieldset class="module aligned">
{% for field in form %}<div class="form-row">{{ field.errors }}{{ field.label_tag }} {{ field }}
{% if field.help_text %}<div class="help">{{ field.help_text }}</div>{% endif %}</div>{% endfor %}
</fieldset>
<div class="submit-row"><input type="submit" class="default" value="{{ submit_label }}"></div>
</form></div>{% endblock %}
"""


SPAN_RE = re.compile(r"^(\d{1,2})[:：](\d{2})\s*[-–—~～至到]\s*(\d{1,2})[:：](\d{2})$")
SPAN_SPLIT_RE = re.compile(r"[,，、;；\s]+")
SPAN_DASH_RE = re.compile(r"\s*([-–—~～至到])\s*")


def parse_day_hours(text: str) -> list[list[str]]:
    """ "08:30-12:00, 13:30-17:30" → [["08:30", "12:00"], ["13:30", "17:30"]]; the messages are for a clerk."""
    text = (text or "").strip()
    if not text:
        return []
    spans: list[tuple[int, int]] = []
    for part in SPAN_SPLIT_RE.split(SPAN_DASH_RE.sub(r"\1", text)):
        match = SPAN_RE.match(part.strip())
        if not match:
            raise ValidationError(
                _("“%(part)s”看不懂：每个时段写成 08:30-12:00，多个时段用逗号隔开。"), params={"part": part.strip()}
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise ValidationError(_("“%(part)s”中的时间不存在（时 0–24，分 0–59）。"), params={"part": part.strip()})
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise ValidationError(_("“%(part)s”的结束时间要晚于开始时间。"), params={"part": part.strip()})
        spans.append((start, end))
    spans.sort()
    for (_s1, end1), (start2, _e2) in itertools.pairwise(spans):
        if start2 < end1:
            raise ValidationError(_("时段之间不能重叠。"))
    return [[f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"] for a, b in spans]


def format_day_hours(spans: list[list[str]]) -> str:
    return ", ".join(f"{a}-{b}" for a, b in spans)


def _day_field(weekday: int) -> forms.CharField:
    return forms.CharField(
        label=WEEKDAY_NAMES[weekday],
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "08:30-12:00, 13:30-17:30", "size": 40}),
        help_text=_("不上班的日子留空。") if weekday == 6 else "",
    )


class BusinessCalendarForm(forms.ModelForm):
    """Hours per weekday as a clerk writes them ("08:30-12:00, 13:30-17:30"), not as JSON."""

    day_0 = _day_field(0)
    day_1 = _day_field(1)
    day_2 = _day_field(2)
    day_3 = _day_field(3)
    day_4 = _day_field(4)
    day_5 = _day_field(5)
    day_6 = _day_field(6)

    class Meta:
        model = BusinessCalendar
        fields = ["name", "always_open", "observes_public_holidays"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.instance.weekly_hours if self.instance.pk else default_weekly_hours()
        for weekday in range(7):
            self.fields[f"day_{weekday}"].initial = format_day_hours((hours or {}).get(str(weekday), []))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        weekly: dict[str, list[list[str]]] = {}
        for weekday in range(7):
            field = f"day_{weekday}"
            if field in self.errors:
                continue
            try:
                spans = parse_day_hours(cleaned.get(field, ""))
            except ValidationError as exc:
                self.add_error(field, exc)
                continue
            if spans:
                weekly[str(weekday)] = spans
        if not self.errors:
            if not cleaned.get("always_open") and not weekly:
                raise ValidationError(_("非7×24小时的日历至少要有一天的工作时段。"))
            try:
                parse_weekly_hours(weekly)  # the clock's own check, so a saved calendar is one it can use
            except (ValueError, TypeError) as exc:
                raise ValidationError(_("工作时段有误，请检查。")) from exc
            self.instance.weekly_hours = weekly
        return cleaned


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    fieldsets = [
        (None, {"fields": ["name", "always_open", "observes_public_holidays"]}),
        (
            _("每周工作时段"),
            {
                "fields": [f"day_{weekday}" for weekday in range(7)],
                "description": _("每天写一行，如 08:30-12:00, 13:30-17:30（午休不计时）；不上班的日子留空。"),
            },
        ),
    ]
    list_display = ["name", "always_open", "observes_public_holidays", "hours"]
    list_filter = ["always_open", "observes_public_holidays"]
    search_fields = ["name"]

    @admin.display(description=_("工作时段"))
    def hours(self, obj: BusinessCalendar) -> str:
        if obj.always_open:
            return str(_("7×24小时"))
        return "；".join(
            f"{WEEKDAY_NAMES[int(day)]} {format_day_hours(spans)}"
            for day, spans in sorted((obj.weekly_hours or {}).items())
        )

    def save_model(self, request: HttpRequest, obj: BusinessCalendar, form: Any, change: bool) -> None:
        # An edit is a new version; requests already open keep the version they were opened under.
        from tickets.services.deadlines import current_calendar_version

        super().save_model(request, obj, form, change)
        current_calendar_version(obj)


class HolidayUploadForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    notice = forms.CharField(label=_("通知文号"), max_length=200, help_text=_("如：国办发明电〔2025〕7号"))
    file = forms.FileField(
        label=_("文件"),
        validators=[FileExtensionValidator(["csv", "xlsx"])],
        help_text=_("CSV（UTF-8）或 XLSX，列：日期、类型（节假日/调休）、名称"),
    )

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if uploaded.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(_("文件过大。"))
        return uploaded


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):
    list_display = ["year", "notice", "source", "entered_by", "entered_at"]
    list_filter = ["source"]
    readonly_fields = ["year", "source", "entered_by", "entered_at"]
    fields = ["year", "notice", "source", "entered_by", "entered_at"]

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="tickets_holidayyear_upload",
        )
        return [upload, *super().get_urls()]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None) -> Any:
        # A year without its days would mark the year as known and hide the warning: a year is only ever
        # entered together with its notice's days, through the upload.
        return HttpResponseRedirect(reverse("admin:tickets_holidayyear_upload"))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if request.method == "GET":
            this_year = timezone.localdate().year
            gaps = calendar_gaps(this_year, this_year + 1)
            if gaps:
                messages.warning(
                    request,
                    _("以下年份尚未录入国务院节假日安排，涉及这些年份的时限为暂定值：%(years)s")
                    % {"years": "、".join(str(year) for year in gaps)},
                )
            if self.has_add_permission(request):
                messages.info(
                    request,
                    format_html(
                        '<a href="{}">{}</a>',
                        reverse("admin:tickets_holidayyear_upload"),
                        _("上传某年度的国务院节假日安排通知（CSV/XLSX）"),
                    ),
                )
        return super().changelist_view(request, extra_context)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Enter a year's notice from a file: the whole year is replaced, or nothing changes."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = HolidayUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            year = form.cleaned_data["year"]
            try:
                rows = parse_holiday_file(form.cleaned_data["file"])
                holiday_year = holiday_year_import(
                    year=year,
                    rows=rows,
                    notice=form.cleaned_data["notice"],
                    actor=request.user,  # type: ignore[arg-type]
                    source=HolidayYear.Source.UPLOAD,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                count = CalendarDay.objects.filter(date__year=holiday_year.year).count()
                messages.success(
                    request, _("已录入 %(year)d 年节假日安排，共 %(count)d 天。") % {"year": year, "count": count}
                )
                return HttpResponseRedirect(reverse("admin:tickets_holidayyear_changelist"))
        elif request.method == "GET":
            form = HolidayUploadForm(initial={"year": timezone.localdate().year + 1})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("上传节假日安排"),
            "form": form,
            "help_text": _(
                "上传国务院办公厅当年的节假日安排通知。文件须包含该年全部放假日期（含周末）和调休上班日期，"
                "导入后将整体替换该年已有的数据；任何一行有误则不做任何修改。"
            ),
            "submit_label": _("导入"),
        }
        return HttpResponse(engines["django"].from_string(UPLOAD_TEMPLATE).render(context, request))


class YearFilter(admin.SimpleListFilter):
    title = _("年份")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> QuerySet[CalendarDay]:
        value = self.value()
        if value and value.isascii() and value.isdigit() and len(value) <= 4:
            return queryset.filter(date__year=int(value))
        return queryset


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, kind = cleaned.get("date"), cleaned.get("kind")
        if day and kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
            raise ValidationError(
                _("%(day)s 是%(weekday)s，调休上班日只能是周六或周日。"),
                params={"day": day, "weekday": WEEKDAY_NAMES[day.weekday()]},
            )
        return cleaned


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind", YearFilter]
    search_fields = ["name"]
    date_hierarchy = "date"

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return WEEKDAY_NAMES[obj.date.weekday()]
