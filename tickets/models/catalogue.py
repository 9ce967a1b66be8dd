from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.choices import ServiceLine, Urgency


class SlaPolicy(models.Model):
    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("SLA策略")
        verbose_name_plural = _("SLA策略")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> "SlaPolicyVersion | None":
        return self.versions.order_by("-number").first()


class SlaPolicyVersion(models.Model):
    """One immutable version of a policy. Requests keep the version they were opened under."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="versions", verbose_name=_("策略"))
    number = models.PositiveIntegerField(_("版本号"))
    warn_percent = models.PositiveSmallIntegerField(_("预警阈值(%)"), default=80)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("创建人")
    )

    class Meta:
        verbose_name = _("SLA策略版本")
        verbose_name_plural = _("SLA策略版本")
        ordering = ["policy_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="sla_policy_version_unique"),
            models.CheckConstraint(
                condition=models.Q(warn_percent__gt=0, warn_percent__lt=100), name="sla_warn_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.name} v{self.number}"


class SlaTargetRow(models.Model):
    """Targets for one urgency class, in minutes; business minutes unless `business_time` is off."""

    version = models.ForeignKey(SlaPolicyVersion, on_delete=models.CASCADE, related_name="targets")
    urgency = models.CharField(_("紧急程度"), max_length=20, choices=Urgency.choices)
    response_minutes = models.PositiveIntegerField(_("受理时限(分钟)"))
    arrival_minutes = models.PositiveIntegerField(_("到场时限(分钟)"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("办结时限(分钟)"), null=True, blank=True)
    business_time = models.BooleanField(_("按工作时间计"), default=True)

    class Meta:
        verbose_name = _("SLA时限")
        verbose_name_plural = _("SLA时限")
        constraints = [models.UniqueConstraint(fields=["version", "urgency"], name="sla_target_unique_urgency")]

    def __str__(self) -> str:
        return f"{self.version} {self.get_urgency_display()}"


class Category(models.Model):
    """A node of the service catalogue (e.g. 物业维修 › 给排水 › 漏水)."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级分类")
    )
    code = models.SlugField(_("编码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    kind = models.CharField(
        _("业务类型"), max_length=30, default="property", help_text=_("登记的请求类型，如 property")
    )
    service_line = models.CharField(_("服务条线"), max_length=20, choices=ServiceLine.choices)
    default_urgency = models.CharField(
        _("默认紧急程度"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL
    )
    sla_policy = models.ForeignKey(
        SlaPolicy,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("SLA策略"),
        help_text=_("为空时使用合同的SLA策略"),
    )
    needs_approval = models.BooleanField(_("需要审批"), default=False)
    required_fields = models.JSONField(_("必填字段"), default=list, blank=True)
    min_photos = models.PositiveSmallIntegerField(_("至少照片数"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("服务目录")
        verbose_name_plural = _("服务目录")
        ordering = ["service_line", "sort", "code"]

    def __str__(self) -> str:
        return self.name

    def lineage_ids(self) -> list[int]:
        """This category and its ancestors, nearest first (catalogues are a few levels deep)."""
        ids: list[int] = []
        node: Category | None = self
        while node is not None:
            ids.append(node.pk)
            node = node.parent
        return ids


class Contract(models.Model):
    """Contractor × scope (categories × compounds) × period × SLA policy × calendar × monthly fee."""

    code = models.SlugField(_("合同编号"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    contractor = models.ForeignKey(
        "tickets.Contractor", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("服务商")
    )
    service_line = models.CharField(_("服务条线"), max_length=20, choices=ServiceLine.choices)
    categories = models.ManyToManyField(Category, related_name="contracts", verbose_name=_("服务范围(分类)"))
    compounds = models.ManyToManyField("tickets.Compound", related_name="contracts", verbose_name=_("服务范围(院区)"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    sla_policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, verbose_name=_("SLA策略"))
    calendar = models.ForeignKey("tickets.BusinessCalendar", on_delete=models.PROTECT, verbose_name=_("工作日历"))
    monthly_fee = models.DecimalField(_("月服务费(元)"), max_digits=12, decimal_places=2)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("服务合同")
        verbose_name_plural = _("服务合同")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="contract_period_valid"
            ),
            models.CheckConstraint(condition=models.Q(monthly_fee__gte=0), name="contract_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name
