"""The timeline says in words why a deadline moved (issue #16, item 5)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tickets.web.deadline_notes import describe

SH = ZoneInfo("Asia/Shanghai")


def test_each_reason_in_words_once():
    notes = [
        {"target": "response", "kind": "holiday", "name": "国庆节", "minutes": 0, "day": "2026-10-01"},
        {"target": "resolution", "kind": "holiday", "name": "国庆节", "minutes": 0, "day": "2026-10-01"},
        {"target": "resolution", "kind": "weekend", "name": "", "minutes": 0, "day": "2026-10-11"},
        {"target": "resolution", "kind": "workday", "name": "国庆节调休", "minutes": 0, "day": "2026-10-10"},
        {"target": "resolution", "kind": "pause", "name": "awaiting_requester", "minutes": 150, "day": "2026-10-12"},
        {"target": "resolution", "kind": "pause", "name": "awaiting_bureau", "minutes": 0, "day": "2026-10-13"},
        {"target": "resolution", "kind": "incomplete", "name": "2027", "minutes": 0, "day": "2027-01-04"},
    ]
    assert describe(notes) == [
        "10月1日是法定节假日（国庆节），不计入时限。",
        "10月10日是调休上班日（国庆节调休），按工作日计时。",
        "10月12日暂停计时2小时30分钟（等待报修人），时限相应顺延。",
        "10月13日起暂停计时（等待机关事务局），恢复后重新计算时限。",
        "2027年的节假日安排尚未录入，时限按普通周末估算，仅供参考。",
    ]
    assert describe(None) == [] and describe([{"kind": "weekend", "day": "2026-10-11"}]) == []


@pytest.mark.django_db
def test_the_request_page_shows_why_the_deadline_moved(world, as_user, file_request, time_machine):
    """Filed on the eve of the National Day holiday: the resolution deadline walks over it, and the page says so."""
    time_machine.move_to(datetime(2026, 9, 30, 17, 0, tzinfo=SH), tick=False)
    req = file_request(urgency="normal")
    html = as_user(world.alice).get(reverse("request-detail", args=[req.pk])).content.decode()
    assert 'class="deadline-notes' in html
    assert "是法定节假日（国庆节），不计入时限。" in html
