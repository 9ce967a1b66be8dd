"""Admin registration of the equipment register, maintenance plans (saved through the services) and their
occurrences (read-only: the beat writes them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tickets.admin import ReadOnlyAdmin
from tickets.exceptions import ActionForbidden
from tickets.http import AuthenticatedHttpRequest
from tickets.maintenance import register, services
from tickets.maintenance.models import Equipment, MaintenanceOccurrence, MaintenancePlan
from tickets.maintenance.permissions import is_register_keeper


class EquipmentForm(forms.ModelForm):
    """Checked by register.equipment_errors, so the admin refuses what the pages, the API and the import refuse."""

    class Meta:
        model = Equipment
        fields = list(register.EQUIPMENT_FIELDS)

    actor: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["compound"].required = False  # a room (or building, floor) implies it

    def _post_clean(self) -> None:
        """No model validation: the service checks the values (a room fills in the compound)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if not is_register_keeper(self.actor):
            self.add_error(None, _("只有机关事务局的管理员或物业条线主管可以维护设备台账。"))
            return data
        for name, messages in register.equipment_errors(
            data, instance=self.instance if self.instance.pk else None
        ).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return data

    def validate_unique(self) -> None:
        """equipment_errors says it, in the register's words."""


class SavedThroughService(admin.ModelAdmin):
    """An admin whose form knows who edits (its clean() checks the service's rules and rights) and whose save goes
    through the part's service (`create` / `update`), so the admin writes what the pages and the API write."""

    fields_saved: tuple[str, ...] = ()

    def create(self, actor: Any, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update(self, pk: int, actor: Any, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request: AuthenticatedHttpRequest, obj: Any, form: Any, change: bool) -> None:  # type: ignore[override]  # admin pages are for signed-in staff
        values = {name: form.cleaned_data[name] for name in self.fields_saved if name in form.cleaned_data}
        try:
            saved = self.update(obj.pk, request.user, values) if change else self.create(request.user, values)
        except (ValidationError, ActionForbidden) as refusal:
            # The form checked the same rules; only a race or a permission can get here.
            raise forms.ValidationError(str(refusal)) from refusal
        obj.pk = saved.pk
        obj.__dict__.update(saved.__dict__)


@admin.register(Equipment)
class EquipmentAdmin(SavedThroughService):
    form = EquipmentForm
    list_display = ["code", "name", "category", "compound", "building", "contract", "inspection_due_on", "active"]
    list_filter = ["category", "compound", "active"]
    search_fields = ["code", "name", "serial", "make", "model"]
    list_select_related = ["compound", "building", "contract"]

    fields_saved = register.EQUIPMENT_FIELDS

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # an item with history is never deleted: it is marked not in use

    def create(self, actor: Any, values: dict[str, Any]) -> Equipment:
        return register.equipment_create(actor=actor, **values)

    def update(self, pk: int, actor: Any, values: dict[str, Any]) -> Equipment:
        return register.equipment_update(equipment=pk, actor=actor, **values)


class PlanForm(forms.ModelForm):
    """Checked by services.plan_errors, so the admin refuses what the service refuses, with its messages."""

    class Meta:
        model = MaintenancePlan
        fields = list(services.PLAN_FIELDS)

    actor: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            services.check_plan_actor(self.actor, data.get("contract"))
        except ActionForbidden as refusal:
            self.add_error(None, refusal.message)
            return data
        for name, messages in services.plan_errors(data).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(SavedThroughService):
    form = PlanForm
    list_display = ["title", "equipment", "contract", "frequency", "interval", "float_to_working_day", "active"]
    list_filter = ["frequency", "active", "float_to_working_day"]
    list_select_related = ["equipment", "contract"]
    readonly_fields = ["effective_from", "filed_by", "updated_at"]

    fields_saved = services.PLAN_FIELDS

    def create(self, actor: Any, values: dict[str, Any]) -> MaintenancePlan:
        return services.plan_create(actor=actor, **values)

    def update(self, pk: int, actor: Any, values: dict[str, Any]) -> MaintenancePlan:
        return services.plan_update(plan=pk, actor=actor, **values)


@admin.register(MaintenanceOccurrence)
class MaintenanceOccurrenceAdmin(ReadOnlyAdmin):
    list_display = ["plan", "scheduled_on", "due_on", "opens_on", "status", "service_request", "opened_at"]
    list_filter = ["status"]
    list_select_related = ["plan", "service_request"]
    date_hierarchy = "scheduled_on"
