"""Official vehicles (公务用车): vehicles and their files, drivers, trips on top of the core request, alerts.

A trip is a core ``ServiceRequest`` of kind ``vehicle_trip`` (or ``vehicle_trip_emergency``) plus the detail
here. The core keeps status, SLA and the event log; this module keeps what only a trip has: the slot, the
vehicle and driver, the odometer, the costs.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# An odometer reads at most 7 digits; a larger number is a typing error (and overflows PostgreSQL's integer).
MAX_ODOMETER_KM = 9_999_999


class VehicleCategory(models.TextChoices):
    CONFIDENTIAL = "confidential", _("机要通信")
    EMERGENCY = "emergency", _("应急保障")
    LAW_ENFORCEMENT = "law_enforcement", _("执法执勤")
    SPECIAL = "special", _("特种专业技术")
    OTHER = "other", _("其他")


class EnergyType(models.TextChoices):
    PETROL = "petrol", _("汽油")
    DIESEL = "diesel", _("柴油")
    HYBRID = "hybrid", _("混合动力")
    ELECTRIC = "electric", _("纯电动")


class VehicleStatus(models.TextChoices):
    AVAILABLE = "available", _("可用")
    IN_USE = "in_use", _("使用中")
    MAINTENANCE = "maintenance", _("维修保养")
    SEALED = "sealed", _("封存")
    RETIRED = "retired", _("报废/退出")


class AlertLevel(models.TextChoices):
    GREEN = "green", _("绿色")
    YELLOW = "yellow", _("黄色")
    RED = "red", _("红色")


class Vehicle(models.Model):
    """One vehicle; its file (一车一档) is the list of its ``VehicleRecord`` rows."""

    plate = models.CharField(_("车牌号"), max_length=20, unique=True)
    model = models.CharField(_("品牌型号"), max_length=100)
    category = models.CharField(_("车辆类别"), max_length=20, choices=VehicleCategory.choices)
    seats = models.PositiveSmallIntegerField(_("乘客座位数(不含驾驶员)"))
    energy = models.CharField(_("能源类型"), max_length=20, choices=EnergyType.choices, default=EnergyType.PETROL)
    home_compound = models.ForeignKey(
        "tickets.Compound", on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("所在院区")
    )
    parking_spot = models.CharField(_("停车位"), max_length=30, blank=True)
    owning_unit = models.ForeignKey(
        "tickets.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vehicles",
        verbose_name=_("使用单位"),
        help_text=_("为空表示平台统管车辆(车池)"),
    )
    label_code = models.CharField(_("公务用车标识编码"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=VehicleStatus.choices, default=VehicleStatus.AVAILABLE)
    rental = models.BooleanField(_("租赁车辆"), default=False)
    rental_contractor = models.ForeignKey(
        "tickets.Contractor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rental_vehicles",
        verbose_name=_("出租服务商"),
    )
    odometer_km = models.PositiveIntegerField(_("当前里程(公里)"), default=0)
    colour = models.CharField(_("三色预警"), max_length=10, choices=AlertLevel.choices, default=AlertLevel.GREEN)

    class Meta:
        verbose_name = _("车辆")
        verbose_name_plural = _("车辆")
        ordering = ["plate"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gt=0), name="fleet_vehicle_seats_positive"),
            models.CheckConstraint(
                condition=Q(rental=False) | Q(rental_contractor__isnull=False), name="fleet_rental_has_contractor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plate} {self.model}"

    @property
    def is_pool(self) -> bool:
        return self.owning_unit_id is None


class RecordKind(models.TextChoices):
    INSURANCE = "insurance", _("保险")
    INSPECTION = "inspection", _("年检")
    MAINTENANCE = "maintenance", _("维修保养")
    FUEL = "fuel", _("加油")
    CHARGING = "charging", _("充电")
    TOLL = "toll", _("通行费")
    PARKING = "parking", _("停车费")
    ACCIDENT = "accident", _("事故")


RUNNING_COST_KINDS = (
    RecordKind.INSURANCE,
    RecordKind.INSPECTION,
    RecordKind.MAINTENANCE,
    RecordKind.FUEL,
    RecordKind.CHARGING,
    RecordKind.TOLL,
    RecordKind.PARKING,
)


class VehicleRecord(models.Model):
    """One entry of a vehicle's file. Insurance and inspection carry the date they are valid until."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="records", verbose_name=_("车辆"))
    kind = models.CharField(_("类型"), max_length=20, choices=RecordKind.choices)
    date = models.DateField(_("日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    amount = models.DecimalField(_("金额(元)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    odometer_km = models.PositiveIntegerField(_("里程(公里)"), null=True, blank=True)
    quantity = models.DecimalField(_("数量(升/度)"), max_digits=8, decimal_places=2, null=True, blank=True)
    provider = models.CharField(_("单位/保险公司"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    trip = models.ForeignKey(
        "fleet.VehicleTrip",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("行程"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("车辆档案记录")
        verbose_name_plural = _("车辆档案记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["vehicle", "kind", "-date"], name="fleet_record_vehicle_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="fleet_record_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind__in=["insurance", "inspection"]) | Q(valid_until__isnull=False),
                name="fleet_record_validity_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle.plate} {self.get_kind_display()} {self.date}"


class VehicleSeal(models.Model):
    """A period in which a vehicle is sealed (封存), e.g. over a public holiday; made from the calendar."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="seals", verbose_name=_("车辆"))
    starts_at = models.DateTimeField(_("封存开始"))
    ends_at = models.DateTimeField(_("封存结束"))
    reason = models.CharField(_("原因"), max_length=100)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("封存记录")
        verbose_name_plural = _("封存记录")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["vehicle", "starts_at"], name="fleet_seal_once"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="fleet_seal_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle.plate} {self.reason}"


class LicenceClass(models.TextChoices):
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"


class Driver(models.Model):
    """A driver: a worker of the car-service contractor with a driving licence."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="driver", verbose_name=_("人员")
    )
    licence_class = models.CharField(_("准驾车型"), max_length=4, choices=LicenceClass.choices)
    licence_number = models.CharField(_("驾驶证号"), max_length=30, blank=True)
    licence_expires = models.DateField(_("驾驶证有效期至"))
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("驾驶员")
        verbose_name_plural = _("驾驶员")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return str(self.user)


class FleetRate(models.Model):
    """Trip prices of a car-service contract: per kilometre and per hour; tolls, parking and fuel are passed on."""

    contract = models.ForeignKey(
        "tickets.Contract", on_delete=models.PROTECT, related_name="fleet_rates", verbose_name=_("合同")
    )
    valid_from = models.DateField(_("生效日期"))
    per_km = models.DecimalField(_("每公里(元)"), max_digits=8, decimal_places=2)
    per_hour = models.DecimalField(_("每小时(元)"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("用车计价标准")
        verbose_name_plural = _("用车计价标准")
        ordering = ["contract_id", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "valid_from"], name="fleet_rate_once_per_day"),
            models.CheckConstraint(condition=Q(per_km__gte=0, per_hour__gte=0), name="fleet_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.valid_from}"


class TripScope(models.TextChoices):
    IN_CITY = "in_city", _("市内")
    OUT_OF_CITY = "out_of_city", _("市外")


class TripStage(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("待派车")
    DISPATCHED = "dispatched", _("已派车")
    OUT = "out", _("已出车")
    RETURNED = "returned", _("已回场")
    COSTED = "costed", _("已核算")
    RATED = "rated", _("已评价")
    REJECTED = "rejected", _("已驳回")
    CANCELLED = "cancelled", _("已取消")


#: Stages in which the trip holds its vehicle and driver (from dispatch to return).
BOOKED_STAGES = (TripStage.DISPATCHED, TripStage.OUT)


class VehicleTrip(models.Model):
    """The trip detail of a core request.

    ``booked`` is true from dispatch to return. While it is, no other booked trip of the same vehicle or the
    same driver may overlap ``[slot_start, slot_end)``: an exclusion constraint on PostgreSQL and triggers on
    SQLite enforce it (migration 0002), so two dispatchers racing for one car cannot both win.
    """

    request = models.OneToOneField(
        "tickets.ServiceRequest", on_delete=models.PROTECT, related_name="vehicle_trip", verbose_name=_("请求")
    )
    stage = models.CharField(_("环节"), max_length=20, choices=TripStage.choices, default=TripStage.REQUESTED)
    purpose = models.CharField(_("用车事由"), max_length=200)
    passenger_count = models.PositiveSmallIntegerField(_("乘车人数"))
    passenger_names = models.CharField(_("乘车人"), max_length=300, blank=True)
    origin = models.CharField(_("出发地"), max_length=200)
    destination = models.CharField(_("目的地"), max_length=200)
    slot_start = models.DateTimeField(_("用车开始"))
    slot_end = models.DateTimeField(_("用车结束"))
    scope = models.CharField(_("范围"), max_length=20, choices=TripScope.choices, default=TripScope.IN_CITY)
    vehicle_category = models.CharField(
        _("需求车型"), max_length=20, choices=VehicleCategory.choices, default=VehicleCategory.OTHER
    )
    emergency = models.BooleanField(_("应急用车(先用后批)"), default=False)
    rental = models.BooleanField(_("公务租车"), default=False)

    vehicle = models.ForeignKey(
        Vehicle, null=True, blank=True, on_delete=models.PROTECT, related_name="trips", verbose_name=_("车辆")
    )
    driver = models.ForeignKey(
        Driver, null=True, blank=True, on_delete=models.PROTECT, related_name="trips", verbose_name=_("驾驶员")
    )
    booked = models.BooleanField(_("占用车辆"), default=False, db_index=True)
    dispatched_at = models.DateTimeField(_("派车时间"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("派车人"),
    )
    out_at = models.DateTimeField(_("出车时间"), null=True, blank=True)
    out_odometer = models.PositiveIntegerField(_("出车里程"), null=True, blank=True)
    returned_at = models.DateTimeField(_("回场时间"), null=True, blank=True)
    return_odometer = models.PositiveIntegerField(_("回场里程"), null=True, blank=True)
    tolls = models.DecimalField(_("通行费(元)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    parking = models.DecimalField(_("停车费(元)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    fuel = models.DecimalField(_("油费/电费(元)"), max_digits=10, decimal_places=2, default=Decimal("0"))

    rate = models.ForeignKey(
        FleetRate, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("计价标准")
    )
    distance_km = models.PositiveIntegerField(_("行驶里程(公里)"), null=True, blank=True)
    billed_hours = models.DecimalField(_("计费时长(小时)"), max_digits=8, decimal_places=2, null=True, blank=True)
    cost_km = models.DecimalField(_("里程费"), max_digits=10, decimal_places=2, null=True, blank=True)
    cost_time = models.DecimalField(_("时长费"), max_digits=10, decimal_places=2, null=True, blank=True)
    cost_total = models.DecimalField(_("费用合计(元)"), max_digits=10, decimal_places=2, null=True, blank=True)
    costed_at = models.DateTimeField(_("核算时间"), null=True, blank=True)
    costed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("核算人"),
    )

    class Meta:
        verbose_name = _("用车行程")
        verbose_name_plural = _("用车行程")
        ordering = ["-slot_start", "-id"]
        indexes = [
            models.Index(fields=["vehicle", "slot_start"], name="fleet_trip_vehicle_slot"),
            models.Index(fields=["driver", "slot_start"], name="fleet_trip_driver_slot"),
            models.Index(fields=["stage", "slot_end"], name="fleet_trip_stage_end"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(slot_end__gt=models.F("slot_start")), name="fleet_trip_slot_valid"),
            models.CheckConstraint(condition=Q(passenger_count__gt=0), name="fleet_trip_passengers_positive"),
            models.CheckConstraint(
                condition=Q(booked=False) | Q(vehicle__isnull=False, driver__isnull=False),
                name="fleet_trip_booking_has_vehicle_and_driver",
            ),
            models.CheckConstraint(
                condition=Q(return_odometer__isnull=True) | Q(return_odometer__gte=models.F("out_odometer")),
                name="fleet_trip_odometer_forward",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.number} {self.origin}→{self.destination}"


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("不同意")


class TripApproval(models.Model):
    """One approval decision on a trip, by level. Emergency trips get theirs after the fact (先用后批)."""

    trip = models.ForeignKey(VehicleTrip, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("行程"))
    level = models.CharField(_("审批层级"), max_length=10, choices=[("unit", _("单位审核")), ("bureau", _("平台审批"))])
    decision = models.CharField(_("意见"), max_length=10, choices=ApprovalDecision.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("审批人")
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    post_hoc = models.BooleanField(_("事后补批"), default=False)
    decided_at = models.DateTimeField(_("审批时间"))

    class Meta:
        verbose_name = _("用车审批")
        verbose_name_plural = _("用车审批")
        ordering = ["decided_at", "id"]
        constraints = [models.UniqueConstraint(fields=["trip", "level"], name="fleet_trip_approval_once_per_level")]

    def __str__(self) -> str:
        return f"{self.trip_id} {self.level} {self.decision}"


class VehicleMovement(models.Model):
    """A vehicle leaving and re-entering a compound, as the gate or GPS records it: use, with or without a trip."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="movements", verbose_name=_("车辆"))
    left_at = models.DateTimeField(_("出场时间"))
    came_back_at = models.DateTimeField(_("回场时间"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=30, default="gate")

    class Meta:
        verbose_name = _("出入记录")
        verbose_name_plural = _("出入记录")
        ordering = ["-left_at"]
        constraints = [models.UniqueConstraint(fields=["vehicle", "left_at"], name="fleet_movement_once")]

    def __str__(self) -> str:
        return f"{self.vehicle.plate} {self.left_at:%Y-%m-%d %H:%M}"


class AlertKind(models.TextChoices):
    OVERDUE_RETURN = "overdue_return", _("超时未回场")
    OFF_HOURS_USE = "off_hours_use", _("非工作时间/节假日无单用车")
    SEALED_USE = "sealed_use", _("封存期间用车")
    INSURANCE_EXPIRING = "insurance_expiring", _("保险即将到期")
    INSPECTION_EXPIRING = "inspection_expiring", _("年检即将到期")
    INSURANCE_EXPIRED = "insurance_expired", _("保险已过期")
    INSPECTION_EXPIRED = "inspection_expired", _("年检已过期")
    UNAPPROVED_EMERGENCY = "unapproved_emergency", _("应急用车未补批")


class VehicleAlert(models.Model):
    """An anomaly a monitor found. ``key`` is unique, so a monitor that runs twice (or on two workers) alerts once."""

    key = models.CharField(max_length=120, unique=True, editable=False)
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("车辆"))
    trip = models.ForeignKey(
        VehicleTrip, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("行程")
    )
    kind = models.CharField(_("类型"), max_length=30, choices=AlertKind.choices)
    level = models.CharField(_("级别"), max_length=10, choices=AlertLevel.choices)
    message = models.CharField(_("内容"), max_length=300)
    raised_at = models.DateTimeField(_("预警时间"), db_index=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("车辆预警")
        verbose_name_plural = _("车辆预警")
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.vehicle.plate} {self.get_kind_display()}"
