"""Imports of the bureau's registers: real XLSX and CSV files in, all-or-nothing and idempotent out."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from tickets.models import (
    Building,
    Compound,
    Contractor,
    Floor,
    OrganLevel,
    Role,
    Room,
    RoomFunction,
    ServiceLine,
    Unit,
    User,
)
from tickets.services.imports import (
    ImportResult,
    RowError,
    import_file,
    import_rooms,
    import_staff,
    import_units,
    read_table,
)

ROOM_HEADER = ["院区编码", "楼栋编码", "楼栋名称", "楼层", "房间号", "用途", "使用面积"]
UNIT_HEADER = ["单位编码", "单位名称", "上级单位编码", "机构级别"]
STAFF_HEADER = ["用户名", "姓名", "手机", "角色", "单位编码", "服务商编码", "负责条线", "邮箱"]


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], *, encoding: str = "utf-8-sig") -> bytes:
    buffer = StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def errors_by_row(result: ImportResult) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for error in result.errors:
        found.setdefault(error.row, []).append((error.field, error.message))
    return found


@pytest.fixture
def compound(db) -> Compound:
    return Compound.objects.create(code="main", name="市行政中心")


@pytest.fixture
def property_company(db) -> Contractor:
    return Contractor.objects.create(code="wuye", name="安居物业", service_line=ServiceLine.PROPERTY)


@pytest.fixture
def bureau(db) -> Unit:
    return Unit.objects.create(code="jgswj", name="机关事务管理局", level=OrganLevel.MUNICIPAL)


@pytest.fixture
def admin_user(django_user_model) -> User:
    return django_user_model.objects.create_superuser(username="root", password="x-Secret-2024!", email="r@x.cn")


# --- reading -----------------------------------------------------------------------------------------------


def test_read_table_xlsx_renders_numbers_as_typed_and_keeps_row_numbers():
    data = xlsx(
        [
            ["房间号", "楼层", "使用面积", "手机"],
            [301, 3, 18.5, 13800000001],
            [None, None, None, None],
            ["B101", -1, 20, "  010-1234  "],
        ]
    )

    rows = read_table(io.BytesIO(data), "rooms.xlsx")

    assert rows == [
        {"房间号": "301", "楼层": "3", "使用面积": "18.5", "手机": "13800000001"},
        {"房间号": "B101", "楼层": "-1", "使用面积": "20", "手机": "010-1234"},
    ]
    assert [row.number for row in rows] == [2, 4]  # the blank row 3 is skipped but still counted


def test_read_table_csv_with_bom_and_gb18030():
    rows = [["单位编码", "单位名称"], ["jgswj", "机关事务管理局"], ["", ""]]

    assert read_table(csv_bytes(rows), "u.csv") == [{"单位编码": "jgswj", "单位名称": "机关事务管理局"}]
    assert read_table(csv_bytes(rows, encoding="utf-8"), "u.CSV") == [
        {"单位编码": "jgswj", "单位名称": "机关事务管理局"}
    ]
    assert read_table(csv_bytes(rows, encoding="gb18030"), "u.csv") == [
        {"单位编码": "jgswj", "单位名称": "机关事务管理局"}
    ]


# --- rooms -------------------------------------------------------------------------------------------------


def _room_file() -> bytes:
    return xlsx(
        [
            ROOM_HEADER,
            ["main", "A", "1号办公楼", 3, 301, "办公室", 18.5],
            ["main", "A", "", 3, 302, "会议室", 45],
            ["main", "A", "", "B1", "B101", "equipment", "30.25"],
            ["main", "B", "2号楼", 1, 101, "", 12],
        ]
    )


def test_rooms_import_creates_buildings_floors_and_rooms(compound, admin_user):
    result = import_file(kind="rooms", file=io.BytesIO(_room_file()), filename="房间.xlsx", actor=admin_user)

    assert result == ImportResult(created=4, updated=0, errors=[])
    building_a = Building.objects.get(compound=compound, code="A")
    assert building_a.name == "1号办公楼"
    assert Building.objects.get(code="B").name == "2号楼"
    assert sorted(Floor.objects.filter(building=building_a).values_list("level", flat=True)) == [-1, 3]
    room = Room.objects.get(floor__building=building_a, number="302")
    assert (room.floor.level, room.function, room.usable_area) == (3, RoomFunction.MEETING, Decimal("45.00"))
    assert Room.objects.get(number="B101").function == RoomFunction.EQUIPMENT
    assert Room.objects.get(number="101").function == RoomFunction.OFFICE  # blank → model default


def test_rooms_reimport_is_idempotent_and_updates(compound, admin_user):
    import_file(kind="rooms", file=io.BytesIO(_room_file()), filename="房间.xlsx", actor=admin_user)
    tokens = dict(Room.objects.values_list("number", "qr_token"))

    again = import_file(kind="rooms", file=io.BytesIO(_room_file()), filename="房间.xlsx", actor=admin_user)
    moved = import_rooms(
        rows=[{"院区编码": "main", "楼栋编码": "A", "楼层": "4", "房间号": "301", "使用面积": "20"}], actor=admin_user
    )

    assert (again.created, again.updated, again.errors) == (0, 4, [])
    assert (moved.created, moved.updated) == (0, 1)
    assert Room.objects.count() == 4 and Building.objects.count() == 2 and Floor.objects.count() == 4
    room = Room.objects.get(number="301")
    assert (room.floor.level, room.usable_area, room.function) == (4, Decimal("20.00"), RoomFunction.OFFICE)
    assert dict(Room.objects.values_list("number", "qr_token")) == tokens  # printed QR codes stay valid


def test_rooms_file_with_bad_rows_imports_nothing_and_reports_each(compound, admin_user):
    data = xlsx(
        [
            ROOM_HEADER,
            ["main", "A", "1号办公楼", 3, 301, "办公室", 18.5],  # 2: good
            ["main", "A", "", 3, 302, "会议室", -5],  # 3: area ≤ 0
            ["main", "A", "", 3, 303, "食堂", 10],  # 4: unknown function
            ["nowhere", "A", "", 3, 304, "", 10],  # 5: unknown compound
            ["main", "A", "", 3, 301, "", 10],  # 6: duplicate of row 2
            ["main", "A", "", "", "", "", "abc"],  # 7: floor and number missing, area not a number
            ["main", "A", "", 0, 305, "", 10.123],  # 8: floor 0, three decimals
            ["main", "A", "", 3, 306, "", 9],  # 9: good
        ]
    )

    result = import_file(kind="rooms", file=io.BytesIO(data), filename="rooms.xlsx", actor=admin_user)

    assert (result.created, result.updated) == (0, 0)
    assert not Room.objects.exists() and not Building.objects.exists() and not Floor.objects.exists()
    found = errors_by_row(result)
    assert sorted(found) == [3, 4, 5, 6, 7, 8]
    assert found[3] == [("usable_area", "必须是大于0的数字")]
    assert found[4][0][0] == "function" and "食堂" in found[4][0][1] and "会议室" in found[4][0][1]
    assert found[5] == [("compound", "院区“nowhere”不存在，请先在系统中建立院区")]
    assert found[6] == [("number", "与第2行重复")]
    assert {f for f, _ in found[7]} == {"floor", "number", "usable_area"}
    assert {f for f, _ in found[8]} == {"floor", "usable_area"}
    assert str(result.errors[0]) == "第3行 使用面积：必须是大于0的数字"


def test_rooms_unknown_compound_is_not_created(db, admin_user):
    result = import_rooms(
        rows=[
            {
                "compound": "ghost",
                "building": "A",
                "building_name": "甲楼",
                "floor": "1",
                "number": "1",
                "usable_area": "10",
            }
        ],
        actor=admin_user,
    )

    assert result.errors == [RowError(2, "compound", "院区“ghost”不存在，请先在系统中建立院区")]
    assert not Compound.objects.exists() and not Building.objects.exists()


def test_rooms_new_building_needs_a_name_once(compound, admin_user):
    rows = [
        {"院区编码": "main", "楼栋编码": "C", "楼层": "1", "房间号": "101", "使用面积": "10"},
        {"院区编码": "main", "楼栋编码": "C", "楼层": "1", "房间号": "102", "使用面积": "10"},
    ]

    result = import_rooms(rows=rows, actor=admin_user)

    assert result.errors == [RowError(2, "building_name", "楼栋“C”尚不存在，请填写楼栋名称以新建")]


def test_missing_required_column_and_header_only_file(compound, admin_user):
    no_area = import_file(
        kind="rooms",
        file=csv_bytes([ROOM_HEADER[:-1], ["main", "A", "甲", "1", "1", ""]]),
        filename="r.csv",
        actor=admin_user,
    )
    header_only = import_file(kind="rooms", file=csv_bytes([ROOM_HEADER]), filename="r.csv", actor=admin_user)

    assert no_area.errors == [RowError(1, "usable_area", "缺少此列")]
    assert header_only.errors == [RowError(0, "file", "文件中没有数据行")]
    # What the clerk reads names the column as the template does, and the file as a whole.
    assert [str(error) for error in no_area.errors + header_only.errors] == [
        "第1行 使用面积：缺少此列",
        "文件：文件中没有数据行",
    ]


def test_unsupported_or_broken_file_is_a_file_error(db, admin_user):
    xls = import_file(kind="units", file=b"\xd0\xcf\x11\xe0", filename="units.xls", actor=admin_user)
    broken = import_file(kind="units", file=b"not a zip", filename="units.xlsx", actor=admin_user)

    assert xls.errors == [RowError(0, "file", "仅支持 .xlsx 和 .csv 文件")]
    assert [(e.row, e.field) for e in broken.errors] == [(0, "file")]
    assert str(xls.errors[0]) == "文件：仅支持 .xlsx 和 .csv 文件"


# --- units -------------------------------------------------------------------------------------------------


def test_units_import_builds_hierarchy_in_any_row_order(bureau, admin_user):
    data = csv_bytes(
        [
            ["code", "name", "parent", "level"],  # English headers
            ["jgswj-bgs-wsk", "文书科", "jgswj-bgs", ""],  # child before its parent
            ["jgswj-bgs", "办公室", "jgswj", "市级"],
            ["sheng-ting", "省财政厅", "", "provincial"],
        ]
    )

    result = import_file(kind="units", file=data, filename="units.csv", actor=admin_user)

    assert (result.created, result.updated, result.errors) == (3, 0, [])
    office = Unit.objects.get(code="jgswj-bgs")
    assert office.parent == bureau and office.level == OrganLevel.MUNICIPAL
    assert Unit.objects.get(code="jgswj-bgs-wsk").parent == office
    assert Unit.objects.get(code="sheng-ting").level == OrganLevel.PROVINCIAL

    again = import_file(kind="units", file=data, filename="units.csv", actor=admin_user)

    assert (again.created, again.updated) == (0, 3)
    assert Unit.objects.count() == 4


def test_units_parent_cycle_unknown_parent_and_duplicates_import_nothing(bureau, admin_user):
    rows = [
        {"单位编码": "a", "单位名称": "甲", "上级单位编码": "b"},  # 2: a → b → a
        {"单位编码": "b", "单位名称": "乙", "上级单位编码": "a"},  # 3
        {"单位编码": "c", "单位名称": "丙", "上级单位编码": "c"},  # 4: itself
        {"单位编码": "d", "单位名称": "丁", "上级单位编码": "zz"},  # 5: unknown parent
        {"单位编码": "e", "单位名称": "戊", "上级单位编码": "jgswj", "机构级别": "部级"},  # 6: unknown level
        {"单位编码": "e", "单位名称": "戊", "上级单位编码": "jgswj"},  # 7: duplicate
        {"单位编码": "f g", "单位名称": ""},  # 8: bad code, no name
    ]

    result = import_units(rows=rows, actor=admin_user)

    found = errors_by_row(result)
    assert found[2] == [("parent", "上级关系形成循环：a → b → a")]
    assert found[3] == [("parent", "上级关系形成循环：b → a → b")]
    assert found[4] == [("parent", "不能以本单位为上级")]
    assert found[5] == [("parent", "上级单位“zz”既不在文件中，也不在系统中")]
    assert found[6][0][0] == "level"
    assert found[7] == [("code", "与第6行重复")]
    assert {f for f, _ in found[8]} == {"code", "name"}
    assert list(Unit.objects.values_list("code", flat=True)) == ["jgswj"]


def test_units_cycle_through_the_database(bureau, admin_user):
    Unit.objects.create(code="jgswj-bgs", name="办公室", parent=bureau)

    result = import_units(rows=[{"code": "jgswj", "name": "机关事务管理局", "parent": "jgswj-bgs"}], actor=admin_user)

    assert result.errors == [RowError(2, "parent", "上级关系形成循环：jgswj → jgswj-bgs → jgswj")]
    assert Unit.objects.get(code="jgswj").parent is None


# --- staff -------------------------------------------------------------------------------------------------


def _staff_rows() -> list[list[object]]:
    return [
        [*STAFF_HEADER, "初始密码"],
        ["alice", "艾丽", 13800000001, "报修人", "jgswj", "", "", "alice@example.gov.cn", ""],
        ["bob", "鲍勃", "", "服务商调度", "", "wuye", "", "", "Bob-Initial-2024"],
        ["wang", "王师傅", "", "worker", "", "wuye", "", "", ""],
        ["carol", "卡罗尔", "", "管理处室", "jgswj", "", "物业", "", ""],
    ]


def test_staff_import_creates_accounts_with_roles_from_gb18030_csv(bureau, property_company, admin_user):
    data = csv_bytes(_staff_rows(), encoding="gb18030")

    result = import_file(kind="staff", file=data, filename="人员.csv", actor=admin_user)

    assert (result.created, result.updated, result.errors) == (4, 0, [])
    alice = User.objects.get(username="alice")
    assert (alice.full_name, alice.phone, alice.role, alice.unit, alice.email) == (
        "艾丽",
        "13800000001",
        Role.REQUESTER,
        bureau,
        "alice@example.gov.cn",
    )
    assert not alice.has_usable_password()
    bob = User.objects.get(username="bob")
    assert (bob.role, bob.contractor) == (Role.DISPATCHER, property_company)
    assert bob.check_password("Bob-Initial-2024")
    assert User.objects.get(username="wang").role == Role.WORKER
    carol = User.objects.get(username="carol")
    assert (carol.role, carol.service_line) == (Role.SUPERVISOR, ServiceLine.PROPERTY)
    assert not carol.is_staff and not carol.is_superuser


def test_staff_reimport_updates_without_resetting_passwords(bureau, property_company, admin_user):
    import_file(kind="staff", file=xlsx(_staff_rows()), filename="staff.xlsx", actor=admin_user)
    bob = User.objects.get(username="bob")
    bob.set_password("Changed-By-Bob-99")
    bob.save(update_fields=["password"])
    rows = _staff_rows()
    rows[1][1] = "艾丽丝"

    result = import_file(kind="staff", file=xlsx(rows), filename="staff.xlsx", actor=admin_user)

    assert (result.created, result.updated, result.errors) == (0, 4, [])
    assert User.objects.filter(username__in=["alice", "bob", "wang", "carol"]).count() == 4
    assert User.objects.get(username="alice").full_name == "艾丽丝"
    assert User.objects.get(username="bob").check_password("Changed-By-Bob-99")


def test_staff_role_rules_and_unknown_codes_import_nothing(bureau, property_company, admin_user):
    rows = [
        {"用户名": "ok", "姓名": "好人", "角色": "报修人"},  # 2: good
        {"用户名": "bob", "姓名": "鲍勃", "角色": "服务商调度"},  # 3: no contractor column at all
        {"用户名": "wang", "姓名": "王", "角色": "一线人员", "服务商编码": ""},  # 4: blank contractor
        {"用户名": "carol", "姓名": "卡", "角色": "supervisor", "负责条线": ""},  # 5: no service line
        {"用户名": "dan", "姓名": "丹", "角色": "报修人", "单位编码": "nope", "服务商编码": "ghost"},  # 6
        {"用户名": "eve", "姓名": "伊", "角色": "保安", "邮箱": "not-an-email"},  # 7
        {"用户名": "bad name!", "姓名": "", "角色": ""},  # 8
    ]

    result = import_staff(rows=rows, actor=admin_user)

    found = errors_by_row(result)
    assert found[3] == [("contractor", "角色为“服务商调度”时必须填写服务商编码")]
    assert found[4] == [("contractor", "角色为“一线人员”时必须填写服务商编码")]
    assert found[5] == [("service_line", "角色为“管理处室”时必须填写负责条线")]
    assert found[6] == [("unit", "单位“nope”不存在"), ("contractor", "服务商“ghost”不存在")]
    assert {f for f, _ in found[7]} == {"role", "email"}
    assert {f for f, _ in found[8]} == {"username", "full_name", "role"}
    assert 2 not in found
    assert not User.objects.exclude(pk=admin_user.pk).exists()


def test_staff_existing_contractor_counts_when_column_absent(property_company, admin_user):
    User.objects.create(username="bob", role=Role.WORKER, contractor=property_company)

    result = import_staff(rows=[{"username": "bob", "full_name": "鲍勃", "role": "dispatcher"}], actor=admin_user)

    assert (result.updated, result.errors) == (1, [])
    bob = User.objects.get(username="bob")
    assert (bob.role, bob.contractor) == (Role.DISPATCHER, property_company)


def test_staff_import_needs_permissions_and_cannot_touch_superusers(db, django_user_model, admin_user):
    clerk = django_user_model.objects.create_user(username="clerk", password="x-Secret-2024!", is_staff=True)
    rows = [{"username": "root", "full_name": "篡改", "role": "requester"}]

    with pytest.raises(PermissionDenied):
        import_staff(rows=rows, actor=clerk)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["add_user", "change_user"]))
    clerk = django_user_model.objects.get(pk=clerk.pk)  # drop the permission cache
    result = import_staff(rows=rows, actor=clerk)

    assert result.errors == [RowError(2, "username", "不能通过导入修改超级管理员账号")]
    assert User.objects.get(username="root").full_name == ""


# --- management command ------------------------------------------------------------------------------------


def test_command_imports_and_reports_counts(compound, tmp_path):
    path = tmp_path / "房间.xlsx"
    path.write_bytes(_room_file())
    out = StringIO()

    call_command("import_data", "rooms", str(path), stdout=out)
    call_command("import_data", "rooms", str(path), stdout=out)

    assert out.getvalue().splitlines() == ["已导入 4 条（新增 4，更新 0）", "已导入 4 条（新增 0，更新 4）"]


def test_command_prints_row_errors_and_fails(compound, tmp_path):
    path = tmp_path / "rooms.csv"
    path.write_bytes(
        csv_bytes([ROOM_HEADER, ["main", "A", "甲楼", "1", "101", "", "10"], ["main", "A", "", "1", "102", "", "0"]])
    )
    err = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_data", "rooms", str(path), stderr=err)

    assert raised.value.returncode == 1
    assert "未导入任何数据" in str(raised.value)
    assert err.getvalue().splitlines() == ["第3行 使用面积：必须是大于0的数字"]
    assert not Room.objects.exists()


def test_command_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="无法打开文件"):
        call_command("import_data", "units", str(tmp_path / "nope.csv"))


# --- admin page --------------------------------------------------------------------------------------------


def test_admin_page_imports_a_file(client, admin_user, bureau):
    client.force_login(admin_user)
    url = reverse("admin:tickets_import")
    upload = SimpleUploadedFile("units.xlsx", xlsx([UNIT_HEADER, ["jgswj-bgs", "办公室", "jgswj", "市级"]]))

    page = client.get(url)
    response = client.post(url, {"kind": "units", "file": upload}, follow=True)

    assert page.status_code == 200 and "批量导入" in page.text
    assert response.redirect_chain == [(url, 302)]
    assert "已导入 1 条（新增 1，更新 0）" in response.text
    assert Unit.objects.get(code="jgswj-bgs").parent == bureau


def test_admin_page_shows_the_error_table(client, admin_user, bureau):
    client.force_login(admin_user)
    data = csv_bytes([UNIT_HEADER, ["x", "甲", "ghost", ""], ["jgswj", "局", "", "区级"]])

    response = client.post(
        reverse("admin:tickets_import"), {"kind": "units", "file": SimpleUploadedFile("u.csv", data)}
    )

    assert response.status_code == 200
    table = response.text[response.text.index('id="import-errors"') :]
    assert "第2行" in table and "上级单位“ghost”既不在文件中，也不在系统中" in table
    assert "第3行" in table and "机构级别" in table
    assert not Unit.objects.filter(code="x").exists()


def test_admin_page_rejects_wrong_type_and_large_files(client, admin_user, settings):
    client.force_login(admin_user)
    url = reverse("admin:tickets_import")

    wrong = client.post(url, {"kind": "rooms", "file": SimpleUploadedFile("rooms.xls", b"x")})
    large = client.post(url, {"kind": "rooms", "file": SimpleUploadedFile("r.csv", b"a" * (5 * 1024 * 1024 + 1))})

    assert "仅支持 .xlsx 和 .csv 文件" in wrong.text
    assert "文件不能超过 5 MB" in large.text


def test_admin_page_offers_example_templates(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("admin:tickets_import"), {"template": "staff"})
    missing = client.get(reverse("admin:tickets_import"), {"template": "../settings"})

    body = b"".join(response.streaming_content)
    assert response["Content-Disposition"].startswith("attachment")
    assert body.startswith(b"\xef\xbb\xbf")
    assert read_table(body, "staff.csv")[0]["用户名"] == "zhangsan"
    assert missing.status_code == 404


@pytest.mark.parametrize("kind", ["rooms", "units", "staff"])
def test_example_templates_have_bom_chinese_headers_and_two_rows(kind):
    from tickets.admin_imports import TEMPLATES_DIR

    data = (TEMPLATES_DIR / f"{kind}.csv").read_bytes()
    rows = read_table(data, f"{kind}.csv")

    assert data.startswith(b"\xef\xbb\xbf") and len(rows) == 2
    assert all("\u4e00" <= header[0] <= "\u9fff" for header in rows[0])


def test_example_templates_import_cleanly(admin_user, compound, property_company):
    from tickets.admin_imports import TEMPLATES_DIR

    results = [
        import_file(kind=kind, file=(TEMPLATES_DIR / f"{kind}.csv").read_bytes(), filename="t.csv", actor=admin_user)
        for kind in ("rooms", "units", "staff")
    ]

    assert [(r.created, r.errors) for r in results] == [(2, []), (2, []), (2, [])]


def test_admin_page_is_staff_only(db, client, django_user_model):
    url = reverse("admin:tickets_import")
    anonymous = client.get(url)
    client.force_login(django_user_model.objects.create_user(username="alice", password="x-Secret-2024!"))
    requester = client.post(url, {"kind": "units", "file": SimpleUploadedFile("u.csv", b"code,name\na,b\n")})

    assert anonymous.status_code == 302 and reverse("admin:login") in anonymous["Location"]
    assert requester.status_code == 302 and reverse("admin:login") in requester["Location"]
    assert not Unit.objects.exists()


def test_admin_page_forbids_staff_without_import_permissions(db, client, django_user_model):
    clerk = django_user_model.objects.create_user(username="clerk", password="x-Secret-2024!", is_staff=True)
    client.force_login(clerk)

    response = client.post(
        reverse("admin:tickets_import"), {"kind": "units", "file": SimpleUploadedFile("u.csv", b"code,name\na,b\n")}
    )

    assert response.status_code == 403
    assert not Unit.objects.exists()


def test_decorated_headers_match_and_repeated_headers_are_a_file_error(compound, admin_user):
    header = ["院区编码*", "楼栋编码*", "楼栋名称", "楼层*", "房间号*", "Function", "使用面积（㎡）*"]
    good = import_file(
        kind="rooms",
        file=xlsx([header, ["main", "A", "甲楼", "2", "201", "toilet", "6"]]),
        filename="r.xlsx",
        actor=admin_user,
    )
    repeated = import_file(
        kind="units", file=csv_bytes([["单位编码", "单位编码"], ["a", "b"]]), filename="u.csv", actor=admin_user
    )

    assert (good.created, good.errors) == (1, [])
    assert Room.objects.get(number="201").function == RoomFunction.TOILET
    assert repeated.errors == [RowError(0, "file", "表头“单位编码”重复")]
