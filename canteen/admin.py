"""Admin for canteen reference data (canteens, meals and cut-offs, serving-day exceptions). Menus, bookings, counts
and logs are read-only here: they change through the canteen services (pages and API), which check who acts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext

from canteen.models import (
    Canteen,
    FoodSample,
    HeadCount,
    LogChecklist,
    LogInspection,
    MealBooking,
    MealService,
    ServiceDay,
    WasteLog,
    WeeklyMenu,
)
from canteen.services import assessment
from tickets.models import Role, ServiceLine
from tickets.services.permissions import is_bureau_for


class MealServiceInline(admin.TabularInline):
    model = MealService
    extra = 0
    fields = ["meal", "serves_from", "serves_until", "cutoff_time", "cutoff_days_before", "price", "active"]


class ServiceDayInline(admin.TabularInline):
    model = ServiceDay
    extra = 0
    fields = ["date", "serves", "note"]


@admin.register(Canteen)
class CanteenAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "compound", "contractor", "booking_mode", "calendar", "active"]
    list_filter = ["booking_mode", "active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["units"]
    inlines = [MealServiceInline, ServiceDayInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WeeklyMenu)
class WeeklyMenuAdmin(ReadOnlyAdmin):
    list_display = ["canteen", "week_start", "status", "approved_by", "published_at"]
    list_filter = ["status", "canteen"]


@admin.register(MealBooking)
class MealBookingAdmin(ReadOnlyAdmin):
    list_display = ["service", "date", "diner", "unit", "eating", "guests", "updated_at"]
    list_filter = ["eating", "service__canteen"]
    date_hierarchy = "date"


@admin.register(HeadCount)
class HeadCountAdmin(ReadOnlyAdmin):
    list_display = ["service", "date", "diners", "guests", "total", "served", "frozen_at"]
    list_filter = ["service__canteen"]
    date_hierarchy = "date"


@admin.register(FoodSample)
class FoodSampleAdmin(ReadOnlyAdmin):
    list_display = ["canteen", "dish_name", "weight_g", "taken_at", "disposed_at", "underweight", "early_disposal"]
    list_filter = ["underweight", "early_disposal", "canteen"]


@admin.register(WasteLog)
class WasteLogAdmin(ReadOnlyAdmin):
    list_display = ["canteen", "date", "waste_kg", "diners"]
    list_filter = ["canteen"]


class LogChecklistForm(forms.ModelForm):
    class Meta:
        model = LogChecklist
        fields = [
            "canteen",
            "contract",
            "template",
            "underweight_item",
            "early_disposal_item",
            "waste_item",
            "inspector",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        config = LogChecklist(**{name: data.get(name) for name in self.Meta.fields})
        for field, messages in assessment.log_checklist_errors(config).items():
            self.add_error(field, messages)
        inspector = data.get("inspector")
        if inspector is not None and not (
            inspector.role in (Role.SUPERVISOR, Role.ADMIN) and is_bureau_for(inspector, ServiceLine.CANTEEN)
        ):
            self.add_error("inspector", gettext("登记人须为负责食堂条线的机关事务局主管。"))
        return data


@admin.register(LogChecklist)
class LogChecklistAdmin(admin.ModelAdmin):
    """Which checklist items the sample and waste logs fill each month (the contractor's assessment)."""

    form = LogChecklistForm
    list_display = ["canteen", "contract", "template", "inspector"]


@admin.register(LogInspection)
class LogInspectionAdmin(ReadOnlyAdmin):
    list_display = ["canteen", "month", "samples", "underweight", "early_disposal", "waste_g_per_diner", "inspection"]
    list_filter = ["canteen"]
