"""Dish ratings (only by those who ate) and complaints (core requests of the canteen's kind)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canteen import permissions
from canteen.apps import COMPLAINT_KIND
from canteen.days import meal_starts_at
from canteen.models import Canteen, Dish, DishRating, MealService, MenuStatus
from canteen.services.bookings import eats
from tickets.exceptions import ActionForbidden
from tickets.models import Category, ServiceRequest, User
from tickets.services.comments import attachment_add, sniff_upload
from tickets.services.common import now_or
from tickets.services.requests import request_create

DISH_NOT_HERE = gettext_lazy("该菜品不属于这个食堂。")
NOT_A_DINER = gettext_lazy("您所在单位不在该食堂就餐范围内。")
CATEGORY_NOT_CANTEEN = gettext_lazy("请选择食堂意见的分类。")
RATING_WINDOW_DAYS = 7
MAX_PHOTOS = 6


def rating_add(*, actor: User, dish: Dish, stars: int, comment: str = "", now: datetime | None = None) -> DishRating:
    now = now_or(now)
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise ValidationError({"stars": [_("评分须为1到5星。")]})
    menu = dish.menu
    service = MealService.objects.filter(canteen_id=menu.canteen_id, meal=dish.meal).select_related("canteen").first()
    if menu.status != MenuStatus.PUBLISHED or dish.withdrawn or service is None:
        raise ValidationError({"dish": [_("该菜品未在公示菜谱中。")]})
    if now < meal_starts_at(service, dish.date):
        raise ValidationError({"dish": [_("开餐之后才能评价。")]})
    if timezone.localdate(now) > dish.date + timedelta(days=RATING_WINDOW_DAYS):
        raise ValidationError({"dish": [_("只能评价%(days)d天内的菜品。") % {"days": RATING_WINDOW_DAYS}]})
    if not eats(actor, service, dish.date):
        raise ActionForbidden(_("您没有报这一餐，不能评价。"))
    try:
        with transaction.atomic():
            return DishRating.objects.create(
                dish=dish, diner=actor, stars=stars, comment=comment.strip()[:200], created_at=now
            )
    except IntegrityError:
        raise ValidationError({"dish": [_("您已评价过该菜品。")]}) from None


def complaint_file(
    *,
    actor: User,
    canteen: Canteen,
    category: Category,
    title: str,
    description: str = "",
    service: MealService | None = None,
    day: date | None = None,
    dish: Dish | None = None,
    photos: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> ServiceRequest:
    """File a complaint about the canteen: a core request routed to its contractor, with the meal it concerns."""
    from canteen.models import ComplaintDetail

    now = now_or(now)
    if not permissions.may_dine(actor, canteen) and not permissions.is_canteen_bureau(actor):
        raise ActionForbidden(str(NOT_A_DINER))
    errors: dict[str, list[str]] = {}
    if category.kind != COMPLAINT_KIND:
        errors["category"] = [str(CATEGORY_NOT_CANTEEN)]
    if service is not None and service.canteen_id != canteen.pk:
        errors["service"] = [_("该餐次不属于这个食堂。")]
    if dish is not None and dish.menu.canteen_id != canteen.pk:
        errors["dish"] = [str(DISH_NOT_HERE)]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("最多上传%(n)d张照片。") % {"n": MAX_PHOTOS}]
    if errors:
        raise ValidationError(errors)
    for photo in photos:  # every file is checked before anything is written
        sniff_upload(photo)
    with transaction.atomic():
        req = request_create(
            actor=actor,
            category=category,
            kind=COMPLAINT_KIND,
            title=title,
            description=description,
            compound=canteen.compound,
            building=canteen.building,
            location_detail=canteen.name,
            now=now,
        )
        ComplaintDetail.objects.create(
            request=req, canteen=canteen, service=service, date=day or (dish.date if dish else None), dish=dish
        )
        for photo in photos:
            attachment_add(service_request=req, actor=actor, upload=photo, now=now)
    return req
