"""Admin of the stored report output (read-only: exports and monthly reports change only through
tickets.reports services). Loaded from tickets/admin.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from tickets.models import Export, MonthlyReport


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnly):
    list_display = ["month", "generated_at", "emailed_at"]


@admin.register(Export)
class ExportAdmin(ReadOnly):
    list_display = ["owner", "format", "state", "progress", "created_at"]
