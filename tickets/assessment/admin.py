"""Admin of assessment: schemes and checklists are edited here; scorecards, inspections and penalties are
read-only (they change only through tickets.assessment services). Loaded from tickets/admin.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tickets.assessment import schemes
from tickets.models import (
    ChecklistItem,
    ChecklistTemplate,
    Contract,
    Inspection,
    PenaltyEvent,
    Role,
    SchemeIndicator,
    Scorecard,
    ScoringScheme,
)
from tickets.reports.admin import ReadOnly
from tickets.services.permissions import is_bureau_for

SCHEME_RULES = ("payment_rule", "pass_score", "base_percent", "pool_percent", "penalty_amounts", "appeal_days")
INDICATOR_FIELDS = ("indicator", "method", "weight", "target", "per_unit", "allowance", "cap")


class SchemeForm(forms.ModelForm):
    """The scheme's own fields, checked by schemes.scheme_check_rules, the same check as the API's."""

    actor: Any = None  # set per request by ScoringSchemeAdmin.get_form

    class Meta:
        model = ScoringScheme
        fields = ["contract", "lowest_site_rule", *SCHEME_RULES]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        contract = data.get("contract") if "contract" in self.fields else self.instance.contract
        if contract is not None and self.actor is not None and not is_bureau_for(self.actor, contract.service_line):
            self.add_error("contract" if "contract" in self.fields else None, _("您不负责该合同的服务条线。"))
        given = {name: data[name] for name in SCHEME_RULES if name in data}
        _values, errors = schemes.scheme_check_rules(**given)
        for name, messages in errors.items():
            if name in given:  # a field the form already refused keeps its own message
                for message in messages:
                    self.add_error(name, message)
        return data


class IndicatorFormSet(forms.BaseInlineFormSet):
    """The indicators, checked together by schemes.scheme_check_indicators (weights adding up to 100, …);
    a row's messages go on the row, the set's above the table."""

    def clean(self) -> None:
        super().clean()
        self.scheme_indicators: list[dict[str, Any]] = []
        if any(form.errors for form in self.forms):
            return  # each row's own messages first
        kept = [
            form
            for form in self.forms
            # _should_delete_form is the hook Django's formset documentation uses; the stubs leave it out.
            if form.cleaned_data and not (self.can_delete and self._should_delete_form(form))  # type: ignore[attr-defined]
        ]
        kept.sort(key=lambda form: form.cleaned_data.get("sort") or 0)
        rows = [{name: form.cleaned_data.get(name) for name in INDICATOR_FIELDS} for form in kept]
        _rows, errors = schemes.scheme_check_indicators(rows)
        for key, messages in errors.items():
            if key.startswith("indicators."):
                for message in messages:
                    kept[int(key.split(".", 1)[1])].add_error(None, message)
        if errors.get("indicators"):
            raise ValidationError(errors["indicators"])
        self.scheme_indicators = rows


class IndicatorInline(admin.TabularInline):
    model = SchemeIndicator
    formset = IndicatorFormSet
    extra = 0


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    """Saved through schemes.scheme_save, like the API: an invalid scheme is refused with the service's
    messages, and the scheme records who changed it and when."""

    form = SchemeForm
    list_display = ["contract", "payment_rule", "pass_score", "lowest_site_rule", "appeal_days", "updated_at"]
    inlines = [IndicatorInline]
    readonly_fields = ["updated_at", "updated_by"]

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).select_related("contract")
        user = request.user
        if user.is_superuser or user.role == Role.ADMIN:
            return qs
        return qs.filter(contract__service_line=user.service_line or "-") if user.role == Role.SUPERVISOR else qs.none()

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        # The scheme belongs to its contract: another contract's scheme is a new scheme.
        return [*self.readonly_fields, "contract"] if obj is not None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "contract":
            user = request.user
            contracts = Contract.objects.filter(scoring_scheme__isnull=True).select_related("contractor")
            if not (user.is_superuser or user.role == Role.ADMIN):
                contracts = contracts.filter(service_line=user.service_line or "-")
            kwargs["queryset"] = contracts
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        assert issubclass(form, SchemeForm)  # built from self.form
        form.actor = request.user
        return form

    def save_model(self, request: Any, obj: ScoringScheme, form: Any, change: bool) -> None:
        """Nothing yet: the scheme and its indicators are saved together in save_related."""

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        data = form.cleaned_data
        indicators = next(fs for fs in formsets if isinstance(fs, IndicatorFormSet)).scheme_indicators
        scheme = schemes.scheme_save(
            actor=request.user,
            contract=form.instance.contract if change else data["contract"],
            indicators=indicators,
            lowest_site_rule=data.get("lowest_site_rule", False),
            **{name: data[name] for name in SCHEME_RULES if name in data},
        )
        # The admin logs and redirects with the object it built; let it be the saved one.
        form.instance.pk, form.instance._state.adding = scheme.pk, False
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        form.indicators_changed = any(fs.has_changed() for fs in formsets)

    def construct_change_message(self, request: Any, form: Any, formsets: Any, add: bool = False) -> Any:
        message = super().construct_change_message(request, form, formsets, add)
        if getattr(form, "indicators_changed", False) and not add:
            message.append({"changed": {"fields": [str(SchemeIndicator._meta.verbose_name_plural)]}})
        return message


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "service_line", "rectification_category", "active"]
    inlines = [ChecklistItemInline]


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnly):
    list_display = ["contract", "month", "revision", "state", "score", "amount_payable", "signed_at"]
    list_filter = ["state", "contract"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnly):
    list_display = ["contract", "compound", "inspected_at", "score", "failed_items", "inspector"]


@admin.register(PenaltyEvent)
class PenaltyEventAdmin(ReadOnly):
    list_display = ["contract", "month", "severity", "amount", "description", "withdrawn_at"]
