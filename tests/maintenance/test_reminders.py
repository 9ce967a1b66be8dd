"""Statutory inspection reminders: a lift's certificate due within 30 days files one request on the maintaining
contract (its dispatcher is notified by the core), once per certificate however often the beat runs."""

from datetime import date

import pytest

from tests.maintenance.conftest import at
from tickets.maintenance.models import EquipmentWork, WorkSource
from tickets.maintenance.register import equipment_update
from tickets.maintenance.tasks import send_inspection_reminders
from tickets.models import Notification, ServiceRequest

pytestmark = pytest.mark.django_db


def test_a_certificate_about_to_expire_is_reminded_once(world, lift):
    equipment_update(equipment=lift, actor=world.carol, inspection_due_on=date(2026, 5, 20))
    assert send_inspection_reminders.delay(at(2026, 4, 19).isoformat()).get() == 0  # 31 days ahead: not yet
    assert send_inspection_reminders.delay(at(2026, 4, 20).isoformat()).get() == 1
    assert send_inspection_reminders.delay(at(2026, 4, 21).isoformat()).get() == 0
    reminder = ServiceRequest.objects.get()
    assert "法定检验即将到期" in reminder.title and reminder.contract == world.contract
    assert EquipmentWork.objects.get(service_request=reminder).source == WorkSource.INSPECTION
    assert Notification.objects.filter(request=reminder, recipient=world.bob).exists()


def test_a_renewed_certificate_is_reminded_again_next_time(world, lift):
    equipment_update(equipment=lift, actor=world.carol, inspection_due_on=date(2026, 5, 20))
    send_inspection_reminders.delay(at(2026, 5, 1).isoformat()).get()
    equipment_update(equipment=lift, actor=world.carol, inspection_due_on=date(2027, 5, 20))
    assert send_inspection_reminders.delay(at(2026, 6, 1).isoformat()).get() == 0
    assert send_inspection_reminders.delay(at(2027, 4, 25).isoformat()).get() == 1
    assert ServiceRequest.objects.count() == 2


def test_an_item_without_a_contract_or_retired_is_not_reminded(world, lift):
    equipment_update(equipment=lift, actor=world.carol, inspection_due_on=date(2026, 5, 20), active=False)
    assert send_inspection_reminders.delay(at(2026, 5, 1).isoformat()).get() == 0
