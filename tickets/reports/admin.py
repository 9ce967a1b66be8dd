"""Admin for the assessment reference data. Loaded by `import tickets.reports.admin  # noqa: F401` in
tickets/admin.py (the lead's file). Scorecards, inspections and exports are read-only here: they change only
through tickets.reports services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tickets.models import (
    ChecklistItem,
    ChecklistTemplate,
    Export,
    Inspection,
    MonthlyReport,
    PenaltyEvent,
    SchemeIndicator,
    Scorecard,
    ScoringScheme,
)


class IndicatorFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        total = Decimal(0)
        for form in self.forms:
            data: dict[str, Any] = getattr(form, "cleaned_data", {})
            if data and not data.get("DELETE") and data.get("method") == SchemeIndicator.Method.WEIGHT:
                total += data.get("weight") or Decimal(0)
        if total != Decimal(100):
            raise ValidationError(
                _("权重指标的权重合计必须为100，当前为%(sum)s。") % {"sum": format(total.normalize(), "f")}
            )


class IndicatorInline(admin.TabularInline):
    model = SchemeIndicator
    formset = IndicatorFormSet
    extra = 0


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    list_display = ["contract", "payment_rule", "pass_score", "lowest_site_rule", "appeal_days"]
    inlines = [IndicatorInline]
    exclude = ["updated_by"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "service_line", "rectification_category", "active"]
    inlines = [ChecklistItemInline]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnly):
    list_display = ["contract", "month", "revision", "state", "score", "amount_payable", "signed_at"]
    list_filter = ["state", "contract"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnly):
    list_display = ["contract", "compound", "inspected_at", "score", "failed_items", "inspector"]


@admin.register(PenaltyEvent)
class PenaltyEventAdmin(ReadOnly):
    list_display = ["contract", "month", "severity", "amount", "description"]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnly):
    list_display = ["month", "generated_at", "emailed_at"]


@admin.register(Export)
class ExportAdmin(ReadOnly):
    list_display = ["owner", "format", "state", "progress", "created_at"]
