"""Vehicles and drivers from the bureau's XLSX registers, through the core's import layer and its admin page."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fleet.models import Driver, Vehicle
from tests.tickets.test_imports import xlsx
from tickets.services.imports import KINDS, import_file

pytestmark = pytest.mark.django_db

VEHICLE_HEADER = [
    "车牌号",
    "品牌型号",
    "车辆类别",
    "座位数（不含驾驶员）",
    "能源类型",
    "院区编码",
    "使用单位编码",
    "当前里程",
]


def test_the_import_page_offers_vehicles_and_drivers_and_the_admin_links_it(world, admin_client):
    assert {"vehicles", "drivers"} <= set(KINDS)
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:tickets_import") in index and "批量导入" in index
    page = admin_client.get(reverse("admin:tickets_import")).content.decode()
    assert 'value="vehicles"' in page and 'value="drivers"' in page
    example = admin_client.get(reverse("admin:tickets_import"), {"template": "vehicles"})
    assert example.status_code == 200 and "车牌号" in b"".join(example.streaming_content).decode("utf-8")


def test_vehicles_import_from_xlsx_and_a_second_run_updates(world, admin_client):
    data = xlsx(
        [
            VEHICLE_HEADER,
            ["京A·G1001", "红旗 H5", "其他", 4, "汽油", "south", "", 32100],
            ["京a·g1002 ", "比亚迪 汉EV", "执法执勤", 4, "纯电动", "south", "fgw", 8800],
        ]
    )
    response = admin_client.post(
        reverse("admin:tickets_import"),
        {"kind": "vehicles", "file": SimpleUploadedFile("车辆.xlsx", data)},
        follow=True,
    )
    assert "已导入 2 条（新增 2，更新 0）" in response.content.decode()
    hongqi, byd = Vehicle.objects.order_by("plate")
    assert (hongqi.plate, hongqi.category, hongqi.seats, hongqi.odometer_km, hongqi.owning_unit) == (
        "京A·G1001",
        "other",
        4,
        32100,
        None,
    )
    assert (byd.plate, byd.energy, byd.owning_unit, byd.home_compound) == (
        "京A·G1002",
        "electric",
        world.unit,
        world.compound,
    )
    again = import_file(kind="vehicles", file=data, filename="车辆.xlsx", actor=None)
    assert (again.created, again.updated, Vehicle.objects.count()) == (0, 2, 2)


def test_a_wrong_vehicle_file_writes_nothing_and_says_every_error(world):
    data = xlsx(
        [
            VEHICLE_HEADER,
            ["京A·G1001", "红旗 H5", "轿车", 0, "汽油", "nowhere", "", "三万"],
            ["京A·G1001", "红旗 H5", "其他", 4, "汽油", "south", "nobody", ""],
        ]
    )
    result = import_file(kind="vehicles", file=data, filename="v.xlsx", actor=None)
    assert not result.ok and not Vehicle.objects.exists()
    said = {(e.row, str(e.label)) for e in result.errors}
    assert {(2, "车辆类别"), (2, "当前里程"), (3, "车牌号"), (3, "使用单位编码")} <= said


def test_drivers_import_for_people_already_in_the_system(world, admin_client):
    data = xlsx(
        [
            ["用户名", "准驾车型", "驾驶证号", "驾驶证有效期至", "在岗"],
            ["wang", "B1", "110101198001010011", date(2030, 6, 30), "是"],
            ["nobody", "C1", "", "2028年12月31日", "否"],
        ]
    )
    refused = import_file(kind="drivers", file=data, filename="d.xlsx", actor=None)
    assert [(e.row, e.message) for e in refused.errors] == [(3, "系统中没有用户“nobody”，请先导入人员")]
    assert not Driver.objects.exists()
    fixed = xlsx(
        [
            ["用户名", "准驾车型", "驾驶证有效期至"],
            ["wang", "B1", date(2030, 6, 30)],
            ["alice", "C1", "2028/12/31"],
        ]
    )
    result = import_file(kind="drivers", file=fixed, filename="d.xlsx", actor=None)
    assert result.ok and result.created == 2
    assert Driver.objects.get(user=world.wang).licence_expires == date(2030, 6, 30)
    assert Driver.objects.get(user=world.alice).licence_expires == date(2028, 12, 31)


def test_importing_vehicles_needs_the_permission(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="没有导入公务车辆的权限"):
        import_file(kind="vehicles", file=xlsx([VEHICLE_HEADER]), filename="v.xlsx", actor=world.carol)
