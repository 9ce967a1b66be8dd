"""A work order's life: its SLA counts from the planned date; the worker completes the checklist (measured values
against limits, photos); a failed item files a repair linked to the item; done, late and missed are recorded."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.maintenance.conftest import at
from tickets.assessment.inspections import ItemInput
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.maintenance.models import (
    EquipmentWork,
    MaintenanceCheck,
    MaintenanceOccurrence,
    OccurrenceStatus,
    WorkSource,
)
from tickets.maintenance.services import plan_create, planned_maintenance_run
from tickets.maintenance.work import occurrence_complete
from tickets.models import Attachment, Floor, ServiceRequest, Status

pytestmark = pytest.mark.django_db


def png(name="lift.png"):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def answers(items, *, ok=True, noise="52.5"):
    return [ItemInput(item=items[0].pk, passed=ok), ItemInput(item=items[1].pk, measured=noise)]


def test_the_sla_counts_from_the_planned_date_not_the_opening(world, plan_values):
    """Opened three days ahead (lead days), the work order's clock starts on its planned day."""
    plan_create(actor=world.dave, now=at(2025, 12, 31), lead_days=3, **plan_values)
    planned_maintenance_run(now=at(2026, 1, 13, 8))  # 16 Jan − 3 days
    occurrence = MaintenanceOccurrence.objects.get(scheduled_on=date(2026, 1, 16))
    service_request = occurrence.service_request
    assert service_request.created_at == at(2026, 1, 13, 8)
    assert service_request.clock_started_at == at(2026, 1, 16, 0)
    assert service_request.response_due > at(2026, 1, 16, 0)


def test_a_plan_for_a_floor_opens_work_orders_for_that_place(world, plan_values):
    floor = Floor.objects.get(building=world.building, level=3)
    values = {k: v for k, v in plan_values.items() if k != "equipment"} | {"title": "3层保洁巡查"}
    plan = plan_create(actor=world.dave, now=at(2025, 12, 31), floor=floor, **values)
    assert (plan.compound, plan.building, plan.floor) == (world.compound, world.building, floor)
    planned_maintenance_run(now=at(2026, 1, 1, 8))
    service_request = MaintenanceOccurrence.objects.get(plan=plan).service_request
    assert service_request.building == world.building
    assert service_request.location_detail == "3F"
    assert not EquipmentWork.objects.exists()  # no item: no item history


def test_a_plan_with_neither_item_nor_place_is_refused(world, plan_values):
    values = {k: v for k, v in plan_values.items() if k != "equipment"}
    with pytest.raises(ValidationError) as refused:
        plan_create(actor=world.dave, **values)
    assert "equipment" in refused.value.message_dict


def test_a_plan_place_that_disagrees_is_refused(world, plan_values):
    from tests.factories import BuildingFactory

    elsewhere = BuildingFactory(compound=world.other_compound, code="n1", name="北1号楼")
    values = {k: v for k, v in plan_values.items() if k != "equipment"}
    with pytest.raises(ValidationError) as refused:
        plan_create(actor=world.dave, compound=world.compound, building=elsewhere, **values)
    assert refused.value.message_dict["building"] == ["楼栋不在所选院区内。"]


def test_the_worker_completes_the_checklist_on_time(world, order, items):
    photo = png()
    done = occurrence_complete(
        occurrence=order, actor=world.wang, results=answers(items), photos=[photo], now=at(2026, 1, 16, 11)
    )
    assert done.status == OccurrenceStatus.DONE
    assert done.completed_by == world.wang
    service_request = ServiceRequest.objects.get(pk=order.service_request_id)
    assert service_request.status == Status.RESOLVED
    assert Attachment.objects.filter(request=service_request).count() == 1
    checks = list(MaintenanceCheck.objects.filter(occurrence=order).order_by("id"))
    assert [(c.passed, c.measured) for c in checks] == [(True, None), (True, checks[1].measured)]
    assert str(checks[1].measured) == "52.500"
    assert not ServiceRequest.objects.exclude(kind="planned_maintenance").exists()  # nothing failed: no repair


def test_a_failed_measured_item_files_a_repair_linked_to_the_item(world, order, items, lift):
    occurrence_complete(occurrence=order, actor=world.wang, results=answers(items, noise="72"), now=at(2026, 1, 16, 11))
    check = MaintenanceCheck.objects.get(occurrence=order, passed=False)
    repair = check.repair
    assert repair is not None and repair.category == world.leak
    assert "实测 72 dB，限值 60 dB" in repair.description
    assert repair.contract == world.contract  # routed to the dispatcher's queue
    link = EquipmentWork.objects.get(service_request=repair)
    assert (link.equipment, link.source, link.occurrence) == (lift, WorkSource.CHECKLIST, order)


def test_completed_after_the_due_day_is_late(world, order, items):
    done = occurrence_complete(occurrence=order, actor=world.wang, results=answers(items), now=at(2026, 1, 20, 10))
    assert done.status == OccurrenceStatus.LATE


def test_an_occurrence_not_yet_open_cannot_be_completed(world, checked_plan, items):
    from tickets.maintenance.services import occurrences_generate

    occurrences_generate(now=at(2026, 1, 1, 8))
    planned = MaintenanceOccurrence.objects.get(plan=checked_plan, scheduled_on=date(2026, 1, 1))
    assert planned.status == OccurrenceStatus.PLANNED
    with pytest.raises(ActionForbidden):  # no work order yet: nobody is its contractor
        occurrence_complete(occurrence=planned, actor=world.wang, results=answers(items))


def test_another_contractor_cannot_complete(world, order, items):
    with pytest.raises(ActionForbidden):
        occurrence_complete(occurrence=order, actor=world.zed, results=answers(items), now=at(2026, 1, 16, 11))
    with pytest.raises(ActionForbidden):  # nor the bureau: completing is the contractor's action
        occurrence_complete(occurrence=order, actor=world.carol, results=answers(items), now=at(2026, 1, 16, 11))
    assert not MaintenanceCheck.objects.exists()


def test_the_work_order_must_be_accepted_before_completing(world, checked_plan, items):
    planned_maintenance_run(now=at(2026, 1, 16, 8))
    opened = MaintenanceOccurrence.objects.get(plan=checked_plan, scheduled_on=date(2026, 1, 16))
    with pytest.raises(TransitionNotAllowed) as refused:
        occurrence_complete(occurrence=opened, actor=world.wang, results=answers(items), now=at(2026, 1, 16, 9))
    assert "受理" in refused.value.message


@pytest.mark.parametrize(
    ("results", "field"),
    [
        (lambda i: [ItemInput(item=i[0].pk, passed=True), ItemInput(item=i[1].pk, measured="很吵")], "results.{1}"),
        (lambda i: [ItemInput(item=i[0].pk, passed=None), ItemInput(item=i[1].pk, measured="50")], "results.{0}"),
        (lambda i: [ItemInput(item=i[0].pk, passed=True), ItemInput(item=i[1].pk, measured="-3")], "results.{1}"),
        (lambda i: [ItemInput(item=i[0].pk, passed=True)], "results"),
        (lambda i: [*answers(i), ItemInput(item=999999, passed=True)], "results"),
    ],
)
def test_answers_outside_their_items_type_are_refused_and_nothing_is_written(world, order, items, results, field):
    with pytest.raises(ValidationError) as refused:
        occurrence_complete(occurrence=order, actor=world.wang, results=results(items), now=at(2026, 1, 16, 11))
    assert field.format(items[0].pk, items[1].pk) in refused.value.message_dict
    order.refresh_from_db()
    assert order.status == OccurrenceStatus.OPENED
    assert not MaintenanceCheck.objects.exists()
    assert ServiceRequest.objects.get(pk=order.service_request_id).status == Status.IN_PROGRESS


def test_completing_twice_is_a_conflict(world, order, items):
    occurrence_complete(occurrence=order, actor=world.wang, results=answers(items), now=at(2026, 1, 16, 11))
    with pytest.raises(TransitionNotAllowed):
        occurrence_complete(occurrence=order, actor=world.wang, results=answers(items), now=at(2026, 1, 16, 12))
    assert MaintenanceCheck.objects.count() == 2


def test_an_occurrence_unfinished_after_its_grace_days_is_missed_once(world, order, items):
    assert order.closes_on == date(2026, 1, 23)
    assert planned_maintenance_run(now=at(2026, 1, 23, 20))["missed"] == 0  # its last day: still time
    assert planned_maintenance_run(now=at(2026, 1, 24, 8))["missed"] == 1
    assert planned_maintenance_run(now=at(2026, 1, 24, 9))["missed"] == 0  # a second beat records nothing more
    order.refresh_from_db()
    assert order.status == OccurrenceStatus.MISSED and order.missed_at == at(2026, 1, 24, 8)
    with pytest.raises(TransitionNotAllowed) as refused:
        occurrence_complete(occurrence=order, actor=world.wang, results=answers(items), now=at(2026, 1, 24, 10))
    assert "漏检" in refused.value.message


def test_a_completed_occurrence_is_never_marked_missed(world, order, items):
    occurrence_complete(occurrence=order, actor=world.wang, results=answers(items), now=at(2026, 1, 16, 11))
    planned_maintenance_run(now=at(2026, 2, 1, 8))
    order.refresh_from_db()
    assert order.status == OccurrenceStatus.DONE
    assert order.closes_on - order.due_on == timedelta(days=7)
