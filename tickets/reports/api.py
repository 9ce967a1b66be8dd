"""Reports API: thin views that parse input, call one selector or service and shape the output."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.api.serializers import RequestListSerializer
from tickets.exceptions import ActionForbidden
from tickets.models import (
    Building,
    ChecklistTemplate,
    Compound,
    Contract,
    Export,
    Inspection,
    MonthlyReport,
    Role,
    Scorecard,
    ScorecardAppeal,
    ScoringScheme,
    ServiceRequest,
)
from tickets.reports import exports, inspections, scorecards, services
from tickets.reports.params import ReportForbidden, parse_report_params, report_scope
from tickets.reports.selectors import DRILL_METRICS, drill_queryset, sla_report, sla_trend
from tickets.services.permissions import is_bureau_for


class ReportAPIView(APIView):
    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ReportForbidden):
            body: dict[str, Any] = {"detail": exc.message, "code": "forbidden_filter"}
            body.update({k: [v] for k, v in exc.fields.items()})
            return Response(body, status=status.HTTP_403_FORBIDDEN)
        return super().handle_exception(exc)


def _body(request: Request) -> dict[str, Any]:
    data = request.data
    if hasattr(data, "dict"):
        return data.dict()
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [_("请求体应为 JSON 对象。")]})
    return data


def _int(value: Any, field: str) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise ValidationError({field: [_("请填写整数。")]}) from None


def _bureau_only(user: Any) -> None:
    if not (user.is_superuser or user.role in (Role.ADMIN, Role.SUPERVISOR)):
        raise ActionForbidden(_("只有机关事务局人员可以访问。"))


class SlaReportView(ReportAPIView):
    """GET the SLA report: ?date_from=&date_to=&group_by=&service_line=&contractor=&contract=&category=
    &compound=&building=&urgency= (dates local, both inclusive)."""

    def get(self, request: Request) -> Response:
        params = parse_report_params(request.user, request.query_params)
        now = timezone.now()
        report = sla_report(params, now=now)
        if request.query_params.get("trend", "1") != "0":
            report["trend"] = sla_trend(params, now=now)
        return Response(report)


class DrillPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class SlaDrillView(ReportAPIView):
    """GET the requests behind one figure: the report's parameters plus metric= and key= (the row)."""

    def get(self, request: Request) -> Response:
        params = parse_report_params(request.user, request.query_params)
        metric = request.query_params.get("metric", "volume")
        if metric not in DRILL_METRICS:
            raise ValidationError({"metric": [_("未知的指标：%(v)s。") % {"v": metric}]})
        key = request.query_params.get("key", "")
        qs = drill_queryset(params, metric, key, timezone.now()).with_list_relations().order_by("-created_at", "-id")
        paginator = DrillPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(RequestListSerializer(page, many=True).data)


def _filename(prefix: str, params: Any, ext: str) -> str:
    return f"{prefix}-{params.date_from:%Y%m%d}-{params.date_to:%Y%m%d}.{ext}"


class SlaCsvView(ReportAPIView):
    """GET the requests of the report as CSV, streamed (UTF-8 with BOM)."""

    def get(self, request: Request) -> StreamingHttpResponse:
        params = parse_report_params(request.user, request.query_params)
        qs = ServiceRequest.objects.filter(params.filter_q())
        response = StreamingHttpResponse(exports.csv_stream(qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_filename("sla", params, "csv")}"'
        return response


class SlaXlsxView(ReportAPIView):
    """GET the report as XLSX (summary and detail sheets). Large exports answer 202 with an export to poll."""

    def get(self, request: Request) -> Any:
        import tempfile

        params = parse_report_params(request.user, request.query_params)
        qs = ServiceRequest.objects.filter(params.filter_q())
        total = qs.count()
        if total > services.SYNC_XLSX_LIMIT:
            export = services.export_start(actor=request.user, params=params)
            if _wants_html(request):
                return HttpResponseRedirect(reverse("reports:export-page", args=[export.pk]), status=303)
            return Response(_export_data(export), status=status.HTTP_202_ACCEPTED)
        report = sla_report(params, with_links=False)
        tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
        exports.write_xlsx(tmp, report=report, qs=qs, total_rows=total)  # type: ignore[arg-type]
        tmp.seek(0)
        return FileResponse(tmp, as_attachment=True, filename=_filename("sla", params, "xlsx"))


def _wants_html(request: Request) -> bool:
    """A browser (a link or a form on the report page) is sent to the progress page instead of JSON."""
    return "text/html" in request.META.get("HTTP_ACCEPT", "") or request.content_type.startswith(
        "application/x-www-form-urlencoded"
    )


def _export_data(export: Export) -> dict[str, Any]:
    return {
        "id": export.pk,
        "state": export.state,
        "state_label": export.get_state_display(),
        "format": export.format,
        "progress": export.progress,
        "rows_total": export.rows_total,
        "rows_done": export.rows_done,
        "error": export.error,
        "created_at": export.created_at.isoformat(),
        "finished_at": export.finished_at.isoformat() if export.finished_at else None,
        "url": reverse("reports:api-export", args=[export.pk]),
        "page": reverse("reports:export-page", args=[export.pk]),
        "download": reverse("reports:api-export-download", args=[export.pk]) if export.state == "done" else None,
    }


class ExportListView(ReportAPIView):
    """POST to start a background export of a report (format=xlsx|csv plus the report's parameters)."""

    def get(self, request: Request) -> Response:
        rows = Export.objects.filter(owner=request.user)[:50]
        return Response([_export_data(e) for e in rows])

    def post(self, request: Request) -> Response:
        body = _body(request)
        data = {**request.query_params.dict(), **{k: v for k, v in body.items() if isinstance(v, str)}}
        params = parse_report_params(request.user, data)
        fmt = data.get("format", "xlsx")
        if fmt not in Export.Format.values:
            raise ValidationError({"format": [_("格式应为 xlsx 或 csv。")]})
        export = services.export_start(actor=request.user, params=params, fmt=fmt)
        export.refresh_from_db()
        if _wants_html(request):
            return HttpResponseRedirect(reverse("reports:export-page", args=[export.pk]), status=303)
        return Response(_export_data(export), status=status.HTTP_202_ACCEPTED)


class ExportDetailView(ReportAPIView):
    def get(self, request: Request, pk: int) -> Response:
        # Someone else's export answers 404: its existence is private.
        export = get_object_or_404(Export, pk=pk, owner=request.user)
        return Response(_export_data(export))


class ExportDownloadView(ReportAPIView):
    def get(self, request: Request, pk: int) -> FileResponse:
        export = get_object_or_404(Export, pk=pk, owner=request.user, state=Export.State.DONE)
        name = f"export-{export.pk}.{export.format}"
        return FileResponse(export.file.open("rb"), as_attachment=True, filename=name)


class MonthlyListView(ReportAPIView):
    def get(self, request: Request) -> Response:
        _bureau_only(request.user)
        return Response(
            [
                {
                    "id": r.pk,
                    "month": r.month.strftime("%Y-%m"),
                    "generated_at": r.generated_at.isoformat(),
                    "emailed_at": r.emailed_at.isoformat() if r.emailed_at else None,
                    "total": r.summary.get("total"),
                    "download": reverse("reports:api-monthly-download", args=[r.pk]),
                }
                for r in MonthlyReport.objects.all()[:120]
            ]
        )


class MonthlyDownloadView(ReportAPIView):
    def get(self, request: Request, pk: int) -> FileResponse:
        _bureau_only(request.user)
        row = get_object_or_404(MonthlyReport, pk=pk)
        if not row.file:
            raise Http404
        return FileResponse(row.file.open("rb"), as_attachment=True, filename=f"monthly-{row.month:%Y-%m}.xlsx")


# --- inspections -------------------------------------------------------------------------------------------


class ResultInput(serializers.Serializer):
    item = serializers.IntegerField()
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    score = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)
    measured = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False, default=list)


class InspectionInput(serializers.Serializer):
    template = serializers.PrimaryKeyRelatedField(queryset=ChecklistTemplate.objects.all())
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all())
    compound = serializers.PrimaryKeyRelatedField(queryset=Compound.objects.all())
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), required=False, allow_null=True)
    inspected_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    results = ResultInput(many=True)


def inspection_data(i: Inspection) -> dict[str, Any]:
    return {
        "id": i.pk,
        "template": i.template.name,
        "contract": i.contract_id,
        "contractor": i.contract.contractor.name,
        "compound": i.compound.name,
        "building": i.building.name if i.building else None,
        "inspector": str(i.inspector),
        "inspected_at": i.inspected_at.isoformat(),
        "score": str(i.score),
        "failed_items": i.failed_items,
        "note": i.note,
        "results": [
            {
                "item": r.item_id,
                "text": r.item.text,
                "kind": r.item.kind,
                "passed": r.passed,
                "score": str(r.score),
                "measured": None if r.measured is None else str(r.measured),
                "unit": r.item.unit,
                "limit": None if r.item.limit is None else str(r.item.limit),
                "note": r.note,
                "rectification": r.rectification_id,
                "rectification_number": r.rectification.number if r.rectification else None,
                "rectification_status": r.rectification.status if r.rectification else None,
            }
            for r in i.results.select_related("item", "rectification")
        ],
        "photos": [{"id": p.pk, "name": p.original_name, "result": p.result_id} for p in i.photos.all()],
    }


class ChecklistListView(ReportAPIView):
    def get(self, request: Request) -> Response:
        _bureau_only(request.user)
        qs = ChecklistTemplate.objects.filter(active=True).prefetch_related("items")
        if request.user.role == Role.SUPERVISOR:
            qs = qs.filter(service_line=request.user.service_line)
        return Response(
            [
                {
                    "id": t.pk,
                    "name": t.name,
                    "service_line": t.service_line,
                    "items": [
                        {
                            "id": it.pk,
                            "text": it.text,
                            "kind": it.kind,
                            "points": str(it.points),
                            "unit": it.unit,
                            "limit": None if it.limit is None else str(it.limit),
                        }
                        for it in t.items.all()
                    ],
                }
                for t in qs
            ]
        )


class InspectionListView(ReportAPIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get(self, request: Request) -> Response:
        qs = inspections.inspections_visible_to(request.user)
        if request.user.role not in (Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER) and not request.user.is_superuser:
            raise ActionForbidden(_("您无权查看检查记录。"))
        contract = request.query_params.get("contract")
        if contract and contract.isdigit():
            qs = qs.filter(contract_id=int(contract))
        return Response([inspection_data(i) for i in qs[:200]])

    def post(self, request: Request) -> Response:
        payload: Any = request.data
        if (
            hasattr(request.data, "getlist") and "payload" in request.data
        ):  # multipart: the JSON in one field, the photos as files
            try:
                payload = json.loads(request.data["payload"])
            except ValueError:
                raise ValidationError({"payload": [_("payload 不是有效的 JSON。")]}) from None
        data = InspectionInput(data=payload)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        results = [
            inspections.ItemInput(
                item=r["item"],
                passed=r["passed"],
                score=r["score"],
                measured=r["measured"],
                note=r["note"],
                photo_indexes=tuple(r["photos"]),
            )
            for r in v["results"]
        ]
        inspection = inspections.inspection_record(
            actor=request.user,
            template=v["template"],
            contract=v["contract"],
            compound=v["compound"],
            building=v.get("building"),
            results=results,
            note=v["note"],
            inspected_at=v.get("inspected_at"),
            photos=request.FILES.getlist("photos"),
        )
        return Response(inspection_data(inspection), status=status.HTTP_201_CREATED)


class InspectionDetailView(ReportAPIView):
    def get(self, request: Request, pk: int) -> Response:
        return Response(inspection_data(get_object_or_404(inspections.inspections_visible_to(request.user), pk=pk)))


# --- scorecards --------------------------------------------------------------------------------------------


def scorecard_data(c: Scorecard, *, lines: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": c.pk,
        "contract": c.contract_id,
        "contract_name": c.contract.name,
        "contractor": c.contract.contractor.name,
        "month": c.month.strftime("%Y-%m"),
        "revision": c.revision,
        "state": c.state,
        "score": str(c.score),
        "site_scores": c.site_scores,
        "monthly_fee": str(c.monthly_fee),
        "fee_payable": str(c.fee_payable),
        "penalty_total": str(c.penalty_total),
        "amount_payable": str(c.amount_payable),
        "reason": c.reason,
        "signed_at": c.signed_at.isoformat() if c.signed_at else None,
        "signed_by": str(c.signed_by) if c.signed_by else None,
        "page": reverse("reports:scorecard-page", args=[c.pk]),
    }
    if lines:
        data["lines"] = [
            {
                "id": line.pk,
                "compound": line.compound_id,
                "indicator": line.indicator,
                "indicator_label": line.get_indicator_display(),
                "method": line.method,
                "value": None if line.value is None else str(line.value),
                "computed_points": str(line.computed_points),
                "points": str(line.points),
                "adjust_reason": line.adjust_reason,
            }
            for line in c.lines.all()
        ]
        data["appeals"] = [
            {
                "id": a.pk,
                "text": a.text,
                "state": a.state,
                "answer": a.answer,
                "submitted_at": a.submitted_at.isoformat(),
            }
            for a in ScorecardAppeal.objects.filter(contract_id=c.contract_id, month=c.month)
        ]
    return data


class ScorecardListView(ReportAPIView):
    def get(self, request: Request) -> Response:
        report_scope(request.user)  # requesters and workers: 403
        qs = scorecards.scorecards_visible_to(request.user)
        contract = request.query_params.get("contract", "")
        if contract:
            obj = Contract.objects.filter(pk=int(contract)).first() if contract.isdigit() else None
            if obj is None:
                raise ValidationError({"contract": [_("合同不存在。")]})
            if not _may_see_contract(request.user, obj):
                raise ReportForbidden({"contract": _("您无权查看该合同的评分表。")})
            qs = qs.filter(contract=obj)
        month = request.query_params.get("month", "")
        if month:
            day = parse_date(f"{month}-01") if len(month) == 7 else None
            if day is None:
                raise ValidationError({"month": [_("月份格式应为 YYYY-MM。")]})
            qs = qs.filter(month=day)
        return Response([scorecard_data(c, lines=False) for c in qs[:500]])


def _may_see_contract(user: Any, contract: Contract) -> bool:
    if user.role == Role.DISPATCHER:
        return user.contractor_id == contract.contractor_id
    return is_bureau_for(user, contract.service_line)


class ScorecardDetailView(ReportAPIView):
    def get(self, request: Request, pk: int) -> Response:
        card = get_object_or_404(scorecards.scorecards_visible_to(request.user), pk=pk)
        return Response(scorecard_data(card))


class ScorecardActionView(ReportAPIView):
    """POST /scorecards/{id}/{adjust|sign|revise|appeal}/."""

    def post(self, request: Request, pk: int, action: str) -> Response:
        card = get_object_or_404(scorecards.scorecards_visible_to(request.user), pk=pk)
        d = _body(request)
        if action == "adjust":
            card = scorecards.scorecard_adjust(
                scorecard=card,
                line=_int(d.get("line"), "line"),
                points=d.get("points"),
                reason=str(d.get("reason", "")),
                actor=request.user,
            )
        elif action == "sign":
            card = scorecards.scorecard_sign(scorecard=card, actor=request.user)
        elif action == "revise":
            card = scorecards.scorecard_revise(scorecard=card, actor=request.user, reason=str(d.get("reason", "")))
        elif action == "appeal":
            scorecards.appeal_submit(scorecard=card, actor=request.user, text=str(d.get("text", "")))
        else:
            raise Http404
        card = Scorecard.objects.select_related("contract__contractor").get(pk=card.pk)
        return Response(scorecard_data(card), status=status.HTTP_201_CREATED if action == "revise" else 200)


class AppealAnswerView(ReportAPIView):
    def post(self, request: Request, pk: int) -> Response:
        appeal = get_object_or_404(ScorecardAppeal.objects.select_related("contract"), pk=pk)
        answer = str(_body(request).get("answer", ""))
        appeal = scorecards.appeal_answer(appeal=appeal, actor=request.user, answer=answer)
        return Response({"id": appeal.pk, "state": appeal.state, "answer": appeal.answer})


class SchemeView(ReportAPIView):
    """GET or PUT the contract's scoring scheme. Weights of the weighted indicators must add up to 100."""

    def get(self, request: Request, pk: int) -> Response:
        contract = get_object_or_404(Contract, pk=pk)
        if not _may_see_contract(request.user, contract):
            raise ActionForbidden(_("您无权查看该合同。"))
        scheme = ScoringScheme.objects.filter(contract=contract).first()
        return Response(scorecards.scheme_snapshot(scheme) if scheme else None)

    def put(self, request: Request, pk: int) -> Response:
        contract = get_object_or_404(Contract, pk=pk)
        d = _body(request)
        if not isinstance(d.get("indicators") or [], list) or not all(
            isinstance(i, dict) for i in d.get("indicators") or []
        ):
            raise ValidationError({"indicators": [_("指标应为对象列表。")]})
        if not isinstance(d.get("penalty_amounts") or {}, dict):
            raise ValidationError({"penalty_amounts": [_("应为等级到金额的对象。")]})
        scheme = scorecards.scheme_save(
            actor=request.user,
            contract=contract,
            indicators=d.get("indicators") or [],
            lowest_site_rule=bool(d.get("lowest_site_rule", False)),
            payment_rule=d.get("payment_rule", "threshold"),
            pass_score=d.get("pass_score", 85),
            base_percent=d.get("base_percent", 15),
            pool_percent=d.get("pool_percent", 5),
            penalty_amounts=d.get("penalty_amounts") or {},
            appeal_days=_int(d.get("appeal_days", 5), "appeal_days"),
        )
        return Response(scorecards.scheme_snapshot(scheme))


class RollupView(ReportAPIView):
    def get(self, request: Request, pk: int) -> Response:
        report_scope(request.user)
        contract = get_object_or_404(Contract, pk=pk)
        if not _may_see_contract(request.user, contract):
            raise ReportForbidden({"contract": _("您无权查看该合同的评分表。")})
        year, quarter = scorecards.rollup_period(
            request.query_params.get("year"), request.query_params.get("quarter"), today=timezone.localdate()
        )
        return Response(scorecards.rollup(contract, year, quarter))


class PenaltyView(ReportAPIView):
    def post(self, request: Request) -> Response:
        d = _body(request)
        contract = get_object_or_404(Contract, pk=_int(d.get("contract"), "contract"))
        month = parse_date(f"{d.get('month', '')}-01") if len(str(d.get("month", ""))) == 7 else None
        if month is None:
            raise ValidationError({"month": [_("月份格式应为 YYYY-MM。")]})
        event = scorecards.penalty_record(
            actor=request.user,
            contract=contract,
            month=month,
            severity=d.get("severity", ""),
            description=d.get("description", ""),
        )
        return Response({"id": event.pk, "amount": str(event.amount)}, status=status.HTTP_201_CREATED)


class ScorecardXlsxView(ReportAPIView):
    def get(self, request: Request, pk: int) -> FileResponse:
        import tempfile

        from tickets.reports.scorecard_xlsx import write_scorecard

        card = get_object_or_404(scorecards.scorecards_visible_to(request.user), pk=pk)
        tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
        write_scorecard(tmp, card)
        tmp.seek(0)
        return FileResponse(
            tmp, as_attachment=True, filename=f"scorecard-{card.contract.code}-{card.month:%Y-%m}-v{card.revision}.xlsx"
        )


def month_param(raw: str) -> date | None:
    return parse_date(f"{raw}-01") if len(raw) == 7 else None


def _document_schema() -> None:
    """OpenAPI: every view here answers JSON objects (downloads: a file) under a unique operation id."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import extend_schema

    files = {SlaCsvView, SlaXlsxView, ExportDownloadView, MonthlyDownloadView, ScorecardXlsxView}
    lists = {ExportListView, MonthlyListView, ChecklistListView, InspectionListView, ScorecardListView}
    for name, view in list(globals().items()):
        if not (isinstance(view, type) and issubclass(view, ReportAPIView) and view is not ReportAPIView):
            continue
        slug = "".join(f"_{c.lower()}" if c.isupper() else c for c in name.removesuffix("View")).lstrip("_")
        for method in ("get", "post", "put"):
            if method in view.__dict__:
                decorated = extend_schema(
                    operation_id=f"reports_{slug}_{method}",
                    request=None if method == "get" else OpenApiTypes.OBJECT,
                    responses=(
                        OpenApiTypes.BINARY
                        if view in files
                        else {200: {"type": "array", "items": {"type": "object", "additionalProperties": True}}}
                        if view in lists and method == "get"
                        else OpenApiTypes.OBJECT
                    ),
                )(view.__dict__[method])
                setattr(view, method, decorated)


_document_schema()
