"""Demo data for the fleet module: a car-service company, its contract and rates, vehicles, drivers.

``load_fleet_demo()`` is idempotent (get_or_create throughout) and is called by the demo command after the
core's own demo data. ``build_fleet_reference`` is what both it and the tests use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fleet.apps import EMERGENCY_TRIP_KIND, TRIP_KIND
from fleet.models import (
    Driver,
    EnergyType,
    FleetRate,
    LicenceClass,
    RecordKind,
    Vehicle,
    VehicleCategory,
    VehicleRecord,
)
from tickets.models import (
    BusinessCalendar,
    Category,
    Compound,
    Contract,
    Contractor,
    Role,
    ServiceLine,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTargetRow,
    Unit,
    Urgency,
    User,
)


@dataclass
class FleetReference:
    contractor: Contractor
    contract: Contract
    rate: FleetRate
    trip_category: Category
    emergency_category: Category
    policy: SlaPolicy
    vehicles: list[Vehicle]
    drivers: list[Driver]
    dispatcher: User


def _vehicle_policy() -> SlaPolicy:
    policy, created = SlaPolicy.objects.get_or_create(code="vehicles-std", defaults={"name": "公务用车派车时限"})
    if created:
        version = SlaPolicyVersion.objects.create(policy=policy, number=1, warn_percent=80)
        # Dispatch (accept) within 30 business minutes of the last approval, 15 for an emergency; the trip
        # itself has no resolution target (a trip lasts as long as it was booked for).
        for urgency, minutes, business in (
            (Urgency.CRITICAL, 15, False),
            (Urgency.URGENT, 15, False),
            (Urgency.NORMAL, 30, True),
            (Urgency.SCHEDULED, 60, True),
        ):
            SlaTargetRow.objects.create(
                version=version, urgency=urgency, response_minutes=minutes, business_time=business
            )
    return policy


@transaction.atomic
def build_fleet_reference(
    *, compounds: list[Compound], contractor_code: str = "car", dispatcher_username: str = "dan"
) -> FleetReference:
    contractor, _ = Contractor.objects.get_or_create(
        code=contractor_code, defaults={"name": "安达汽车服务公司", "service_line": ServiceLine.VEHICLES}
    )
    policy = _vehicle_policy()
    calendar, _ = BusinessCalendar.objects.get_or_create(name="汽车服务工作日")
    trip_category, _ = Category.objects.get_or_create(
        code="vehicle-trip",
        defaults={
            "name": "公务用车",
            "name_en": "Official car",
            "kind": TRIP_KIND,
            "service_line": ServiceLine.VEHICLES,
            "needs_approval": True,
            "sla_policy": policy,
            "default_urgency": Urgency.NORMAL,
        },
    )
    emergency_category, _ = Category.objects.get_or_create(
        code="vehicle-trip-emergency",
        defaults={
            "name": "应急用车",
            "name_en": "Emergency car",
            "kind": EMERGENCY_TRIP_KIND,
            "service_line": ServiceLine.VEHICLES,
            "needs_approval": False,
            "sla_policy": policy,
            "default_urgency": Urgency.CRITICAL,
        },
    )
    contract, created = Contract.objects.get_or_create(
        code="CAR-2026",
        defaults={
            "name": "公务用车服务合同",
            "contractor": contractor,
            "service_line": ServiceLine.VEHICLES,
            "starts_on": date(2026, 1, 1),
            "ends_on": date(2027, 12, 31),
            "sla_policy": policy,
            "calendar": calendar,
            "monthly_fee": Decimal("80000"),
        },
    )
    if created:
        contract.categories.add(trip_category, emergency_category)
        contract.compounds.add(*compounds)
    rate, _ = FleetRate.objects.get_or_create(
        contract=contract, valid_from=date(2026, 1, 1), defaults={"per_km": Decimal("2.50"), "per_hour": Decimal("30")}
    )
    dispatcher, _ = User.objects.get_or_create(
        username=dispatcher_username,
        defaults={"full_name": "丁调度", "role": Role.DISPATCHER, "contractor": contractor},
    )
    drivers = []
    for username, name, cls, expires in (
        ("du", "杜师傅", LicenceClass.B1, date(2030, 6, 30)),
        ("ding", "丁师傅", LicenceClass.C1, date(2029, 3, 31)),
        ("old", "欧师傅", LicenceClass.C1, date(2025, 12, 31)),  # licence expired: never offered
    ):
        user, _ = User.objects.get_or_create(
            username=username, defaults={"full_name": name, "role": Role.WORKER, "contractor": contractor}
        )
        driver, _ = Driver.objects.get_or_create(
            user=user, defaults={"licence_class": cls, "licence_expires": expires, "licence_number": f"1101{username}"}
        )
        drivers.append(driver)
    home = compounds[0]
    vehicles = []
    for plate, model, category, seats, energy in (
        ("京A·G0001", "红旗 H5", VehicleCategory.CONFIDENTIAL, 4, EnergyType.PETROL),
        ("京A·G0002", "比亚迪 汉EV", VehicleCategory.OTHER, 4, EnergyType.ELECTRIC),
        ("京A·G0003", "别克 GL8", VehicleCategory.EMERGENCY, 6, EnergyType.HYBRID),
        ("京A·G0004", "丰田 考斯特", VehicleCategory.OTHER, 19, EnergyType.DIESEL),
    ):
        vehicle, _ = Vehicle.objects.get_or_create(
            plate=plate,
            defaults={
                "model": model,
                "category": category,
                "seats": seats,
                "energy": energy,
                "home_compound": home,
                "parking_spot": f"B1-{plate[-2:]}",
                "label_code": f"GW-{plate[-4:]}",
            },
        )
        vehicles.append(vehicle)
    return FleetReference(
        contractor, contract, rate, trip_category, emergency_category, policy, vehicles, drivers, dispatcher
    )


def load_fleet_demo() -> FleetReference:
    """Fleet demo data on top of the core's demo (its compounds and units, if loaded)."""
    compounds = list(Compound.objects.all()[:3]) or [Compound.objects.create(code="south", name="南院")]
    # Reuse the car-service company and dispatcher of the core demo when it is loaded.
    car_service = Contractor.objects.filter(service_line=ServiceLine.VEHICLES).order_by("pk").first()
    dispatcher = (
        User.objects.filter(contractor=car_service, role=Role.DISPATCHER).order_by("pk").first()
        if car_service
        else None
    )
    ref = build_fleet_reference(
        compounds=compounds,
        contractor_code=car_service.code if car_service else "car",
        dispatcher_username=dispatcher.username if dispatcher else "dan",
    )
    if not Unit.objects.exists():
        Unit.objects.create(code="fgw", name="发改委")
    today = timezone.localdate()
    now = timezone.now()
    for vehicle in ref.vehicles:
        if not vehicle.records.exists():
            VehicleRecord.objects.bulk_create(
                [
                    VehicleRecord(
                        vehicle=vehicle,
                        kind=RecordKind.INSURANCE,
                        date=date(today.year, 1, 5),
                        valid_until=date(today.year, 12, 31),
                        amount=Decimal("4800"),
                        provider="人保财险",
                        created_at=now,
                    ),
                    VehicleRecord(
                        vehicle=vehicle,
                        kind=RecordKind.INSPECTION,
                        date=date(today.year, 3, 1),
                        valid_until=date(today.year + 1, 2, 28),
                        amount=Decimal("300"),
                        created_at=now,
                    ),
                ]
            )
    for user in (ref.dispatcher, *[d.user for d in ref.drivers]):
        if not user.has_usable_password():
            user.set_password("demo-password-123")
            user.save(update_fields=["password"])
    return ref
