"""The inspection pages as their users see them: Carol records a checklist in the browser, Bob (the contractor's
dispatcher) reads it and finds the rectification request; everyone else is kept out."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.assessment.data import record_inspection
from tickets.models import (
    ChecklistTemplate,
    Inspection,
    InspectionResult,
    ServiceLine,
    ServiceRequest,
    Status,
)

pytestmark = pytest.mark.django_db
NEW = reverse("assessment:inspection-new")
LIST = reverse("assessment:inspections-page")


def client_for(user=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


def png(name="现场.png"):
    buf = io.BytesIO()
    Image.new("RGB", (6, 6), "white").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def step_two(world, template):
    return f"{NEW}?contract={world.contract.pk}&template={template.pk}"


def answers(world, floor, dust, tidy, **over):
    data = {
        "compound": world.compound.pk,
        "building": world.building.pk,
        "note": "三月抽检",
        f"item_{floor.pk}": "pass",
        f"item_{dust.pk}": "0.8",
        f"item_{dust.pk}_note": "三层会议室桌面",
        f"item_{tidy.pk}": "15",
    }
    data.update(over)
    return data


def test_supervisor_records_an_inspection_and_the_contractor_sees_the_rectification(world, checklist):
    template, floor, dust, tidy = checklist
    carol = client_for(world.carol)

    # step one: the contract and the checklist of her line
    first = carol.get(NEW)
    assert first.status_code == 200
    html = first.content.decode()
    assert world.contract.name in html and "保洁巡检表" in html
    # step two: the checklist itself, one answer per item, the limit shown next to the measured item
    second = carol.get(step_two(world, template))
    html = second.content.decode()
    assert second.status_code == 200
    assert "地面无积水" in html and "桌面积尘" in html and "不得超过0.5 g/㎡" in html and "满分20分" in html

    data = answers(world, floor, dust, tidy, **{f"item_{dust.pk}_photos": png()})
    res = carol.post(step_two(world, template), data, follow=True)
    assert res.status_code == 200
    inspection = Inspection.objects.get()
    assert res.redirect_chain[-1][0] == reverse("assessment:inspection-page", args=[inspection.pk])
    page = res.content.decode()
    # 10 + 0 + 15 of 40 points
    assert "62.50" in page and "1项不合格" in page and "已向服务商发出整改请求" in page
    assert "实测 0.8 g/㎡（限值 0.5 g/㎡）" in page
    req = InspectionResult.objects.get(item=dust).rectification
    assert req is not None and req.contract == world.contract and req.status == Status.SUBMITTED
    assert reverse("request-detail", args=[req.pk]) in page and req.number in page
    photo = inspection.photos.get()
    assert photo.result.item == dust
    assert reverse("assessment:inspection-photo", args=[photo.pk]) in page

    # Bob, the contractor's dispatcher, finds it in his list, opens it, follows the link to the request
    bob = client_for(world.bob)
    listed = bob.get(LIST).content.decode()
    assert reverse("assessment:inspection-page", args=[inspection.pk]) in listed
    detail = bob.get(reverse("assessment:inspection-page", args=[inspection.pk]))
    assert detail.status_code == 200 and req.number in detail.content.decode()
    assert "登记检查" not in detail.content.decode()  # read-only for him
    request_page = bob.get(reverse("request-detail", args=[req.pk]))
    assert request_page.status_code == 200 and "整改：桌面积尘" in request_page.content.decode()
    photo_res = bob.get(reverse("assessment:inspection-photo", args=[photo.pk]))
    assert photo_res.status_code == 200 and photo_res["Content-Type"] == "image/png"


def test_all_passed_opens_no_request(world, checklist):
    template, floor, dust, tidy = checklist
    res = client_for(world.carol).post(
        step_two(world, template), answers(world, floor, dust, tidy, **{f"item_{dust.pk}": "0.2"}), follow=True
    )
    assert "全部合格" in res.content.decode()
    assert not ServiceRequest.objects.exists()


def test_bad_values_show_next_to_their_item_and_keep_the_answers(world, checklist):
    template, floor, dust, tidy = checklist
    data = answers(world, floor, dust, tidy, **{f"item_{dust.pk}": "abc", f"item_{tidy.pk}": "25"})
    data.pop(f"item_{floor.pk}")
    res = client_for(world.carol).post(step_two(world, template), data)
    assert res.status_code == 400
    form = res.context["form"]
    assert form.errors[f"item_{floor.pk}"] == ["请选择合格或不合格。"]
    assert form.errors[f"item_{dust.pk}"] == ["请填写数字。"]
    assert "小于或等于20" in form.errors[f"item_{tidy.pk}"][0]
    html = res.content.decode()
    assert "请按提示修改后重新提交" in html and "三月抽检" in html  # what she typed is still there
    assert not Inspection.objects.exists()


def test_negative_measurement_and_building_of_another_compound(world, checklist):
    from tests.factories import BuildingFactory

    template, floor, dust, tidy = checklist
    north = BuildingFactory(compound=world.other_compound, name="北楼")
    data = answers(world, floor, dust, tidy, **{f"item_{dust.pk}": "-1", "building": north.pk})
    res = client_for(world.carol).post(step_two(world, template), data)
    assert res.status_code == 400
    # the north compound is not in the contract, so its building is not offered at all
    assert "building" in res.context["form"].errors
    assert "大于或等于0" in res.context["form"].errors[f"item_{dust.pk}"][0]


def test_a_file_that_is_not_a_photo_is_refused_by_its_content(world, checklist):
    template, floor, dust, tidy = checklist
    fake = SimpleUploadedFile("现场.png", b"<html>not a picture</html>", content_type="image/png")
    res = client_for(world.carol).post(step_two(world, template), answers(world, floor, dust, tidy, photos=fake))
    assert res.status_code == 400
    assert "只能上传 JPEG、PNG、WebP 图片或 PDF 文件" in res.context["form"].errors["photos"][0]
    assert not Inspection.objects.exists()


def test_a_photo_over_10_mb_is_refused(world, checklist, settings):
    template, floor, dust, tidy = checklist
    settings.UPLOAD_MAX_BYTES = 1024  # the same check with a small limit: the message names the limit
    big = SimpleUploadedFile("大.png", b"\x89PNG" + b"0" * 2048, content_type="image/png")
    res = client_for(world.carol).post(
        step_two(world, template), answers(world, floor, dust, tidy, **{f"item_{tidy.pk}_photos": big})
    )
    assert res.status_code == 400  # stopped while it arrived (servicedesk/guard.py), before the form is read
    assert "文件不能超过1 MB" in res.content.decode()


def test_step_one_refuses_a_checklist_of_another_line_and_contracts_outside_hers(world, checklist):
    template, *_ = checklist
    other = ChecklistTemplate.objects.create(
        service_line=ServiceLine.VEHICLES, name="车辆检查", rectification_category=template.rectification_category
    )
    res = client_for(world.carol).get(f"{NEW}?contract={world.contract.pk}&template={other.pk}")
    assert res.status_code == 200
    assert res.context["form"] is None and "template" in res.context["start"].errors
    # Vic supervises vehicles: Carol's property contract is not his to inspect
    res = client_for(world.vic).get(step_two(world, template))
    assert res.context["form"] is None and "contract" in res.context["start"].errors


def test_who_may_open_the_pages(world, checklist):
    template = checklist[0]
    inspection = record_inspection(world, checklist, dust="0.1", tidy="20", photos=[png()])
    detail = reverse("assessment:inspection-page", args=[inspection.pk])
    photo = reverse("assessment:inspection-photo", args=[inspection.photos.get().pk])
    # anonymous: to the log-in page
    for url in (LIST, NEW, detail, photo):
        res = client_for().get(url)
        assert res.status_code == 302 and res["Location"].startswith(reverse("login")), url
    # a requester and a worker: no list, no form, and the inspection does not exist for them
    for user in (world.alice, world.wang):
        c = client_for(user)
        assert c.get(LIST).status_code == 403
        assert c.get(NEW).status_code == 403
        assert c.get(detail).status_code == 404
        assert c.get(photo).status_code == 404
    # the contractor's dispatcher reads but does not record
    assert client_for(world.bob).get(NEW).status_code == 403
    assert client_for(world.bob).post(step_two(world, template), {}).status_code == 403
    # another contractor's staff and the supervisor of another line: 404
    for user in (world.zed, world.vic):
        assert client_for(user).get(detail).status_code == 404
        assert client_for(user).get(photo).status_code == 404
    assert (
        reverse("assessment:inspection-page", args=[inspection.pk])
        not in client_for(world.vic).get(LIST).content.decode()
    )
    # the failed-only tab hides an all-passed inspection
    assert detail not in client_for(world.carol).get(LIST + "?failed=1").content.decode()
    assert detail in client_for(world.dave).get(LIST).content.decode()


def test_navigation_links(world):
    carol = client_for(world.carol).get(reverse("console")).content.decode()
    assert LIST in carol and reverse("assessment:scorecards-page") in carol
    bob = client_for(world.bob).get(reverse("workbench")).content.decode()
    assert LIST in bob and reverse("assessment:scorecards-page") in bob
    alice = client_for(world.alice).get(reverse("home")).content.decode()
    assert LIST not in alice and reverse("assessment:scorecards-page") not in alice
    report = client_for(world.carol).get(reverse("reports:sla-page")).content.decode()
    assert (
        LIST in report and reverse("assessment:scorecards-page") in report and reverse("reports:monthly-page") in report
    )
    report = client_for(world.bob).get(reverse("reports:sla-page")).content.decode()
    assert LIST in report and reverse("reports:monthly-page") not in report
    listing = client_for(world.carol).get(LIST).content.decode()
    assert NEW in listing
    assert NEW not in client_for(world.bob).get(LIST).content.decode()
