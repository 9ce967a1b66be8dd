"""Demo data for the fleet module: a car-service company, its contract and rates, vehicles, drivers, and the
trips of the last weeks.

``load_fleet_demo()`` is idempotent (get_or_create throughout; the trips are skipped once they exist) and is called
by the demo command after the core's own demo data. ``build_fleet_reference`` is what both it and the tests use.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleet.apps import EMERGENCY_TRIP_KIND, TRIP_KIND
from fleet.models import (
    Driver,
    EnergyType,
    FleetRate,
    LicenceClass,
    RecordKind,
    TripScope,
    Vehicle,
    VehicleCategory,
    VehicleRecord,
    VehicleTrip,
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
from tickets.services.permissions import UnitTree


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


# (username, full name, licence class, licence expires) of the tests' drivers; Old's licence has expired.
DRIVERS: tuple[tuple[str, str, str, date], ...] = (
    ("du", "杜师傅", LicenceClass.B1, date(2030, 6, 30)),
    ("ding", "丁师傅", LicenceClass.C1, date(2029, 3, 31)),
    ("old", "欧师傅", LicenceClass.C1, date(2025, 12, 31)),  # licence expired: never offered
)


@transaction.atomic
def build_fleet_reference(
    *,
    compounds: list[Compound],
    contractor_code: str = "car",
    dispatcher_username: str = "dan",
    drivers: Sequence[tuple[str, str, str, date]] = DRIVERS,
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
    driver_rows = []
    for username, name, cls, expires in drivers:
        user, _ = User.objects.get_or_create(
            username=username, defaults={"full_name": name, "role": Role.WORKER, "contractor": contractor}
        )
        driver, _ = Driver.objects.get_or_create(
            user=user, defaults={"licence_class": cls, "licence_expires": expires, "licence_number": f"1101{username}"}
        )
        driver_rows.append(driver)
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
        contractor, contract, rate, trip_category, emergency_category, policy, vehicles, driver_rows, dispatcher
    )


def load_fleet_demo(*, history: bool = True, now: datetime | None = None) -> list[tuple[str, str, str]]:
    """Fleet demo data on top of the core's demo (its compounds, units, car-service company and people, if
    loaded); with ``history``, the trips of the last weeks. Returns the log-in to print: a driver."""
    from tickets.demo import PASSWORD

    now = now or timezone.now()
    compounds = list(Compound.objects.all()[:3]) or [Compound.objects.create(code="south", name="南院")]
    # Reuse the car-service company, its dispatcher and its workers (as the drivers) of the core demo when loaded.
    car_service = Contractor.objects.filter(service_line=ServiceLine.VEHICLES).order_by("pk").first()
    staff = User.objects.filter(contractor=car_service).order_by("pk") if car_service else User.objects.none()
    dispatcher = staff.filter(role=Role.DISPATCHER).first()
    workers = list(staff.filter(role=Role.WORKER))
    classes = [LicenceClass.B1, LicenceClass.C1, LicenceClass.A1, LicenceClass.C1]
    drivers: list[tuple[str, str, str, date]] = [
        (user.username, user.full_name, classes[n % len(classes)], date(now.year + 3 + n % 3, 6, 30))
        for n, user in enumerate(workers)
    ] or list(DRIVERS)
    ref = build_fleet_reference(
        compounds=compounds,
        contractor_code=car_service.code if car_service else "car",
        dispatcher_username=dispatcher.username if dispatcher else "dan",
        drivers=drivers,
    )
    if not Unit.objects.exists():
        Unit.objects.create(code="fgw", name="发改委")
    today = timezone.localdate(now)
    for n, vehicle in enumerate(ref.vehicles):
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
        # A fleet bought over the years, not four new cars.
        Vehicle.objects.filter(pk=vehicle.pk, odometer_km=0).update(odometer_km=18_000 + 21_000 * n)
    # Everyone the demo prints or the drivers' pages need signs in with the demo password.
    for user in (ref.dispatcher, *[d.user for d in ref.drivers]):
        if not user.has_usable_password():
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
    if history:
        load_past_trips(ref, now=now)
    logins = [(str(_("驾驶员")), ref.drivers[0].user.username, PASSWORD)]
    bureau = _vehicles_supervisor()
    if bureau is not None and bureau.has_usable_password():
        logins.append((f"{Role.SUPERVISOR.label}（{ServiceLine.VEHICLES.label}）", bureau.username, PASSWORD))
    return logins


def _vehicles_supervisor() -> User | None:
    return User.objects.filter(role=Role.SUPERVISOR, service_line=ServiceLine.VEHICLES, is_active=True).first()


TRIP_KEY_PREFIX = "fleet-demo:"  # the system's keys of the demo's trips: their presence means they are loaded
TRIP_WEEKS = 6
# (origin, destination, purpose, passengers, scope, hours out)
ROUTES = [
    ("南院", "市人民政府", "赴市政府汇报工作", 2, TripScope.IN_CITY, 3),
    ("南院", "市高新区管委会", "项目现场调研", 3, TripScope.IN_CITY, 4),
    ("北院", "市会议中心", "参加全市工作会议", 4, TripScope.IN_CITY, 3),
    ("南院", "省发展和改革委员会", "赴省里对接项目", 2, TripScope.OUT_OF_CITY, 8),
    ("政协办公区", "县政协", "基层委员履职调研", 5, TripScope.OUT_OF_CITY, 7),
    ("北院", "市档案馆", "移交年度档案", 2, TripScope.IN_CITY, 2),
    ("南院", "高铁站", "接送来访考察组", 6, TripScope.IN_CITY, 2),
]
TRIP_RATINGS = [5, 5, 5, 5, 4, 4, 4, 3]


def load_past_trips(ref: FleetReference, *, now: datetime, weeks: int = TRIP_WEEKS) -> int:
    """The trips of the last ``weeks``, each through the whole chain as the people would have walked it: applied
    by unit staff, approved by their unit and by the bureau, dispatched, out, back, costed and (mostly) rated.
    Returns how many were filed (0 if they exist already)."""
    from fleet.filing import trip_request_create
    from fleet.steps import trip_approve, trip_cost, trip_depart, trip_dispatch, trip_rate, trip_return
    from tickets.services import deadlines
    from tickets.services.feedback import expire_feedback
    from tickets.sla.clock import is_working_day

    if VehicleTrip.objects.filter(request__idempotency_key__startswith=TRIP_KEY_PREFIX).exists():
        return 0
    rng = random.Random(2026)
    bureau = _vehicles_supervisor()
    # Approval follows the unit tree: staff of a division (市发改委办公室) are approved by their bureau's approver.
    tree = UnitTree.load()
    by_unit: dict[int | None, User] = {
        u.unit_id: u
        for u in User.objects.filter(role=Role.UNIT_APPROVER, is_active=True, unit__isnull=False).order_by("-pk")
    }

    def approver_of(user: User) -> User:
        return by_unit[tree.approving_unit(user.unit_id)]

    applicants = [
        u
        for u in User.objects.filter(role=Role.REQUESTER, is_active=True, unit__isnull=False).order_by("pk")
        if tree.approving_unit(u.unit_id) in by_unit
    ]
    compound = ref.contract.compounds.order_by("pk").first()
    if bureau is None or not applicants or compound is None:
        return 0
    vehicles = list(ref.vehicles)
    drivers = [d for d in ref.drivers if d.licence_expires > timezone.localdate(now) + timedelta(days=30)]
    office = deadlines.office_calendar()
    filed = 0
    day = timezone.localdate(now) - timedelta(weeks=weeks)
    while day < timezone.localdate(now):
        day += timedelta(days=1)
        if day < ref.contract.starts_on or not is_working_day(day, office):
            continue
        slots = rng.sample([(9, 0), (9, 30), (14, 0), (14, 30)], k=rng.choice([1, 2, 2, 3]))
        used: set[int] = set()
        used_drivers: set[int] = set()
        for hour, minute in sorted(slots):
            origin, destination, purpose, passengers, scope, hours = rng.choice(ROUTES)
            free = [v for v in vehicles if v.pk not in used and v.seats >= passengers]
            idle = [d for d in drivers if d.pk not in used_drivers]
            if not free or not idle:
                continue  # a day's trips may overlap: each takes its own car and driver
            vehicle, driver = rng.choice(free), rng.choice(idle)
            used.add(vehicle.pk)
            used_drivers.add(driver.pk)
            start = timezone.make_aware(datetime.combine(day, time(hour, minute)))
            end = start + timedelta(hours=hours)
            if end > now - timedelta(hours=2):
                continue
            applicant = rng.choice(applicants)
            filed += 1
            applied = start - timedelta(days=rng.choice([1, 1, 2]), minutes=rng.randint(0, 300))
            trip = trip_request_create(
                actor=applicant,
                category=ref.trip_category,
                compound=compound,
                purpose=purpose,
                passenger_count=passengers,
                passenger_names=applicant.full_name,
                origin=origin,
                destination=destination,
                slot_start=start,
                slot_end=end,
                scope=scope,
                idempotency_key=f"{TRIP_KEY_PREFIX}{filed:04d}",
                now=applied,
            )
            unit_at = applied + timedelta(minutes=rng.randint(10, 90))
            trip_approve(trip=trip, actor=approver_of(applicant), note="同意。", now=unit_at)
            bureau_at = unit_at + timedelta(minutes=rng.randint(10, 120))
            trip_approve(trip=trip, actor=bureau, note="同意派车。", now=bureau_at)
            dispatched_at = bureau_at + timedelta(minutes=rng.randint(5, 40))
            trip_dispatch(trip=trip, actor=ref.dispatcher, vehicle=vehicle, driver=driver, now=dispatched_at)
            out_at = start + timedelta(minutes=rng.randint(-10, 10))
            odometer = Vehicle.objects.get(pk=vehicle.pk).odometer_km + rng.randint(0, 3)
            trip_depart(trip=trip, actor=driver.user, odometer=odometer, at=out_at, now=out_at)
            back_at = end - timedelta(minutes=rng.randint(0, 40))
            distance = rng.randint(12, 60) if scope == TripScope.IN_CITY else rng.randint(120, 320)
            trip_return(
                trip=trip,
                actor=driver.user,
                odometer=odometer + distance,
                at=back_at,
                tolls=Decimal(rng.choice([0, 0, 15, 35])) if scope == TripScope.OUT_OF_CITY else 0,
                parking=Decimal(rng.choice([0, 0, 10, 20])),
                # A long trip fills up on the way (about 0.75 元/km); a short one seldom does.
                fuel=(Decimal(distance) * Decimal("0.75")).quantize(Decimal("1")) if distance > 100 else 0,
                now=back_at + timedelta(minutes=5),
            )
            trip_cost(trip=trip, actor=ref.dispatcher, now=back_at + timedelta(minutes=rng.randint(30, 120)))
            if rng.random() < 0.8:
                rated_at = back_at + timedelta(hours=rng.randint(1, 20))
                if rated_at < now:
                    trip_rate(trip=trip, actor=applicant, rating=rng.choice(TRIP_RATINGS), now=rated_at)
    # Trips left unrated close when their rating window ends, as the beat's expiry job would have done.
    expire_feedback(now=now)
    coming = _load_coming_trips(
        ref, now=now, bureau=bureau, approver_of=approver_of, applicants=applicants, compound=compound
    )
    return filed + coming


def _load_coming_trips(
    ref: FleetReference,
    *,
    now: datetime,
    bureau: User,
    approver_of: Callable[[User], User],
    applicants: list[User],
    compound: Compound,
) -> int:
    """Trips of the coming days at each step of the chain, so every printed log-in finds work waiting: the printed
    requester's unit approver (up the unit tree) and the vehicles office an approval, the dispatcher a trip to send
    and the first driver a trip to drive."""
    from fleet.filing import trip_request_create
    from fleet.steps import trip_approve, trip_dispatch
    from tickets.demo.tables import REQUESTERS

    printed = REQUESTERS[0][0]  # the requester load_demo prints
    applicant = next((u for u in applicants if u.username == printed), applicants[0])
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    # (slot day, hour, how far along: 0 filed, 1 unit-approved, 2 bureau-approved, 3 dispatched)
    plans = [(tomorrow, 9, 3), (tomorrow, 14, 2), (tomorrow + timedelta(days=1), 9, 1), (tomorrow, 15, 0)]
    for n, (day, hour, steps) in enumerate(plans, start=1):
        start = timezone.make_aware(datetime.combine(day, time(hour, 0)))
        trip = trip_request_create(
            actor=applicant,
            category=ref.trip_category,
            compound=compound,
            purpose=ROUTES[n][2],
            passenger_count=2,
            passenger_names=applicant.full_name,
            origin=ROUTES[n][0],
            destination=ROUTES[n][1],
            slot_start=start,
            slot_end=start + timedelta(hours=3),
            idempotency_key=f"{TRIP_KEY_PREFIX}coming-{n}",
            now=now - timedelta(minutes=90),
        )
        if steps >= 1:
            trip_approve(trip=trip, actor=approver_of(applicant), now=now - timedelta(minutes=60))
        if steps >= 2:
            trip_approve(trip=trip, actor=bureau, now=now - timedelta(minutes=30))
        if steps >= 3:
            vehicle, driver = ref.vehicles[0], ref.drivers[0]
            trip_dispatch(trip=trip, actor=ref.dispatcher, vehicle=vehicle, driver=driver, now=now)
    return len(plans)
