"""Equipment (设备台账), maintenance plans (维保计划) and their occurrences (维保工单): tables of the tickets app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.assessment.models import CheckedItem
from tickets.models.choices import Urgency


class EquipmentCategory(models.TextChoices):
    LIFT = "lift", _("电梯")
    HVAC = "hvac", _("暖通空调")
    FIRE = "fire", _("消防")
    WATER = "water", _("给排水")
    POWER = "power", _("供配电")
    GENERATOR = "generator", _("发电机")
    ACCESS = "access", _("门禁")
    OTHER = "other", _("其他")


class Equipment(models.Model):
    """One item of the register, placed in a compound and, as far as known, a building, floor and room."""

    code = models.SlugField(_("设备编号"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    category = models.CharField(_("设备类别"), max_length=20, choices=EquipmentCategory.choices)
    compound = models.ForeignKey(
        "tickets.Compound", on_delete=models.PROTECT, related_name="equipment", verbose_name=_("院区")
    )
    building = models.ForeignKey(
        "tickets.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("楼栋")
    )
    floor = models.ForeignKey(
        "tickets.Floor", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("楼层")
    )
    room = models.ForeignKey(
        "tickets.Room", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("房间")
    )
    make = models.CharField(_("品牌"), max_length=100, blank=True)
    model = models.CharField(_("型号"), max_length=100, blank=True)
    serial = models.CharField(_("出厂编号"), max_length=100, blank=True)
    installed_on = models.DateField(_("安装日期"), null=True, blank=True)
    warranty_ends_on = models.DateField(_("保修截止"), null=True, blank=True)
    contract = models.ForeignKey(
        "tickets.Contract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="equipment",
        verbose_name=_("维保合同"),
    )
    inspection_due_on = models.DateField(
        _("法定检验到期日"), null=True, blank=True, help_text=_("如电梯年度检验合格证的有效期")
    )
    # The inspection due date a reminder was filed for: one reminder per certificate, however often the beat runs.
    inspection_reminded_for = models.DateField(_("已提醒的检验到期日"), null=True, blank=True, editable=False)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("设备")
        verbose_name_plural = _("设备台账")
        ordering = ["compound_id", "code"]
        indexes = [models.Index(fields=["inspection_due_on"], name="equipment_inspection_due")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Frequency(models.TextChoices):
    DAILY = "daily", _("按天")
    WEEKLY = "weekly", _("按周")
    MONTHLY = "monthly", _("按月")
    YEARLY = "yearly", _("每年固定日期")


class MaintenancePlan(models.Model):
    """What is done to an item, how often (RFC 5545 RRULE semantics), on whose contract and calendar."""

    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("作业内容"), blank=True)
    equipment = models.ForeignKey(
        Equipment, null=True, blank=True, on_delete=models.PROTECT, related_name="plans", verbose_name=_("设备")
    )
    # A plan for a place instead of an item (a floor's cleaning round): the compound, and as far as known the
    # building and floor. Filled from the item when the plan names one.
    compound = models.ForeignKey(
        "tickets.Compound", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("院区")
    )
    building = models.ForeignKey(
        "tickets.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("楼栋")
    )
    floor = models.ForeignKey(
        "tickets.Floor", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("楼层")
    )
    checklist = models.ForeignKey(
        "tickets.ChecklistTemplate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("检查表"),
        help_text=_("作业时逐项填写；不合格项按检查表的整改分类生成报修"),
    )
    contract = models.ForeignKey(
        "tickets.Contract", on_delete=models.PROTECT, related_name="maintenance_plans", verbose_name=_("维保合同")
    )
    category = models.ForeignKey(
        "tickets.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务分类")
    )
    urgency = models.CharField(_("紧急程度"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    frequency = models.CharField(_("周期"), max_length=20, choices=Frequency.choices, blank=True)
    interval = models.PositiveSmallIntegerField(_("间隔"), default=1, help_text=_("每N天/周/月"))
    weekdays = models.JSONField(
        _("指定星期"), default=list, blank=True, help_text=_("按周时可选，0=周一 … 6=周日，如 [0, 3]")
    )
    month = models.PositiveSmallIntegerField(_("月"), null=True, blank=True, help_text=_("每年固定日期时填写"))
    day = models.PositiveSmallIntegerField(_("日"), null=True, blank=True, help_text=_("每年固定日期时填写"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    float_to_working_day = models.BooleanField(
        _("顺延至工作日"), default=False, help_text=_("计划日不是合同日历的工作日时，顺延到下一个工作日")
    )
    lead_days = models.PositiveSmallIntegerField(_("提前开单天数"), default=0)
    grace_days = models.PositiveSmallIntegerField(
        _("宽限天数"), default=7, help_text=_("作业日期后超过此天数仍未完成的，记为漏检")
    )
    # Occurrences are generated from this date on: an edit moves it to the day of the edit, so dates already
    # generated (and their requests) stay as they were.
    effective_from = models.DateField(_("生效日期"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("开单人")
    )
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("维保计划")
        verbose_name_plural = _("维保计划")
        ordering = ["equipment_id", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(interval__gte=1), name="maintenance_plan_interval_positive"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="maintenance_plan_period_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(equipment__isnull=False) | models.Q(compound__isnull=False),
                name="maintenance_plan_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def rule_text(self) -> str:
        """The recurrence in words, as the item page shows it."""
        from django.utils.translation import gettext

        n = self.interval
        if self.frequency == Frequency.DAILY:
            return gettext("每%(n)d天") % {"n": n} if n > 1 else gettext("每天")
        if self.frequency == Frequency.WEEKLY:
            text = gettext("每%(n)d周") % {"n": n} if n > 1 else gettext("每周")
            if self.weekdays:
                names = [str(WEEKDAY_NAMES[w]) for w in sorted(self.weekdays) if 0 <= w <= 6]
                text += gettext("（%(days)s）") % {"days": "、".join(names)}
            return text
        if self.frequency == Frequency.MONTHLY:
            return gettext("每%(n)d个月") % {"n": n} if n > 1 else gettext("每月")
        if self.frequency == Frequency.YEARLY and self.month and self.day:
            return gettext("每年%(m)d月%(d)d日") % {"m": self.month, "d": self.day}
        return str(self.get_frequency_display())


WEEKDAY_NAMES = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


class OccurrenceStatus(models.TextChoices):
    PLANNED = "planned", _("待开单")
    OPENED = "opened", _("已开单")
    SKIPPED = "skipped", _("未能开单")
    DONE = "done", _("按时完成")
    LATE = "late", _("逾期完成")
    MISSED = "missed", _("漏检")


class MaintenanceOccurrence(models.Model):
    """One date of a plan. Unique per (plan, scheduled date): two beats at once write one row and open one
    request; a date the beat could not open is kept as skipped with its reason, never dropped."""

    plan = models.ForeignKey(
        MaintenancePlan, on_delete=models.PROTECT, related_name="occurrences", verbose_name=_("维保计划")
    )
    scheduled_on = models.DateField(_("计划日期"), help_text=_("周期规则给出的日期"))
    due_on = models.DateField(_("作业日期"), help_text=_("顺延至工作日后的日期"))
    opens_on = models.DateField(_("开单日期"))
    # The last day the work may be done (due date + the plan's grace days): after it an unfinished occurrence is
    # recorded as missed.
    closes_on = models.DateField(_("最迟完成日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=OccurrenceStatus.choices, default=OccurrenceStatus.PLANNED
    )
    service_request = models.OneToOneField(
        "tickets.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="maintenance_occurrence",
        verbose_name=_("工单"),
    )
    opened_at = models.DateTimeField(_("开单时间"), null=True, blank=True)
    skip_reason = models.TextField(_("未能开单原因"), blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("完成人"),
    )
    missed_at = models.DateTimeField(_("记为漏检时间"), null=True, blank=True)
    note = models.TextField(_("作业说明"), blank=True)

    class Meta:
        verbose_name = _("维保工单")
        verbose_name_plural = _("维保工单")
        ordering = ["scheduled_on", "plan_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "scheduled_on"], name="maintenance_occurrence_once"),
        ]
        indexes = [models.Index(fields=["status", "opens_on"], name="maintenance_occurrence_due")]

    def __str__(self) -> str:
        return f"{self.plan} {self.scheduled_on}"


class WorkSource(models.TextChoices):
    PLANNED = "planned", _("计划维保")
    REPAIR = "repair", _("报修")
    CHECKLIST = "checklist", _("维保发现")
    INSPECTION = "inspection", _("法定检验")


class EquipmentWork(models.Model):
    """A core request about an item of the register: its planned work, the repairs filed naming it (from its page
    or its QR label) and the repairs a failed checklist item opened. The item's history and costs read this."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="works", verbose_name=_("设备"))
    service_request = models.OneToOneField(
        "tickets.ServiceRequest", on_delete=models.PROTECT, related_name="equipment_work", verbose_name=_("请求")
    )
    source = models.CharField(_("来源"), max_length=20, choices=WorkSource.choices)
    occurrence = models.ForeignKey(
        MaintenanceOccurrence,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="works",
        verbose_name=_("维保工单"),
    )
    cost = models.DecimalField(_("费用(元)"), max_digits=12, decimal_places=2, null=True, blank=True)
    cost_note = models.CharField(_("费用说明"), max_length=200, blank=True)
    cost_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cost_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("设备履历")
        verbose_name_plural = _("设备履历")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["equipment", "created_at"], name="equipment_work_history")]
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gte=0) | models.Q(cost__isnull=True), name="work_cost_ok")
        ]

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.get_source_display()}"


class MaintenanceCheck(CheckedItem):
    """One checklist item's answer on an occurrence; the item as it was (text, kind, unit, limit) is kept."""

    occurrence = models.ForeignKey(
        MaintenanceOccurrence, on_delete=models.PROTECT, related_name="checks", verbose_name=_("维保工单")
    )
    item = models.ForeignKey("tickets.ChecklistItem", on_delete=models.PROTECT, related_name="+")
    repair = models.ForeignKey(
        "tickets.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报修"),
    )

    class Meta:
        verbose_name = _("维保检查项")
        verbose_name_plural = _("维保检查项")
        ordering = ["occurrence_id", "id"]
        constraints = [models.UniqueConstraint(fields=["occurrence", "item"], name="maintenance_check_once")]

    def __str__(self) -> str:
        return self.item_text
