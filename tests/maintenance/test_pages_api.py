"""The pages and the API of planned maintenance, as their users meet them: the register, an item's page from its
QR label with its history, 报修 from the item, the worker's checklist, the calendar and the compliance report."""

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.maintenance.conftest import at
from tickets.maintenance.models import Equipment, EquipmentWork, MaintenanceCheck, OccurrenceStatus, WorkSource
from tickets.models import ServiceRequest

pytestmark = pytest.mark.django_db


def client(user=None):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        c.force_login(user)
    return c


def api(user):
    c = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_authenticate(user)
    return c


def test_the_register_lists_what_each_party_may_see(world, lift):
    Equipment.objects.create(code="pump-n", name="北院水泵", category="water", compound=world.other_compound)
    url = reverse("maintenance:equipment-list")
    assert "北院水泵" in client(world.carol).get(url).content.decode()
    page = client(world.bob).get(url).content.decode()
    assert "1号楼客梯" in page and "北院水泵" not in page  # only what his contracts maintain
    assert "1号楼客梯" not in client(world.zed).get(url).content.decode()
    assert client(world.alice).get(url).status_code == 403
    assert client().get(url).status_code == 302


def test_the_register_list_costs_a_fixed_number_of_queries(world, lift):
    url = reverse("maintenance:equipment-list")
    carol = client(world.carol)
    carol.get(url)
    with CaptureQueriesContext(connection) as few:
        carol.get(url)
    for n in range(20):
        Equipment.objects.create(code=f"fan-{n}", name=f"风机{n}", category="hvac", building=world.building,
                                 compound=world.compound, room=world.room, contract=world.contract)  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        assert "风机19" in carol.get(url).content.decode()
    assert len(many) == len(few)


def test_an_items_page_shows_its_history_to_the_maintainer_only(world, lift, order, items):
    from tickets.assessment.inspections import ItemInput
    from tickets.maintenance.work import occurrence_complete

    occurrence_complete(
        occurrence=order,
        actor=world.wang,
        results=[
            ItemInput(item=items[0].pk, passed=False, note="钢丝绳磨损"),
            ItemInput(item=items[1].pk, measured=50),
        ],
        now=at(2026, 1, 16, 11),
    )
    url = reverse("maintenance:equipment", args=[lift.pk])
    page = client(world.bob).get(url).content.decode()
    assert "设备履历" in page and "维保发现" in page and "计划维保" in page
    assert "电梯半月保养 · 每15天" in page
    for outsider in (world.alice, world.zed):
        page = client(outsider).get(url).content.decode()
        assert "报修" in page and "设备履历" not in page and "钢丝绳" not in page


def test_the_qr_label_opens_the_items_page(world, lift):
    response = client(world.bob).get(reverse("maintenance:equipment-label", args=[lift.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and f"/maintenance/equipment/{lift.pk}/" in page
    assert client(world.alice).get(reverse("maintenance:equipment-label", args=[lift.pk])).status_code == 403


def test_repair_from_the_items_page_is_filed_with_the_item(world, lift):
    url = reverse("maintenance:equipment-repair", args=[lift.pk])
    page = client(world.alice).get(url).content.decode()
    assert "1号楼客梯 故障" in page  # the title is pre-filled with the item
    data = {"category": world.leak.pk, "title": "电梯门关不上", "urgency": "urgent", "idempotency_key": "k" * 24}
    response = client(world.alice).post(url, data)
    service_request = ServiceRequest.objects.get(title="电梯门关不上")
    assert response.status_code == 302 and response["Location"] == f"/requests/{service_request.pk}/"
    assert EquipmentWork.objects.get(service_request=service_request).source == WorkSource.REPAIR
    again = client(world.alice).post(url, data)  # a double submit files once
    assert again.status_code == 302 and ServiceRequest.objects.filter(title="电梯门关不上").count() == 1
    bad = client(world.alice).post(url, {**data, "title": "", "idempotency_key": "j" * 24})
    assert bad.status_code == 400 and 'class="errorlist' in bad.content.decode()
    assert not ServiceRequest.objects.filter(title="").exists()


@time_machine.travel(at(2026, 1, 16, 11), tick=False)
def test_the_worker_fills_the_checklist_on_the_work_order_page(world, order, items):
    url = reverse("maintenance:work-order", args=[order.pk])
    wang = client(world.wang)
    page = wang.get(url).content.decode()
    assert "轿厢运行噪音（dB）" in page and "限值 ≤ 60 dB" in page
    bad = wang.post(url, {f"item_{items[0].pk}": "pass", f"item_{items[1].pk}": "很吵"})
    assert bad.status_code == 400 and not MaintenanceCheck.objects.exists()
    done = wang.post(url, {f"item_{items[0].pk}": "pass", f"item_{items[1].pk}": "66", "note": "已调整"})
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == OccurrenceStatus.DONE
    page = wang.get(url).content.decode()
    assert "不合格" in page and "已报修" in page
    assert client(world.zed).get(url).status_code == 404
    assert client(world.carol).post(url, {}).status_code == 403


def test_the_core_request_page_links_to_its_work_order(world, order):
    page = client(world.wang).get(reverse("request-detail", args=[order.service_request_id])).content.decode()
    link = reverse("maintenance:work-order-by-request", args=[order.service_request_id])
    assert link in page
    assert client(world.wang).get(link)["Location"] == reverse("maintenance:work-order", args=[order.pk])


def test_calendar_and_compliance_pages(world, order):
    carol = client(world.carol)
    page = carol.get(reverse("maintenance:calendar") + "?from=2026-01-12").content.decode()
    assert "2026-01-16" in page and "电梯半月保养" in page and "2026-01-31" in page  # a date still to come
    page = carol.get(reverse("maintenance:compliance") + "?from=2026-01-01&to=2026-01-31").content.decode()
    assert "南院物业服务合同" in page
    assert client(world.alice).get(reverse("maintenance:compliance")).status_code == 403


def test_the_api_registers_items_and_says_what_is_wrong(world):
    url = "/api/v1/maintenance/equipment/"
    body = {"equipment_code": "gen-1", "name": "柴油发电机", "category": "generator", "compound": world.compound.pk}
    created = api(world.carol).post(url, body, format="json")
    assert created.status_code == 201 and created.data["code"] == "gen-1"
    taken = api(world.carol).post(url, body, format="json")
    assert taken.status_code == 400 and taken.data["equipment_code"] == ["设备编号 gen-1 已存在。"]
    assert api(world.bob).post(url, body, format="json").status_code == 403
    assert APIClient().get(url).status_code == 401


@time_machine.travel(at(2026, 1, 16, 11), tick=False)
def test_the_api_completes_a_work_order(world, order, items):
    url = f"/api/v1/maintenance/occurrences/{order.pk}/complete/"
    body = {"results": [{"item": items[0].pk, "passed": True}, {"item": items[1].pk, "measured": "61"}]}
    assert api(world.zed).post(url, body, format="json").status_code == 404
    assert api(world.carol).post(url, body, format="json").status_code == 403
    wrong = api(world.wang).post(url, {"results": [{"item": items[0].pk, "passed": True}]}, format="json")
    assert wrong.status_code == 400 and "results" in wrong.data
    done = api(world.wang).post(url, body, format="json")
    assert done.status_code == 200 and done.data["status"] == "done"
    assert done.data["checks"][1]["repair"] is not None
    assert api(world.wang).post(url, body, format="json").status_code == 409


def test_the_api_compliance_report(world, order):
    rows = api(world.carol).get("/api/v1/maintenance/compliance/?from=2026-01-01&to=2026-01-31").data
    # 1 January was opened late (on the 16th) and past its grace days at once: missed; the 16th is open.
    assert [(r["month"], r["total"], r["open"], r["missed"]) for r in rows] == [("2026-01", 2, 1, 1)]
    assert api(world.carol).get("/api/v1/maintenance/compliance/?from=2026-13-01").status_code == 400
    assert api(world.alice).get("/api/v1/maintenance/compliance/").status_code == 403


def test_an_item_page_for_an_unknown_item_is_404(world):
    assert client(world.alice).get(reverse("maintenance:equipment", args=[99999])).status_code == 404


def test_the_api_keeps_plans_for_an_item_or_a_place(world, lift, checklist):
    from tickets.models import Floor

    floor = Floor.objects.get(building=world.building, level=3)
    url = "/api/v1/maintenance/plans/"
    body = {
        "title": "3层保洁巡查",
        "floor": floor.pk,
        "contract": world.contract.pk,
        "category": world.leak.pk,
        "frequency": "weekly",
        "weekdays": [0, 3],
        "starts_on": "2026-03-02",
        "checklist": checklist.pk,
    }
    created = api(world.carol).post(url, body, format="json")
    assert created.status_code == 201, created.data
    assert (created.data["compound"], created.data["building"], created.data["floor"]) == (
        world.compound.pk,
        world.building.pk,
        floor.pk,
    )
    bad = api(world.carol).post(url, {**body, "interval": 0, "floor": None}, format="json")
    assert bad.status_code == 400
    assert bad.data["interval"] == ["间隔必须是不小于1的整数。"] and "equipment" in bad.data
    assert api(world.bob).post(url, body, format="json").status_code == 403
    plan = created.data["id"]
    changed = api(world.carol).patch(f"{url}{plan}/", {"lead_days": 2}, format="json")
    assert changed.status_code == 200 and changed.data["lead_days"] == 2
    assert api(world.bob).get(f"{url}{plan}/").status_code == 200  # his contract's plan
    assert api(world.zed).get(f"{url}{plan}/").status_code == 404
