"""Office-space REST API (/api/v1/offices/): input and output serializers, one POST per step, no business logic.

Errors come from servicedesk.api.exception_handler: ValidationError → 400 with field messages, ActionForbidden →
403, TransitionNotAllowed (an overlap, a step out of order) → 409. A row the user may not see answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from offices import forms as f
from offices import imports, ledgers, selectors, services, steps
from offices.models import (
    Allocation,
    AreaNormVersion,
    NormCheck,
    NormFinding,
    Purpose,
    RoomUse,
    SpaceRequest,
    VacatingDeadline,
)
from offices.permissions import is_space_bureau, may_use_space_pages
from tickets.http import AuthenticatedRequest
from tickets.models import Building, Compound, Room, Unit
from tickets.services.imports import import_file

# --- output ------------------------------------------------------------------------------------------------------


class SitterOut(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.CharField()
    rank = serializers.CharField()
    allowance = serializers.CharField(allow_null=True)


class RoomStateOut(serializers.Serializer):
    id = serializers.IntegerField(source="room.pk")
    number = serializers.CharField(source="room.number")
    area = serializers.DecimalField(source="room.usable_area", max_digits=8, decimal_places=2)
    use = serializers.CharField()
    state = serializers.CharField()
    unit = serializers.CharField(source="allocation.unit.name", default=None)
    agreement_no = serializers.CharField(source="allocation.agreement_no", default=None)
    allowance = serializers.DecimalField(source="result.allowance", max_digits=8, decimal_places=2)
    excess = serializers.DecimalField(source="result.excess", max_digits=8, decimal_places=2)
    people = SitterOut(source="result.people", many=True)


class FloorOut(serializers.Serializer):
    id = serializers.IntegerField()
    building = serializers.CharField(source="building.__str__")
    level = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class AllocationOut(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name")
    room_number = serializers.CharField(source="room.number")

    class Meta:
        model = Allocation
        fields = [
            "id",
            "room",
            "room_number",
            "unit",
            "unit_name",
            "use",
            "starts_on",
            "ends_on",
            "agreement_no",
            "certificate_no",
            "space_request",
        ]


class SpaceRequestOut(serializers.ModelSerializer):
    number = serializers.CharField(source="service_request.number")
    request_id = serializers.IntegerField(source="service_request_id")
    status = serializers.CharField(source="service_request.status")
    title = serializers.CharField(source="service_request.title")
    resolution_due = serializers.DateTimeField(source="service_request.resolution_due")
    actions = serializers.SerializerMethodField()

    class Meta:
        model = SpaceRequest
        fields = [
            "id",
            "number",
            "request_id",
            "status",
            "title",
            "unit",
            "purpose",
            "area_requested",
            "headcount",
            "resolution_due",
            "fulfilled_at",
            "actions",
        ]

    def get_actions(self, obj: SpaceRequest) -> list[str]:
        return steps.space_actions(obj, self.context["request"].user)


class NormVersionOut(serializers.ModelSerializer):
    rows = serializers.SerializerMethodField()

    class Meta:
        model = AreaNormVersion
        fields = ["id", "code", "name", "source", "effective_from", "current", "note", "based_on", "rows"]

    def get_rows(self, obj: AreaNormVersion) -> list[dict[str, Any]]:
        return [{"level": r.level, "rank": r.rank, "area": str(r.area)} for r in obj.rows.all()]


class FindingOut(serializers.ModelSerializer):
    room_number = serializers.CharField(source="room.number")

    class Meta:
        model = NormFinding
        fields = ["room", "room_number", "unit", "area", "allowance", "excess", "people"]


class CheckOut(serializers.ModelSerializer):
    version_code = serializers.CharField(source="version.code")
    findings = FindingOut(many=True)

    class Meta:
        model = NormCheck
        fields = ["id", "version", "version_code", "checked_at", "rooms_checked", "findings"]


class VacatingOut(serializers.ModelSerializer):
    person = serializers.CharField(source="seat.person.name")
    room = serializers.CharField(source="seat.room.number")
    unit = serializers.CharField(source="seat.unit.name")
    overdue = serializers.SerializerMethodField()
    request_id = serializers.IntegerField(source="service_request_id")
    status = serializers.CharField(source="service_request.status")
    actions = serializers.SerializerMethodField()

    class Meta:
        model = VacatingDeadline
        fields = [
            "id",
            "person",
            "room",
            "unit",
            "reason",
            "event_on",
            "due_on",
            "vacated_on",
            "overdue",
            "request_id",
            "status",
            "actions",
        ]

    def get_overdue(self, obj: VacatingDeadline) -> bool:
        return obj.vacated_on is None and obj.due_on < timezone.localdate()

    def get_actions(self, obj: VacatingDeadline) -> list[str]:
        return steps.vacating_actions(obj, self.context["request"].user)


class UsageOut(serializers.Serializer):
    unit = serializers.CharField(source="unit.name")
    unit_id = serializers.IntegerField(source="unit.pk")
    approved = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    used = serializers.DecimalField(max_digits=10, decimal_places=2)
    excess = serializers.DecimalField(max_digits=10, decimal_places=2)


# --- input -------------------------------------------------------------------------------------------------------


class AllocationIn(serializers.Serializer):
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    starts_on = serializers.DateField()
    use = serializers.ChoiceField(choices=RoomUse.choices, default=RoomUse.OFFICE)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class AllocationEndIn(serializers.Serializer):
    ends_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class SpaceRequestIn(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    compound = serializers.PrimaryKeyRelatedField(
        queryset=Compound.objects.all(), required=False, allow_null=True, default=None
    )
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(), required=False, allow_null=True, default=None
    )
    area_requested = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True, default=None
    )
    headcount = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=10000)
    returned_rooms = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.all(), many=True, required=False, default=list
    )
    reason = serializers.CharField(max_length=2000)


class StepIn(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    rooms = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), many=True, required=False, default=list)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    use = serializers.ChoiceField(choices=RoomUse.choices, default=RoomUse.OFFICE)


class VacatingCloseIn(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class NormRowIn(serializers.Serializer):
    level = serializers.CharField(max_length=20)
    rank = serializers.CharField(max_length=30)
    area = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)


class NormVersionIn(serializers.Serializer):
    # Not "code": a 400's field messages share the error body with its "code" string (servicedesk.api).
    version_code = serializers.SlugField(max_length=32)
    name = serializers.CharField(max_length=100)
    effective_from = serializers.DateField()
    based_on = serializers.PrimaryKeyRelatedField(
        queryset=AreaNormVersion.objects.all(), required=False, allow_null=True, default=None
    )
    # A field named "source": DRF's metaclass takes declared fields off the class, so it never shadows Field.source.
    source = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)  # type: ignore[assignment]
    rows = NormRowIn(many=True)


# --- views -------------------------------------------------------------------------------------------------------


def _space_pages(request: AuthenticatedRequest) -> None:
    if not may_use_space_pages(request.user):
        raise PermissionDenied


def _bureau(request: AuthenticatedRequest) -> None:
    if not is_space_bureau(request.user):
        raise PermissionDenied


class FloorListView(APIView):
    request: AuthenticatedRequest
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=FloorOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        _space_pages(request)
        floors = selectors.visible_floors(request.user, timezone.localdate()).order_by("building_id", "level")
        return Response(FloorOut(floors, many=True).data)


class FloorView(APIView):
    """A floor's rooms with state (vacant, occupied, idle, over, overdue), occupants, area and allowance."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RoomStateOut(many=True), operation_id="offices_floor_rooms")
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        _space_pages(request)
        day = timezone.localdate()
        floor = get_object_or_404(selectors.visible_floors(request.user, day), pk=pk)
        rooms = selectors.visible_rooms(request.user, day).filter(floor=floor)
        states = selectors.room_states(rooms=rooms, day=day, version=services.current_version())
        return Response(RoomStateOut(states, many=True).data)


class AllocationListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AllocationOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        _space_pages(request)
        qs = Allocation.objects.select_related("unit", "room").order_by("-starts_on", "-id")
        if not is_space_bureau(request.user):
            qs = qs.filter(unit_id=request.user.unit_id or 0)  # no unit, no allocations
        return Response(AllocationOut(qs[:500], many=True).data)

    @extend_schema(request=AllocationIn, responses={201: AllocationOut})
    def post(self, request: AuthenticatedRequest) -> Response:
        _bureau(request)
        data = AllocationIn(data=request.data)
        data.is_valid(raise_exception=True)
        allocation = services.allocation_create(actor=request.user, **data.validated_data)
        return Response(AllocationOut(allocation).data, status=status.HTTP_201_CREATED)


class AllocationEndView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=AllocationEndIn, responses=AllocationOut)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        _bureau(request)
        allocation = get_object_or_404(Allocation, pk=pk)
        data = AllocationEndIn(data=request.data)
        data.is_valid(raise_exception=True)
        allocation = services.allocation_end(actor=request.user, allocation=allocation, **data.validated_data)
        return Response(AllocationOut(allocation).data)


class SpaceRequestListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SpaceRequestOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        rows = selectors.space_requests(user=request.user).order_by("-service_request__created_at")[:200]
        return Response(SpaceRequestOut(rows, many=True, context={"request": request}).data)

    @extend_schema(request=SpaceRequestIn, responses={201: SpaceRequestOut})
    def post(self, request: AuthenticatedRequest) -> Response:
        data = SpaceRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        sr = steps.space_request_file(actor=request.user, **data.validated_data)
        return Response(SpaceRequestOut(sr, context={"request": request}).data, status=status.HTTP_201_CREATED)


class SpaceRequestDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SpaceRequestOut)
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        sr = get_object_or_404(selectors.space_requests(user=request.user), pk=pk)
        return Response(SpaceRequestOut(sr, context={"request": request}).data)


def _step_view(step: str) -> type[APIView]:
    class StepView(APIView):
        permission_classes = [IsAuthenticated]

        @extend_schema(request=StepIn, responses=SpaceRequestOut, operation_id=f"offices_space_request_{step}")
        def post(self, request: AuthenticatedRequest, pk: int) -> Response:
            sr = get_object_or_404(selectors.space_requests(user=request.user), pk=pk)
            data = StepIn(data=request.data)
            data.is_valid(raise_exception=True)
            sr = steps.space_step(space_request=sr, step=step, actor=request.user, **data.validated_data)
            return Response(SpaceRequestOut(sr, context={"request": request}).data)

    StepView.__name__ = f"SpaceRequest{step.title()}View"
    return StepView


STEP_VIEWS = {step: _step_view(step) for step in steps.STEPS}


class NormListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=NormVersionOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        _bureau(request)
        return Response(NormVersionOut(AreaNormVersion.objects.prefetch_related("rows"), many=True).data)

    @extend_schema(request=NormVersionIn, responses={201: NormVersionOut})
    def post(self, request: AuthenticatedRequest) -> Response:
        _bureau(request)
        data = NormVersionIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        rows = {(r["level"], r["rank"]): r["area"] for r in values.pop("rows")}
        values["code"] = values.pop("version_code")
        version = services.norm_version_create(actor=request.user, rows=rows, **values)
        return Response(NormVersionOut(version).data, status=status.HTTP_201_CREATED)


class CheckListView(APIView):
    """Stored over-standard checks; POST runs one now with the current version and stores its findings."""

    request: AuthenticatedRequest

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: CheckOut})
    def post(self, request: AuthenticatedRequest) -> Response:
        _bureau(request)
        check = services.norm_scan(actor=request.user)
        return Response(CheckOut(check).data, status=status.HTTP_201_CREATED)


class CheckView(APIView):
    request: AuthenticatedRequest
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CheckOut)
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        _bureau(request)
        check = get_object_or_404(NormCheck.objects.select_related("version").prefetch_related("findings__room"), pk=pk)
        return Response(CheckOut(check).data)


class VacatingListView(APIView):
    request: AuthenticatedRequest
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=VacatingOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        _space_pages(request)
        rows = selectors.vacating_list(user=request.user).order_by("due_on")[:500]
        return Response(VacatingOut(rows, many=True, context={"request": request}).data)


class VacatingCloseView(APIView):
    """The bureau confirms the room is given back and closes the vacating item (409 before it is vacated)."""

    request: AuthenticatedRequest
    permission_classes = [IsAuthenticated]

    @extend_schema(request=VacatingCloseIn, responses=VacatingOut, operation_id="offices_vacating_close")
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        _space_pages(request)
        deadline = get_object_or_404(selectors.vacating_list(user=request.user), pk=pk)
        data = VacatingCloseIn(data=request.data)
        data.is_valid(raise_exception=True)
        note = data.validated_data["note"]
        steps.vacating_step(deadline=deadline, step="close", actor=request.user, note=note)
        row = selectors.vacating_list(user=request.user).get(pk=pk)
        return Response(VacatingOut(row, context={"request": request}).data)


class UsageView(APIView):
    request: AuthenticatedRequest
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UsageOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        _space_pages(request)
        day = timezone.localdate()
        units = None if is_space_bureau(request.user) else selectors.visible_units(request.user)
        return Response(UsageOut(selectors.unit_usage(day=day, units=units), many=True).data)


class OverStandardView(GenericAPIView):
    """The over-standard rooms of the last stored check (POST checks/ runs a new one), largest excess first, a page
    at a time (``?page=``, 50 a page): the session, the last check, the count and the page's rows with their rooms,
    whatever the number of findings."""

    request: AuthenticatedRequest
    permission_classes = [IsAuthenticated]
    serializer_class = FindingOut

    def get_queryset(self) -> QuerySet[NormFinding]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator, not a caller
            return NormFinding.objects.none()
        check = ledgers.latest_check()
        if check is None:
            return NormFinding.objects.none()
        return check.findings.select_related("room").order_by("-excess", "room_id", "id")

    @extend_schema(responses=FindingOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        _bureau(request)
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # DEFAULT_PAGINATION_CLASS is set
        return self.get_paginated_response(FindingOut(page, many=True).data)


class ImportIn(serializers.Serializer):
    file = serializers.FileField(help_text="the register as .xlsx or .csv, at most 5 MB")


class ImportErrorOut(serializers.Serializer):
    row = serializers.IntegerField(help_text="the spreadsheet row (header = 1; 0 = the file as a whole)")
    field = serializers.CharField()
    column = serializers.CharField(source="field_label")
    message = serializers.CharField()


class ImportResultOut(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    # DRF's metaclass takes declared fields off the class, so this field never shadows Serializer.errors.
    errors = ImportErrorOut(many=True)  # type: ignore[assignment]


class ImportView(APIView):
    """Import a register (``rooms``, ``office_allocations``, ``office_occupants``): all or nothing. 200 with the
    counts; 400 with every error and its row when any row is wrong (nothing written)."""

    request: AuthenticatedRequest
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ImportIn}, responses={200: ImportResultOut, 400: ImportResultOut})
    def post(self, request: AuthenticatedRequest, kind: str) -> Response:
        _bureau(request)
        if kind not in imports.page_labels():
            raise NotFound
        form = f.ImportForm(data={"kind": kind}, files=request.FILES)
        if not form.is_valid():
            messages = [str(m) for field in ("file", "kind") for m in form.errors.get(field, [])]
            raise serializers.ValidationError({"file": messages})
        upload = form.cleaned_data["file"]
        result = import_file(kind=kind, file=upload, filename=upload.name or "", actor=request.user)
        code = status.HTTP_200_OK if result.ok else status.HTTP_400_BAD_REQUEST
        return Response(ImportResultOut(result).data, status=code)
