"""Admin for vehicle reference data. Trips, approvals and alerts are read-only here: they change through the
fleet services (pages and API) so that every step writes its event on the core request."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fleet.models import (
    Driver,
    FleetRate,
    TripApproval,
    Vehicle,
    VehicleAlert,
    VehicleMovement,
    VehicleRecord,
    VehicleSeal,
    VehicleTrip,
)


class VehicleRecordInline(admin.TabularInline):
    model = VehicleRecord
    extra = 0
    fields = ["kind", "date", "valid_until", "amount", "odometer_km", "provider", "note"]


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ["plate", "model", "category", "seats", "energy", "home_compound", "status", "colour", "rental"]
    list_filter = ["category", "status", "energy", "colour", "rental"]
    search_fields = ["plate", "model", "label_code"]
    inlines = [VehicleRecordInline]


@admin.register(Driver)
class DriverAdmin(admin.ModelAdmin):
    list_display = ["user", "licence_class", "licence_number", "licence_expires", "active"]
    list_filter = ["licence_class", "active"]


@admin.register(FleetRate)
class FleetRateAdmin(admin.ModelAdmin):
    list_display = ["contract", "valid_from", "per_km", "per_hour"]


@admin.register(VehicleSeal)
class VehicleSealAdmin(admin.ModelAdmin):
    list_display = ["vehicle", "starts_at", "ends_at", "reason"]


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VehicleTrip)
class VehicleTripAdmin(_ReadOnly):
    list_display = ["request", "stage", "purpose", "slot_start", "slot_end", "vehicle", "driver", "cost_total"]
    list_filter = ["stage", "emergency", "rental", "scope"]
    list_select_related = ["request", "vehicle", "driver__user"]


@admin.register(TripApproval)
class TripApprovalAdmin(_ReadOnly):
    list_display = ["trip", "level", "decision", "approver", "post_hoc", "decided_at"]


@admin.register(VehicleAlert)
class VehicleAlertAdmin(_ReadOnly):
    list_display = ["vehicle", "kind", "level", "message", "raised_at", "resolved_at"]
    list_filter = ["kind", "level"]


@admin.register(VehicleMovement)
class VehicleMovementAdmin(admin.ModelAdmin):
    list_display = ["__str__"]
