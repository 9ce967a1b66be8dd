"""Inspections keep what was checked: editing a checklist item in the admin (its text, limit, unit, points)
leaves past inspections as they were recorded, on the API, on the page and in the rectification request."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from tests.assessment.data import record_inspection
from tickets.models import InspectionResult

pytestmark = pytest.mark.django_db


def _edit_in_admin(world, template, dust):
    """Dave changes the dust item in the admin: new text, a stricter limit in another unit, more points."""
    world.dave.is_staff = world.dave.is_superuser = True
    world.dave.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(world.dave)
    items = list(template.items.all())
    data = {
        "name": template.name,
        "service_line": template.service_line,
        "rectification_category": template.rectification_category_id,
        "rectification_urgency": template.rectification_urgency,
        "active": "on",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    for n, item in enumerate(items):
        changed = item.pk == dust.pk
        data.update(
            {
                f"items-{n}-id": item.pk,
                f"items-{n}-template": template.pk,
                f"items-{n}-sort": item.sort,
                f"items-{n}-text": "桌面及窗台积尘" if changed else item.text,
                f"items-{n}-kind": item.kind,
                f"items-{n}-points": "30" if changed else item.points,
                f"items-{n}-pass_mark": item.pass_mark or "",
                f"items-{n}-unit": "mg/㎡" if changed else item.unit,
                f"items-{n}-limit": "300" if changed else (item.limit if item.limit is not None else ""),
            }
        )
    res = client.post(reverse("admin:tickets_checklisttemplate_change", args=[template.pk]), data)
    assert res.status_code == 302, res.content.decode()[:2000]
    dust.refresh_from_db()
    assert dust.text == "桌面及窗台积尘" and dust.unit == "mg/㎡" and dust.limit == Decimal(300)


def test_editing_an_item_leaves_past_inspections_as_recorded(world, checklist, api, client):
    template, _floor, dust, _tidy = checklist
    inspection = record_inspection(world, checklist)
    rectification = InspectionResult.objects.get(inspection=inspection, item=dust).rectification
    _edit_in_admin(world, template, dust)

    body = api(world.carol).get(f"/api/v1/assessment/inspections/{inspection.pk}/").json()
    row = next(r for r in body["results"] if r["item"] == dust.pk)
    assert (row["text"], row["unit"], row["limit"], row["points"]) == ("桌面积尘", "g/㎡", "0.500", "10.00")
    assert row["passed"] is False and row["measured"] == "0.800"
    client.force_login(world.carol)
    page = client.get(reverse("assessment:inspection-page", args=[inspection.pk])).content.decode()
    assert "桌面积尘" in page and "限值 0.5 g/㎡" in page and "桌面及窗台积尘" not in page
    rectification.refresh_from_db()
    assert "0.8 g/㎡" in rectification.description

    # a new inspection checks the item as it is now
    again = record_inspection(world, checklist)
    new = InspectionResult.objects.get(inspection=again, item=dust)
    assert (new.item_text, new.item_unit, new.item_limit, new.passed) == ("桌面及窗台积尘", "mg/㎡", Decimal(300), True)


def test_the_migration_fills_the_snapshot_of_existing_results(world, checklist):
    inspection = record_inspection(world, checklist)
    InspectionResult.objects.filter(inspection=inspection).update(item_text="", item_unit="", item_limit=None)
    migration = importlib.import_module("tickets.migrations.0007_inspection_result_item_snapshot")
    migration.fill_snapshots(apps, None)
    dust = InspectionResult.objects.get(inspection=inspection, item__kind="measure")
    assert (dust.item_text, dust.item_unit, dust.item_limit) == ("桌面积尘", "g/㎡", Decimal("0.500"))
