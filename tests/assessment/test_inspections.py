"""Inspections: a failed item opens a rectification request the contractor sees, works and gets closed."""

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tickets.assessment.inspections import ItemInput, inspection_record
from tickets.exceptions import ActionForbidden
from tickets.models import InspectionResult, Status

pytestmark = pytest.mark.django_db


def _png():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, "PNG")
    return SimpleUploadedFile("现场.png", buf.getvalue(), content_type="image/png")


def test_score_and_rectification_through_services_and_api(world, checklist, api):
    template, floor, dust, tidy = checklist
    inspection = inspection_record(
        actor=world.carol,
        template=template,
        contract=world.contract,
        compound=world.compound,
        building=world.building,
        results=[
            ItemInput(item=floor.pk, passed=True),
            ItemInput(item=dust.pk, measured="0.8", note="三层会议室", photo_indexes=(0,)),
            ItemInput(item=tidy.pk, score="15"),
        ],
        photos=[_png()],
    )
    # earned 10 + 0 + 15 of 40 points
    assert inspection.score == Decimal("62.50")
    assert inspection.failed_items == 1
    assert inspection.photos.get().result.item == dust
    result = InspectionResult.objects.get(inspection=inspection, item=dust)
    req = result.rectification
    assert req is not None
    assert req.filed_by == world.carol and req.contractor == world.contractor and req.contract == world.contract
    assert req.status == Status.SUBMITTED and req.resolution_due is not None
    assert "0.8 g/㎡" in req.description and "限值 0.5" in req.description
    assert InspectionResult.objects.get(inspection=inspection, item=floor).rectification is None

    # the contractor sees it, works it and resolves it; the supervisor who filed it confirms: closed
    listed = api(world.bob).get("/api/v1/requests/", {"category": req.category_id}).json()
    assert [r["id"] for r in listed["results"]] == [req.pk]
    assert api(world.zed).get(f"/api/v1/requests/{req.pk}/").status_code == 404
    wang = api(world.wang)
    assert wang.post(f"/api/v1/requests/{req.pk}/accept/", {}, format="json").status_code == 200
    assert wang.post(f"/api/v1/requests/{req.pk}/start/", {}, format="json").status_code == 200
    res = wang.post(f"/api/v1/requests/{req.pk}/resolve/", {"note": "已擦拭，复测 0.3 g/㎡"}, format="json")
    assert res.status_code == 200, res.content
    res = api(world.carol).post(f"/api/v1/requests/{req.pk}/confirm/", {}, format="json")
    assert res.status_code == 200, res.content
    req.refresh_from_db()
    assert req.status == Status.CLOSED
    detail = api(world.bob).get(f"/api/v1/assessment/inspections/{inspection.pk}/").json()
    dust_row = next(r for r in detail["results"] if r["item"] == dust.pk)
    assert dust_row["rectification_status"] == "closed"


def test_record_through_api_with_photo(world, checklist, api):
    template, floor, dust, tidy = checklist
    payload = {
        "template": template.pk,
        "contract": world.contract.pk,
        "compound": world.compound.pk,
        "results": [
            {"item": floor.pk, "passed": False, "note": "卫生间积水"},
            {"item": dust.pk, "measured": "0.2"},
            {"item": tidy.pk, "score": "18"},
        ],
    }
    res = api(world.carol).post(
        "/api/v1/assessment/inspections/", {"payload": json.dumps(payload), "photos": [_png()]}, format="multipart"
    )
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["failed_items"] == 1 and body["score"] == "70.00" and len(body["photos"]) == 1
    assert api(world.bob).get("/api/v1/assessment/inspections/").json()[0]["id"] == body["id"]
    assert api(world.zed).get(f"/api/v1/assessment/inspections/{body['id']}/").status_code == 404


def test_refusals(world, checklist):
    template, floor, dust, _tidy = checklist
    with pytest.raises(ActionForbidden):
        inspection_record(
            actor=world.bob, template=template, contract=world.contract, compound=world.compound, results=[]
        )
    with pytest.raises(ActionForbidden):
        inspection_record(
            actor=world.vic, template=template, contract=world.contract, compound=world.compound, results=[]
        )
    with pytest.raises(ValidationError) as err:
        inspection_record(
            actor=world.carol,
            template=template,
            contract=world.contract,
            compound=world.other_compound,
            results=[ItemInput(item=floor.pk, passed=True), ItemInput(item=dust.pk, measured="abc")],
            photos=[SimpleUploadedFile("x.png", b"not an image")],
        )
    errors = err.value.message_dict
    assert "compound" in errors and f"results.{dust.pk}" in errors and "results" in errors and "photos.0" in errors
