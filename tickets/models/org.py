from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.choices import Role, ServiceLine


class OrganLevel(models.TextChoices):
    CENTRAL = "central", _("中央")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")


class Unit(models.Model):
    """A using unit (机关单位/处室): a tenant of the compounds. Units nest: a bureau and its divisions."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级单位")
    )
    level = models.CharField(_("机构级别"), max_length=20, choices=OrganLevel.choices, default=OrganLevel.MUNICIPAL)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("使用单位")
        verbose_name_plural = _("使用单位")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Contractor(models.Model):
    """A service provider (服务商) bound by contracts: property, canteen or car-service company."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    service_line = models.CharField(_("服务条线"), max_length=20, choices=ServiceLine.choices)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务商")
        verbose_name_plural = _("服务商")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机"), max_length=30, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.REQUESTER)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="staff", verbose_name=_("所属单位")
    )
    contractor = models.ForeignKey(
        Contractor, null=True, blank=True, on_delete=models.PROTECT, related_name="staff", verbose_name=_("所属服务商")
    )
    service_line = models.CharField(
        _("负责条线"), max_length=20, choices=ServiceLine.choices, blank=True, help_text=_("管理处室用户负责的服务条线")
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["dispatcher", "worker"]) | models.Q(contractor__isnull=False),
                name="contractor_staff_have_contractor",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_contractor_staff(self) -> bool:
        return self.role in (Role.DISPATCHER, Role.WORKER)

    @property
    def is_bureau(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN) or self.is_superuser
