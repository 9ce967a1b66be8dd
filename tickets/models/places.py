import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_qr_token() -> str:
    return secrets.token_urlsafe(12)


class Compound(models.Model):
    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("院区")
        verbose_name_plural = _("院区")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("院区"))
    code = models.SlugField(_("编码"), max_length=32)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["compound__code", "code"]
        constraints = [models.UniqueConstraint(fields=["compound", "code"], name="building_code_unique_in_compound")]

    def __str__(self) -> str:
        return f"{self.compound.name} {self.name}"


class Floor(models.Model):
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="floors", verbose_name=_("楼栋"))
    level = models.SmallIntegerField(_("楼层"))
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("楼层")
        verbose_name_plural = _("楼层")
        ordering = ["building_id", "level"]
        constraints = [models.UniqueConstraint(fields=["building", "level"], name="floor_level_unique_in_building")]

    def __str__(self) -> str:
        return self.name or f"{self.level}F"


class RoomFunction(models.TextChoices):
    OFFICE = "office", _("办公室")
    MEETING = "meeting", _("会议室")
    SERVICE = "service", _("服务用房")
    EQUIPMENT = "equipment", _("设备用房")
    TOILET = "toilet", _("卫生间")
    ANCILLARY = "ancillary", _("附属用房")


class Room(models.Model):
    floor = models.ForeignKey(Floor, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("楼层"))
    number = models.CharField(_("房间号"), max_length=20)
    function = models.CharField(_("用途"), max_length=20, choices=RoomFunction.choices, default=RoomFunction.OFFICE)
    usable_area = models.DecimalField(_("使用面积(㎡)"), max_digits=8, decimal_places=2)
    qr_token = models.CharField(_("二维码令牌"), max_length=32, unique=True, default=new_qr_token, editable=False)

    class Meta:
        verbose_name = _("房间")
        verbose_name_plural = _("房间")
        ordering = ["floor__building_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["floor", "number"], name="room_number_unique_on_floor"),
            models.CheckConstraint(condition=models.Q(usable_area__gt=0), name="room_area_positive"),
        ]

    def __str__(self) -> str:
        return self.number
