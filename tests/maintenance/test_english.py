"""The new planned-maintenance pages read in English for an English browser (only the data stays Chinese)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.test_i18n import visible_text

pytestmark = pytest.mark.django_db
DATA = {"南院", "北院", "1号楼", "恒安物业", "顺达物业", "南院物业服务合同", "电梯半月保养", "1号楼客梯", "漏水",
        "电梯半月保养检查表", "物业维修", "保洁", "物业工作日", "陈主管", "简体中文"}  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        reverse("maintenance:plans"),
        reverse("maintenance:plan-new"),
        reverse("maintenance:equipment-report") + "?from=2026-01-01&to=2026-03-31",
        reverse("maintenance:equipment-report") + "?from=bad",
        "/reports/?date_from=2026-01-01&date_to=2026-01-31",
    ],
)
def test_the_pages_are_translated(world, order, url):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(world.carol)
    text = visible_text(c.get(url).content.decode())
    for word in sorted(DATA, key=len, reverse=True):
        text = text.replace(word, "")
    chinese = re.findall(r"[\u4e00-\u9fff]+", text)
    assert not chinese, chinese
