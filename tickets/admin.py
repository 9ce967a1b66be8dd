"""Django admin for reference data, the catalogue, policies, calendars and contracts.

Requests and events are shown read-only: every change to a request goes through the services (the admin's
actions call the transition gate), and events can be neither edited nor deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tickets import admin_calendars  # noqa: F401  (registers the calendar admin)
from tickets.assessment import admin as assessment_admin  # noqa: F401  (registers inspections and scorecards)
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import (
    Building,
    Category,
    Complaint,
    Compound,
    Contract,
    Contractor,
    Event,
    Floor,
    Notification,
    Room,
    ServiceRequest,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTargetRow,
    Unit,
    User,
    WebhookEndpoint,
)
from tickets.reports import admin as reports_admin  # noqa: F401  (registers exports and monthly reports)
from tickets.services.transitions import transition

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class FloorInline(admin.TabularInline):
    model = Floor
    extra = 0


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "address"]
    search_fields = ["code", "name"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "compound"]
    list_filter = ["compound"]
    search_fields = ["code", "name"]
    inlines = [FloorInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["number", "floor", "building_name", "function", "usable_area", "qr_token"]
    list_filter = ["function", "floor__building__compound", "floor__building"]
    search_fields = ["number"]
    list_select_related = ["floor__building__compound"]
    readonly_fields = ["qr_token"]

    @admin.display(description=_("楼栋"))
    def building_name(self, obj: Room) -> str:
        return str(obj.floor.building)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "level", "active"]
    list_filter = ["level", "active"]
    search_fields = ["code", "name"]


@admin.register(Contractor)
class ContractorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "service_line", "contact_name", "contact_phone", "active"]
    list_filter = ["service_line", "active"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "unit", "contractor", "service_line", "is_active"]
    list_filter = ["role", "service_line", "is_active", "contractor"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("机关事务"), {"fields": ["full_name", "phone", "role", "unit", "contractor", "service_line"]}),
    )


class SlaTargetInline(admin.TabularInline):
    model = SlaTargetRow
    extra = 4
    max_num = 4


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "current"]

    @admin.display(description=_("当前版本"))
    def current(self, obj: SlaPolicy) -> str:
        version = obj.current_version()
        return f"v{version.number}" if version else "—"


@admin.register(SlaPolicyVersion)
class SlaPolicyVersionAdmin(admin.ModelAdmin):
    """Versions are immutable once saved: a change of targets is a new version, so history never moves."""

    list_display = ["policy", "number", "warn_percent", "note", "created_at", "created_by"]
    list_filter = ["policy"]
    inlines = [SlaTargetInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["number", "created_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: SlaPolicyVersion, form: Any, change: bool) -> None:
        if not change:
            last = obj.policy.current_version()
            obj.number = (last.number + 1) if last else 1
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "service_line", "kind", "default_urgency", "needs_approval", "active"]
    list_filter = ["service_line", "kind", "active", "needs_approval"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "contractor", "service_line", "starts_on", "ends_on", "monthly_fee", "active"]
    list_filter = ["service_line", "contractor", "active"]
    filter_horizontal = ["categories", "compounds"]
    search_fields = ["code", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


EVENT_FIELDS = ("created_at", "kind", "action", "actor", "on_behalf_of", "from_status", "to_status", "note")


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = EVENT_FIELDS
    readonly_fields = EVENT_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _gate_action(name: str, label: StrPromise | str) -> Any:
    @admin.action(description=label)
    def run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ServiceRequest]) -> None:
        done = 0
        for req in queryset:
            try:
                transition(service_request=req, action=name, actor=request.user, note=str(_("后台操作")))  # type: ignore[arg-type]
                done += 1
            except (TransitionNotAllowed, ActionForbidden, ValidationError) as exc:
                modeladmin.message_user(request, f"{req.number}: {getattr(exc, 'message', exc)}", messages.WARNING)
        if done:
            modeladmin.message_user(request, _("已处理 %(n)d 条。") % {"n": done}, messages.SUCCESS)

    run.__name__ = f"gate_{name}"
    return run


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "title",
        "status",
        "urgency",
        "category",
        "compound",
        "contractor",
        "created_at",
        "resolution_due",
        "calendar_incomplete",
    ]
    list_filter = ["status", "service_line", "urgency", "contractor", "calendar_incomplete", "resolution_breached"]
    search_fields = ["title", "description"]
    list_select_related = ["category", "compound", "contractor"]
    date_hierarchy = "created_at"
    inlines = [EventInline]
    actions = [_gate_action("close", _("关闭（已办结的请求）"))]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The list must allow actions; the form stays read-only through get_readonly_fields.
        return obj is None and super(ReadOnlyAdmin, self).has_change_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "request", "kind", "action", "actor", "on_behalf_of", "from_status", "to_status"]
    list_filter = ["kind"]
    list_select_related = ["request", "actor"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["request", "source", "state", "service_line", "contractor", "callback_due", "callback_at"]
    list_filter = ["state", "service_line"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "title", "read_at", "emailed_at"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "service_line", "active"]


def _extra_urls() -> list[Any]:
    try:
        from tickets.admin_imports import get_urls
    except ImportError:
        return []
    return get_urls()


_original_get_urls = admin.site.get_urls


def _site_urls() -> list[Any]:
    return [*_extra_urls(), *_original_get_urls()]


admin.site.get_urls = _site_urls  # type: ignore[method-assign]


# Last: it builds on ReadOnlyAdmin above.
from tickets.maintenance import admin as maintenance_admin  # noqa: E402, F401  (registers equipment and plans)
