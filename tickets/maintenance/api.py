"""Planned-maintenance API under /api/v1/maintenance/: input and output serializers, the services decide.

Errors come from servicedesk.api.exception_handler: bad input → 400 with field messages, a party that may not
act → 403, an occurrence not open or already finished → 409; what the caller may not see → 404.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.assessment.inspections import ItemInput
from tickets.exceptions import ActionForbidden
from tickets.maintenance import register, selectors, services, work
from tickets.maintenance.forms import local_midnight, report_period
from tickets.maintenance.models import (
    Equipment,
    EquipmentCategory,
    EquipmentWork,
    Frequency,
    MaintenanceOccurrence,
    MaintenancePlan,
)
from tickets.maintenance.permissions import (
    is_register_keeper,
    may_complete,
    may_record_cost,
    may_see_history,
    may_use_register,
    occurrences_visible_to,
    require_register_keeper,
)
from tickets.maintenance.services import PLAN_FIELDS
from tickets.models import (
    Building,
    Category,
    ChecklistTemplate,
    Compound,
    Contract,
    Floor,
    Role,
    Room,
    ServiceLine,
    Urgency,
)
from tickets.services.permissions import is_bureau_for


def _valid(serializer_class: Any, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _equipment_values(serializer_class: Any, data: Any) -> dict[str, Any]:
    values = _valid(serializer_class, data)
    if "equipment_code" in values:
        values["code"] = values.pop("equipment_code")
    return values


def _renamed(exc: ValidationError) -> ValidationError:
    """The service's field "code" is the API's "equipment_code"."""
    if hasattr(exc, "error_dict") and "code" in exc.message_dict:
        errors = exc.message_dict
        errors["equipment_code"] = errors.pop("code")
        return ValidationError(errors)
    return exc


def _paged(name: str, item: Any) -> Any:
    return inline_serializer(
        name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


def _require_register_user(user: Any) -> None:
    if not may_use_register(user):
        raise ActionForbidden(_("设备台账仅供管理处室和维保单位使用。"))


class EquipmentOut(serializers.ModelSerializer):
    class Meta:
        model = Equipment
        fields = ["id", *register.EQUIPMENT_FIELDS]


class EquipmentIn(serializers.Serializer):
    # Not "code": a 400 answer's "code" is the error's code (servicedesk.api.ERROR_SCHEMA).
    equipment_code = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=100)
    category = serializers.ChoiceField(choices=EquipmentCategory.choices)
    compound = serializers.PrimaryKeyRelatedField(queryset=Compound.objects.all(), required=False, allow_null=True)
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), required=False, allow_null=True)
    floor = serializers.PrimaryKeyRelatedField(queryset=Floor.objects.all(), required=False, allow_null=True)
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False, allow_null=True)
    make = serializers.CharField(max_length=100, required=False, allow_blank=True)
    model = serializers.CharField(max_length=100, required=False, allow_blank=True)
    serial = serializers.CharField(max_length=100, required=False, allow_blank=True)
    installed_on = serializers.DateField(required=False, allow_null=True)
    warranty_ends_on = serializers.DateField(required=False, allow_null=True)
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all(), required=False, allow_null=True)
    inspection_due_on = serializers.DateField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False)


class EquipmentPatch(EquipmentIn):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class WorkOut(serializers.ModelSerializer):
    number = serializers.CharField(source="service_request.number")
    title = serializers.CharField(source="service_request.title")
    status = serializers.CharField(source="service_request.status")
    occurrence_status = serializers.CharField(source="occurrence.status", default=None, allow_null=True)

    class Meta:
        model = EquipmentWork
        fields = [
            "id",
            "service_request",
            "number",
            "title",
            "status",
            "source",
            "occurrence",
            "occurrence_status",
            "cost",
            "cost_note",
            "created_at",
        ]


class RepairIn(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    idempotency_key = serializers.CharField(max_length=64, required=False)


class RepairOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    equipment = serializers.IntegerField()


class ComplianceRowOut(serializers.Serializer):
    month = serializers.CharField(allow_null=True)
    contract = serializers.IntegerField(allow_null=True)
    compound = serializers.IntegerField(allow_null=True)
    category = serializers.CharField(allow_null=True)
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    late = serializers.IntegerField()
    missed = serializers.IntegerField()
    open = serializers.IntegerField()
    skipped = serializers.IntegerField()
    decided = serializers.IntegerField()
    on_time_rate = serializers.CharField(allow_null=True)


class EquipmentReportRowOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    equipment_code = serializers.CharField(source="code")
    name = serializers.CharField()
    category = serializers.CharField()
    compound = serializers.IntegerField(source="compound_id")
    building = serializers.IntegerField(source="building_id", allow_null=True)
    contract = serializers.IntegerField(source="contract_id", allow_null=True)
    breakdowns = serializers.IntegerField()
    mtbf_days = serializers.SerializerMethodField()
    works = serializers.IntegerField(source="works_count")
    repair_cost = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    cost = serializers.DecimalField(source="work_cost", max_digits=14, decimal_places=2, allow_null=True)

    def get_mtbf_days(self, item: Any) -> str | None:
        value = selectors.mtbf_days(item)
        return None if value is None else str(value)


class CostIn(serializers.Serializer):
    cost = serializers.DecimalField(max_digits=12, decimal_places=2)
    cost_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MaintenanceCheckOut(serializers.Serializer):
    item = serializers.IntegerField(source="item_id")
    text = serializers.CharField(source="item_text")
    kind = serializers.CharField(source="item_kind")
    unit = serializers.CharField(source="item_unit")
    limit = serializers.DecimalField(source="item_limit", max_digits=10, decimal_places=3, allow_null=True)
    passed = serializers.BooleanField()
    measured = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)
    note = serializers.CharField()
    repair = serializers.IntegerField(source="repair_id", allow_null=True)


class OccurrenceOut(serializers.ModelSerializer):
    plan_title = serializers.CharField(source="plan.title")
    equipment = serializers.IntegerField(source="plan.equipment_id", allow_null=True)
    contract = serializers.IntegerField(source="plan.contract_id")
    checks = MaintenanceCheckOut(many=True, read_only=True)

    class Meta:
        model = MaintenanceOccurrence
        fields = [
            "id",
            "plan",
            "plan_title",
            "equipment",
            "contract",
            "scheduled_on",
            "due_on",
            "opens_on",
            "closes_on",
            "status",
            "service_request",
            "opened_at",
            "completed_at",
            "skip_reason",
            "checks",
        ]


class MaintenanceResultIn(serializers.Serializer):
    item = serializers.IntegerField()
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    score = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    measured = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class CompleteIn(serializers.Serializer):
    results = MaintenanceResultIn(many=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PlanOut(serializers.ModelSerializer):
    class Meta:
        model = MaintenancePlan
        fields = ["id", *PLAN_FIELDS, "effective_from", "updated_at"]


class PlanIn(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    equipment = serializers.PrimaryKeyRelatedField(queryset=Equipment.objects.all(), required=False, allow_null=True)
    compound = serializers.PrimaryKeyRelatedField(queryset=Compound.objects.all(), required=False, allow_null=True)
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), required=False, allow_null=True)
    floor = serializers.PrimaryKeyRelatedField(queryset=Floor.objects.all(), required=False, allow_null=True)
    checklist = serializers.PrimaryKeyRelatedField(
        queryset=ChecklistTemplate.objects.all(), required=False, allow_null=True
    )
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all())
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    interval = serializers.IntegerField(required=False, min_value=-1000, max_value=100000)
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=-100, max_value=100), required=False)
    month = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1000)
    day = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1000)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    float_to_working_day = serializers.BooleanField(required=False)
    lead_days = serializers.IntegerField(required=False, min_value=-1000, max_value=1000)
    grace_days = serializers.IntegerField(required=False, min_value=-1000, max_value=1000)
    active = serializers.BooleanField(required=False)


class PlanPatch(PlanIn):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


def _require_plan_keeper(user: Any) -> None:
    if not is_bureau_for(user, ServiceLine.PROPERTY) or not (
        user.is_superuser or user.role in (Role.ADMIN, Role.SUPERVISOR)
    ):
        raise ActionForbidden(_("只有机关事务局的管理员或本条线主管可以维护维保计划。"))


class PlanListView(APIView):
    @extend_schema(operation_id="maintenance_plans", responses=_paged("PlanPage", PlanOut))
    def get(self, request: Request) -> Response:
        _require_register_user(request.user)
        qs = MaintenancePlan.objects.order_by("pk")
        if not is_register_keeper(request.user):
            qs = qs.filter(contract__contractor_id=request.user.contractor_id or 0)  # type: ignore[union-attr]
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(PlanOut(page, many=True).data)

    @extend_schema(operation_id="maintenance_plan_create", request=PlanIn, responses={201: PlanOut})
    def post(self, request: Request) -> Response:
        _require_plan_keeper(request.user)
        plan = services.plan_create(actor=request.user, **_valid(PlanIn, request.data))  # type: ignore[arg-type]
        return Response(PlanOut(plan).data, status=status.HTTP_201_CREATED)


class PlanDetailView(APIView):
    @extend_schema(operation_id="maintenance_plan", responses=PlanOut)
    def get(self, request: Request, pk: int) -> Response:
        _require_register_user(request.user)
        plan = MaintenancePlan.objects.filter(pk=pk).first()
        if plan is None or not (
            is_register_keeper(request.user) or plan.contract.contractor_id == request.user.contractor_id  # type: ignore[union-attr]
        ):
            raise Http404
        return Response(PlanOut(plan).data)

    @extend_schema(operation_id="maintenance_plan_update", request=PlanPatch, responses=PlanOut)
    def patch(self, request: Request, pk: int) -> Response:
        if not MaintenancePlan.objects.filter(pk=pk).exists():
            raise Http404
        _require_plan_keeper(request.user)
        plan = services.plan_update(plan=pk, actor=request.user, **_valid(PlanPatch, request.data))  # type: ignore[arg-type]
        return Response(PlanOut(plan).data)


class EquipmentListView(APIView):
    @extend_schema(operation_id="maintenance_equipment_list", responses=_paged("EquipmentPage", EquipmentOut))
    def get(self, request: Request) -> Response:
        _require_register_user(request.user)
        qs = selectors.equipment_list(
            user=request.user,  # type: ignore[arg-type]
            category=request.query_params.get("category", ""),
            q=request.query_params.get("q", "")[:50],
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(EquipmentOut(page, many=True).data)

    @extend_schema(operation_id="maintenance_equipment_create", request=EquipmentIn, responses={201: EquipmentOut})
    def post(self, request: Request) -> Response:
        require_register_keeper(request.user)  # type: ignore[arg-type]
        values = _equipment_values(EquipmentIn, request.data)
        try:
            item = register.equipment_create(actor=request.user, **values)  # type: ignore[arg-type]
        except ValidationError as exc:
            raise _renamed(exc) from exc
        return Response(EquipmentOut(item).data, status=status.HTTP_201_CREATED)


class EquipmentDetailView(APIView):
    @extend_schema(operation_id="maintenance_equipment_detail", responses=EquipmentOut)
    def get(self, request: Request, pk: int) -> Response:
        item = Equipment.objects.filter(pk=pk).first()
        if item is None:
            raise Http404
        return Response(EquipmentOut(item).data)

    @extend_schema(operation_id="maintenance_equipment_update", request=EquipmentPatch, responses=EquipmentOut)
    def patch(self, request: Request, pk: int) -> Response:
        if not Equipment.objects.filter(pk=pk).exists():
            raise Http404
        require_register_keeper(request.user)  # type: ignore[arg-type]
        values = _equipment_values(EquipmentPatch, request.data)
        try:
            item = register.equipment_update(equipment=pk, actor=request.user, **values)  # type: ignore[arg-type]
        except ValidationError as exc:
            raise _renamed(exc) from exc
        return Response(EquipmentOut(item).data)


class EquipmentHistoryView(APIView):
    @extend_schema(operation_id="maintenance_equipment_history", responses=WorkOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        item = Equipment.objects.filter(pk=pk).first()
        if item is None or not may_see_history(request.user, item):
            raise Http404
        return Response(WorkOut(selectors.equipment_history(item), many=True).data)


class EquipmentRepairView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(operation_id="maintenance_equipment_repair", request=RepairIn, responses={201: RepairOut})
    def post(self, request: Request, pk: int) -> Response:
        item = Equipment.objects.filter(pk=pk).select_related("compound", "building", "room").first()
        if item is None:
            raise Http404
        data = _valid(RepairIn, request.data)
        service_request = register.equipment_repair_file(
            equipment=item,
            actor=request.user,  # type: ignore[arg-type]
            photos=list(request.FILES.getlist("photos")),
            **data,
        )
        return Response(
            {"id": service_request.pk, "number": service_request.number, "equipment": item.pk},
            status=status.HTTP_201_CREATED,
        )


class WorkCostView(APIView):
    @extend_schema(operation_id="maintenance_work_cost", request=CostIn, responses=WorkOut)
    def post(self, request: Request, pk: int) -> Response:
        entry = EquipmentWork.objects.filter(pk=pk).select_related("equipment").first()
        if entry is None or not may_see_history(request.user, entry.equipment):
            raise Http404
        if not may_record_cost(request.user, entry.equipment):
            raise ActionForbidden(_("只有管理处室或该设备维保单位的调度可以登记费用。"))
        data = _valid(CostIn, request.data)
        saved = register.work_cost_record(work=entry, actor=request.user, cost=data["cost"], note=data["cost_note"])  # type: ignore[arg-type]
        saved = EquipmentWork.objects.select_related("service_request", "occurrence").get(pk=saved.pk)
        return Response(WorkOut(saved).data)


class OccurrenceListView(APIView):
    @extend_schema(operation_id="maintenance_occurrences", responses=_paged("OccurrencePage", OccurrenceOut))
    def get(self, request: Request) -> Response:
        _require_register_user(request.user)
        qs = (
            occurrences_visible_to(request.user)
            .select_related("plan")
            .prefetch_related("checks")
            .order_by("-due_on", "-id")
        )
        if st := request.query_params.get("status"):
            qs = qs.filter(status=st)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(OccurrenceOut(page, many=True).data)


class OccurrenceDetailView(APIView):
    @extend_schema(operation_id="maintenance_occurrence", responses=OccurrenceOut)
    def get(self, request: Request, pk: int) -> Response:
        occurrence = selectors.occurrence_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
        if occurrence is None:
            raise Http404
        return Response(OccurrenceOut(occurrence).data)


class OccurrenceCompleteView(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(operation_id="maintenance_occurrence_complete", request=CompleteIn, responses=OccurrenceOut)
    def post(self, request: Request, pk: int) -> Response:
        occurrence = selectors.occurrence_detail(user=request.user, pk=pk)  # type: ignore[arg-type]
        if occurrence is None:
            raise Http404
        if not may_complete(request.user, occurrence):
            raise ActionForbidden(_("只有该工单的维保单位人员可以填写维保记录。"))
        data = _valid(CompleteIn, request.data)
        done = work.occurrence_complete(
            occurrence=occurrence,
            actor=request.user,  # type: ignore[arg-type]
            results=[ItemInput(**r) for r in data["results"]],
            note=data["note"],
            photos=list(request.FILES.getlist("photos")),
        )
        fresh = selectors.occurrence_detail(user=request.user, pk=done.pk)  # type: ignore[arg-type]
        return Response(OccurrenceOut(fresh).data)


class ComplianceView(APIView):
    @extend_schema(
        operation_id="maintenance_compliance",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=False),
            OpenApiParameter("to", OpenApiTypes.DATE, required=False),
        ],
        responses=ComplianceRowOut(many=True),
    )
    def get(self, request: Request) -> Response:
        _require_register_user(request.user)
        today = timezone.localdate()
        errors: dict[str, list[str]] = {}
        dates = {}
        for name, default in (("from", today.replace(day=1)), ("to", today)):
            raw = request.query_params.get(name)
            try:
                dates[name] = date.fromisoformat(raw) if raw else default
            except ValueError:
                errors[name] = [_("日期格式应为 YYYY-MM-DD。")]
        if not errors and (dates["to"] < dates["from"] or (dates["to"] - dates["from"]).days > 800):
            errors["to"] = [_("结束日期须在开始日期之后，且期间不超过两年。")]
        if errors:
            raise serializers.ValidationError(errors)
        rows = selectors.compliance(user=request.user, start=dates["from"], end=dates["to"] + timedelta(days=1))  # type: ignore[arg-type]
        return Response(
            [
                {
                    **{k: r[k] for k in ("total", "done", "late", "missed", "open", "skipped", "decided")},
                    "month": r["month"].isoformat()[:7] if r.get("month") else None,
                    "contract": r["contract"].pk if r["contract"] else None,
                    "compound": r["compound"].pk if r["compound"] else None,
                    "category": r["category"],
                    "on_time_rate": str(r["on_time_rate"]) if r["on_time_rate"] is not None else None,
                }
                for r in rows
            ]
        )


class EquipmentReportView(APIView):
    @extend_schema(
        operation_id="maintenance_equipment_report",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=False),
            OpenApiParameter("to", OpenApiTypes.DATE, required=False),
            OpenApiParameter("category", OpenApiTypes.STR, required=False),
            OpenApiParameter("compound", OpenApiTypes.INT, required=False),
        ],
        responses=_paged("EquipmentReportPage", EquipmentReportRowOut),
    )
    def get(self, request: Request) -> Response:
        """Breakdowns, MTBF and cost per item over the period (a year back by default), most breakdowns first."""
        _require_register_user(request.user)
        start, end, errors = report_period(request.query_params, default_days=365)
        category = request.query_params.get("category", "")
        if category and category not in EquipmentCategory.values:
            errors["category"] = _("无效的取值：%(value)s。") % {"value": category[:50]}
        compound = request.query_params.get("compound", "")
        if compound and not (compound.isdigit() and len(compound) < 10):
            errors["compound"] = _("无效的取值：%(value)s。") % {"value": compound[:50]}
        if errors:
            raise serializers.ValidationError({k: [v] for k, v in errors.items()})
        qs, _totals = selectors.equipment_report(
            user=request.user,  # type: ignore[arg-type]
            start=local_midnight(start),
            end=local_midnight(end + timedelta(days=1)),
            category=category,
            compound=int(compound) if compound else None,
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(EquipmentReportRowOut(page, many=True).data)
