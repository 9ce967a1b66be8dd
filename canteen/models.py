"""Canteens (机关食堂): meal services with cut-offs, weekly menus, bookings, head counts, ratings, sample and waste
logs. Complaints are core requests of this module's kind; ``ComplaintDetail`` adds the meal they are about."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# 留样: each dish at least 125 g, kept at least 48 hours (食品安全国家标准 and the city's canteen rules).
SAMPLE_MIN_GRAMS = 125
SAMPLE_MIN_HOURS = 48


class BookingMode(models.TextChoices):
    OPT_IN = "opt_in", _("报餐")
    OPT_OUT = "opt_out", _("不吃登记")


class Meal(models.TextChoices):
    BREAKFAST = "breakfast", _("早餐")
    LUNCH = "lunch", _("午餐")
    DINNER = "dinner", _("晚餐")


class Canteen(models.Model):
    """A canteen in a compound, run by a canteen contractor; it serves the staff of the units listed."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    compound = models.ForeignKey("tickets.Compound", on_delete=models.PROTECT, verbose_name=_("院区"))
    building = models.ForeignKey(
        "tickets.Building", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("楼栋")
    )
    contractor = models.ForeignKey(
        "tickets.Contractor", on_delete=models.PROTECT, related_name="canteens", verbose_name=_("餐饮服务商")
    )
    calendar = models.ForeignKey(
        "tickets.BusinessCalendar",
        on_delete=models.PROTECT,
        verbose_name=_("供餐日历"),
        help_text=_("供餐日按此日历的工作日计：不执行节假日的日历节假日也供餐，调休上班日供餐"),
    )
    units = models.ManyToManyField("tickets.Unit", related_name="canteens", verbose_name=_("就餐单位"))
    booking_mode = models.CharField(
        _("报餐方式"), max_length=10, choices=BookingMode.choices, default=BookingMode.OPT_IN
    )
    rectification_category = models.ForeignKey(
        "tickets.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改分类"),
        help_text=_("留样不合格转整改时使用的服务分类"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("食堂")
        verbose_name_plural = _("食堂")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class MealService(models.Model):
    """One meal a canteen serves, its serving hours and its booking cut-off."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="services", verbose_name=_("食堂"))
    meal = models.CharField(_("餐次"), max_length=10, choices=Meal.choices)
    serves_from = models.TimeField(_("开餐时间"))
    serves_until = models.TimeField(_("结束时间"))
    cutoff_time = models.TimeField(_("报餐截止时间"))
    cutoff_days_before = models.PositiveSmallIntegerField(
        _("提前天数"), default=0, help_text=_("0 表示当天截止，1 表示前一天截止")
    )
    price = models.DecimalField(_("餐标(元)"), max_digits=8, decimal_places=2, null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("餐次")
        verbose_name_plural = _("餐次")
        ordering = ["canteen_id", "serves_from"]
        constraints = [
            models.UniqueConstraint(fields=["canteen", "meal"], name="canteen_meal_unique"),
            models.CheckConstraint(
                condition=models.Q(serves_until__gt=models.F("serves_from")), name="canteen_service_hours_valid"
            ),
            models.CheckConstraint(condition=models.Q(cutoff_days_before__lte=7), name="canteen_cutoff_within_week"),
        ]

    def __str__(self) -> str:
        return f"{self.canteen.name} {self.get_meal_display()}"


class ServiceDay(models.Model):
    """An exception to the canteen's calendar: a holiday served, or a working day not served."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="days", verbose_name=_("食堂"))
    date = models.DateField(_("日期"))
    serves = models.BooleanField(_("供餐"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("供餐日调整")
        verbose_name_plural = _("供餐日调整")
        ordering = ["canteen_id", "date"]
        constraints = [models.UniqueConstraint(fields=["canteen", "date"], name="canteen_day_unique")]

    def __str__(self) -> str:
        return f"{self.canteen.name} {self.date}"


class MenuStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核")
    PUBLISHED = "published", _("已公示")


class WeeklyMenu(models.Model):
    """菜谱公示: the operator drafts a week's dishes, the bureau approves, then it is published to staff."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="menus", verbose_name=_("食堂"))
    week_start = models.DateField(_("周一日期"))
    status = models.CharField(_("状态"), max_length=10, choices=MenuStatus.choices, default=MenuStatus.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("每周菜谱")
        verbose_name_plural = _("每周菜谱")
        ordering = ["canteen_id", "-week_start"]
        constraints = [models.UniqueConstraint(fields=["canteen", "week_start"], name="canteen_menu_week_unique")]

    def __str__(self) -> str:
        return f"{self.canteen.name} {self.week_start}"


class DishCategory(models.TextChoices):
    MEAT = "meat", _("荤菜")
    VEGETABLE = "vegetable", _("素菜")
    STAPLE = "staple", _("主食")
    SOUP = "soup", _("汤")
    OTHER = "other", _("其他")


class Dish(models.Model):
    menu = models.ForeignKey(WeeklyMenu, on_delete=models.PROTECT, related_name="dishes", verbose_name=_("菜谱"))
    date = models.DateField(_("日期"))
    meal = models.CharField(_("餐次"), max_length=10, choices=Meal.choices)
    name = models.CharField(_("菜名"), max_length=60)
    category = models.CharField(_("类别"), max_length=10, choices=DishCategory.choices)
    allergens = models.CharField(_("过敏原"), max_length=100, blank=True)
    price = models.DecimalField(_("价格(元)"), max_digits=8, decimal_places=2, null=True, blank=True)
    withdrawn = models.BooleanField(_("已撤下"), default=False)

    class Meta:
        verbose_name = _("菜品")
        verbose_name_plural = _("菜品")
        ordering = ["date", "meal", "category", "id"]
        indexes = [models.Index(fields=["menu", "date", "meal"], name="canteen_dish_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0), name="canteen_dish_price"
            )
        ]

    def __str__(self) -> str:
        return self.name


class MenuChange(models.Model):
    """A change made to a published menu: kept and shown to those who booked that meal."""

    menu = models.ForeignKey(WeeklyMenu, on_delete=models.PROTECT, related_name="changes", verbose_name=_("菜谱"))
    dish = models.ForeignKey(Dish, on_delete=models.PROTECT, related_name="+", verbose_name=_("菜品"))
    date = models.DateField(_("日期"))
    meal = models.CharField(_("餐次"), max_length=10, choices=Meal.choices)
    summary = models.CharField(_("变更内容"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("操作人"))
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("菜谱变更")
        verbose_name_plural = _("菜谱变更")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.summary


class MealBooking(models.Model):
    """One person's (or, with no diner, a unit's guests') choice for one meal on one day.

    Opt-in canteens: ``eating`` rows are the head count. Opt-out canteens: everyone of the served units eats
    unless a row says ``eating=False``. A cancelled booking keeps its row (``eating`` flips) so the history stays.
    """

    service = models.ForeignKey(MealService, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("餐次"))
    date = models.DateField(_("日期"))
    diner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meal_bookings",
        verbose_name=_("就餐人"),
    )
    unit = models.ForeignKey("tickets.Unit", on_delete=models.PROTECT, verbose_name=_("单位"))
    eating = models.BooleanField(_("就餐"))
    guests = models.PositiveSmallIntegerField(_("来客人数"), default=0)
    guest_note = models.CharField(_("来客说明"), max_length=100, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("登记时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("报餐")
        verbose_name_plural = _("报餐")
        ordering = ["date", "service_id"]
        indexes = [models.Index(fields=["service", "date", "eating"], name="canteen_booking_count")]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "date", "diner"],
                condition=models.Q(diner__isnull=False),
                name="canteen_booking_once_per_diner",
            ),
            models.UniqueConstraint(
                fields=["service", "date", "unit"],
                condition=models.Q(diner__isnull=True),
                name="canteen_guest_booking_once_per_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(diner__isnull=False, guests=0) | models.Q(diner__isnull=True),
                name="canteen_booking_guests_only_for_units",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.date} {self.diner or self.unit}"


class HeadCount(models.Model):
    """The count frozen at a meal's cut-off (计口下粮), sent to the operator once."""

    service = models.ForeignKey(
        MealService, on_delete=models.PROTECT, related_name="head_counts", verbose_name=_("餐次")
    )
    date = models.DateField(_("日期"))
    diners = models.PositiveIntegerField(_("报餐人数"))
    guests = models.PositiveIntegerField(_("来客人数"))
    total = models.PositiveIntegerField(_("合计"))
    dish_estimates = models.JSONField(_("菜品估算"), default=list, blank=True)
    frozen_at = models.DateTimeField(_("锁定时间"))
    served = models.PositiveIntegerField(_("实际就餐"), null=True, blank=True)

    class Meta:
        verbose_name = _("就餐人数")
        verbose_name_plural = _("就餐人数")
        ordering = ["-date", "service_id"]
        constraints = [models.UniqueConstraint(fields=["service", "date"], name="canteen_head_count_once")]

    def __str__(self) -> str:
        return f"{self.service} {self.date}: {self.total}"


class HeadCountNotice(models.Model):
    """The head count in one operator's inbox; its e-mail is claimed and sent at most once."""

    head_count = models.ForeignKey(HeadCount, on_delete=models.PROTECT, related_name="notices")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("人数通知")
        verbose_name_plural = _("人数通知")
        constraints = [
            models.UniqueConstraint(fields=["head_count", "recipient"], name="canteen_notice_once_per_recipient")
        ]

    def __str__(self) -> str:
        return self.title


class HeadCountWebhook(models.Model):
    """The head count POSTed to one of the core's webhook endpoints, once."""

    head_count = models.ForeignKey(HeadCount, on_delete=models.PROTECT, related_name="webhooks")
    endpoint = models.ForeignKey("tickets.WebhookEndpoint", on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["endpoint", "head_count"], name="canteen_webhook_once")]

    def __str__(self) -> str:
        return f"{self.endpoint_id}→{self.head_count_id}"


class DishRating(models.Model):
    dish = models.ForeignKey(Dish, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("菜品"))
    diner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("评价人"))
    stars = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("评价"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("菜品评价")
        verbose_name_plural = _("菜品评价")
        constraints = [
            models.UniqueConstraint(fields=["dish", "diner"], name="canteen_rating_once"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="canteen_rating_range"),
        ]

    def __str__(self) -> str:
        return f"{self.dish_id} ★{self.stars}"


class FoodSample(models.Model):
    """留样: a kept portion of a dish. Flagged when under 125 g or disposed of before 48 hours."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="samples", verbose_name=_("食堂"))
    dish = models.ForeignKey(Dish, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("菜品"))
    dish_name = models.CharField(_("菜名"), max_length=60)
    weight_g = models.DecimalField(_("重量(克)"), max_digits=7, decimal_places=1)
    taken_at = models.DateTimeField(_("留样时间"), db_index=True)
    keeper = models.CharField(_("留样人"), max_length=50)
    disposed_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    underweight = models.BooleanField(_("重量不足"), default=False)
    early_disposal = models.BooleanField(_("提前处置"), default=False)
    rectification = models.ForeignKey(
        "tickets.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改请求"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("留样记录")
        verbose_name_plural = _("留样记录")
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weight_g__gt=0), name="canteen_sample_weight_positive"),
            models.CheckConstraint(
                condition=models.Q(disposed_at__isnull=True) | models.Q(disposed_at__gte=models.F("taken_at")),
                name="canteen_sample_disposed_after_taken",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dish_name} {self.weight_g}g"

    @property
    def flagged(self) -> bool:
        return self.underweight or self.early_disposal


class WasteLog(models.Model):
    """A day's food waste (反食品浪费): kilograms and the diners served that day."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="waste", verbose_name=_("食堂"))
    date = models.DateField(_("日期"))
    waste_kg = models.DecimalField(_("餐厨垃圾(千克)"), max_digits=8, decimal_places=2)
    diners = models.PositiveIntegerField(_("就餐人次"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("浪费记录")
        verbose_name_plural = _("浪费记录")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["canteen", "date"], name="canteen_waste_once_a_day"),
            models.CheckConstraint(condition=models.Q(waste_kg__gte=0), name="canteen_waste_not_negative"),
            models.CheckConstraint(condition=models.Q(diners__gt=0), name="canteen_waste_diners_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.canteen.name} {self.date}"


class ComplaintDetail(models.Model):
    """What a canteen complaint (a core request of kind ``canteen_complaint``) is about."""

    request = models.OneToOneField(
        "tickets.ServiceRequest", on_delete=models.PROTECT, related_name="canteen_detail", verbose_name=_("请求")
    )
    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("食堂"))
    service = models.ForeignKey(MealService, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("餐次"))
    date = models.DateField(_("就餐日期"), null=True, blank=True)
    dish = models.ForeignKey(Dish, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("菜品"))

    class Meta:
        verbose_name = _("食堂意见")
        verbose_name_plural = _("食堂意见")

    def __str__(self) -> str:
        return f"{self.canteen_id} {self.request_id}"


def _log_item(label: StrOrPromise, help_text: StrOrPromise = "") -> models.ForeignKey[Any, Any]:
    """A checklist item a log check fills (optional: a scheme may check only some of the logs)."""
    return models.ForeignKey(
        "tickets.ChecklistItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=label,
        help_text=help_text,
    )


class LogChecklist(models.Model):
    """Where the sample and waste logs enter the canteen contractor's assessment (考核).

    The bureau names a checklist of the canteen line and which of its items each log check fills: samples under
    125 g, samples disposed of before 48 hours (a count each: a measure item's limit is the count allowed, a
    pass/fail item passes at none), and waste per diner (a measure item in g per diner, its limit the threshold).
    Each month's logs are then recorded as an inspection of ``contract`` in the name of ``inspector``
    (``canteen.services.assessment``), so the scheme's inspection indicator counts them where the scheme has one,
    and a failed item opens a rectification request like any inspection's."""

    canteen = models.OneToOneField(
        Canteen, on_delete=models.PROTECT, related_name="log_checklist", verbose_name=_("食堂")
    )
    contract = models.ForeignKey(
        "tickets.Contract", on_delete=models.PROTECT, related_name="+", verbose_name=_("被考核合同")
    )
    template = models.ForeignKey(
        "tickets.ChecklistTemplate", on_delete=models.PROTECT, related_name="+", verbose_name=_("检查表")
    )
    underweight_item = _log_item(_("留样重量检查项"))
    early_disposal_item = _log_item(_("留样时长检查项"))
    waste_item = _log_item(_("人均浪费检查项"), _("实测值类检查项，单位 g/人，限值即人均浪费上限"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
        help_text=_("每月以其名义登记日志检查的机关事务局食堂主管"),
    )

    class Meta:
        verbose_name = _("留样与浪费考核设置")
        verbose_name_plural = _("留样与浪费考核设置")

    def __str__(self) -> str:
        return str(self.canteen)


class LogInspection(models.Model):
    """One month of a canteen's logs recorded as an inspection, once (unique per canteen and month)."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="+", verbose_name=_("食堂"))
    month = models.DateField(_("考核月份"))
    inspection = models.OneToOneField(
        "tickets.Inspection", on_delete=models.PROTECT, related_name="+", verbose_name=_("检查记录")
    )
    samples = models.PositiveIntegerField(_("留样份数"))
    underweight = models.PositiveIntegerField(_("重量不足份数"))
    early_disposal = models.PositiveIntegerField(_("提前处置份数"))
    waste_g_per_diner = models.DecimalField(_("人均浪费(克)"), max_digits=10, decimal_places=3, null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("日志检查")
        verbose_name_plural = _("日志检查")
        ordering = ["-month", "canteen_id"]
        constraints = [models.UniqueConstraint(fields=["canteen", "month"], name="canteen_log_inspection_once")]

    def __str__(self) -> str:
        return f"{self.canteen_id} {self.month:%Y-%m}"
