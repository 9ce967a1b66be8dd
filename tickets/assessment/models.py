"""Contractor assessment (考核): checklists and inspections, scoring schemes, scorecards, penalties, appeals.

The models live in the ``tickets`` app (their tables and migrations are the core's); writes go through
tickets.assessment services, and a signed scorecard is never changed again (a later change is a new revision
with a reason).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.choices import ServiceLine, Urgency

# --- inspections (抽检/巡检) -----------------------------------------------------------------------------------


class ChecklistTemplate(models.Model):
    service_line = models.CharField(_("服务条线"), max_length=20, choices=ServiceLine.choices)
    name = models.CharField(_("名称"), max_length=100)
    rectification_category = models.ForeignKey(
        "tickets.Category",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改分类"),
        help_text=_("不合格项生成整改请求所用的服务分类，其SLA策略决定整改时限"),
    )
    rectification_urgency = models.CharField(
        _("整改紧急程度"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查表模板")
        verbose_name_plural = _("检查表模板")
        ordering = ["service_line", "name"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    class Kind(models.TextChoices):
        PASS_FAIL = "pass_fail", _("合格/不合格")
        SCORE = "score", _("评分")
        MEASURE = "measure", _("实测值")

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    text = models.CharField(_("检查内容"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, default=Decimal(10))
    pass_mark = models.DecimalField(
        _("合格分"), max_digits=6, decimal_places=2, null=True, blank=True, help_text=_("评分项低于此分为不合格")
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True, help_text=_("如 g/㎡"))
    limit = models.DecimalField(
        _("限值"), max_digits=10, decimal_places=3, null=True, blank=True, help_text=_("实测值不得超过此值")
    )

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["template_id", "sort", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="measure") | models.Q(limit__isnull=False), name="measure_item_has_limit"
            ),
            models.CheckConstraint(condition=models.Q(points__gt=0), name="checklist_item_points_positive"),
        ]

    def __str__(self) -> str:
        return self.text


class Inspection(models.Model):
    """One inspection by a bureau supervisor of one contract at one site (compound, optionally a building)."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, verbose_name=_("检查表"))
    contract = models.ForeignKey(
        "tickets.Contract", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("合同")
    )
    compound = models.ForeignKey("tickets.Compound", on_delete=models.PROTECT, verbose_name=_("院区"))
    building = models.ForeignKey(
        "tickets.Building", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("楼栋")
    )
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("检查人"))
    inspected_at = models.DateTimeField(_("检查时间"), db_index=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    failed_items = models.PositiveSmallIntegerField(_("不合格项"), default=0)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-inspected_at", "-id"]
        indexes = [models.Index(fields=["contract", "inspected_at"], name="inspection_contract_time")]

    def __str__(self) -> str:
        return f"{self.template} {self.inspected_at:%Y-%m-%d}"


class CheckedItem(models.Model):
    """An answer to one checklist item. The item as it was checked (text, kind, points, unit, limit) is kept on
    the answer, so editing the checklist later never rewrites a past inspection or work order."""

    item_text = models.CharField(_("检查内容"), max_length=200)
    item_kind = models.CharField(_("类型"), max_length=20, choices=ChecklistItem.Kind.choices)
    item_points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    item_unit = models.CharField(_("单位"), max_length=20, blank=True)
    item_limit = models.DecimalField(_("限值"), max_digits=10, decimal_places=3, null=True, blank=True)
    passed = models.BooleanField(_("合格"))
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    measured = models.DecimalField(_("实测值"), max_digits=10, decimal_places=3, null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        abstract = True


class InspectionResult(CheckedItem):
    """One item's result. The item as it was checked (text, kind, points, unit, limit) is kept on the result,
    so editing the checklist later never rewrites a past inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, verbose_name=_("检查项"))
    rectification = models.ForeignKey(
        "tickets.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改请求"),
    )

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["inspection_id", "item__sort", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspection_result_once")]

    def __str__(self) -> str:
        return f"{self.item_text} {'合格' if self.passed else '不合格'}"


def inspection_photo_path(instance: InspectionPhoto, filename: str) -> str:
    return f"inspections/{instance.inspection_id}/{instance.stored_name}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="photos")
    result = models.ForeignKey(InspectionResult, null=True, blank=True, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("文件"), upload_to=inspection_photo_path, max_length=300)
    stored_name = models.CharField(max_length=100, editable=False)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")

    def __str__(self) -> str:
        return self.original_name


# --- scorecards (考核) ---------------------------------------------------------------------------------------


class PaymentRule(models.TextChoices):
    THRESHOLD = "threshold", _("达标全额，否则按(基数+得分)%支付")
    POOL = "pool", _("预留考核金，按得分返还")


class PenaltySeverity(models.TextChoices):
    MINOR = "minor", _("轻微")
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("较重")
    MAJOR = "major", _("严重")
    CRITICAL = "critical", _("特别严重")


DEFAULT_PENALTY_AMOUNTS = {"minor": 500, "general": 800, "serious": 1000, "major": 2000, "critical": 5000}


class ScoringScheme(models.Model):
    """The assessment scheme of a contract: indicators, penalty amounts, the site rule and the payment rule."""

    contract = models.OneToOneField(
        "tickets.Contract", on_delete=models.PROTECT, related_name="scoring_scheme", verbose_name=_("合同")
    )
    lowest_site_rule = models.BooleanField(_("按最低院区得分"), default=False)
    payment_rule = models.CharField(
        _("支付规则"), max_length=20, choices=PaymentRule.choices, default=PaymentRule.THRESHOLD
    )
    pass_score = models.DecimalField(_("全额支付分数线"), max_digits=5, decimal_places=2, default=Decimal(85))
    base_percent = models.DecimalField(_("支付基数(%)"), max_digits=5, decimal_places=2, default=Decimal(15))
    pool_percent = models.DecimalField(_("考核金比例(%)"), max_digits=5, decimal_places=2, default=Decimal(5))
    penalty_amounts = models.JSONField(_("定额扣款(元)"), default=dict, blank=True)
    appeal_days = models.PositiveSmallIntegerField(_("申诉期限(天)"), default=5)
    updated_at = models.DateTimeField(_("更新时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self) -> str:
        return f"{self.contract} 考核方案"

    def penalty_amount(self, severity: str) -> Decimal:
        amounts = {**DEFAULT_PENALTY_AMOUNTS, **(self.penalty_amounts or {})}
        return Decimal(str(amounts[severity]))


class Indicator(models.TextChoices):
    RESPONSE_ON_TIME = "response_on_time", _("受理及时率")
    ARRIVAL_ON_TIME = "arrival_on_time", _("到场及时率")
    RESOLUTION_ON_TIME = "resolution_on_time", _("办结及时率")
    SATISFACTION = "satisfaction", _("满意率")
    INSPECTION = "inspection", _("检查得分")
    COMPLAINTS = "complaints", _("投诉")
    REOPEN_RATE = "reopen_rate", _("返修率")
    PLANNED_MAINTENANCE = "planned_maintenance", _("计划维保按时完成率")


class SchemeIndicator(models.Model):
    """A weighted indicator earns `weight × value / target` (capped at the weight; without a target,
    `weight × value / 100`); a deduction indicator takes `per_unit` points for each unit above `allowance`,
    at most `cap` points."""

    class Method(models.TextChoices):
        WEIGHT = "weight", _("权重")
        DEDUCTION = "deduction", _("扣分")

    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.CharField(_("指标"), max_length=30, choices=Indicator.choices)
    method = models.CharField(_("计分方式"), max_length=20, choices=Method.choices)
    weight = models.DecimalField(_("权重(分)"), max_digits=5, decimal_places=2, default=Decimal(0))
    target = models.DecimalField(_("目标值"), max_digits=6, decimal_places=2, null=True, blank=True)
    per_unit = models.DecimalField(_("每单位扣分"), max_digits=6, decimal_places=2, default=Decimal(0))
    allowance = models.DecimalField(_("免扣额度"), max_digits=6, decimal_places=2, default=Decimal(0))
    cap = models.DecimalField(_("扣分上限"), max_digits=6, decimal_places=2, null=True, blank=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["scheme_id", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "indicator"], name="scheme_indicator_once")]

    def __str__(self) -> str:
        return str(self.get_indicator_display())


class PenaltyEvent(models.Model):
    """A fixed-penalty event (定额扣款): an amount by severity, taken off the month's payment."""

    contract = models.ForeignKey(
        "tickets.Contract", on_delete=models.PROTECT, related_name="penalties", verbose_name=_("合同")
    )
    month = models.DateField(_("考核月份"), db_index=True)
    compound = models.ForeignKey(
        "tickets.Compound", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("院区")
    )
    severity = models.CharField(_("等级"), max_length=20, choices=PenaltySeverity.choices)
    amount = models.DecimalField(_("金额(元)"), max_digits=10, decimal_places=2)
    description = models.CharField(_("事由"), max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("发生时间"))
    # A penalty is never deleted: the bureau withdraws it with a reason, and it stops counting from then on.
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("撤销人"),
    )
    withdraw_reason = models.CharField(_("撤销理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("定额扣款")
        verbose_name_plural = _("定额扣款")
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | (models.Q(withdrawn_by__isnull=False) & ~models.Q(withdraw_reason="")),
                name="penalty_withdrawal_has_actor_and_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} {self.amount}"


class Scorecard(models.Model):
    """One revision of a contract's monthly scorecard. Signed revisions are frozen."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SIGNED = "signed", _("已签发")

    contract = models.ForeignKey(
        "tickets.Contract", on_delete=models.PROTECT, related_name="scorecards", verbose_name=_("合同")
    )
    month = models.DateField(_("考核月份"))
    revision = models.PositiveSmallIntegerField(_("版本"), default=1)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    site_scores = models.JSONField(_("各院区得分"), default=dict, blank=True)
    monthly_fee = models.DecimalField(_("月服务费(元)"), max_digits=12, decimal_places=2)
    fee_payable = models.DecimalField(_("按得分应付(元)"), max_digits=12, decimal_places=2)
    penalty_total = models.DecimalField(_("定额扣款(元)"), max_digits=12, decimal_places=2, default=Decimal(0))
    amount_payable = models.DecimalField(_("实付金额(元)"), max_digits=12, decimal_places=2)
    scheme_snapshot = models.JSONField(_("方案快照"), default=dict)
    reason = models.TextField(_("修订原因"), blank=True)
    created_at = models.DateTimeField(_("生成时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签发人"),
    )

    class Meta:
        verbose_name = _("考核评分表")
        verbose_name_plural = _("考核评分表")
        ordering = ["contract_id", "-month", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "month", "revision"], name="scorecard_revision_unique"),
            # At most one draft per contract and month: two supervisors cannot open two revisions at once.
            models.UniqueConstraint(
                fields=["contract", "month"], condition=models.Q(state="draft"), name="scorecard_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.month:%Y-%m} v{self.revision}"


class ScorecardLine(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="lines")
    compound = models.ForeignKey(
        "tickets.Compound", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("院区")
    )
    indicator = models.CharField(_("指标"), max_length=30, choices=Indicator.choices)
    method = models.CharField(_("计分方式"), max_length=20, choices=SchemeIndicator.Method.choices)
    value = models.DecimalField(_("指标值"), max_digits=10, decimal_places=2, null=True, blank=True)
    computed_points = models.DecimalField(_("计算得分"), max_digits=6, decimal_places=2)
    points = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    adjust_reason = models.TextField(_("调整理由"), blank=True)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["scorecard_id", "compound_id", "id"]

    def __str__(self) -> str:
        return str(self.get_indicator_display())


class ScorecardAdjustment(models.Model):
    """A supervisor's change of one line of a draft, with the written reason."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="adjustments")
    line = models.ForeignKey(ScorecardLine, on_delete=models.CASCADE, related_name="adjustments")
    old_points = models.DecimalField(max_digits=6, decimal_places=2)
    new_points = models.DecimalField(max_digits=6, decimal_places=2)
    reason = models.TextField(_("理由"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("评分调整")
        verbose_name_plural = _("评分调整")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.old_points} → {self.new_points}"


class ScorecardAppeal(models.Model):
    """The contractor's one appeal against a month's signed scorecard, within the scheme's appeal days."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        ANSWERED = "answered", _("已答复")

    contract = models.ForeignKey("tickets.Contract", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("考核月份"))
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="appeals")
    text = models.TextField(_("申诉理由"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("申诉时间"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")
        constraints = [models.UniqueConstraint(fields=["contract", "month"], name="scorecard_appeal_once")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.month:%Y-%m}"
