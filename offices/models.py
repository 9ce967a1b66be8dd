"""Office space (办公用房): norms, allocations, people in rooms, space requests and vacating deadlines.

Rooms, floors, buildings and units are the core's (``tickets.models``). This module adds what only office space
has: what a room is used for, which unit holds it and under which use agreement (使用协议) and certificate
(配置凭证), who sits in it, the per-person area norms as versioned data, the stored findings of a norm check,
and the deadlines to give a room back.

Rules (党政机关办公用房管理办法 2017; 党政机关办公用房建设标准 2014): space is allocated by the bureau to one unit
at a time (no leasing or lending: the database refuses overlapping periods of one room); a person's allowance
comes from their organ level and rank; an office room's usable area may not exceed the sum of its occupants'
allowances (equal is allowed); a unit uses office area only within its approved area (核定面积).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models.org import OrganLevel


class Rank(models.TextChoices):
    """The columns of the norm table. Their meaning per organ level is the table's: at municipal level the
    third and fourth columns are 正局(处)级 and 副局(处)级, at county level 正科 and 副科 are the fifth and sixth."""

    PRINCIPAL = "principal", _("正职")
    DEPUTY = "deputy", _("副职")
    BUREAU_CHIEF = "bureau_chief", _("正厅(司、局)级")
    DEPUTY_BUREAU_CHIEF = "deputy_bureau_chief", _("副厅(司、局)级")
    DIVISION_CHIEF = "division_chief", _("正处(科)级")
    DEPUTY_DIVISION_CHIEF = "deputy_division_chief", _("副处(科)级")
    STAFF = "staff", _("以下人员")


LEADER_RANKS = (Rank.PRINCIPAL, Rank.DEPUTY)


class RoomUse(models.TextChoices):
    OFFICE = "office", _("办公室")
    LEADER_OFFICE = "leader_office", _("领导办公室")
    SHARED_OFFICE = "shared_office", _("合用办公室")
    MEETING = "meeting", _("会议室")
    SERVICE = "service", _("服务用房")
    EQUIPMENT = "equipment", _("设备用房")
    STORAGE = "storage", _("库房")
    OTHER = "other", _("其他")


#: Uses compared per person with the norm; the rest (meeting, service, equipment, storage) are not.
OFFICE_USES = (RoomUse.OFFICE, RoomUse.LEADER_OFFICE, RoomUse.SHARED_OFFICE)


class AreaNormVersion(models.Model):
    """One edition of the per-person table. Rows of a version are never edited once findings cite it: an edit is
    a new version (``services.norm_version_create``), so past findings keep the numbers they were made with."""

    code = models.SlugField(_("编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    effective_from = models.DateField(_("施行日期"))
    current = models.BooleanField(_("现行"), default=False)
    note = models.TextField(_("说明"), blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("修订自")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("办公用房面积标准")
        verbose_name_plural = _("办公用房面积标准")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["current"], condition=Q(current=True), name="offices_one_current_norm")
        ]

    def __str__(self) -> str:
        return self.name


class AreaNorm(models.Model):
    """Upper limit of one person's office usable area (㎡) for an organ level and rank, in one version."""

    version = models.ForeignKey(AreaNormVersion, on_delete=models.PROTECT, related_name="rows", verbose_name=_("版本"))
    level = models.CharField(_("机构级别"), max_length=20, choices=OrganLevel.choices)
    rank = models.CharField(_("职级"), max_length=30, choices=Rank.choices)
    area = models.DecimalField(_("人均使用面积上限(㎡)"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("面积标准条目")
        verbose_name_plural = _("面积标准条目")
        ordering = ["version_id", "level", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["version", "level", "rank"], name="offices_norm_once_per_level_rank"),
            models.CheckConstraint(condition=Q(area__gt=0), name="offices_norm_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_rank_display()} {self.area}㎡"


class UnitSpace(models.Model):
    """A unit's approved office area (核定面积)."""

    unit = models.OneToOneField(
        "tickets.Unit", primary_key=True, on_delete=models.PROTECT, related_name="office_space", verbose_name=_("单位")
    )
    approved_area = models.DecimalField(_("核定办公面积(㎡)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("单位核定面积")
        verbose_name_plural = _("单位核定面积")
        constraints = [models.CheckConstraint(condition=Q(approved_area__gt=0), name="offices_approved_area_positive")]

    def __str__(self) -> str:
        return f"{self.unit} {self.approved_area}㎡"


class Counter(models.Model):
    """Numbering of agreements and certificates, per prefix and year, without gaps (the row is locked)."""

    key = models.CharField(max_length=40, unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数")
        verbose_name_plural = _("编号计数")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class Allocation(models.Model):
    """A room allocated to a unit for a period [starts_on, ends_on); ``ends_on`` empty while it lasts.

    No two periods of one room overlap: an exclusion constraint on PostgreSQL, triggers on SQLite (migration
    0002), so two bureau clerks allocating the same room at once cannot both succeed."""

    room = models.ForeignKey(
        "tickets.Room", on_delete=models.PROTECT, related_name="allocations", verbose_name=_("房间")
    )
    unit = models.ForeignKey(
        "tickets.Unit", on_delete=models.PROTECT, related_name="allocations", verbose_name=_("使用单位")
    )
    use = models.CharField(_("用途"), max_length=20, choices=RoomUse.choices, default=RoomUse.OFFICE)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("终止日期"), null=True, blank=True)
    agreement_no = models.CharField(_("使用协议编号"), max_length=30, unique=True)
    certificate_no = models.CharField(_("配置凭证编号"), max_length=30, unique=True)
    space_request = models.ForeignKey(
        "SpaceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("用房申请"),
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    end_reason = models.CharField(_("收回原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("用房配置")
        verbose_name_plural = _("用房配置")
        ordering = ["room_id", "-starts_on"]
        indexes = [
            models.Index(fields=["room", "ends_on"], name="offices_alloc_room_current"),
            models.Index(fields=["unit", "ends_on"], name="offices_alloc_unit_current"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="offices_alloc_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room} → {self.unit} ({self.agreement_no})"


class Person(models.Model):
    """Someone who sits in office rooms, with the organ level and rank the norm reads."""

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(
        "tickets.Unit", on_delete=models.PROTECT, related_name="office_people", verbose_name=_("单位")
    )
    level = models.CharField(_("机构级别"), max_length=20, choices=OrganLevel.choices)
    rank = models.CharField(_("职级"), max_length=30, choices=Rank.choices)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("账号"),
    )
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("用房人员")
        verbose_name_plural = _("用房人员")
        ordering = ["unit_id", "name"]

    def __str__(self) -> str:
        return self.name


class Post(models.TextChoices):
    MAIN = "main", _("本职")
    SECOND = "second", _("兼职")


class Seat(models.Model):
    """A person sitting in a room for a post, from ``since`` until ``until`` (empty while they sit there)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="seats", verbose_name=_("人员"))
    room = models.ForeignKey("tickets.Room", on_delete=models.PROTECT, related_name="seats", verbose_name=_("房间"))
    unit = models.ForeignKey("tickets.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在单位"))
    post = models.CharField(_("岗位"), max_length=10, choices=Post.choices, default=Post.MAIN)
    since = models.DateField(_("入驻日期"))
    until = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("座位")
        verbose_name_plural = _("座位")
        ordering = ["room_id", "since"]
        indexes = [models.Index(fields=["room", "until"], name="offices_seat_room_current")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "post"], condition=Q(until__isnull=True), name="offices_one_seat_per_post"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.room}"


class NormCheck(models.Model):
    """One run of the over-standard scan, with the norm version it used. Its findings never change."""

    version = models.ForeignKey(
        AreaNormVersion, on_delete=models.PROTECT, related_name="checks", verbose_name=_("标准版本")
    )
    checked_at = models.DateTimeField(_("检查时间"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rooms_checked = models.PositiveIntegerField(_("检查房间数"), default=0)

    class Meta:
        verbose_name = _("超标检查")
        verbose_name_plural = _("超标检查")
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.version} {self.checked_at:%Y-%m-%d %H:%M}"


class NormFinding(models.Model):
    """An over-standard room found by a check: the numbers and the people, as they were then."""

    check_run = models.ForeignKey(NormCheck, on_delete=models.CASCADE, related_name="findings", verbose_name=_("检查"))
    room = models.ForeignKey("tickets.Room", on_delete=models.PROTECT, related_name="+", verbose_name=_("房间"))
    unit = models.ForeignKey("tickets.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    area = models.DecimalField(_("使用面积(㎡)"), max_digits=8, decimal_places=2)
    allowance = models.DecimalField(_("核定上限(㎡)"), max_digits=8, decimal_places=2)
    excess = models.DecimalField(_("超标面积(㎡)"), max_digits=8, decimal_places=2)
    people = models.JSONField(_("人员与标准"), default=list)

    class Meta:
        verbose_name = _("超标记录")
        verbose_name_plural = _("超标记录")
        ordering = ["-excess"]

    def __str__(self) -> str:
        return f"{self.room} +{self.excess}㎡"


class Purpose(models.TextChoices):
    NEW = "new", _("新增用房")
    ADJUST = "adjust", _("调整用房")
    RETURN = "return", _("退还用房")


class SpaceRequest(models.Model):
    """The office-space detail of a core request of kind ``office_space``."""

    service_request = models.OneToOneField(
        "tickets.ServiceRequest", on_delete=models.PROTECT, related_name="space_request", verbose_name=_("请求")
    )
    unit = models.ForeignKey(
        "tickets.Unit", on_delete=models.PROTECT, related_name="space_requests", verbose_name=_("单位")
    )
    purpose = models.CharField(_("申请事项"), max_length=10, choices=Purpose.choices)
    area_requested = models.DecimalField(_("申请面积(㎡)"), max_digits=8, decimal_places=2, null=True, blank=True)
    headcount = models.PositiveSmallIntegerField(_("使用人数"), null=True, blank=True)
    returned_rooms = models.ManyToManyField("tickets.Room", blank=True, related_name="+", verbose_name=_("退还房间"))
    fulfilled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用房申请")
        verbose_name_plural = _("用房申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(area_requested__isnull=True) | Q(area_requested__gt=0), name="offices_request_area_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_purpose_display()}"


class VacateReason(models.TextChoices):
    TRANSFER = "transfer", _("调动")
    RETIREMENT = "retirement", _("退休")
    SECOND_POST = "second_post", _("免去兼职")


#: Calendar months to give the room back, by reason (管理办法 2017: 1 month; a second post's office, 2 months).
VACATE_MONTHS = {VacateReason.TRANSFER: 1, VacateReason.RETIREMENT: 1, VacateReason.SECOND_POST: 2}


class VacatingDeadline(models.Model):
    """A room to give back by ``due_on``. The reminder and the overdue notice each fire once: the timer claims
    the row with an UPDATE that matches only an unfired row, and the event it writes has a unique key."""

    seat = models.OneToOneField(Seat, on_delete=models.PROTECT, related_name="vacating", verbose_name=_("座位"))
    reason = models.CharField(_("原因"), max_length=20, choices=VacateReason.choices)
    event_on = models.DateField(_("发生日期"))
    due_on = models.DateField(_("腾退期限"), db_index=True)
    service_request = models.OneToOneField(
        "tickets.ServiceRequest", on_delete=models.PROTECT, related_name="vacating", verbose_name=_("腾退事项")
    )
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("已逾期通知"), null=True, blank=True)
    vacated_on = models.DateField(_("腾退日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("腾退期限")
        verbose_name_plural = _("腾退期限")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.seat} {self.due_on}"


class ReallocationProposal(models.Model):
    """A room idle for 6 months, proposed to the bureau's reallocation pool (调剂). Once per idle spell."""

    room = models.ForeignKey("tickets.Room", on_delete=models.PROTECT, related_name="+", verbose_name=_("房间"))
    unit = models.ForeignKey("tickets.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    idle_since = models.DateField(_("闲置起始"))
    proposed_at = models.DateTimeField(_("提出时间"))
    closed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调剂建议")
        verbose_name_plural = _("调剂建议")
        ordering = ["-proposed_at"]
        constraints = [models.UniqueConstraint(fields=["room", "idle_since"], name="offices_proposal_once_per_spell")]

    def __str__(self) -> str:
        return f"{self.room} {self.idle_since}"
