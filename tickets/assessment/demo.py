"""Demo data of issue #5: a year of inspections, penalties and signed scorecards.

`load_reports_demo()` is called by the demo command after the core demo data (contracts, staff and a year of
requests). Everything is written through the services, with the historic moment passed as `now`. Running it
twice adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from tickets.assessment import schemes, scorecards
from tickets.assessment.inspections import ItemInput, inspection_record
from tickets.models import (
    Category,
    ChecklistItem,
    ChecklistTemplate,
    Contract,
    Inspection,
    Role,
    Scorecard,
    ServiceLine,
    ServiceRequest,
    User,
)
from tickets.services.transitions import transition

MONTHS = 12
INDICATORS = [
    {"indicator": "response_on_time", "method": "weight", "weight": 25, "target": 95},
    {"indicator": "resolution_on_time", "method": "weight", "weight": 20, "target": 90},
    {"indicator": "satisfaction", "method": "weight", "weight": 30, "target": 92},
    {"indicator": "inspection", "method": "weight", "weight": 15},
    {"indicator": "planned_maintenance", "method": "weight", "weight": 10, "target": 95},
    {"indicator": "complaints", "method": "deduction", "per_unit": 2, "cap": 10},
    {"indicator": "reopen_rate", "method": "deduction", "per_unit": "0.5", "allowance": 5, "cap": 5},
]


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _template(contract: Contract) -> ChecklistTemplate:
    root = contract.categories.filter(parent__isnull=True).first() or contract.categories.first()
    category, _ = Category.objects.get_or_create(
        code=f"rectify-{contract.service_line}",
        defaults={
            "name": "检查整改",
            "name_en": "Inspection rectification",
            "parent": root,
            "service_line": contract.service_line,
            "kind": root.kind if root else "property",
            "sla_policy": contract.sla_policy,
            "default_urgency": "normal",
        },
    )
    if root is not None and not contract.categories.filter(pk__in=[category.pk, root.pk]).exists():
        contract.categories.add(category)
    template, created = ChecklistTemplate.objects.get_or_create(
        service_line=contract.service_line, name="物业月度巡检表", defaults={"rectification_category": category}
    )
    if created:
        items = [
            ("公共区域地面无积水、无垃圾", "pass_fail", None, ""),
            ("卫生间无异味、设施完好", "pass_fail", None, ""),
            ("办公区桌面积尘（以克论净）", "measure", Decimal("0.50"), "g/㎡"),
            ("楼道照明完好率", "score", None, ""),
            ("消防通道畅通", "pass_fail", None, ""),
        ]
        for n, (text, kind, limit, unit) in enumerate(items):
            ChecklistItem.objects.create(
                template=template,
                sort=n,
                text=text,
                kind=kind,
                limit=limit,
                unit=unit,
                points=Decimal(20 if kind == "score" else 10),
                pass_mark=Decimal(12) if kind == "score" else None,
            )
    return template


def _supervisor(line: str) -> User | None:
    return (
        User.objects.filter(Q(role=Role.SUPERVISOR, service_line=line) | Q(role=Role.ADMIN), is_active=True)
        .order_by("role", "pk")
        .first()
    )


def _close_rectifications(inspection: Inspection, supervisor: User, rnd: random.Random) -> None:
    worker = (
        User.objects.filter(contractor_id=inspection.contract.contractor_id, role__in=[Role.WORKER, Role.DISPATCHER])
        .order_by("-role", "pk")
        .first()
    )
    if worker is None:
        return
    ids = inspection.results.filter(rectification__isnull=False).values_list("rectification_id", flat=True)
    for req in ServiceRequest.objects.filter(pk__in=list(ids)):
        at = inspection.inspected_at + timedelta(minutes=rnd.randint(20, 90))
        transition(service_request=req, action="accept", actor=worker, now=at)
        transition(service_request=req, action="start", actor=worker, now=at + timedelta(minutes=30))
        done = at + timedelta(hours=rnd.randint(2, 30))
        transition(service_request=req, action="resolve", actor=worker, now=done, note="已整改，复查合格。")
        transition(service_request=req, action="confirm", actor=supervisor, now=done + timedelta(hours=2))


def load_reports_demo(*, now: datetime | None = None, seed: int = 5) -> dict[str, int]:
    now = now or timezone.now()
    rnd = random.Random(seed)
    counts = {"inspections": 0, "scorecards": 0, "penalties": 0}
    this_month = timezone.localdate(now).replace(day=1)
    months = []
    m = this_month
    for _ in range(MONTHS):
        m = (m - timedelta(days=1)).replace(day=1)
        months.append(m)
    months.reverse()
    for contract in Contract.objects.filter(active=True, service_line=ServiceLine.PROPERTY).select_related(
        "contractor"
    ):
        supervisor = _supervisor(contract.service_line)
        if supervisor is None:
            continue
        template = _template(contract)
        if not hasattr(contract, "scoring_scheme"):
            schemes.scheme_save(
                actor=supervisor,
                contract=contract,
                indicators=INDICATORS,
                lowest_site_rule=contract.compounds.count() > 1,
                now=now,
            )
        items = list(template.items.all())
        for month in months:
            if month < contract.starts_on.replace(day=1) or month > contract.ends_on:
                continue
            first_of_next = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
            if not Inspection.objects.filter(
                contract=contract, inspected_at__gte=_local(month, 0), inspected_at__lt=_local(first_of_next, 0)
            ).exists():
                for compound in contract.compounds.all():
                    for visit in (8, 22):
                        day = month.replace(day=visit)
                        at = _local(day, 10, rnd.randint(0, 50))
                        results = []
                        for item in items:
                            if item.kind == ChecklistItem.Kind.PASS_FAIL:
                                results.append(ItemInput(item=item.pk, passed=rnd.random() > 0.06))
                            elif item.kind == ChecklistItem.Kind.SCORE:
                                results.append(ItemInput(item=item.pk, score=str(rnd.choice([20, 18, 18, 16, 14, 10]))))
                            else:
                                dust = Decimal(rnd.choice(["0.12", "0.20", "0.31", "0.38", "0.45", "0.62"]))
                                results.append(ItemInput(item=item.pk, measured=str(dust), note="抽查三层办公区"))
                        inspection = inspection_record(
                            actor=supervisor,
                            template=template,
                            contract=contract,
                            compound=compound,
                            results=results,
                            inspected_at=at,
                            now=at,
                            note="月度巡检",
                        )
                        _close_rectifications(inspection, supervisor, rnd)
                        counts["inspections"] += 1
                if rnd.random() < 0.25:
                    scorecards.penalty_record(
                        actor=supervisor,
                        contract=contract,
                        month=month,
                        severity=rnd.choice(["minor", "general", "serious"]),
                        description=rnd.choice(["会议保障迟到", "垃圾清运不及时", "值守人员脱岗"]),
                        occurred_at=_local(month.replace(day=15), 9),
                        now=_local(month.replace(day=15), 10),
                    )
                    counts["penalties"] += 1
            # Drafted by the beat at 06:30 on the 1st, signed by the bureau three days later: either only once its
            # moment has passed.
            drafted_at = _local(first_of_next, 6, 30)
            card = Scorecard.objects.filter(contract=contract, month=month).order_by("-revision").first()
            if card is None and drafted_at <= now:
                card = scorecards.scorecard_draft(contract=contract, month=month, now=drafted_at)
                counts["scorecards"] += 1
            signed_at = drafted_at + timedelta(days=3)
            if card is not None and card.state == Scorecard.State.DRAFT and signed_at <= now:
                scorecards.scorecard_sign(scorecard=card, actor=supervisor, now=signed_at)
    return counts
