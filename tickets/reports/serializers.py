"""Output shapes of the SLA report API (the input is tickets.reports.params.ReportQuery)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets.api.fields import MonthField
from tickets.models import Export, MonthlyReport
from tickets.reports.params import ReportQuery
from tickets.reports.selectors import DRILL_METRICS


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class KeyField(serializers.Field):
    """A row's key: an object's id, a choice value, "none" (no value) or "" (the totals row)."""

    def to_representation(self, value: Any) -> Any:
        return value


class TargetOut(serializers.Serializer):
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    decided = serializers.IntegerField()
    on_time_pct = serializers.FloatField(allow_null=True)


class PercentilesOut(serializers.Serializer):
    p50 = serializers.FloatField(allow_null=True)
    p90 = serializers.FloatField(allow_null=True)
    p95 = serializers.FloatField(allow_null=True)


class DurationsOut(serializers.Serializer):
    response = PercentilesOut()
    resolution = PercentilesOut()


class BacklogOut(serializers.Serializer):
    le_1d = serializers.IntegerField()
    d1_3 = serializers.IntegerField()
    d3_7 = serializers.IntegerField()
    gt_7d = serializers.IntegerField()
    total = serializers.IntegerField()


class SatisfactionOut(serializers.Serializer):
    rated = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    satisfied = serializers.IntegerField()
    satisfied_pct = serializers.FloatField(allow_null=True)
    eligible = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)


class ReopenOut(serializers.Serializer):
    reopened = serializers.IntegerField()
    resolved = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class ReportRowOut(serializers.Serializer):
    key = KeyField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    volume = serializers.IntegerField()
    breached = serializers.IntegerField()
    response = TargetOut()
    arrival = TargetOut()
    resolution = TargetOut()
    durations = DurationsOut()
    backlog = BacklogOut()
    satisfaction = SatisfactionOut()
    reopen = ReopenOut()
    complaints = serializers.IntegerField()
    links = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text=_("每个指标对应的明细链接（报表的下钻接口；可能时还有请求列表接口）"),
    )


class TrendOut(serializers.Serializer):
    bucket = serializers.CharField()
    volume = serializers.IntegerField()
    response_on_time_pct = serializers.FloatField(allow_null=True)
    resolution_on_time_pct = serializers.FloatField(allow_null=True)
    breached = serializers.IntegerField()
    satisfaction_mean = serializers.FloatField(allow_null=True)
    satisfied_pct = serializers.FloatField(allow_null=True)


class PeriodOut(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()


class MaintenanceCountsOut(serializers.Serializer):
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    late = serializers.IntegerField()
    missed = serializers.IntegerField()
    open = serializers.IntegerField()
    skipped = serializers.IntegerField()
    decided = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class MaintenanceRowOut(MaintenanceCountsOut):
    contractor = serializers.IntegerField(source="contractor.pk", allow_null=True)
    contractor_name = serializers.CharField(source="contractor.name", allow_null=True)
    compound = serializers.IntegerField(source="compound.pk", allow_null=True, default=None)
    building = serializers.IntegerField(source="building.pk", allow_null=True, default=None)
    category = serializers.CharField(allow_null=True, help_text=_("设备类别；空为场所作业"))


class PlannedMaintenanceOut(serializers.Serializer):
    """Planned-maintenance compliance for the report's period (by due date) and filters."""

    rows = MaintenanceRowOut(many=True)
    total = MaintenanceCountsOut()


class SlaReportOut(serializers.Serializer):
    period = PeriodOut()
    group_by = serializers.CharField()
    filters = serializers.DictField(child=KeyField())
    computed_at = serializers.DateTimeField()
    backlog_at = serializers.DateTimeField()
    rows = ReportRowOut(many=True)
    total = ReportRowOut()
    trend = TrendOut(many=True, required=False)
    planned_maintenance = PlannedMaintenanceOut(allow_null=True, required=False)


class SlaReportQuery(ReportQuery):
    trend = serializers.BooleanField(required=False, default=True, help_text=_("是否附带趋势（按日或按月）"))


class DrillQuery(ReportQuery):
    metric = serializers.ChoiceField(choices=list(DRILL_METRICS), required=False, default="volume")
    key = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text=_("报表行的 key"))


class ExportStartIn(ReportQuery):
    format = serializers.ChoiceField(
        choices=Export.Format.choices,
        required=False,
        default=Export.Format.XLSX,
        error_messages={"invalid_choice": _("格式应为 xlsx 或 csv。")},
    )


class ExportOut(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display")
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id",
            "state",
            "state_label",
            "format",
            "progress",
            "rows_total",
            "rows_done",
            "error",
            "created_at",
            "finished_at",
            "url",
            "page",
            "download",
        ]

    def get_url(self, obj: Export) -> str:
        return reverse("reports-api:export", args=[obj.pk])

    def get_page(self, obj: Export) -> str:
        return reverse("reports:export-page", args=[obj.pk])

    def get_download(self, obj: Export) -> str | None:
        return reverse("reports-api:export-download", args=[obj.pk]) if obj.state == Export.State.DONE else None


class MonthlyOut(serializers.ModelSerializer):
    month = MonthField()
    total = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyReport
        fields = ["id", "month", "generated_at", "emailed_at", "total", "download"]

    @extend_schema_field(ReportRowOut(allow_null=True))
    def get_total(self, obj: MonthlyReport) -> dict[str, Any] | None:
        total = (obj.summary or {}).get("total")
        return total if isinstance(total, dict) else None

    def get_download(self, obj: MonthlyReport) -> str:
        return reverse("reports-api:monthly-download", args=[obj.pk])
