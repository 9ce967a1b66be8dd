"""SLA report API under /api/v1/reports/: one view per action, typed input (ReportQuery) and output serializers.

Errors come from servicedesk.api.exception_handler; a filter outside the caller's scope answers 403 keyed by
the filter's name (ReportForbidden).
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.api.fields import visible_or_404
from tickets.api.serializers import RequestListSerializer
from tickets.exceptions import ActionForbidden
from tickets.http import AuthenticatedRequest
from tickets.models import Export, MonthlyReport, Role, ServiceRequest
from tickets.reports import exports, services
from tickets.reports import serializers as out
from tickets.reports.params import ReportForbidden, ReportParams, parse_report_params, report_scope
from tickets.reports.selectors import (
    DRILL_METRICS,
    drill_queryset,
    planned_maintenance_compliance,
    sla_report,
    sla_report_with_trend,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE = OpenApiResponse(OpenApiTypes.BINARY, description="file")


class ReportAPIMixin:
    """A forbidden filter answers 403 with the filter's name as the key of its message."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ReportForbidden):
            body: dict[str, Any] = {"detail": exc.message, "code": "forbidden_filter"}
            body.update({k: [v] for k, v in exc.fields.items()})
            return Response(body, status=status.HTTP_403_FORBIDDEN)
        return super().handle_exception(exc)  # type: ignore[misc]


class ReportAPIView(ReportAPIMixin, APIView):
    request: AuthenticatedRequest
    pass


def _params(request: AuthenticatedRequest) -> ReportParams:
    return parse_report_params(request.user, request.query_params)


def _bureau_only(user: Any) -> None:
    if not (user.is_superuser or user.role in (Role.ADMIN, Role.SUPERVISOR)):
        raise ActionForbidden(_("只有机关事务局人员可以访问。"))


class TrendQuery(serializers.Serializer):
    trend = serializers.BooleanField(required=False, default=True)


class SlaReportView(ReportAPIView):
    @extend_schema(
        operation_id="reports_sla",
        summary="SLA report (grouped, with totals and links to the requests behind each figure)",
        parameters=[out.SlaReportQuery],
        responses=out.SlaReportOut,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        params = _params(request)
        flag = TrendQuery(data=request.query_params)
        flag.is_valid(raise_exception=True)
        now = timezone.now()
        if flag.validated_data["trend"]:
            report, trend = sla_report_with_trend(params, now=now)
            report["trend"] = trend
        else:
            report = sla_report(params, now=now)
        report["planned_maintenance"] = planned_maintenance_compliance(params, request.user)
        return Response(out.SlaReportOut(report).data)


class DrillPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class DrillMetric(serializers.Serializer):
    metric = serializers.ChoiceField(choices=list(DRILL_METRICS), required=False, default="volume")
    key = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")


class SlaDrillView(ReportAPIMixin, generics.ListAPIView):
    request: AuthenticatedRequest
    serializer_class = RequestListSerializer
    pagination_class = DrillPagination
    filter_backends: list[Any] = []

    @extend_schema(
        operation_id="reports_sla_requests",
        summary="The requests behind one figure of the SLA report",
        parameters=[out.DrillQuery],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        params = _params(self.request)
        drill = DrillMetric(data=self.request.query_params)
        drill.is_valid(raise_exception=True)
        v = drill.validated_data
        qs: Any = drill_queryset(params, v["metric"], v["key"], timezone.now())
        return qs.with_list_relations().order_by("-created_at", "-id")


def _filename(prefix: str, params: ReportParams, ext: str) -> str:
    return f"{prefix}-{params.date_from:%Y%m%d}-{params.date_to:%Y%m%d}.{ext}"


class SlaCsvView(ReportAPIView):
    @extend_schema(
        operation_id="reports_sla_csv",
        summary="The requests of the report as CSV, streamed (UTF-8 with BOM)",
        parameters=[out.ReportQuery],
        responses={(200, "text/csv"): FILE},
    )
    def get(self, request: AuthenticatedRequest) -> StreamingHttpResponse:
        params = _params(request)
        qs = ServiceRequest.objects.filter(params.filter_q())
        response = StreamingHttpResponse(exports.csv_stream(qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_filename("sla", params, "csv")}"'
        return response


def _wants_html(request: AuthenticatedRequest) -> bool:
    """A browser (a link or a form on the report page) is sent to the progress page instead of JSON."""
    return "text/html" in request.META.get("HTTP_ACCEPT", "") or request.content_type.startswith(
        "application/x-www-form-urlencoded"
    )


def _started(request: AuthenticatedRequest, export: Export) -> Any:
    if _wants_html(request):
        return HttpResponseRedirect(reverse("reports:export-page", args=[export.pk]), status=303)
    return Response(out.ExportOut(export).data, status=status.HTTP_202_ACCEPTED)


class SlaXlsxView(ReportAPIView):
    @extend_schema(
        operation_id="reports_sla_xlsx",
        summary=(
            "The report as XLSX (summary, planned maintenance when it applies, and detail sheets); a large one "
            "answers 202 with an export to poll"
        ),
        parameters=[out.ReportQuery],
        responses={(200, XLSX): FILE, (202, "application/json"): out.ExportOut},
    )
    def get(self, request: AuthenticatedRequest) -> Any:
        params = _params(request)
        qs = ServiceRequest.objects.filter(params.filter_q())
        total = qs.count()
        if total > services.SYNC_XLSX_LIMIT:
            return _started(request, services.export_start(actor=request.user, params=params))
        report = sla_report(params, with_links=False)
        maintenance = planned_maintenance_compliance(params, request.user)
        tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
        exports.write_xlsx(tmp, report=report, qs=qs, total_rows=total, maintenance=maintenance)  # type: ignore[arg-type]
        tmp.seek(0)
        return FileResponse(tmp, as_attachment=True, filename=_filename("sla", params, "xlsx"), content_type=XLSX)


class ExportListView(ReportAPIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(operation_id="reports_exports_list", summary="My exports", responses=out.ExportOut(many=True))
    def get(self, request: Request) -> Response:
        rows = Export.objects.filter(owner=request.user)[:50]  # type: ignore[misc]
        return Response(out.ExportOut(rows, many=True).data)

    @extend_schema(
        operation_id="reports_exports_start",
        summary="Start a background export of a report (the report's parameters and a format)",
        request=out.ExportStartIn,
        responses={202: out.ExportOut},
    )
    def post(self, request: AuthenticatedRequest) -> Any:
        report_scope(request.user)  # who may not see reports learns nothing more
        body = out.ExportStartIn(data=request.data)
        body.is_valid(raise_exception=True)
        params = parse_report_params(request.user, request.data)
        export = services.export_start(actor=request.user, params=params, fmt=body.validated_data["format"])
        export.refresh_from_db()
        return _started(request, export)


class ExportDetailView(ReportAPIView):
    @extend_schema(operation_id="reports_export", summary="One of my exports, to poll", responses=out.ExportOut)
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        # Someone else's export answers 404: its existence is private.
        export = visible_or_404(Export.objects.all(), pk, owner=request.user)
        return Response(out.ExportOut(export).data)


class ExportDownloadView(ReportAPIView):
    @extend_schema(
        operation_id="reports_export_download",
        summary="The finished export's file",
        responses={(200, XLSX): FILE, (200, "text/csv"): FILE},
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        export = visible_or_404(Export.objects.all(), pk, owner=request.user, state=Export.State.DONE)
        name = f"export-{export.pk}.{export.format}"
        kind = XLSX if export.format == Export.Format.XLSX else "text/csv"
        return FileResponse(export.file.open("rb"), as_attachment=True, filename=name, content_type=kind)


class MonthlyListView(ReportAPIView):
    @extend_schema(
        operation_id="reports_monthly_list",
        summary="The stored monthly reports (bureau only)",
        responses=out.MonthlyOut(many=True),
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        _bureau_only(request.user)
        return Response(out.MonthlyOut(MonthlyReport.objects.all()[:120], many=True).data)


class MonthlyDownloadView(ReportAPIView):
    @extend_schema(
        operation_id="reports_monthly_download", summary="A monthly report's XLSX", responses={(200, XLSX): FILE}
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> FileResponse:
        _bureau_only(request.user)
        row = visible_or_404(MonthlyReport.objects.all(), pk)
        if not row.file:
            raise Http404
        return FileResponse(
            row.file.open("rb"), as_attachment=True, filename=f"monthly-{row.month:%Y-%m}.xlsx", content_type=XLSX
        )
