"""Canteen REST API (/api/v1/canteen/): input and output serializers, one POST per action, no business logic.

Errors come from servicedesk.api.exception_handler: ValidationError → 400 with field messages, ActionForbidden →
403, TransitionNotAllowed → 409. A canteen, menu, sample or head count the caller may not see answers 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from canteen import permissions as perms
from canteen import reports, selectors
from canteen.apps import COMPLAINT_KIND
from canteen.days import week_of
from canteen.models import (
    Canteen,
    Dish,
    DishCategory,
    FoodSample,
    HeadCount,
    LogInspection,
    Meal,
    MealBooking,
    MealService,
    MenuChange,
    WasteLog,
    WeeklyMenu,
)
from canteen.services import assessment, bookings, feedback, headcounts, logs, menus
from tickets.api.fields import IdField
from tickets.http import AuthenticatedRequest
from tickets.models import Category

# --- output ------------------------------------------------------------------------------------------------------


class ServiceOut(serializers.ModelSerializer):
    meal_display = serializers.CharField(source="get_meal_display")

    class Meta:
        model = MealService
        fields = ["id", "meal", "meal_display", "serves_from", "serves_until", "cutoff_time", "cutoff_days_before"]


class CanteenOut(serializers.ModelSerializer):
    compound_name = serializers.CharField(source="compound.name")
    services = ServiceOut(many=True)

    class Meta:
        model = Canteen
        fields = ["id", "code", "name", "compound_name", "booking_mode", "services"]


class DishOut(serializers.ModelSerializer):
    class Meta:
        model = Dish
        fields = ["id", "date", "meal", "name", "category", "allergens", "price", "withdrawn"]


class ChangeOut(serializers.ModelSerializer):
    class Meta:
        model = MenuChange
        fields = ["id", "date", "meal", "summary", "created_at"]


class MenuOut(serializers.ModelSerializer):
    canteen = serializers.CharField(source="canteen.code")
    dishes = DishOut(many=True)
    changes = ChangeOut(many=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = WeeklyMenu
        fields = ["id", "canteen", "week_start", "status", "approved_at", "published_at", "review_note", "dishes"]
        fields += ["changes", "actions"]

    def get_actions(self, obj: WeeklyMenu) -> list[str]:
        return menus.menu_actions(obj, self.context["request"].user)


class BookingOut(serializers.ModelSerializer):
    meal = serializers.CharField(source="service.meal")

    class Meta:
        model = MealBooking
        fields = ["id", "meal", "date", "eating", "guests", "guest_note", "updated_at"]


class HeadCountOut(serializers.ModelSerializer):
    meal = serializers.CharField(source="service.meal")
    canteen = serializers.CharField(source="service.canteen.code")

    class Meta:
        model = HeadCount
        fields = ["id", "canteen", "meal", "date", "diners", "guests", "total", "dish_estimates", "frozen_at", "served"]


class SampleOut(serializers.ModelSerializer):
    canteen = serializers.CharField(source="canteen.code")
    flagged = serializers.BooleanField()
    rectification = serializers.IntegerField(source="rectification_id", allow_null=True)

    class Meta:
        model = FoodSample
        fields = ["id", "canteen", "dish", "dish_name", "weight_g", "taken_at", "keeper", "disposed_at"]
        fields += ["underweight", "early_disposal", "flagged", "rectification"]


class WasteOut(serializers.ModelSerializer):
    canteen = serializers.CharField(source="canteen.code")

    class Meta:
        model = WasteLog
        fields = ["id", "canteen", "date", "waste_kg", "diners", "note"]


class LogInspectionOut(serializers.ModelSerializer):
    canteen = serializers.CharField(source="canteen.code")
    score = serializers.DecimalField(source="inspection.score", max_digits=5, decimal_places=2)
    failed_items = serializers.IntegerField(source="inspection.failed_items")

    class Meta:
        model = LogInspection
        fields = [
            "id",
            "canteen",
            "month",
            "samples",
            "underweight",
            "early_disposal",
            "waste_g_per_diner",
            "inspection",
            "score",
            "failed_items",
        ]


class WeekCellOut(serializers.Serializer):
    meal = serializers.CharField()
    date = serializers.DateField()
    serves = serializers.BooleanField()
    eating = serializers.BooleanField()
    guests = serializers.IntegerField()
    cutoff = serializers.DateTimeField()
    refusal = serializers.CharField()
    dishes = DishOut(many=True)
    changes = ChangeOut(many=True)


class WeekOut(serializers.Serializer):
    canteen = serializers.CharField()
    week_start = serializers.DateField()
    cells = WeekCellOut(many=True)


class WeekResultOut(serializers.Serializer):
    changed = serializers.ListField(child=serializers.DateField())
    skipped = serializers.ListField(child=serializers.DictField())


class CreatedRequestOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    contractor = serializers.IntegerField(allow_null=True)


# --- input -------------------------------------------------------------------------------------------------------


class CanteenIn(serializers.Serializer):
    canteen = serializers.SlugField(required=False)


class LogInspectionIn(CanteenIn):
    month = serializers.DateField(help_text="any day of the month; the month must be over")


class BookingIn(CanteenIn):
    meal = serializers.ChoiceField(choices=Meal.choices)
    date = serializers.DateField()
    eating = serializers.BooleanField()


class WeekIn(CanteenIn):
    meal = serializers.ChoiceField(choices=Meal.choices)
    week_start = serializers.DateField()
    eating = serializers.BooleanField(default=True)


class GuestsIn(CanteenIn):
    meal = serializers.ChoiceField(choices=Meal.choices)
    date = serializers.DateField()
    guests = serializers.IntegerField(min_value=0, max_value=bookings.MAX_GUESTS)
    note = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class MenuIn(CanteenIn):
    week_start = serializers.DateField()


class DishIn(serializers.Serializer):
    date = serializers.DateField()
    meal = serializers.ChoiceField(choices=Meal.choices)
    name = serializers.CharField(max_length=60)
    category = serializers.ChoiceField(choices=DishCategory.choices)
    allergens = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    price = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True)


class DishPatchIn(DishIn):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class MenuNoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ServedIn(serializers.Serializer):
    served = serializers.IntegerField(min_value=0, max_value=100000)


class RatingIn(serializers.Serializer):
    dish = IdField()
    stars = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SampleIn(CanteenIn):
    dish = IdField(required=False, allow_null=True)
    dish_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    weight_g = serializers.DecimalField(max_digits=7, decimal_places=1)
    taken_at = serializers.DateTimeField()
    keeper = serializers.CharField(max_length=50)


class DisposeIn(serializers.Serializer):
    disposed_at = serializers.DateTimeField()


class WasteIn(CanteenIn):
    date = serializers.DateField()
    waste_kg = serializers.DecimalField(max_digits=8, decimal_places=2)
    diners = serializers.IntegerField(min_value=1, max_value=1000000)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ComplaintIn(CanteenIn):
    category = IdField(min_value=0)  # 0 is "none chosen": the view checks the diner's canteen first
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    meal = serializers.ChoiceField(choices=Meal.choices, required=False, allow_blank=True)
    date = serializers.DateField(required=False, allow_null=True)
    dish = IdField(required=False, allow_null=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=feedback.MAX_PHOTOS)


# --- helpers -----------------------------------------------------------------------------------------------------


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _one(canteens: QuerySet[Canteen], code: str | None) -> Canteen:
    found = canteens.filter(code=code).first() if code else canteens.order_by("code").first()
    if found is None:
        raise Http404
    return found


def _diner_canteen(request: AuthenticatedRequest, code: str | None) -> Canteen:
    return _one(perms.canteens_for_diner(request.user), code)


def _managed_canteen(request: AuthenticatedRequest, code: str | None) -> Canteen:
    return _one(perms.canteens_managed_by(request.user), code)


def _service(canteen: Canteen, meal: str) -> MealService:
    return get_object_or_404(MealService.objects.select_related("canteen"), canteen=canteen, meal=meal, active=True)


CANTEEN_PARAM = OpenApiParameter("canteen", str, required=False, description="canteen code")


class _Base(APIView):
    request: AuthenticatedRequest
    permission_classes = [IsAuthenticated]


# --- views -------------------------------------------------------------------------------------------------------


class CanteenList(_Base):
    """Canteens the caller dines at (diners), runs (operator) or supervises (bureau)."""

    @extend_schema(responses=CanteenOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        dining = perms.canteens_for_diner(request.user)
        managed = perms.canteens_managed_by(request.user)
        canteens = (dining | managed).distinct().prefetch_related("services").select_related("compound")
        return Response(CanteenOut(canteens.order_by("code"), many=True).data)


class WeekView(_Base):
    """The caller's week: each meal with the choice, cut-off, refusal reason, dishes and menu changes."""

    @extend_schema(
        parameters=[CANTEEN_PARAM, OpenApiParameter("week", OpenApiTypes.DATE, required=False)], responses=WeekOut
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        canteen = _diner_canteen(request, request.query_params.get("canteen"))
        raw = request.query_params.get("week") or ""
        try:
            day = date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            raise serializers.ValidationError({"week": ["YYYY-MM-DD"]}) from None
        view = selectors.booking_week_view(user=request.user, canteen=canteen, week_start=day, now=timezone.now())
        cells = [
            {
                "meal": c.service.meal,
                "date": c.day,
                "serves": c.serves,
                "eating": c.eating,
                "guests": c.guests,
                "cutoff": c.cutoff,
                "refusal": c.refusal,
                "dishes": c.dishes,
                "changes": c.changes,
            }
            for _day, row in view.rows
            for c in row
        ]
        return Response(WeekOut({"canteen": canteen.code, "week_start": view.week_start, "cells": cells}).data)


class BookingCreate(_Base):
    """Book (eating=true) or cancel / opt out (eating=false) one meal of the caller's own."""

    @extend_schema(request=BookingIn, responses=BookingOut)
    def post(self, request: AuthenticatedRequest) -> Response:
        _require_diner(request)
        data = _valid(BookingIn, request.data)
        service = _service(_diner_canteen(request, data.get("canteen")), data["meal"])
        booking = bookings.booking_set(actor=request.user, service=service, day=data["date"], eating=data["eating"])
        return Response(BookingOut(booking).data)


class BookingWeek(_Base):
    """A whole week of one meal in one call; days past their cut-off are listed in ``skipped`` with the reason."""

    @extend_schema(request=WeekIn, responses=WeekResultOut)
    def post(self, request: AuthenticatedRequest) -> Response:
        _require_diner(request)
        data = _valid(WeekIn, request.data)
        service = _service(_diner_canteen(request, data.get("canteen")), data["meal"])
        result = bookings.booking_week(
            actor=request.user, service=service, week_start=week_of(data["week_start"])[0], eating=data["eating"]
        )
        skipped = [{"date": d.isoformat(), "reason": r} for d, r in result.skipped]
        return Response(WeekResultOut({"changed": result.changed, "skipped": skipped}).data)


class GuestBooking(_Base):
    """A unit liaison's guest meals against the unit (0 cancels)."""

    @extend_schema(request=GuestsIn, responses=BookingOut)
    def post(self, request: AuthenticatedRequest) -> Response:
        _require_diner(request)
        data = _valid(GuestsIn, request.data)
        service = _service(_diner_canteen(request, data.get("canteen")), data["meal"])
        booking = bookings.guest_booking_set(
            actor=request.user,
            service=service,
            day=data["date"],
            unit=request.user.unit,
            guests=data["guests"],
            note=data["note"],
        )
        return Response(BookingOut(booking).data)


def _menu(request: AuthenticatedRequest, pk: int) -> WeeklyMenu:
    return get_object_or_404(
        WeeklyMenu.objects.select_related("canteen").prefetch_related("dishes", "changes"),
        pk=pk,
        canteen__in=perms.canteens_managed_by(request.user),
    )


class MenuList(_Base):
    @extend_schema(parameters=[CANTEEN_PARAM], responses=MenuOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        _require_staff(request)
        qs = selectors.menus_visible_to(request.user).prefetch_related("dishes", "changes")
        if request.query_params.get("canteen"):
            qs = qs.filter(canteen__code=request.query_params["canteen"])
        return Response(MenuOut(qs[:60], many=True, context={"request": request}).data)

    @extend_schema(request=MenuIn, responses={201: MenuOut})
    def post(self, request: AuthenticatedRequest) -> Response:
        _require_some_operator(request)
        data = _valid(MenuIn, request.data)
        canteen = _managed_canteen(request, data.get("canteen"))
        menu = menus.menu_create(actor=request.user, canteen=canteen, week_start=data["week_start"])
        return Response(MenuOut(_menu(request, menu.pk), context={"request": request}).data, status=201)


class MenuDetail(_Base):
    @extend_schema(responses=MenuOut)
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return Response(MenuOut(_menu(request, pk), context={"request": request}).data)


def _menu_step_view(action: str) -> type[APIView]:
    class Step(_Base):
        @extend_schema(request=MenuNoteIn, responses=MenuOut, operation_id=f"canteen_menu_{action}")
        def post(self, request: AuthenticatedRequest, pk: int) -> Response:
            menu = _menu(request, pk)
            note = _valid(MenuNoteIn, request.data)["note"]
            menus.menu_step(actor=request.user, menu=menu, action=action, note=note)
            return Response(MenuOut(_menu(request, pk), context={"request": request}).data)

    Step.__name__ = f"Menu{action.title()}"
    Step.__doc__ = f"Menu step '{action}' (the menu's table of steps: submit, approve, return, publish)."
    return Step


MENU_STEP_VIEWS = {action: _menu_step_view(action) for action in menus.MENU_MOVES}


class DishCreate(_Base):
    @extend_schema(request=DishIn, responses={201: DishOut})
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        menu = _menu(request, pk)
        _require_operator(request, menu.canteen)
        dish = menus.dish_add(actor=request.user, menu=menu, **_valid(DishIn, request.data))
        return Response(DishOut(dish).data, status=201)


def _dish(request: AuthenticatedRequest, pk: int) -> Dish:
    return get_object_or_404(
        Dish.objects.select_related("menu__canteen"), pk=pk, menu__canteen__in=perms.canteens_managed_by(request.user)
    )


class DishDetail(_Base):
    @extend_schema(request=DishPatchIn, responses=DishOut)
    def patch(self, request: AuthenticatedRequest, pk: int) -> Response:
        dish = _dish(request, pk)
        serializer = DishIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return Response(DishOut(menus.dish_update(actor=request.user, dish=dish, **serializer.validated_data)).data)


class DishWithdraw(_Base):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        menus.dish_withdraw(actor=request.user, dish=_dish(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class HeadCountList(_Base):
    """Frozen head counts of the caller's canteens (operator) or all (bureau); ?canteen=&date=."""

    @extend_schema(
        parameters=[CANTEEN_PARAM, OpenApiParameter("date", OpenApiTypes.DATE, required=False)],
        responses=HeadCountOut(many=True),
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        canteen = _managed_canteen(request, request.query_params.get("canteen"))
        qs = HeadCount.objects.filter(service__canteen=canteen).select_related("service__canteen")
        raw = request.query_params.get("date")
        if raw:
            try:
                qs = qs.filter(date=date.fromisoformat(raw))
            except ValueError:
                raise serializers.ValidationError({"date": ["YYYY-MM-DD"]}) from None
        return Response(HeadCountOut(qs.order_by("-date", "service__serves_from")[:90], many=True).data)


class HeadCountServed(_Base):
    @extend_schema(request=ServedIn, responses=HeadCountOut)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        count = get_object_or_404(
            HeadCount.objects.select_related("service__canteen"),
            pk=pk,
            service__canteen__in=perms.canteens_managed_by(request.user),
        )
        _require_operator(request, count.service.canteen)
        served = _valid(ServedIn, request.data)["served"]
        return Response(
            HeadCountOut(headcounts.head_count_record_served(actor=request.user, head_count=count, served=served)).data
        )


class RatingCreate(_Base):
    """A dish rating, only by someone who booked (or did not opt out of) that meal, after it was served."""

    @extend_schema(request=RatingIn, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: AuthenticatedRequest) -> Response:
        _require_diner(request)
        data = _valid(RatingIn, request.data)
        dish = get_object_or_404(
            Dish.objects.select_related("menu"),
            pk=data["dish"],
            menu__canteen__in=perms.canteens_for_diner(request.user),
        )
        rating = feedback.rating_add(actor=request.user, dish=dish, stars=data["stars"], comment=data["comment"])
        return Response({"id": rating.pk, "dish": dish.pk, "stars": rating.stars}, status=201)


class SampleList(_Base):
    @extend_schema(parameters=[CANTEEN_PARAM], responses=SampleOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        canteen = _managed_canteen(request, request.query_params.get("canteen"))
        qs = FoodSample.objects.filter(canteen=canteen).select_related("canteen")[:200]
        return Response(SampleOut(qs, many=True).data)

    @extend_schema(request=SampleIn, responses={201: SampleOut})
    def post(self, request: AuthenticatedRequest) -> Response:
        _require_some_operator(request)
        data = _valid(SampleIn, request.data)
        canteen = _managed_canteen(request, data.get("canteen"))
        dish = None
        if data.get("dish"):
            dish = Dish.objects.filter(pk=data["dish"], menu__canteen=canteen).select_related("menu").first()
            if dish is None:
                raise serializers.ValidationError({"dish": [str(feedback.DISH_NOT_HERE)]})
        sample = logs.sample_record(
            actor=request.user,
            canteen=canteen,
            dish=dish,
            dish_name=data["dish_name"],
            weight_g=data["weight_g"],
            taken_at=data["taken_at"],
            keeper=data["keeper"],
        )
        return Response(SampleOut(sample).data, status=201)


def _sample(request: AuthenticatedRequest, pk: int) -> FoodSample:
    return get_object_or_404(
        FoodSample.objects.select_related("canteen"), pk=pk, canteen__in=perms.canteens_managed_by(request.user)
    )


class SampleDispose(_Base):
    @extend_schema(request=DisposeIn, responses=SampleOut)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        sample = _sample(request, pk)
        _require_operator(request, sample.canteen)
        when = _valid(DisposeIn, request.data)["disposed_at"]
        return Response(SampleOut(logs.sample_dispose(actor=request.user, sample=sample, disposed_at=when)).data)


class SampleRectify(_Base):
    @extend_schema(request=None, responses={201: CreatedRequestOut})
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        req = logs.sample_rectify(actor=request.user, sample=_sample(request, pk))
        out = {"id": req.pk, "number": req.number, "status": req.status, "contractor": req.contractor_id}
        return Response(CreatedRequestOut(out).data, status=201)


class WasteList(_Base):
    @extend_schema(parameters=[CANTEEN_PARAM], responses=WasteOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        canteen = _managed_canteen(request, request.query_params.get("canteen"))
        return Response(
            WasteOut(WasteLog.objects.filter(canteen=canteen).select_related("canteen")[:400], many=True).data
        )

    @extend_schema(request=WasteIn, responses={201: WasteOut})
    def post(self, request: AuthenticatedRequest) -> Response:
        _require_some_operator(request)
        data = _valid(WasteIn, request.data)
        canteen = _managed_canteen(request, data.get("canteen"))
        log = logs.waste_record(
            actor=request.user,
            canteen=canteen,
            day=data["date"],
            waste_kg=data["waste_kg"],
            diners=data["diners"],
            note=data["note"],
        )
        return Response(WasteOut(log).data, status=201)


class ComplaintCreate(_Base):
    """A complaint about a canteen: a core request of the canteen's kind, routed to its contractor."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request={"multipart/form-data": ComplaintIn}, responses={201: CreatedRequestOut})
    def post(self, request: AuthenticatedRequest) -> Response:
        _require_diner(request)
        data = _valid(ComplaintIn, request.data)
        canteen = _diner_canteen(request, data.get("canteen"))
        category = Category.objects.filter(pk=data["category"], kind=COMPLAINT_KIND, active=True).first()
        if category is None:
            raise serializers.ValidationError({"category": [str(feedback.CATEGORY_NOT_CANTEEN)]})
        service = canteen.services.filter(meal=data["meal"]).first() if data.get("meal") else None
        dish = (
            Dish.objects.filter(pk=data.get("dish") or 0, menu__canteen=canteen).first() if data.get("dish") else None
        )
        req = feedback.complaint_file(
            actor=request.user,
            canteen=canteen,
            category=category,
            title=data["title"],
            description=data["description"],
            service=service,
            day=data.get("date"),
            dish=dish,
            photos=request.FILES.getlist("photos"),
        )
        out = {"id": req.pk, "number": req.number, "status": req.status, "contractor": req.contractor_id}
        return Response(CreatedRequestOut(out).data, status=201)


class LogInspectionList(_Base):
    """The months of sample and waste logs recorded as inspections of the canteen contract (the bureau's)."""

    @extend_schema(parameters=[CANTEEN_PARAM], responses=LogInspectionOut(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        _require_bureau(request)
        canteen = _managed_canteen(request, request.query_params.get("canteen"))
        rows = LogInspection.objects.filter(canteen=canteen).select_related("canteen", "inspection")[:120]
        return Response(LogInspectionOut(rows, many=True).data)

    @extend_schema(request=LogInspectionIn, responses={201: LogInspectionOut})
    def post(self, request: AuthenticatedRequest) -> Response:
        _require_bureau(request)
        data = _valid(LogInspectionIn, request.data)
        canteen = _managed_canteen(request, data.get("canteen"))
        row = assessment.log_inspection_record(canteen=canteen, month=data["month"], actor=request.user)
        return Response(LogInspectionOut(row).data, status=201)


def _require_bureau(request: AuthenticatedRequest) -> None:
    if not perms.is_canteen_bureau(request.user):
        raise PermissionDenied


def _require_staff(request: AuthenticatedRequest) -> None:
    if not perms.canteens_managed_by(request.user).exists():
        raise PermissionDenied


def _require_diner(request: AuthenticatedRequest) -> None:
    """Checked before the input: someone who dines nowhere is told so, whatever they sent."""
    if not perms.canteens_for_diner(request.user).exists():
        raise PermissionDenied(str(feedback.NOT_A_DINER))


def _require_some_operator(request: AuthenticatedRequest) -> None:
    """Checked before the input: only a canteen operator records menus, samples and waste."""
    if not any(perms.is_operator(request.user, c) for c in perms.canteens_managed_by(request.user)):
        raise PermissionDenied(str(menus.NOT_THE_OPERATOR))


def _require_operator(request: AuthenticatedRequest, canteen: Canteen) -> None:
    if not perms.is_operator(request.user, canteen):
        raise PermissionDenied(str(menus.NOT_THE_OPERATOR))


class ReportView(_Base):
    """Booked vs served, waste per diner by week, ratings per dish, complaints and their SLA, flagged samples."""

    @extend_schema(
        parameters=[
            CANTEEN_PARAM,
            OpenApiParameter("date_from", OpenApiTypes.DATE, required=False),
            OpenApiParameter("date_to", OpenApiTypes.DATE, required=False),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        _require_staff(request)
        canteen = _managed_canteen(request, request.query_params.get("canteen"))
        start, end = reports.parse_period(request.query_params, today=timezone.localdate())
        return Response(reports.canteen_report(canteen, start, end))


class AntiWasteExport(_Base):
    """The quarterly anti-waste self-assessment sheet (XLSX) of one canteen: ?canteen=&year=&quarter=."""

    @extend_schema(
        parameters=[
            CANTEEN_PARAM,
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("quarter", int, required=True),
        ],
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY},
    )
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        _require_staff(request)
        canteen = _managed_canteen(request, request.query_params.get("canteen"))
        name, body = reports.anti_waste_xlsx(
            canteen, request.query_params.get("year"), request.query_params.get("quarter")
        )
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
