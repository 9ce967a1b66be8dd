"""Assessment test data: the property cleaning checklist."""

from __future__ import annotations


def build_checklist(world):
    """The property cleaning checklist: a pass/fail item, dust measured against 0.5 g/㎡ (以克论净) and a score out
    of 20 that passes at 12; failed items file rectification requests in the category 检查整改."""
    from decimal import Decimal

    from tickets.models import Category, ChecklistItem, ChecklistTemplate, ServiceLine

    rectify = Category.objects.create(
        code="rectify",
        name="检查整改",
        parent=world.repair,
        service_line=ServiceLine.PROPERTY,
        sla_policy=world.policy,
        default_urgency="normal",
    )
    template = ChecklistTemplate.objects.create(
        service_line=ServiceLine.PROPERTY, name="保洁巡检表", rectification_category=rectify
    )
    floor = ChecklistItem.objects.create(template=template, sort=1, text="地面无积水", kind="pass_fail")
    dust = ChecklistItem.objects.create(
        template=template, sort=2, text="桌面积尘", kind="measure", unit="g/㎡", limit=Decimal("0.5")
    )
    tidy = ChecklistItem.objects.create(
        template=template, sort=3, text="整洁程度", kind="score", points=Decimal(20), pass_mark=Decimal(12)
    )
    return template, floor, dust, tidy


def record_inspection(world, checklist, *, floor_passed=True, dust="0.8", tidy="15", photos=None):
    """Carol inspects the contract at 南院 with the cleaning checklist (dust above 0.5 fails)."""
    from tickets.assessment.inspections import ItemInput, inspection_record

    template, floor, dust_item, tidy_item = checklist
    return inspection_record(
        actor=world.carol,
        template=template,
        contract=world.contract,
        compound=world.compound,
        results=[
            ItemInput(item=floor.pk, passed=floor_passed),
            ItemInput(item=dust_item.pk, measured=dust),
            ItemInput(item=tidy_item.pk, score=tidy),
        ],
        photos=photos,
    )
