"""Fleet REST API (/api/v1/fleet/): separate input and output serializers, one POST per step, no business logic.

Errors come from servicedesk.api.exception_handler: ValidationError → 400 with field messages, ActionForbidden
→ 403, TransitionNotAllowed (a step out of order, or a booking conflict) → 409. A trip the user may not see
answers 404.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fleet import permissions as perms
from fleet import reports, selectors
from fleet.apps import EMERGENCY_TRIP_KIND, TRIP_KIND
from fleet.filing import emergency_trip_create, trip_request_create
from fleet.forms import period_errors
from fleet.models import (
    MAX_ODOMETER_KM,
    ApprovalDecision,
    Driver,
    RecordKind,
    TripApproval,
    TripScope,
    Vehicle,
    VehicleAlert,
    VehicleCategory,
    VehicleRecord,
    VehicleTrip,
)
from fleet.steps import (
    trip_actions,
    trip_approve,
    trip_approve_posthoc,
    trip_cancel,
    trip_cost,
    trip_depart,
    trip_dispatch,
    trip_rate,
    trip_reject,
    trip_return,
)
from fleet.vehicle_files import vehicle_record_add
from tickets.http import AuthenticatedRequest
from tickets.models import Category, Compound, User
from tickets.services.requests import IDEMPOTENCY_KEY_VALIDATOR
from tickets.web.params import BoundedDateField

# --- output ------------------------------------------------------------------------------------------------------


class ApprovalOut(serializers.ModelSerializer):
    approver_name = serializers.CharField(source="approver.__str__")

    class Meta:
        model = TripApproval
        fields = ["level", "decision", "approver_name", "note", "post_hoc", "decided_at"]


class TripOut(serializers.ModelSerializer):
    number = serializers.CharField(source="request.number")
    status = serializers.CharField(source="request.status")
    stage_display = serializers.CharField(source="get_stage_display")
    requester_name = serializers.CharField(source="request.requester.__str__")
    unit_name = serializers.CharField(source="request.unit.name", default="")
    contractor_name = serializers.CharField(source="request.contractor.name", default="")
    vehicle_plate = serializers.CharField(source="vehicle.plate", default=None)
    driver_name = serializers.CharField(source="driver.user.__str__", default=None)
    approvals = ApprovalOut(many=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = VehicleTrip
        fields = [
            "id",
            "number",
            "status",
            "stage",
            "stage_display",
            "requester_name",
            "unit_name",
            "contractor_name",
            "purpose",
            "passenger_count",
            "passenger_names",
            "origin",
            "destination",
            "slot_start",
            "slot_end",
            "scope",
            "vehicle_category",
            "emergency",
            "rental",
            "vehicle",
            "vehicle_plate",
            "driver",
            "driver_name",
            "dispatched_at",
            "out_at",
            "out_odometer",
            "returned_at",
            "return_odometer",
            "distance_km",
            "tolls",
            "parking",
            "fuel",
            "billed_hours",
            "cost_km",
            "cost_time",
            "cost_total",
            "costed_at",
            "approvals",
            "actions",
        ]

    def get_actions(self, obj: VehicleTrip) -> list[str]:
        return trip_actions(obj, self.context["request"].user)


class VehicleOut(serializers.ModelSerializer):
    home_compound_name = serializers.CharField(source="home_compound.name")
    owning_unit_name = serializers.CharField(source="owning_unit.name", default=None)
    category_display = serializers.CharField(source="get_category_display")
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = Vehicle
        fields = [
            "id",
            "plate",
            "model",
            "category",
            "category_display",
            "seats",
            "energy",
            "home_compound",
            "home_compound_name",
            "parking_spot",
            "owning_unit",
            "owning_unit_name",
            "label_code",
            "status",
            "status_display",
            "rental",
            "odometer_km",
            "colour",
        ]


class RecordOut(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")

    class Meta:
        model = VehicleRecord
        fields = [
            "id",
            "kind",
            "kind_display",
            "date",
            "valid_until",
            "amount",
            "odometer_km",
            "quantity",
            "provider",
            "note",
            "trip",
        ]


class DriverOut(serializers.ModelSerializer):
    name = serializers.CharField(source="user.__str__")
    contractor_name = serializers.CharField(source="user.contractor.name", default="")

    class Meta:
        model = Driver
        fields = ["id", "name", "contractor_name", "licence_class", "licence_expires", "active"]


class AlertOut(serializers.ModelSerializer):
    plate = serializers.CharField(source="vehicle.plate")

    class Meta:
        model = VehicleAlert
        fields = ["id", "vehicle", "plate", "trip", "kind", "level", "message", "raised_at", "resolved_at"]


# --- input -------------------------------------------------------------------------------------------------------


class TripIn(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(kind=TRIP_KIND, active=True))
    compound = serializers.PrimaryKeyRelatedField(queryset=Compound.objects.all())
    purpose = serializers.CharField(max_length=200)
    passenger_count = serializers.IntegerField(min_value=1, max_value=99)
    passenger_names = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    origin = serializers.CharField(max_length=200)
    destination = serializers.CharField(max_length=200)
    slot_start = serializers.DateTimeField()
    slot_end = serializers.DateTimeField()
    scope = serializers.ChoiceField(choices=TripScope.choices, default=TripScope.IN_CITY)
    vehicle_category = serializers.ChoiceField(choices=VehicleCategory.choices, default=VehicleCategory.OTHER)
    rental = serializers.BooleanField(default=False)
    idempotency_key = serializers.CharField(
        max_length=64, required=False, allow_null=True, default=None, validators=[IDEMPOTENCY_KEY_VALIDATOR]
    )


class EmergencyTripIn(TripIn):
    category = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Category.objects.filter(kind=EMERGENCY_TRIP_KIND, active=True)
    )
    requester = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(unit__isnull=False))
    rental = None  # type: ignore[assignment]
    vehicle_category = serializers.ChoiceField(choices=VehicleCategory.choices, default=VehicleCategory.EMERGENCY)


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class PosthocIn(NoteIn):
    decision = serializers.ChoiceField(choices=ApprovalDecision.choices, default=ApprovalDecision.APPROVED)


class DispatchIn(serializers.Serializer):
    vehicle = serializers.PrimaryKeyRelatedField(queryset=Vehicle.objects.all())
    driver = serializers.PrimaryKeyRelatedField(queryset=Driver.objects.all())


class DepartIn(serializers.Serializer):
    odometer = serializers.IntegerField(min_value=0, max_value=MAX_ODOMETER_KM)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReturnIn(DepartIn):
    tolls = serializers.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    parking = serializers.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    fuel = serializers.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class RateIn(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class RecordIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RecordKind.choices)
    date = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    odometer_km = serializers.IntegerField(
        min_value=0, max_value=MAX_ODOMETER_KM, required=False, allow_null=True, default=None
    )
    provider = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PeriodIn(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.localdate()
        attrs.setdefault("start", today.replace(day=1))
        attrs.setdefault("end", today)
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [str(_end_before_start())]})
        for name in ("start", "end"):
            try:
                BoundedDateField().clean(attrs[name])
            except DjangoValidationError as exc:
                raise serializers.ValidationError({name: exc.messages}) from None
        if errors := period_errors(attrs["start"], attrs["end"]):
            raise serializers.ValidationError({k: [str(m) for m in v] for k, v in errors.items()})
        return attrs


def _end_before_start() -> str:
    from django.utils.translation import gettext

    return gettext("结束日期不能早于开始日期。")


# --- views -------------------------------------------------------------------------------------------------------


class TripViewSet(viewsets.GenericViewSet):
    request: AuthenticatedRequest
    lookup_value_regex = r"\d+"
    serializer_class = TripOut
    filterset_fields = ["stage", "emergency", "vehicle", "driver"]
    ordering_fields = ["slot_start", "id"]
    ordering = ["-slot_start", "-id"]

    def get_queryset(self) -> Any:
        return selectors.trip_list(user=self.request.user)

    def _visible(self, pk: Any) -> VehicleTrip:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _out(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        trip = self.get_queryset().get(pk=pk)
        return Response(TripOut(trip, context={"request": self.request}).data, status=code)

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(TripOut(page, many=True, context={"request": request}).data)

    def retrieve(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._out(self._visible(pk).pk)

    @extend_schema(request=TripIn, responses={201: TripOut})
    def create(self, request: AuthenticatedRequest) -> Response:
        data = TripIn(data=request.data)
        data.is_valid(raise_exception=True)
        trip = trip_request_create(actor=request.user, **data.validated_data)
        return self._out(trip.pk, status.HTTP_201_CREATED)

    @extend_schema(request=EmergencyTripIn, responses={201: TripOut})
    @action(detail=False, methods=["post"])
    def emergency(self, request: AuthenticatedRequest) -> Response:
        data = EmergencyTripIn(data=request.data)
        data.is_valid(raise_exception=True)
        trip = emergency_trip_create(actor=request.user, **data.validated_data)
        return self._out(trip.pk, status.HTTP_201_CREATED)

    def _step(self, pk: Any, serializer: type[serializers.Serializer] | None, service: Any) -> Response:
        trip = self._visible(pk)
        kwargs: dict[str, Any] = {}
        if serializer is not None:
            data = serializer(data=self.request.data)
            data.is_valid(raise_exception=True)
            kwargs = dict(data.validated_data)
        service(trip=trip, actor=self.request.user, **kwargs)
        return self._out(trip.pk)

    @extend_schema(request=NoteIn, responses=TripOut)
    @action(detail=True, methods=["post"])
    def approve(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._step(pk, NoteIn, trip_approve)

    @extend_schema(request=NoteIn, responses=TripOut)
    @action(detail=True, methods=["post"])
    def reject(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._step(pk, NoteIn, trip_reject)

    @extend_schema(request=NoteIn, responses=TripOut)
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._step(pk, NoteIn, trip_cancel)

    @extend_schema(request=PosthocIn, responses=TripOut)
    @action(detail=True, methods=["post"], url_path="approve-posthoc")
    def approve_posthoc(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._step(pk, PosthocIn, trip_approve_posthoc)

    @extend_schema(request=DispatchIn, responses=TripOut)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_trip(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._step(pk, DispatchIn, trip_dispatch)

    @extend_schema(request=DepartIn, responses=TripOut)
    @action(detail=True, methods=["post"])
    def depart(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._step(pk, DepartIn, trip_depart)

    @extend_schema(request=ReturnIn, responses=TripOut)
    @action(detail=True, methods=["post"], url_path="return")
    def return_trip(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._step(pk, ReturnIn, trip_return)

    @extend_schema(request=None, responses=TripOut)
    @action(detail=True, methods=["post"])
    def cost(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._step(pk, None, trip_cost)

    @extend_schema(request=RateIn, responses=TripOut)
    @action(detail=True, methods=["post"])
    def rate(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._step(pk, RateIn, trip_rate)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def candidates(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        """Free vehicles (not sealed, big enough, not booked) and licensed free drivers for the dispatcher."""
        trip = self._visible(pk)
        if not (perms.is_trip_dispatcher(request.user, trip) or perms.is_fleet_bureau(request.user)):
            raise PermissionDenied()
        return Response(
            {
                "vehicles": VehicleOut(selectors.free_vehicles(trip=trip), many=True).data,
                "drivers": DriverOut(selectors.free_drivers(trip=trip), many=True).data,
            }
        )


class _FleetStaffOnly:
    def check_fleet(self, request: AuthenticatedRequest) -> None:
        if not perms.may_see_vehicles(request.user):
            raise PermissionDenied()


class VehicleViewSet(_FleetStaffOnly, viewsets.GenericViewSet):
    request: AuthenticatedRequest
    lookup_value_regex = r"\d+"
    serializer_class = VehicleOut
    filterset_fields = ["status", "category", "home_compound", "colour"]
    ordering = ["plate"]

    def get_queryset(self) -> Any:
        return selectors.vehicle_list(user=self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authenticates, and IsAuthenticated refuses anonymous callers
        self.check_fleet(self.request)

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(VehicleOut(page, many=True).data)

    def retrieve(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        vehicle = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(
            {
                **VehicleOut(vehicle).data,
                "records": RecordOut(selectors.vehicle_file(vehicle=vehicle)[:200], many=True).data,
            }
        )

    @extend_schema(request=RecordIn, responses={201: RecordOut})
    @action(detail=True, methods=["post"])
    def records(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        vehicle = get_object_or_404(self.get_queryset(), pk=pk)
        data = RecordIn(data=request.data)
        data.is_valid(raise_exception=True)
        record = vehicle_record_add(vehicle=vehicle, actor=request.user, **data.validated_data)
        return Response(RecordOut(record).data, status=status.HTTP_201_CREATED)


class DriverViewSet(_FleetStaffOnly, viewsets.GenericViewSet):
    request: AuthenticatedRequest
    serializer_class = DriverOut

    def get_queryset(self) -> Any:
        return selectors.driver_list(user=self.request.user)

    def list(self, request: AuthenticatedRequest) -> Response:
        self.check_fleet(request)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DriverOut(page, many=True).data)


class AlertViewSet(_FleetStaffOnly, viewsets.GenericViewSet):
    request: AuthenticatedRequest
    serializer_class = AlertOut
    filterset_fields = ["kind", "level", "vehicle"]

    def get_queryset(self) -> Any:
        return selectors.alert_list(user=self.request.user)

    def list(self, request: AuthenticatedRequest) -> Response:
        self.check_fleet(request)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(AlertOut(page, many=True).data)


class BoardView(_FleetStaffOnly, APIView):
    """The dispatch board: ?date=YYYY-MM-DD&days=1|7."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: AuthenticatedRequest) -> Response:
        self.check_fleet(request)
        start, end = board_window(request.query_params.get("date"), request.query_params.get("days"))
        rows = selectors.board(user=request.user, start=start, end=end)
        return Response(
            {
                "start": start,
                "end": end,
                "vehicles": [
                    {
                        **VehicleOut(v).data,
                        "trips": [
                            {
                                "id": t.pk,
                                "number": t.request.number,
                                "stage": t.stage,
                                "slot_start": t.slot_start,
                                "slot_end": t.slot_end,
                                "driver": str(t.driver.user) if t.driver else None,
                                "unit": t.request.unit.name if t.request.unit else "",
                            }
                            for t in trips
                        ],
                    }
                    for v, trips in rows
                ],
            }
        )


def board_window(day: str | None, days: str | None) -> tuple[datetime, datetime]:
    """The board's window from ``date`` (default today) and ``days`` (1 or 7). A date that is not one, or is
    outside DATE_MIN..DATE_MAX (where a week's arithmetic would overflow), is a ValidationError (400)."""
    try:
        first = (BoundedDateField().clean(day) if day else None) or timezone.localdate()
    except DjangoValidationError as exc:
        raise DjangoValidationError({"date": exc.messages}) from None
    span = 7 if days == "7" else 1
    if span == 7:
        first -= timedelta(days=first.weekday())
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time(0), tzinfo=tz)
    return start, start + timedelta(days=span)


class ReportView(_FleetStaffOnly, APIView):
    """单车核算 and per-unit figures for ?start=&end= (inclusive local dates)."""

    request: AuthenticatedRequest

    @extend_schema(parameters=[PeriodIn], responses=OpenApiTypes.OBJECT)
    def get(self, request: AuthenticatedRequest) -> Response:
        self.check_fleet(request)
        period = PeriodIn(data=request.query_params)
        period.is_valid(raise_exception=True)
        start, end = period.validated_data["start"], period.validated_data["end"]
        vehicles = reports.vehicle_report(start=start, end=end)
        units = reports.unit_report(start=start, end=end)
        return Response(
            {
                "start": start,
                "end": end,
                "vehicles": [
                    {
                        "vehicle": line.vehicle.pk,
                        "plate": line.vehicle.plate,
                        "trips": line.trips,
                        "km": line.km,
                        "hours": str(line.hours),
                        "utilisation_percent": str(line.utilisation),
                        "trip_charges": str(line.trip_charges),
                        "running": {k: str(v) for k, v in line.running.items()},
                        "running_total": str(line.running_total),
                        "total": str(line.total),
                    }
                    for line in vehicles
                ],
                "units": [
                    {
                        "unit": u.unit_id,
                        "name": u.unit_name,
                        "trips": u.trips,
                        "km": u.km,
                        "hours": str(u.hours),
                        "cost": str(u.cost),
                    }
                    for u in units
                ],
            }
        )


class ReportExportView(_FleetStaffOnly, APIView):
    request: AuthenticatedRequest

    @extend_schema(
        parameters=[PeriodIn],
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY},
    )
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        self.check_fleet(request)
        period = PeriodIn(data=request.query_params)
        period.is_valid(raise_exception=True)
        body = reports.export_xlsx(**period.validated_data)
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="fleet-report.xlsx"'
        return response
