"""Rooms, allocations and occupants from the bureau's sheets: every error with its row, all or nothing, the same
file twice updates and never duplicates; the bureau's page, its templates and who may use it."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from offices import imports
from offices.models import Allocation, Person, Seat
from tickets.models import Room
from tickets.services.imports import KINDS, import_file

pytestmark = pytest.mark.django_db

ALLOC_HEAD = ["院区编码", "楼栋编码", "房间号", "使用单位编码", "用途", "起始日期", "终止日期", "使用协议编号"]
PEOPLE_HEAD = ["姓名", "单位编码", "机构级别", "职级", "职务", "院区编码", "楼栋编码", "房间号", "岗位", "入驻日期"]


def xlsx(header, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(user, kind, data: bytes, name="register.xlsx"):
    c = Client()
    c.force_login(user)
    file = io.BytesIO(data)
    file.name = name
    return c.post(reverse("offices:import"), {"kind": kind, "file": file})


GOOD_ALLOCATIONS = [
    # an Excel date cell, and a date typed as text
    ["south", "b1", "301", "fgw", "办公室", datetime(2026, 1, 1), None, "SY-OLD-7"],
    ["south", "b1", "302", "fgw", "合用办公室", "2026/1/1", None, None],
    ["south", "b1", "303", "czj", "会议室", "2026年1月1日", "2026-06-30", None],
]


def test_good_allocations_and_occupants_through_the_page_and_again(space):
    c = Client()
    c.force_login(space.fang)
    file = io.BytesIO(xlsx(ALLOC_HEAD, GOOD_ALLOCATIONS))
    file.name = "配置.xlsx"
    r = c.post(reverse("offices:import"), {"kind": imports.ALLOCATIONS, "file": file}, follow=True)
    assert r.redirect_chain == [(reverse("offices:import"), 302)]
    assert "已导入 3 条（新增 3，更新 0）" in r.content.decode()
    rows = {a.room.number: a for a in Allocation.objects.select_related("room", "unit")}
    assert set(rows) == {"301", "302", "303"}
    assert rows["301"].agreement_no == "SY-OLD-7" and rows["302"].agreement_no.startswith("SY2026-")
    assert (rows["303"].unit.code, rows["303"].use, rows["303"].ends_on) == ("czj", "meeting", date(2026, 6, 30))
    assert rows["302"].use == "shared_office" and rows["301"].created_by == space.fang

    people = [
        ["李爱丽", "fgw", "市级", "以下人员", "科员", "south", "b1", "301", "本职", "2026-01-02"],
        ["王局长", "fgw", "municipal", "bureau_chief", "局长", "south", "b1", "302", "", "2026-01-02"],
        ["王局长", "fgw", "市级", "正厅(司、局)级", "局长", "south", "b1", "301", "兼职", "2026-01-05"],
    ]
    r = upload(space.fang, imports.OCCUPANTS, xlsx(PEOPLE_HEAD, people))
    assert r.status_code == 302
    assert Person.objects.count() == 2  # 王局长 once, with two posts
    seats = sorted((s.person.name, s.room.number, s.post) for s in Seat.objects.select_related("person", "room"))
    assert seats == [("李爱丽", "301", "main"), ("王局长", "301", "second"), ("王局长", "302", "main")]
    # The same files again: updates, no duplicates.
    again = import_file(
        kind=imports.ALLOCATIONS, file=xlsx(ALLOC_HEAD, GOOD_ALLOCATIONS), filename="a.xlsx", actor=space.fang
    )
    assert (again.ok, again.created, again.updated) == (True, 0, 3)
    again = import_file(kind=imports.OCCUPANTS, file=xlsx(PEOPLE_HEAD, people), filename="p.xlsx", actor=space.fang)
    assert (again.ok, again.created, again.updated) == (True, 0, 3)
    assert Allocation.objects.count() == 3 and Seat.objects.count() == 3 and Person.objects.count() == 2


def test_bad_allocations_report_every_row_and_write_nothing(space, allocate):
    allocate("304", unit=space.w.other_unit, starts_on=date(2026, 1, 1))
    before = Allocation.objects.count()
    rows = [
        ["south", "b1", "301", "fgw", "办公室", "2026-01-01", None, None],  # fine on its own
        ["south", "b1", "999", "fgw", "办公室", "2026-01-01", None, None],  # no such room
        ["south", "b1", "304", "fgw", "办公室", "2026-03-01", None, None],  # 304 is held by 财政局
        ["south", "b1", "301", "czj", "办公室", "2026-02-01", None, None],  # overlaps row 2 of the file
        ["south", "b1", "302", "nope", "办公室", "2026-01-01", None, None],  # unknown unit
        ["south", "b1", "303", "fgw", "办公室", "2026-05-01", "2026-04-01", None],  # ends before it starts
        ["south", "b1", "305", "fgw", "宿舍", "2026-13-01", None, None],  # bad use, bad date
    ]
    r = upload(space.fang, imports.ALLOCATIONS, xlsx(ALLOC_HEAD, rows))
    assert r.status_code == 400
    html = r.content.decode()
    assert "未导入任何数据" in html
    result = import_file(kind=imports.ALLOCATIONS, file=xlsx(ALLOC_HEAD, rows), filename="a.xlsx", actor=space.fang)
    got = {(e.row, e.field) for e in result.errors}
    assert got == {
        (3, "number"),
        (4, "starts_on"),
        (5, "starts_on"),
        (6, "unit"),
        (7, "ends_on"),
        (8, "use"),
        (8, "starts_on"),
    }
    messages = {e.row: e.message for e in result.errors}
    assert "财政局" in messages[4] and "第2行" in messages[5] and "没有房间“999”" in messages[3]
    assert str(result.errors[0]).startswith("第3行 房间号：")
    assert Allocation.objects.count() == before


def test_bad_occupants_report_every_row_and_write_nothing(space, allocate, seat):
    allocate("301")
    allocate("303", unit=space.w.other_unit)
    seat("301", "municipal", "staff", name="已在岗")
    allocate("302")
    rows = [
        ["甲", "fgw", "市级", "正处(科)级", "", "south", "b1", "301", "本职", "2026-01-02"],  # not in the 2014 table
        ["乙", "fgw", "市级", "以下人员", "", "south", "b1", "303", "本职", "2026-01-02"],  # 303 is 财政局's
        ["已在岗", "fgw", "市级", "以下人员", "", "south", "b1", "302", "本职", "2026-01-02"],  # seated in 301
        ["丙", "fgw", "省级", "以下人员", "", "south", "b1", "301", "本职", "2025-12-01"],  # before the allocation
        ["丁", "fgw", "乡镇", "以下人员", "", "south", "b1", "301", "本职", "2026-01-02"],  # unknown level
    ]
    people, seats = Person.objects.count(), Seat.objects.count()
    result = import_file(kind=imports.OCCUPANTS, file=xlsx(PEOPLE_HEAD, rows), filename="p.xlsx", actor=space.fang)
    assert {(e.row, e.field) for e in result.errors} == {
        (2, "rank"),
        (3, "number"),
        (4, "number"),
        (5, "number"),
        (6, "level"),
    }
    text = {e.row: e.message for e in result.errors}
    assert "没有市级“正处(科)级”的标准" in text[2] and "请先办理腾退" in text[4] and "未配置给发改委" in text[3]
    assert (Person.objects.count(), Seat.objects.count()) == (people, seats)


def test_a_file_that_is_not_a_table_and_a_missing_column(space):
    r = upload(space.fang, imports.ALLOCATIONS, b"not a workbook")
    assert r.status_code == 400 and "无法读取 Excel 文件" in r.content.decode()
    missing = xlsx(["院区编码", "楼栋编码", "房间号"], [["south", "b1", "301"]])
    result = import_file(kind=imports.ALLOCATIONS, file=missing, filename="a.xlsx", actor=space.fang)
    assert {(e.row, e.field) for e in result.errors} == {(1, "unit"), (1, "starts_on")}
    r = upload(space.fang, imports.ALLOCATIONS, b"x", name="register.pdf")
    assert r.status_code == 400 and Allocation.objects.count() == 0


def test_templates_download_as_workbooks_that_import(space):
    c = Client()
    c.force_login(space.fang)
    page = c.get(reverse("offices:import")).content.decode()
    for kind in ("rooms", imports.ALLOCATIONS, imports.OCCUPANTS):
        assert reverse("offices:import-template", args=[kind]) in page
    r = c.get(reverse("offices:import-template", args=[imports.ALLOCATIONS]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert [cell.value for cell in sheet[1]][:4] == ["院区编码", "楼栋编码", "房间号", "使用单位编码"]
    assert c.get(reverse("offices:import-template", args=["staff"])).status_code == 404
    c.cookies["django_language"] = "en"
    english = c.get(reverse("offices:import"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Office data import" in english and "Import in this order" in english and "用房数据导入" not in english
    # The registers are the core's import kinds too (admin page, manage.py import_data).
    assert {imports.ALLOCATIONS, imports.OCCUPANTS} <= set(KINDS)


def test_who_may_import(space):
    good = xlsx(ALLOC_HEAD, GOOD_ALLOCATIONS[:1])
    for user in (space.w.uma, space.w.alice, space.w.bob, space.w.carol):
        assert upload(user, imports.ALLOCATIONS, good).status_code == 403
    anonymous = Client().get(reverse("offices:import"))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    # The bureau's office-space staff import rooms only with the core's room permissions (rooms are the core's).
    rooms = xlsx(["院区编码", "楼栋编码", "楼层", "房间号", "使用面积"], [["south", "b1", "3", "399", "20"]])
    r = upload(space.fang, "rooms", rooms)
    assert r.status_code == 403 and "没有导入房间的权限" in r.content.decode()
    assert not Room.objects.filter(number="399").exists()
    space.fang.is_superuser = True  # an administrator who is also the bureau's office-space clerk
    space.fang.save(update_fields=["is_superuser"])
    assert upload(space.fang, "rooms", rooms).status_code == 302
    assert Room.objects.get(number="399").usable_area == 20
    assert Allocation.objects.count() == 0


def test_the_api_imports_the_same_way(space, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(user, kind, data: bytes, name="r.xlsx"):
        return api(user).post(
            f"/api/v1/offices/imports/{kind}/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
        )

    bad = [["south", "b1", "999", "fgw", "办公室", "2026-01-01", None, None]]
    r = post(space.fang, imports.ALLOCATIONS, xlsx(ALLOC_HEAD, bad))
    assert r.status_code == 400
    assert r.json()["errors"] == [
        {
            "row": 2,
            "field": "number",
            "column": "房间号",
            "message": "院区“south”楼栋“b1”没有房间“999”，请先导入房间",
        }
    ]
    assert post(space.w.uma, imports.ALLOCATIONS, xlsx(ALLOC_HEAD, GOOD_ALLOCATIONS)).status_code == 403
    assert post(space.fang, "staff", xlsx(ALLOC_HEAD, GOOD_ALLOCATIONS)).status_code == 404
    assert post(space.fang, imports.ALLOCATIONS, b"x", name="r.pdf").status_code == 400
    assert Allocation.objects.count() == 0
    r = post(space.fang, imports.ALLOCATIONS, xlsx(ALLOC_HEAD, GOOD_ALLOCATIONS))
    assert (r.status_code, r.json()) == (200, {"created": 3, "updated": 0, "errors": []})
    assert Allocation.objects.count() == 3


def test_the_command_imports_the_templates_as_the_system(space, tmp_path):
    """``manage.py import_data`` (no actor): the example files load into a compound that has the rooms they name,
    the first superuser is recorded as the clerk; without one the file is refused, nothing written."""
    from django.core.management import CommandError, call_command

    from tests.factories import UserFactory

    path = tmp_path / "allocations.csv"
    path.write_text(
        imports.example_path(imports.ALLOCATIONS).read_text().replace("main,A,", "south,b1,"), encoding="utf-8"
    )
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_data", imports.ALLOCATIONS, str(path), stdout=io.StringIO(), stderr=errors)
    assert "没有可作为经办人的管理员账号" in errors.getvalue() and Allocation.objects.count() == 0
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    call_command("import_data", imports.ALLOCATIONS, str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert sorted(Allocation.objects.values_list("room__number", "created_by")) == [("301", root.pk), ("302", root.pk)]
