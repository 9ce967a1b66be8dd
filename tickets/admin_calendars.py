"""Admin for working calendars and the national holiday table (imported by ``tickets.admin``).

The bureau enters each year's State Council notice here, by uploading a CSV/XLSX file; the changelist warns
while the current or next year is missing, because deadlines in such a year are only provisional.
"""

from __future__ import annotations

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


class BusinessCalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["name", "always_open", "weekly_hours", "observes_public_holidays"]

    def clean_weekly_hours(self) -> Any:
        value = self.cleaned_data["weekly_hours"]
        try:
            parse_weekly_hours(value or {})
        except (ValueError, TypeError) as exc:
            raise ValidationError(_("工作时段格式错误：%(error)s"), params={"error": exc}) from exc
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("always_open") and not cleaned.get("weekly_hours"):
            raise ValidationError(_("非7×24小时的日历至少要有一天的工作时段。"))
        return cleaned


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ["name", "always_open", "observes_public_holidays"]
    list_filter = ["always_open", "observes_public_holidays"]
    search_fields = ["name"]

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
        if value and value.isdigit():
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
