"""Demo data: a city 机关事务管理局 with three compounds, its tenant units, three contractors, a service catalogue
with SLA policies and contracts, about 70 people, and a year of requests.

Everything is keyed by natural keys (codes, names, usernames, room numbers) and written with get_or_create /
update_or_create, so ``manage.py load_demo`` run twice changes nothing. The history is driven through the real
services (request_create, transition, feedback_submit, complaint_callback, sla_sweep, expire_feedback) in
simulated time, so every deadline, breach, event and notification is what production would have written; it
is skipped when demo requests already exist. ``random.Random(2026)`` makes it the same on every run.

This module never imports the optional modules (fleet, canteen, offices); the command calls their own demo
loaders if they exist.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from tickets.models import (
    OPEN_STATUSES,
    Building,
    BusinessCalendar,
    Category,
    Complaint,
    Compound,
    Contract,
    Contractor,
    Event,
    EventKind,
    Feedback,
    Floor,
    HoldReason,
    Notification,
    OrganLevel,
    Role,
    Room,
    RoomFunction,
    ServiceLine,
    ServiceRequest,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTargetRow,
    Status,
    Unit,
    Urgency,
    User,
)
from tickets.services.notifications import deliveries_suppressed
from tickets.sla.calendars import calendars_cached

PASSWORD = "Demo-2026-pass"
SEED = 2026
KEY_PREFIX = "demo-"  # idempotency keys of the demo's requests: their presence means the history is loaded
# Poisson rates of new requests per day: ~245 working days × 5.6 + ~120 other days × 1.0, plus the
# requests left open at the end: about 1500 a year.
WORKDAY_RATE = 5.6
OFFDAY_RATE = 1.0
# Times (h, m) of day at which the simulation runs the SLA sweeper; feedback windows are expired at 18:00.
SWEEP_TICKS = [(h, 0) for h in range(8, 23, 2)] + [(23, 59)]
INBOX_DAYS = 14  # in-app notifications are kept for the last two weeks of the history
OPEN_TARGET = 40  # requests left open near today, so the workbench and the dashboard show something

# --- places ---------------------------------------------------------------------------------------------------

COMPOUNDS = [
    ("south", "南院", "市人民大道 1 号"),
    ("north", "北院", "市人民大道 9 号"),
    ("cppcc", "政协办公区", "市文昌街 36 号"),
]

# (compound, code, name, floors): each floor is (level, layout, rooms on an office floor)
BUILDINGS: list[tuple[str, str, str, list[tuple[int, str, int]]]] = [
    (
        "south",
        "s1",
        "1号楼（主楼）",
        [(-1, "basement", 6)] + [(lv, "office", 14) for lv in range(1, 12)] + [(12, "lead", 10)],
    ),
    ("south", "s2", "2号楼", [(1, "canteen", 6)] + [(lv, "office", 12) for lv in range(2, 7)]),
    ("south", "hall", "会议中心", [(lv, "meeting_center", 7) for lv in range(1, 4)]),
    ("north", "n1", "综合楼", [(-1, "basement", 5)] + [(lv, "office", 12) for lv in range(1, 9)]),
    ("north", "n2", "附楼", [(1, "canteen", 6), (2, "canteen_upper", 5), (3, "office", 10), (4, "office", 10)]),
    (
        "cppcc",
        "zx1",
        "政协办公楼",
        [(1, "canteen_small", 6)] + [(lv, "office", 10) for lv in range(2, 7)] + [(7, "lead", 8)],
    ),
]

BASEMENT_ROOMS = [
    (RoomFunction.EQUIPMENT, 86),  # 配电室
    (RoomFunction.EQUIPMENT, 64),  # 水泵房
    (RoomFunction.EQUIPMENT, 38),  # 消防控制室
    (RoomFunction.EQUIPMENT, 24),  # 监控机房
    (RoomFunction.ANCILLARY, 45),  # 库房
    (RoomFunction.ANCILLARY, 32),  # 档案库
]
CANTEEN_ROOMS = {
    "canteen": [
        (RoomFunction.SERVICE, 420),  # 职工餐厅
        (RoomFunction.SERVICE, 180),  # 厨房
        (RoomFunction.SERVICE, 32),  # 备餐间
        (RoomFunction.ANCILLARY, 46),  # 食品库房
        (RoomFunction.TOILET, 18),
        (RoomFunction.TOILET, 18),
    ],
    "canteen_upper": [
        (RoomFunction.SERVICE, 260),  # 二楼餐厅
        (RoomFunction.SERVICE, 48),  # 包间
        (RoomFunction.SERVICE, 42),  # 包间
        (RoomFunction.TOILET, 16),
        (RoomFunction.TOILET, 16),
    ],
    "canteen_small": [
        (RoomFunction.SERVICE, 160),  # 职工餐厅
        (RoomFunction.SERVICE, 68),  # 厨房
        (RoomFunction.ANCILLARY, 20),  # 库房
        (RoomFunction.MEETING, 96),  # 接待室
        (RoomFunction.TOILET, 16),
        (RoomFunction.TOILET, 16),
    ],
}
OFFICE_AREAS = [((9, 12), 30), ((12, 18), 34), ((18, 24), 20), ((24, 30), 10), ((30, 42), 6)]
LEAD_AREAS = [((18, 24), 30), ((24, 30), 35), ((30, 42), 30), ((42, 54), 5)]

# --- organisations --------------------------------------------------------------------------------------------

# (code, name, parent, building, floors): where the unit sits, for the demo's requests
UNITS: list[tuple[str, str, str, str, tuple[int, ...]]] = [
    ("fgw", "市发展和改革委员会", "", "s1", (3, 4)),
    ("czj", "市财政局", "", "s1", (5, 6)),
    ("jyj", "市教育局", "", "s1", (7,)),
    ("sfj", "市司法局", "", "s1", (8,)),
    ("rsj", "市人力资源和社会保障局", "", "s1", (9,)),
    ("zrzyj", "市自然资源和规划局", "", "s1", (10,)),
    ("sthjj", "市生态环境局", "", "s1", (11,)),
    ("zjj", "市住房和城乡建设局", "", "s2", (2, 3)),
    ("jtysj", "市交通运输局", "", "s2", (4,)),
    ("nyncj", "市农业农村局", "", "s2", (5,)),
    ("swj", "市商务局", "", "s2", (6,)),
    ("wglj", "市文化广电和旅游局", "", "n1", (2, 3)),
    ("wjw", "市卫生健康委员会", "", "n1", (4, 5)),
    ("sjj", "市审计局", "", "n1", (6,)),
    ("tjj", "市统计局", "", "n1", (7, 8)),
    ("zxbgt", "市政协办公厅", "", "zx1", (2, 3, 4, 5, 6)),
    ("jgswj", "市机关事务管理局", "", "n2", (3, 4)),
    ("fgw-bgs", "市发改委办公室", "fgw", "s1", (3,)),
    ("fgw-ghc", "市发改委发展规划处", "fgw", "s1", (4,)),
    ("czj-bgs", "市财政局办公室", "czj", "s1", (5,)),
    ("czj-ysc", "市财政局预算处", "czj", "s1", (6,)),
    ("jyj-jjc", "市教育局基础教育处", "jyj", "s1", (7,)),
    ("zxbgt-msc", "市政协办公厅秘书处", "zxbgt", "zx1", (2,)),
]

CONTRACTORS = [
    ("hengan", "恒安物业服务有限公司", ServiceLine.PROPERTY, "马丽", "0571-86011234"),
    ("hefeng", "禾丰餐饮管理有限公司", ServiceLine.CANTEEN, "孙丽华", "0571-86025678"),
    ("shuntong", "顺通汽车服务有限公司", ServiceLine.VEHICLES, "钱卫东", "0571-86039012"),
]

OFFICE_DAY = [["08:30", "12:00"], ["13:30", "17:30"]]
CALENDARS: list[tuple[str, dict[str, Any]]] = [
    (
        "物业工作日",
        {
            "always_open": False,
            "weekly_hours": {str(d): OFFICE_DAY for d in range(5)},
            "observes_public_holidays": True,
        },
    ),
    (
        "7×24 应急",
        {
            "always_open": True,
            "weekly_hours": {str(d): [["00:00", "24:00"]] for d in range(7)},
            "observes_public_holidays": False,
        },
    ),
    (
        "食堂",
        {
            "always_open": False,
            "weekly_hours": {str(d): [["06:30", "19:30"]] for d in range(7)},
            "observes_public_holidays": False,
        },
    ),
]

# --- catalogue ------------------------------------------------------------------------------------------------

U = Urgency
# code -> (name, note, {urgency: (response, arrival, resolution, business_time)}); minutes. A working day of the
# 物业工作日 calendar is 450 minutes (08:30–12:00, 13:30–17:30).
POLICIES: dict[str, tuple[str, str, dict[str, tuple[int, int | None, int | None, bool]]]] = {
    "property-std": (
        "物业标准",
        "物业服务合同附件《服务标准》：特急按自然时间计，其余按工作时间计",
        {
            U.CRITICAL: (15, 15, 120, False),
            U.URGENT: (30, 30, 240, True),
            U.NORMAL: (60, 120, 450, True),
            U.SCHEDULED: (240, None, 900, True),
        },
    ),
    "emergency": (
        "应急维修",
        "停电、电梯困人等特急事项 7×24 小时响应，按自然时间计",
        {
            U.CRITICAL: (15, 15, 120, False),
            U.URGENT: (30, 30, 240, False),
            U.NORMAL: (60, 120, 450, False),
            U.SCHEDULED: (240, None, 900, False),
        },
    ),
    "complaint": (
        "投诉处理",
        "投诉 1 个工作日内答复，5 个工作日内办结",
        {
            U.CRITICAL: (60, None, 450, True),
            U.URGENT: (240, None, 900, True),
            U.NORMAL: (450, None, 2250, True),
            U.SCHEDULED: (450, None, 2250, True),
        },
    ),
    "canteen": (
        "餐饮",
        "食堂意见 1 小时内受理，1440 个营业分钟内答复办结",
        {
            U.CRITICAL: (15, None, 120, True),
            U.URGENT: (30, None, 480, True),
            U.NORMAL: (60, None, 1440, True),
            U.SCHEDULED: (240, None, 1440, True),
        },
    ),
    "vehicles": (
        "公务用车调度",
        "应急用车 10 分钟响应、30 分钟到达；一般用车 1 小时内派车",
        {
            U.CRITICAL: (10, 30, None, False),
            U.URGENT: (30, 60, None, False),
            U.NORMAL: (60, None, None, True),
            U.SCHEDULED: (240, None, None, True),
        },
    ),
}


@dataclass(frozen=True)
class Cat:
    code: str
    name: str
    name_en: str
    parent: str = ""
    line: str = ServiceLine.PROPERTY
    kind: str = "property"
    urgency: str = Urgency.NORMAL
    policy: str = ""
    needs_approval: bool = False
    required: tuple[str, ...] = ()
    photos: int = 0


CANTEEN = {"line": ServiceLine.CANTEEN, "kind": "canteen_complaint"}
ROOM = ("room",)
CATEGORIES: list[Cat] = [
    Cat("repair", "物业维修", "Repairs"),
    Cat("repair-water", "给排水", "Water supply and drainage", "repair"),
    Cat("water-leak", "漏水", "Water leak", "repair-water", urgency=U.URGENT, required=ROOM),
    Cat("water-block", "堵塞", "Blocked drain", "repair-water", required=ROOM),
    Cat("water-tap", "水龙头损坏", "Broken tap", "repair-water", required=ROOM),
    Cat("repair-power", "电力照明", "Power and lighting", "repair"),
    Cat("power-outage", "停电", "Power outage", "repair-power", urgency=U.CRITICAL, policy="emergency"),
    Cat("power-light", "灯具损坏", "Broken light", "repair-power", required=ROOM),
    Cat("power-socket", "插座故障", "Faulty socket", "repair-power", required=ROOM),
    Cat("repair-hvac", "暖通空调", "Heating and air conditioning", "repair"),
    Cat("hvac-cooling", "空调不制冷", "Air conditioner not cooling", "repair-hvac", required=ROOM),
    Cat("hvac-heating", "暖气不热", "Radiator not warm", "repair-hvac", required=ROOM),
    Cat("repair-lift", "电梯", "Lifts", "repair"),
    Cat("lift-fault", "电梯故障", "Lift fault", "repair-lift", urgency=U.URGENT),
    Cat("lift-trapped", "电梯困人", "Person trapped in lift", "repair-lift", urgency=U.CRITICAL, policy="emergency"),
    Cat("repair-door", "门窗锁具", "Doors, windows and locks", "repair"),
    Cat("door-lock", "门锁损坏", "Broken lock", "repair-door", required=ROOM),
    Cat("door-window", "门窗损坏", "Broken door or window", "repair-door", required=ROOM),
    Cat("cleaning", "保洁服务", "Cleaning"),
    Cat("clean-daily", "日常保洁", "Routine cleaning", "cleaning"),
    Cat("clean-special", "专项清洁", "Special cleaning", "cleaning", urgency=U.SCHEDULED),
    Cat("clean-toilet", "卫生间异味", "Toilet odour", "cleaning"),
    Cat("security", "安保秩序", "Security and order"),
    Cat("sec-access", "门禁故障", "Access control fault", "security", urgency=U.URGENT),
    Cat("sec-order", "秩序维护", "Order keeping", "security"),
    Cat("parking", "停车服务", "Parking"),
    Cat(
        "park-apply",
        "车位申请",
        "Parking space application",
        "parking",
        urgency=U.SCHEDULED,
        needs_approval=True,
        required=("description",),
    ),
    Cat("park-illegal", "违停处理", "Illegal parking", "parking"),
    Cat("meeting", "会议服务", "Meeting service"),
    Cat("meet-setup", "会场布置", "Meeting room set-up", "meeting", urgency=U.SCHEDULED, required=ROOM),
    Cat("meet-tea", "茶水服务", "Tea service", "meeting", urgency=U.SCHEDULED, required=ROOM),
    Cat("complaint", "投诉建议", "Complaints and suggestions", policy="complaint"),
    Cat(
        "complaint-service", "服务投诉", "Service complaint", "complaint", policy="complaint", required=("description",)
    ),
    Cat("complaint-suggest", "意见建议", "Suggestion", "complaint", policy="complaint", required=("description",)),
    Cat("canteen", "食堂意见", "Canteen feedback", **CANTEEN),
    Cat("canteen-dish", "菜品质量", "Dish quality", "canteen", **CANTEEN),
    Cat("canteen-service", "服务态度", "Staff attitude", "canteen", **CANTEEN),
    Cat("canteen-hygiene", "卫生问题", "Hygiene", "canteen", urgency=U.URGENT, photos=1, **CANTEEN),
]
PROPERTY_ROOTS = ["repair", "cleaning", "security", "parking", "meeting", "complaint"]

# (code stem, name, contractor, line, category roots, compounds, policy, calendar, fee in 2026)
CONTRACTS = [
    (
        "WY-NB",
        "南院及北院物业服务合同",
        "hengan",
        ServiceLine.PROPERTY,
        PROPERTY_ROOTS,
        ["south", "north"],
        "property-std",
        "物业工作日",
        Decimal("680000.00"),
    ),
    (
        "WY-ZX",
        "政协办公区物业服务合同",
        "hengan",
        ServiceLine.PROPERTY,
        PROPERTY_ROOTS,
        ["cppcc"],
        "property-std",
        "物业工作日",
        Decimal("186000.00"),
    ),
    (
        "CY",
        "机关食堂餐饮服务合同",
        "hefeng",
        ServiceLine.CANTEEN,
        ["canteen"],
        ["south", "north", "cppcc"],
        "canteen",
        "食堂",
        Decimal("420000.00"),
    ),
    # The fleet module adds its own categories to this contract.
    (
        "CL",
        "公务用车服务合同",
        "shuntong",
        ServiceLine.VEHICLES,
        [],
        ["south", "north", "cppcc"],
        "vehicles",
        "7×24 应急",
        Decimal("265000.00"),
    ),
]
FEE_GROWTH = Decimal("1.045")  # a year's renewal price step

# --- people ---------------------------------------------------------------------------------------------------

# (username, full name, unit)
REQUESTERS = [
    ("zhangwei", "张伟", "fgw-bgs"),
    ("wangfang", "王芳", "fgw-ghc"),
    ("lina", "李娜", "fgw"),
    ("liuyang", "刘洋", "czj-bgs"),
    ("chenjing", "陈静", "czj-ysc"),
    ("yangli", "杨丽", "czj"),
    ("zhaolei", "赵磊", "jyj-jjc"),
    ("huangmin", "黄敏", "jyj"),
    ("zhouqiang", "周强", "sfj"),
    ("wuxia", "吴霞", "sfj"),
    ("xujun", "徐军", "rsj"),
    ("sunyan", "孙艳", "rsj"),
    ("hutao", "胡涛", "zrzyj"),
    ("zhuhong", "朱红", "zrzyj"),
    ("gaofeng", "高峰", "sthjj"),
    ("linlin", "林琳", "sthjj"),
    ("heping", "何平", "zjj"),
    ("guoliang", "郭亮", "zjj"),
    ("maxiaoli", "马晓丽", "jtysj"),
    ("luobin", "罗斌", "jtysj"),
    ("liangyu", "梁宇", "nyncj"),
    ("songjia", "宋佳", "nyncj"),
    ("zhenghao", "郑浩", "swj"),
    ("xieyan", "谢燕", "swj"),
    ("hanbing", "韩冰", "wglj"),
    ("tangjie", "唐杰", "wglj"),
    ("fengxue", "冯雪", "wjw"),
    ("yuhai", "于海", "wjw"),
    ("dongmei", "董梅", "sjj"),
    ("xiaopeng", "肖鹏", "sjj"),
    ("chengli", "程丽", "tjj"),
    ("caoyang", "曹阳", "tjj"),
    ("yuanfang", "袁芳", "zxbgt-msc"),
    ("dengkai", "邓凯", "zxbgt"),
    ("xujing", "许静", "zxbgt"),
    ("fuqiang", "傅强", "zxbgt"),
    ("shenyue", "沈悦", "jgswj"),
    ("zengfan", "曾帆", "jgswj"),
    ("pengbo", "彭博", "fgw"),
    ("lvna", "吕娜", "czj"),
]
APPROVERS = [
    ("wanghongmei", "王红梅", "fgw"),
    ("lijianjun", "李建军", "czj"),
    ("zhangli", "张莉", "jyj"),
    ("chenguoqiang", "陈国强", "sfj"),
    ("yangxiuying", "杨秀英", "rsj"),
    ("zhaojun", "赵军", "zrzyj"),
    ("sunhaiyan", "孙海燕", "zjj"),
    ("zhoujianping", "周建平", "zxbgt"),
]
# (username, full name, contractor, role)
CONTRACTOR_STAFF = [
    ("wy_diaodu", "马丽", "hengan", Role.DISPATCHER),
    ("wy_wangshifu", "王建国", "hengan", Role.WORKER),
    ("wy_lishifu", "李志强", "hengan", Role.WORKER),
    ("wy_zhangshifu", "张海涛", "hengan", Role.WORKER),
    ("wy_liushifu", "刘国栋", "hengan", Role.WORKER),
    ("wy_chenshifu", "陈永刚", "hengan", Role.WORKER),
    ("wy_yangshifu", "杨春燕", "hengan", Role.WORKER),
    ("wy_zhaoshifu", "赵桂兰", "hengan", Role.WORKER),
    ("wy_huangshifu", "黄立新", "hengan", Role.WORKER),
    ("st_diaodu", "孙丽华", "hefeng", Role.DISPATCHER),
    ("st_zhoushifu", "周大勇", "hefeng", Role.WORKER),
    ("st_wushifu", "吴桂芳", "hefeng", Role.WORKER),
    ("st_zhengshifu", "郑小燕", "hefeng", Role.WORKER),
    ("cl_diaodu", "钱卫东", "shuntong", Role.DISPATCHER),
    ("cl_xushifu", "徐建军", "shuntong", Role.WORKER),
    ("cl_heshifu", "何永林", "shuntong", Role.WORKER),
    ("cl_gaoshifu", "高志刚", "shuntong", Role.WORKER),
    ("cl_linshifu", "林国华", "shuntong", Role.WORKER),
]
# (username, full name, role, service line)
BUREAU_STAFF = [
    ("jg_wuye", "冯建华", Role.SUPERVISOR, ServiceLine.PROPERTY),
    ("jg_canyin", "曹敏", Role.SUPERVISOR, ServiceLine.CANTEEN),
    ("jg_cheliang", "彭涛", Role.SUPERVISOR, ServiceLine.VEHICLES),
    ("jg_fangchan", "邓洁", Role.SUPERVISOR, ServiceLine.OFFICE_SPACE),
    ("jg_admin", "韩志明", Role.ADMIN, ""),
    ("jg_xinxi", "唐晓东", Role.ADMIN, ""),
]
SUPERUSER = ("admin", "系统管理员")
ADMIN_GROUP = "机关事务局管理员"
MOBILE_PREFIXES = ["133", "135", "136", "137", "138", "139", "150", "151", "153", "158", "159", "180", "186", "188"]
CONTRACTOR_DOMAINS = {
    "hengan": "hengan-wy.example.com",
    "hefeng": "hefeng-cy.example.com",
    "shuntong": "shuntong-qc.example.com",
}

# Who in the contractor takes which part of the catalogue (by root category).
WORKERS_BY_ROOT = {
    "repair-water": ["wy_wangshifu", "wy_lishifu", "wy_zhangshifu"],
    "repair-power": ["wy_wangshifu", "wy_lishifu", "wy_zhangshifu"],
    "repair-hvac": ["wy_liushifu", "wy_chenshifu"],
    "repair-lift": ["wy_liushifu", "wy_chenshifu"],
    "repair-door": ["wy_zhangshifu", "wy_chenshifu"],
    "cleaning": ["wy_yangshifu", "wy_zhaoshifu"],
    "security": ["wy_huangshifu"],
    "parking": ["wy_huangshifu"],
    "meeting": ["wy_zhaoshifu", "wy_huangshifu"],
    "complaint": ["wy_diaodu"],
    "canteen": ["st_zhoushifu", "st_wushifu", "st_zhengshifu"],
}


# --- reference data -------------------------------------------------------------------------------------------


def _area(rng: random.Random, buckets: list[tuple[tuple[int, int], int]]) -> Decimal:
    (low, high), _w = rng.choices(buckets, weights=[w for _b, w in buckets])[0]
    return Decimal(f"{rng.uniform(low, high):.1f}0")


def floor_rooms(building: str, level: int, layout: str, size: int) -> list[tuple[str, str, Decimal]]:
    """(number, function, usable area) of one floor, the same on every run."""
    rng = random.Random(f"rooms:{building}:{level}")
    prefix = f"B{-level}" if level < 0 else str(level)

    def number(i: int) -> str:
        return f"{prefix}{i:02d}"

    if layout == "basement":
        return [(number(i), fn, Decimal(area)) for i, (fn, area) in enumerate(BASEMENT_ROOMS[:size], start=1)]
    if layout in CANTEEN_ROOMS:
        return [(number(i), fn, Decimal(area)) for i, (fn, area) in enumerate(CANTEEN_ROOMS[layout], start=1)]
    rooms: list[tuple[str, str, Decimal]] = []
    if layout == "meeting_center":
        meeting_areas = {1: [198, 120, 86], 2: [160, 96, 72, 64], 3: [136, 88, 60]}[level]
        for i, area in enumerate(meeting_areas, start=1):
            rooms.append((number(i), RoomFunction.MEETING, Decimal(area)))
        i = len(rooms)
        for fn, area in [
            (RoomFunction.SERVICE, 28),
            (RoomFunction.EQUIPMENT, 12),
            (RoomFunction.TOILET, 22),
            (RoomFunction.TOILET, 22),
        ][: size - i]:
            i += 1
            rooms.append((number(i), fn, Decimal(area)))
        return rooms
    areas = LEAD_AREAS if layout == "lead" else OFFICE_AREAS
    for i in range(1, size + 1):
        if i == size or i == size - 1:
            fn, area = RoomFunction.TOILET, Decimal(f"{rng.uniform(14, 24):.1f}0")
        elif i == size - 2:
            fn, area = RoomFunction.SERVICE, Decimal(f"{rng.uniform(8, 18):.1f}0")  # 茶水间/文印室
        elif i == size - 3 and layout != "lead":
            fn, area = RoomFunction.EQUIPMENT, Decimal(f"{rng.uniform(6, 12):.1f}0")  # 弱电间
        elif i == 1 and (level % 2 == 1 or layout == "lead"):
            fn, area = RoomFunction.MEETING, Decimal(rng.randrange(60, 121, 2))
        else:
            fn, area = RoomFunction.OFFICE, _area(rng, areas)
        rooms.append((number(i), fn, area))
    return rooms


def load_reference() -> None:
    """Compounds, buildings, floors and rooms; using units; contractors; working calendars."""
    with transaction.atomic():
        compounds = {}
        for code, name, address in COMPOUNDS:
            compounds[code], _ = Compound.objects.update_or_create(
                code=code, defaults={"name": name, "address": address}
            )
        for compound_code, code, name, floors in BUILDINGS:
            building, _ = Building.objects.update_or_create(
                compound=compounds[compound_code], code=code, defaults={"name": name}
            )
            existing = set(Room.objects.filter(floor__building=building).values_list("floor__level", "number"))
            new_rooms = []
            for level, layout, size in floors:
                floor, _ = Floor.objects.get_or_create(
                    building=building, level=level, defaults={"name": f"B{-level}" if level < 0 else f"{level}F"}
                )
                for number, function, area in floor_rooms(code, level, layout, size):
                    if (level, number) not in existing:
                        new_rooms.append(Room(floor=floor, number=number, function=function, usable_area=area))
            Room.objects.bulk_create(new_rooms)
        units: dict[str, Unit] = {}
        for code, name, parent, _building, _floors in UNITS:
            units[code], _ = Unit.objects.update_or_create(
                code=code,
                defaults={"name": name, "parent": units.get(parent), "level": OrganLevel.MUNICIPAL, "active": True},
            )
        for code, name, line, contact, phone in CONTRACTORS:
            Contractor.objects.update_or_create(
                code=code,
                defaults={"name": name, "service_line": line, "contact_name": contact, "contact_phone": phone},
            )
        for name, values in CALENDARS:
            BusinessCalendar.objects.update_or_create(name=name, defaults=values)


def load_catalogue(today: date | None = None) -> None:
    """SLA policies, the catalogue tree and the contracts of last year and this year."""
    today = today or timezone.localdate()
    with transaction.atomic():
        policies: dict[str, SlaPolicy] = {}
        for code, (name, note, rows) in POLICIES.items():
            policy, _ = SlaPolicy.objects.update_or_create(code=code, defaults={"name": name})
            policies[code] = policy
            # Versions are immutable once requests use them: only the first one is created here.
            version, created = SlaPolicyVersion.objects.get_or_create(
                policy=policy, number=1, defaults={"warn_percent": 80, "note": note}
            )
            if created:
                SlaTargetRow.objects.bulk_create(
                    SlaTargetRow(
                        version=version,
                        urgency=urgency,
                        response_minutes=resp,
                        arrival_minutes=arr,
                        resolution_minutes=res,
                        business_time=business,
                    )
                    for urgency, (resp, arr, res, business) in rows.items()
                )
        categories: dict[str, Category] = {}
        for sort, cat in enumerate(CATEGORIES, start=1):
            categories[cat.code], _ = Category.objects.update_or_create(
                code=cat.code,
                defaults={
                    "parent": categories.get(cat.parent),
                    "name": cat.name,
                    "name_en": cat.name_en,
                    "kind": cat.kind,
                    "service_line": cat.line,
                    "default_urgency": cat.urgency,
                    "sla_policy": policies[cat.policy] if cat.policy else None,
                    "needs_approval": cat.needs_approval,
                    "required_fields": list(cat.required),
                    "min_photos": cat.photos,
                    "active": True,
                    "sort": sort * 10,
                },
            )
        contractors = {c.code: c for c in Contractor.objects.all()}
        calendars = {c.name: c for c in BusinessCalendar.objects.all()}
        compounds = {c.code: c for c in Compound.objects.all()}
        for year in sorted({2025, 2026, today.year - 1, today.year}):
            for stem, name, contractor, line, roots, where, policy, calendar, fee in CONTRACTS:
                # Renewals step the price; rounded to hundreds of yuan.
                yearly_fee = (fee * FEE_GROWTH ** (year - 2026) / 100).quantize(Decimal(1)) * 100
                contract, _ = Contract.objects.update_or_create(
                    code=f"{stem}-{year}",
                    defaults={
                        "name": f"{year}年度{name}",
                        "contractor": contractors[contractor],
                        "service_line": line,
                        "starts_on": date(year, 1, 1),
                        "ends_on": date(year, 12, 31),
                        "sla_policy": policies[policy],
                        "calendar": calendars[calendar],
                        "monthly_fee": yearly_fee.quantize(Decimal("0.01")),
                        "active": True,
                    },
                )
                if roots:  # the vehicles contract's categories belong to the fleet module
                    contract.categories.set([categories[code] for code in roots])
                contract.compounds.set([compounds[code] for code in where])


def _phone(username: str) -> str:
    rng = random.Random(f"phone:{username}")
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def load_users() -> list[tuple[str, str, str]]:
    """About 70 people of every role; returns one log-in per role: (role label, username, password).

    New accounts get the demo password; existing ones keep theirs (someone may have changed it).
    """
    validate_password(PASSWORD, User(username="demo-check"))
    hashed = make_password(PASSWORD)  # hashing is slow on purpose: hash once, share it
    units = {u.code: u for u in Unit.objects.all()}
    contractors = {c.code: c for c in Contractor.objects.all()}
    people: list[dict[str, Any]] = []
    for username, name, unit in REQUESTERS:
        people.append({"username": username, "full_name": name, "role": Role.REQUESTER, "unit": units[unit]})
    for username, name, unit in APPROVERS:
        people.append({"username": username, "full_name": name, "role": Role.UNIT_APPROVER, "unit": units[unit]})
    for username, name, contractor, role in CONTRACTOR_STAFF:
        people.append(
            {
                "username": username,
                "full_name": name,
                "role": role,
                "contractor": contractors[contractor],
                "email": f"{username.split('_', 1)[1]}@{CONTRACTOR_DOMAINS[contractor]}",
            }
        )
    for username, name, role, line in BUREAU_STAFF:
        people.append(
            {
                "username": username,
                "full_name": name,
                "role": role,
                "service_line": line,
                "unit": units["jgswj"],
                "is_staff": role == Role.ADMIN,
            }
        )
    username, name = SUPERUSER
    people.append(
        {
            "username": username,
            "full_name": name,
            "role": Role.ADMIN,
            "unit": units["jgswj"],
            "is_staff": True,
            "is_superuser": True,
        }
    )
    with transaction.atomic():
        admins = []
        for person in people:
            defaults = {
                "full_name": person["full_name"],
                "phone": _phone(person["username"]),
                "email": person.get("email", f"{person['username']}@example.gov.cn"),
                "role": person["role"],
                "unit": person.get("unit"),
                "contractor": person.get("contractor"),
                "service_line": person.get("service_line", ""),
                "is_staff": person.get("is_staff", False),
                "is_superuser": person.get("is_superuser", False),
                "is_active": True,
            }
            user, created = User.objects.update_or_create(username=person["username"], defaults=defaults)
            if created:
                user.password = hashed
                user.save(update_fields=["password"])
            if person["role"] == Role.ADMIN and not user.is_superuser:
                admins.append(user)
        group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label__in=["tickets", "fleet", "canteen", "offices"])
        )
        for user in admins:
            user.groups.add(group)
    return demo_logins()


def demo_logins() -> list[tuple[str, str, str]]:
    picks = [
        (str(Role.REQUESTER.label), REQUESTERS[0][0]),
        (str(Role.UNIT_APPROVER.label), APPROVERS[0][0]),
        (f"{Role.DISPATCHER.label}（物业）", "wy_diaodu"),
        (f"{Role.WORKER.label}（物业）", "wy_wangshifu"),
        (f"{Role.DISPATCHER.label}（食堂）", "st_diaodu"),
        (f"{Role.DISPATCHER.label}（用车）", "cl_diaodu"),
        (f"{Role.WORKER.label}（驾驶员）", "cl_xushifu"),
        (f"{Role.SUPERVISOR.label}（物业）", "jg_wuye"),
        (str(Role.ADMIN.label), "jg_admin"),
        ("超级管理员", SUPERUSER[0]),
    ]
    return [(label, username, PASSWORD) for label, username in picks]


# --- history --------------------------------------------------------------------------------------------------

# code -> (titles, descriptions, resolution notes); {place} is the room ("305室") or the spot.
TEXTS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "water-leak": (
        ["{place}暖气管接口漏水", "{place}天花板渗水", "{place}洗手池下水管漏水", "{place}饮水机进水管漏水"],
        [
            "地面已经有积水，担心泡坏文件柜，请尽快派人。",
            "水渍在扩大，疑似楼上管道漏水。",
            "接头处一直滴水，已用盆接着。",
        ],
        [
            "更换接口密封垫并紧固，试水无渗漏，已清理地面积水。",
            "查明为楼上卫生间上水管砂眼，已更换管段，吊顶待干燥后修补。",
            "更换下水管及接头，试水正常。",
        ],
    ),
    "water-block": (
        ["{place}下水堵塞", "{place}蹲便器堵塞", "{place}洗手池排水慢"],
        ["冲水后水位上涨，已暂停使用。", "下水很慢，有异味。", "拖把池堵了，积水排不下去。"],
        ["用疏通机疏通下水管，清出异物，排水恢复正常。", "疏通存水弯并冲洗管道，已恢复使用。"],
    ),
    "water-tap": (
        ["{place}水龙头关不严", "{place}水龙头损坏", "{place}感应龙头不出水"],
        ["一直滴水，浪费严重。", "把手松脱，无法关闭。", "感应龙头没反应，可能是电池没电。"],
        ["更换阀芯，关闭严密。", "更换新水龙头，试用正常。", "更换感应器电池并清洗滤网，出水正常。"],
    ),
    "power-outage": (
        ["{place}突然停电", "{place}整层断电", "{place}插座和照明全部断电"],
        ["电脑全部关机，正在起草急件，请马上处理！", "整层都没电了，空调和电脑都停了。", "跳闸后推不上去。"],
        [
            "排查为分支回路短路跳闸，更换故障插座后恢复供电。",
            "楼层配电箱总开关老化跳闸，已更换开关并恢复供电。",
            "空调插座漏电引起跳闸，已隔离故障回路并恢复其余供电。",
        ],
    ),
    "power-light": (
        ["{place}灯管不亮", "{place}灯具闪烁", "{place}筒灯损坏"],
        ["办公室一半灯不亮，光线太暗。", "灯一直闪，影响办公。", "吸顶灯不亮了。"],
        ["更换LED灯管2支，照明正常。", "更换镇流器，灯具不再闪烁。", "更换筒灯1套，已测试。"],
    ),
    "power-socket": (
        ["{place}插座没电", "{place}墙面插座松动", "{place}地插损坏"],
        ["墙上插座没电，电脑无法充电。", "插头插上就掉，有打火现象。", "地插盖板坏了，容易绊脚。"],
        ["更换插座面板，通电测试正常。", "紧固接线并更换插座，已消除打火隐患。", "更换地插盒，已复位。"],
    ),
    "hvac-cooling": (
        ["{place}空调不制冷", "{place}空调漏水", "{place}空调有异响"],
        ["开了一上午温度还是30度。", "内机滴水，地毯都湿了。", "空调运行时噪音很大。"],
        ["补充冷媒并清洗滤网，制冷恢复。", "疏通冷凝水管，已不再漏水。", "紧固风机固定螺丝，更换减震垫，异响消除。"],
    ),
    "hvac-heating": (
        ["{place}暖气不热", "{place}暖气片冰凉", "{place}地暖温度低"],
        ["室内只有15度左右，没法办公。", "暖气片上半截是凉的。", "地暖开了也不热。"],
        ["暖气片排气后恢复正常，室温达标。", "清洗阀门过滤器，调整流量后温度恢复。"],
    ),
    "lift-fault": (
        ["{place}停运", "{place}门关不上", "{place}运行抖动"],
        ["电梯停在5楼不动，显示故障代码。", "轿厢门反复开关，无法运行。", "运行时有明显抖动和异响。"],
        ["电梯维保单位到场，更换门机皮带，运行正常。", "调整门刀与门球间隙，已恢复运行。", "更换导靴衬，试运行正常。"],
    ),
    "lift-trapped": (
        ["{place}困人", "{place}有人被困"],
        ["电梯停在两层之间，里面有2人，已按警铃。", "电梯突然停住，里面有人，请马上来！"],
        [
            "5分钟到场，盘车放人，被困人员安全；电梯已停用待维保单位检修。",
            "到场救援，人员安全撤出，故障为门锁回路接触不良，已修复。",
        ],
    ),
    "door-lock": (
        ["{place}门锁打不开", "{place}门锁损坏", "{place}钥匙断在锁芯里"],
        ["钥匙转不动，进不了办公室。", "锁舌卡住，门关不上。", "钥匙断在锁里了。"],
        ["更换锁芯并配发钥匙3把。", "调整锁舌与锁扣位置，开关顺畅。", "取出断钥匙，更换锁芯。"],
    ),
    "door-window": (
        ["{place}窗户关不严", "{place}闭门器损坏", "{place}窗户把手脱落"],
        ["窗户漏风，冬天很冷。", "门关得很响，闭门器漏油。", "把手掉了，窗户打不开。"],
        ["调整窗扇合页并更换密封条。", "更换闭门器，已调好关门速度。", "更换窗户把手。"],
    ),
    "clean-daily": (
        ["{place}垃圾未及时清运", "{place}地面未清扫", "{place}走廊有污渍"],
        ["垃圾桶已满，有异味。", "今天地面没有打扫。", "走廊地面有咖啡渍。"],
        ["已清运垃圾并更换垃圾袋。", "已补扫并拖地，已提醒保洁员按时作业。", "已清洗污渍。"],
    ),
    "clean-special": (
        ["{place}地毯清洗", "{place}玻璃清洁", "{place}搬迁后开荒保洁"],
        ["地毯有大面积污渍，申请清洗。", "申请清洁办公室内外窗玻璃。", "科室搬入新办公室，需要全面清洁。"],
        ["已完成地毯深度清洗，待其干燥。", "已完成内外窗玻璃清洁。", "已完成开荒保洁，经报修人验收。"],
    ),
    "clean-toilet": (
        ["{place}异味较重", "{place}地漏返味"],
        ["卫生间味道很大，影响办公。", "地漏返臭味。"],
        ["清洗地漏并加装防臭芯，异味消除。", "加强保洁频次并投放除臭剂。"],
    ),
    "sec-access": (
        ["{place}门禁刷卡无反应", "{place}门禁无法开门"],
        ["刷卡没反应，只能等人开门。", "门禁一直报警，门打不开。"],
        ["更换门禁读卡器，测试正常。", "门禁控制器重启并更新名单，恢复正常。"],
    ),
    "sec-order": (
        ["{place}外来人员滞留", "{place}快递堆放影响通行"],
        ["有外来人员在楼内推销。", "快递堆在门口，影响通行。"],
        ["秩序维护员到场劝离外来人员，已加强门岗登记。", "已清理快递并设置临时收发点。"],
    ),
    "park-apply": (
        ["申请{place}固定车位", "申请{place}临时车位"],
        ["单位新增一辆执法执勤用车，申请固定车位。", "下周有外单位来人座谈，申请临时车位3个。"],
        ["已在{place}安排车位并张贴标识。", "已预留临时车位并通知门岗。"],
    ),
    "park-illegal": (
        ["{place}车辆违停", "{place}车辆堵住消防通道"],
        ["有车堵住了我们的车，无法出库。", "消防通道停了车。"],
        ["联系车主挪车，已张贴违停告知单。", "秩序维护员到场，已联系车主驶离。"],
    ),
    "meet-setup": (
        ["{place}会场布置", "{place}座谈会布置"],
        ["明天上午9点召开工作会议，约30人，需摆放桌签、调试话筒和投影。", "下午召开座谈会，需要布置成回字形。"],
        ["会场已按要求布置，话筒、投影调试完毕。", "已完成布置并安排会务人员值守。"],
    ),
    "meet-tea": (
        ["{place}茶水服务", "{place}会议茶歇"],
        ["会议约20人，需要茶水服务。", "下午会议需茶歇，约40人。"],
        ["已安排服务员全程续水。", "茶歇已按时摆放，会后已清理。"],
    ),
    "complaint-service": (
        ["投诉：{place}维修人员未按约定时间到场", "投诉：{place}保洁质量差"],
        ["约好上午来修，一直没人来，电话也不接。", "公共区域连续几天没有打扫，垃圾堆积。"],
        [
            "经核实情况属实，已对相关人员进行批评教育，并向报修人致歉。",
            "已调整保洁排班，增加巡查频次，物业经理已当面致歉。",
        ],
    ),
    "complaint-suggest": (
        ["建议：{place}增设电动车充电桩", "建议：{place}延长开水供应时间"],
        ["目前充电桩不够用，建议增设。", "下午开水供应结束太早。"],
        ["建议已采纳，已列入下季度改造计划。", "已调整开水器运行时间至18:00。"],
    ),
    "canteen-dish": (
        ["{place}菜品偏咸", "{place}米饭夹生", "{place}菜品种类少"],
        ["今天午餐几个菜都偏咸。", "米饭没有煮熟。", "连续几天都是同样的菜。"],
        [
            "已向厨师长反馈，控制用盐量，感谢您的意见。",
            "已调整蒸饭时间，并加强出餐前检查。",
            "已调整下周菜谱，增加品种。",
        ],
    ),
    "canteen-service": (
        ["{place}打饭窗口服务态度差", "{place}排队时间过长"],
        ["窗口人员态度生硬。", "中午排队超过15分钟。"],
        ["已对窗口人员进行服务规范培训，并当面致歉。", "高峰时段增开一个打饭窗口。"],
    ),
    "canteen-hygiene": (
        ["{place}餐具不洁", "{place}餐桌未及时清理"],
        ["餐盘上有油渍，没洗干净。", "餐桌上残渣没人收拾。"],
        ["已重新检查洗消流程，餐具消毒柜已检修。", "已增加餐区保洁人员，及时清理餐桌。"],
    ),
}
HOLD_NOTES = {
    HoldReason.AWAITING_PARTS: ["需更换配件，已申请采购，预计明天到货。", "配件型号特殊，已联系厂家发货。"],
    HoldReason.AWAITING_REQUESTER: ["办公室无人，已电话联系报修人另约时间。", "报修人在开会，约定会后上门。"],
}
LOW_COMMENTS = {
    ServiceLine.PROPERTY: [
        "修完第二天又坏了，问题没有解决。",
        "等了大半天才来人，处理也不彻底。",
        "维修后现场一片狼藉，没有清理。",
    ],
    ServiceLine.CANTEEN: ["反映多次没有改进。", "回复敷衍，问题依旧。"],
}
GOOD_COMMENTS = ["师傅很专业，处理及时！", "响应很快，点赞。", "服务周到，谢谢。", "态度很好。"]
SO_SO_COMMENTS = ["问题解决了，但来得有点晚。", "处理完现场没有清理干净。", ""]
REQUESTER_COMMENTS = ["麻烦尽快安排，下午有会。", "请问师傅大概几点能到？", "办公室有人，随时可以来。"]
WORKER_REPLIES = ["收到，马上安排。", "已安排，预计半小时内到达。", "好的，稍后上门。"]
REJECT_NOTES = {
    ServiceLine.PROPERTY: "该事项不属于物业服务范围（电脑网络问题），请联系本单位信息中心。",
    ServiceLine.CANTEEN: "经核实为重复提交，已合并处理。",
}

# How often each leaf is filed, relative; seasonal categories are scaled by month below.
WEIGHTS = {
    "water-leak": 6,
    "water-block": 6,
    "water-tap": 5,
    "power-outage": 1.2,
    "power-light": 10,
    "power-socket": 5,
    "hvac-cooling": 7,
    "hvac-heating": 6,
    "lift-fault": 2,
    "lift-trapped": 0.4,
    "door-lock": 5,
    "door-window": 3,
    "clean-daily": 6,
    "clean-special": 3,
    "clean-toilet": 4,
    "sec-access": 4,
    "sec-order": 1.5,
    "park-apply": 1.5,
    "park-illegal": 2,
    "meet-setup": 6,
    "meet-tea": 4,
    "complaint-service": 0.8,
    "complaint-suggest": 0.8,
    "canteen-dish": 4,
    "canteen-service": 1.5,
    "canteen-hygiene": 1,
}
SEASON = {
    "hvac-cooling": {1: 0.1, 2: 0.1, 3: 0.2, 4: 0.5, 5: 1.5, 6: 3, 7: 4, 8: 4, 9: 2, 10: 0.5, 11: 0.1, 12: 0.1},
    "hvac-heating": {1: 3, 2: 2.5, 3: 1, 4: 0.1, 5: 0, 6: 0, 7: 0, 8: 0, 9: 0, 10: 0.2, 11: 2.5, 12: 3.5},
}
OFF_DAY_CODES = {
    "power-outage",
    "lift-trapped",
    "water-leak",
    "sec-order",
    "sec-access",
    "meet-setup",
    "clean-special",
    "canteen-dish",
    "canteen-service",
}
LOCATION = {
    "water-block": "toilet",
    "clean-toilet": "toilet",
    "lift-fault": "lift",
    "lift-trapped": "lift",
    "sec-access": "entrance",
    "sec-order": "entrance",
    "park-apply": "parking",
    "park-illegal": "parking",
    "meet-setup": "meeting",
    "meet-tea": "meeting",
    "complaint-service": "building",
    "complaint-suggest": "building",
    "canteen-dish": "canteen",
    "canteen-service": "canteen",
    "canteen-hygiene": "canteen",
}
CANTEEN_ROOM = {"south": ("s2", "101"), "north": ("n2", "101"), "cppcc": ("zx1", "101")}


@dataclass
class _Plan:
    """One simulated request: what it is and how its life goes. Decided up front, played by the scheduler."""

    requester: User
    category: Category
    urgency: str
    title: str
    description: str
    resolution_note: str
    compound: Compound
    building: Building | None
    room: Room | None
    location_detail: str
    fate: str = "work"  # work | cancel | reject | refuse (rejected at approval)
    stop: str = ""  # leave open at: submitted | accepted | in_progress | on_hold
    worker: User | None = None
    via_dispatch: bool = False
    late: set[str] = field(default_factory=set)
    hold: str = ""
    rating: int | None = None
    chat: bool = False
    req: ServiceRequest | None = None
    complaint: Complaint | None = None


@contextmanager
def backdated(*, now: datetime | None = None) -> Iterator[None]:
    """While the past is written, through the core's own switches (each undone on exit, for this context only):

    - no e-mail or webhook task is queued: those events happened months ago;
    - in-app notifications are written only for events of the last ``INBOX_DAYS`` before ``now``: older ones
      would long have been read, and a year of them only makes the load slow;
    - the working calendars are built once: the services otherwise re-read the holiday table on every deadline.
    """
    now = now or timezone.now()
    with deliveries_suppressed(inbox_since=now - timedelta(days=INBOX_DAYS)), calendars_cached():
        yield


def history_loaded() -> bool:
    return ServiceRequest.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists()


def load_history(now: datetime | None = None, months: int = 12, open_target: int = OPEN_TARGET) -> int:
    """About 125 requests a month for `months` months before `now`, driven through the real services in
    simulated time. Returns how many requests were filed (0 if the demo history exists already)."""
    if history_loaded():
        return 0
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    with backdated(now=now):
        sim = _Simulation(now=now, months=months, open_target=open_target)
        sim.run()
    return sim.filed


class _Simulation:
    def __init__(self, *, now: datetime, months: int, open_target: int) -> None:
        from tickets.services import deadlines
        from tickets.sla.calendars import load_work_calendar

        self.rng = random.Random(SEED)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.end = now
        self.start = now - timedelta(days=round(months * 365 / 12))
        self.open_target = open_target
        self.filed = 0
        self.queue: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self.seq = itertools.count()
        self.office = deadlines.office_calendar()
        self.calendars = {c.pk: load_work_calendar(c) for c in BusinessCalendar.objects.all()}
        self.rows = {(r.version_id, r.urgency): r for r in SlaTargetRow.objects.all()}
        self.users = {u.username: u for u in User.objects.select_related("unit", "contractor")}
        self.requesters = [self.users[username] for username, _n, _u in REQUESTERS]
        self.supervisors = {line: self.users[name] for name, _n, role, line in BUREAU_STAFF if role == Role.SUPERVISOR}
        self.dispatchers = {
            firm: self.users[name] for name, _n, firm, role in CONTRACTOR_STAFF if role == Role.DISPATCHER
        }
        self.categories = {c.code: c for c in Category.objects.select_related("parent", "parent__parent")}
        self.leaves = [code for code in WEIGHTS if code in self.categories]
        rooms = list(Room.objects.select_related("floor__building__compound"))
        self.rooms_by_key = {(r.floor.building.code, r.number): r for r in rooms}
        self.toilets: dict[int, list[Room]] = {}
        self.meeting_rooms: dict[str, list[Room]] = {}
        offices: dict[tuple[str, int], list[Room]] = {}
        for room in rooms:
            building = room.floor.building
            if room.function == RoomFunction.TOILET:
                self.toilets.setdefault(room.floor_id, []).append(room)
            elif room.function == RoomFunction.MEETING:
                self.meeting_rooms.setdefault(building.compound.code, []).append(room)
            elif room.function == RoomFunction.OFFICE:
                offices.setdefault((building.code, room.floor.level), []).append(room)
        self.unit_rooms: dict[str, list[Room]] = {}
        for code, _name, _parent, building_code, levels in UNITS:
            self.unit_rooms[code] = [r for level in levels for r in offices.get((building_code, level), [])]
        self.stalls = self.plan_stalls()
        self.stall_stages = itertools.cycle(["accepted", "in_progress", "submitted", "on_hold", "in_progress"])
        self.home = {user.pk: self.rng.choice(self.unit_rooms[user.unit.code]) for user in self.requesters if user.unit}

    # --- the scheduler ----------------------------------------------------------------------------------------

    def at(self, when: datetime, action: Callable[[datetime], None]) -> None:
        heapq.heappush(self.queue, (when, next(self.seq), action))

    def run_until(self, moment: datetime) -> None:
        while self.queue and self.queue[0][0] <= moment:
            when, _seq, action = heapq.heappop(self.queue)
            action(when)

    def later(self, plan: _Plan, start: datetime, minutes: float, *, office: bool = False) -> datetime:
        """`minutes` of the request's SLA clock after `start` (working minutes of its calendar, or wall-clock
        minutes for a calendar-time target), plus a few seconds so the timeline does not look machine-made."""
        from tickets.sla import clock

        req = plan.req
        assert req is not None
        if office:
            calendar, business = self.office, True
        else:
            calendar = self.calendars.get(req.calendar_id) if req.calendar_id else None
            row = self.rows.get((req.policy_version_id, req.urgency))
            business = calendar is not None and (row is None or row.business_time)
        whole = max(1, int(minutes))
        if calendar is None or not business:
            due = start + timedelta(minutes=whole)
        else:
            due = clock.add_working_minutes(start, clock.Target(whole, True), calendar, (), 0).due or start
        return due + timedelta(seconds=self.rng.randrange(5, 59))

    def row(self, plan: _Plan) -> SlaTargetRow | None:
        req = plan.req
        assert req is not None
        return self.rows.get((req.policy_version_id, req.urgency))

    # --- the year ---------------------------------------------------------------------------------------------

    def run(self) -> None:
        from tickets.services.feedback import expire_feedback
        from tickets.services.sweeper import sla_sweep

        day = self.start.astimezone(self.tz).date()
        last = self.end.astimezone(self.tz).date()
        while day <= last:
            with transaction.atomic():  # one transaction per simulated week
                for _ in range(7):
                    if day > last:
                        break
                    self.plan_day(day)
                    for hour, minute in SWEEP_TICKS:
                        tick = datetime.combine(day, time(hour, minute), self.tz)
                        if tick > self.end:
                            break
                        self.run_until(tick)
                        sla_sweep(now=tick)
                        if (hour, minute) == (18, 0):
                            expire_feedback(now=tick)
                    day += timedelta(days=1)
        with transaction.atomic():
            self.run_until(self.end)
            sla_sweep(now=self.end)
            expire_feedback(now=self.end)
            # Notifications of the past were read long ago; the last few days stay unread.
            Notification.objects.filter(
                request__idempotency_key__startswith=KEY_PREFIX,
                read_at__isnull=True,
                created_at__lt=self.end - timedelta(days=3),
            ).update(read_at=F("created_at") + timedelta(hours=1))

    def is_working_day(self, day: date) -> bool:
        from tickets.sla.clock import is_working_day

        return is_working_day(day, self.office)

    def plan_day(self, day: date) -> None:
        working = self.is_working_day(day)
        for _ in range(self._poisson(WORKDAY_RATE if working else OFFDAY_RATE)):
            if working:
                hour = self.rng.choices(
                    [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
                    weights=[1, 6, 12, 12, 9, 4, 5, 10, 11, 9, 5, 2, 1, 1],
                )[0]
            else:
                hour = self.rng.randrange(7, 22)
            when = datetime.combine(day, time(hour, self.rng.randrange(60)), self.tz)
            if self.start <= when <= self.end:
                self.at(when, self.plan_and_file(day, working))
        # The last working days also leave requests open (accepted, in progress, on hold…) for the workbench.
        for _ in range(self.stalls.get(day, 0)):
            when = datetime.combine(day, time(self.rng.randint(8, 16), self.rng.randrange(60)), self.tz)
            if self.start <= when <= self.end - timedelta(hours=1):
                self.at(when, self.plan_and_file(day, working, stop=next(self.stall_stages)))

    def plan_stalls(self) -> dict[date, int]:
        """How many requests to leave open on each of the last three working days (about `open_target`)."""
        days: list[date] = []
        day = self.end.astimezone(self.tz).date()
        if self.end.astimezone(self.tz).time() < time(17, 30):
            day -= timedelta(days=1)  # today is not over: its requests are still in flight anyway
        while len(days) < 3 and day >= self.start.astimezone(self.tz).date():
            if self.is_working_day(day):
                days.append(day)
            day -= timedelta(days=1)
        if not days:
            return {}
        share, extra = divmod(self.open_target, len(days))
        return {d: share + (1 if i < extra else 0) for i, d in enumerate(days)}

    def _poisson(self, lam: float) -> int:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def pick_category(self, day: date, working: bool) -> Category:
        codes = self.leaves if working else [c for c in self.leaves if c in OFF_DAY_CODES]
        weights = [WEIGHTS[c] * SEASON.get(c, {}).get(day.month, 1) for c in codes]
        return self.categories[self.rng.choices(codes, weights=weights)[0]]

    def plan_and_file(self, day: date, working: bool, stop: str = "") -> Callable[[datetime], None]:
        def file(when: datetime) -> None:
            category = self.pick_category(day, working)
            while stop and category.default_urgency == Urgency.CRITICAL:
                category = self.pick_category(day, working)
            self.file(self.make_plan(category, when, stop=stop), when)

        return file

    # --- one request ------------------------------------------------------------------------------------------

    def make_plan(self, category: Category, when: datetime, stop: str = "") -> _Plan:
        rng = self.rng
        requester = rng.choice(self.requesters)
        home = self.home[requester.pk]
        mode = LOCATION.get(category.code, "room")
        building: Building | None = home.floor.building
        room: Room | None = home if rng.random() < 0.6 else rng.choice(self.unit_rooms[requester.unit.code])
        compound = building.compound
        detail = ""
        if mode == "toilet":
            room = rng.choice(self.toilets.get(room.floor_id) or self.toilets[home.floor_id])
            place = f"{room.floor.level}楼卫生间"
        elif mode == "meeting":
            choices = self.meeting_rooms.get(compound.code) or [room]
            room = rng.choice(choices)
            building = room.floor.building
            place = f"{room.number}会议室"
        elif mode == "canteen":
            building_code, number = CANTEEN_ROOM[compound.code]
            room = self.rooms_by_key[(building_code, number)]
            building = room.floor.building
            place = f"{building.name}餐厅"
        elif mode == "lift":
            room, detail = None, f"{rng.randint(1, 3)}号电梯"
            place = f"{building.name}{detail}"
        elif mode == "entrance":
            room, detail = None, rng.choice(["东门", "西门", "北门", "地下车库入口", "大堂"])
            place = f"{building.name}{detail}"
        elif mode == "parking":
            room, building = None, None
            detail = rng.choice([f"{compound.name}地下停车场", f"{compound.name}东侧地面停车场"])
            place = detail
        elif mode == "building":
            room = None
            place = building.name
        else:
            place = f"{room.number}室"
        titles, descriptions, notes = TEXTS[category.code]
        urgency = category.default_urgency
        roll = rng.random()
        if urgency == Urgency.NORMAL and roll < 0.12:
            urgency = Urgency.URGENT
        elif category.code == "water-leak" and roll < 0.08:
            urgency = Urgency.CRITICAL  # 大面积漏水
        root = (
            category.parent.code if category.parent and category.parent.parent else (category.parent or category).code
        )
        plan = _Plan(
            requester=requester,
            category=category,
            urgency=urgency,
            title=rng.choice(titles).format(place=place),
            description=rng.choice(descriptions),
            resolution_note=rng.choice(notes).format(place=place),
            compound=compound,
            building=building,
            room=room,
            location_detail=detail,
        )
        plan.worker = self.users[rng.choice(WORKERS_BY_ROOT.get(root, WORKERS_BY_ROOT["repair-water"]))]
        plan.via_dispatch = (
            plan.worker.role == Role.DISPATCHER or category.service_line == ServiceLine.CANTEEN or (rng.random() < 0.4)
        )
        roll = rng.random()
        if category.needs_approval and roll < 0.12:
            plan.fate = "refuse"
        elif roll < 0.02:
            plan.fate = "cancel"
        elif roll < 0.03 and category.service_line == ServiceLine.PROPERTY:
            plan.fate = "reject"
        for target, chance in (("response", 0.06), ("arrival", 0.05), ("resolution", 0.06)):
            if rng.random() < chance:
                plan.late.add(target)
        if category.service_line == ServiceLine.PROPERTY and root.startswith("repair") and rng.random() < 0.07:
            plan.hold = rng.choice(
                [HoldReason.AWAITING_PARTS, HoldReason.AWAITING_PARTS, HoldReason.AWAITING_REQUESTER]
            )
        if rng.random() < (0.5 if category.service_line == ServiceLine.CANTEEN else 0.68):
            roll = rng.random()
            plan.rating = 5 if roll < 0.58 else 4 if roll < 0.88 else 3 if roll < 0.97 else rng.choice([1, 2])
        plan.chat = rng.random() < 0.1
        if urgency == Urgency.CRITICAL:
            stop = ""  # nobody leaves a person trapped in a lift for the demo's sake
        elif stop in ("in_progress", "on_hold") and category.service_line == ServiceLine.CANTEEN:
            stop = "accepted"  # a canteen reply goes from accepted straight to resolved
        elif stop == "on_hold" and not root.startswith("repair"):
            stop = "in_progress"  # only repairs wait for parts or for the requester
        elif stop == "on_hold" and not plan.hold:
            plan.hold = rng.choice([HoldReason.AWAITING_PARTS, HoldReason.AWAITING_REQUESTER])
        plan.stop = stop
        if stop:
            plan.fate = "work"
        return plan

    def file(self, plan: _Plan, when: datetime) -> None:
        from tickets.services.comments import comment_add
        from tickets.services.requests import request_create

        self.filed += 1
        req = request_create(
            actor=plan.requester,
            category=plan.category,
            title=plan.title,
            description=plan.description,
            urgency=plan.urgency,
            compound=plan.compound,
            building=plan.building,
            room=plan.room,
            location_detail=plan.location_detail,
            idempotency_key=f"{KEY_PREFIX}{self.filed:05d}",
            now=when,
        )
        plan.req = req
        if plan.chat:
            self.at(
                when + timedelta(minutes=self.rng.randint(3, 15)),
                lambda t: comment_add(
                    request=req, actor=plan.requester, body=self.rng.choice(REQUESTER_COMMENTS), now=t
                ),
            )
        if req.status == Status.PENDING_APPROVAL:
            self.at(self.later(plan, when, self.rng.uniform(15, 300), office=True), lambda t: self.approve(plan, t))
        else:
            self.submitted(plan, when)

    def act(self, plan: _Plan, action: str, actor: User | None, when: datetime, **kwargs: Any) -> None:
        from tickets.services.transitions import transition

        assert plan.req is not None
        plan.req = transition(request=plan.req, action=action, actor=actor, now=when, **kwargs)

    def approve(self, plan: _Plan, when: datetime) -> None:
        supervisor = self.supervisors[plan.category.service_line]
        if plan.fate == "refuse":
            self.act(plan, "reject", supervisor, when, note="本季度车位已分配完毕，已列入候补名单。")
            return
        self.act(plan, "approve", supervisor, when, note="同意。")
        self.submitted(plan, when)

    def submitted(self, plan: _Plan, t0: datetime) -> None:
        """The contractor's clock runs from t0: cancel, reject or work."""
        rng = self.rng
        row = self.row(plan)
        if plan.stop == "submitted" or row is None:
            return
        if plan.fate == "cancel":
            self.at(
                self.later(plan, t0, rng.uniform(3, 40)),
                lambda t: self.act(plan, "cancel", plan.requester, t, note="已自行解决，撤销报修。"),
            )
            return
        if plan.fate == "reject":
            supervisor = self.supervisors[plan.category.service_line]
            note = REJECT_NOTES[ServiceLine(plan.category.service_line)]
            self.at(
                self.later(plan, t0, rng.uniform(10, 50), office=True),
                lambda t: self.act(plan, "reject", supervisor, t, note=note),
            )
            return
        fraction = rng.uniform(1.15, 3.0) if "response" in plan.late else rng.uniform(0.15, 0.9)
        accept_at = self.later(plan, t0, fraction * row.response_minutes)
        if plan.via_dispatch:
            dispatcher = self.dispatchers[plan.worker.contractor.code]
            assign_at = self.later(plan, t0, fraction * row.response_minutes * rng.uniform(0.2, 0.6))
            self.at(
                min(assign_at, accept_at - timedelta(seconds=30)),
                lambda t: self.act(plan, "assign", dispatcher, t, assignee=plan.worker),
            )
        self.at(accept_at, lambda t: self.accepted(plan, t, t0))

    def accepted(self, plan: _Plan, when: datetime, t0: datetime) -> None:
        from tickets.services.comments import comment_add

        rng = self.rng
        self.act(plan, "accept", plan.worker, when)
        if plan.chat:
            comment_add(request=plan.req, actor=plan.worker, body=rng.choice(WORKER_REPLIES), now=when)
        if plan.stop == "accepted":
            return
        row = self.row(plan)
        assert row is not None
        if plan.category.service_line == ServiceLine.CANTEEN:
            self.schedule_resolve(plan, when, t0)  # a reply, no visit
            return
        if row.arrival_minutes:
            fraction = rng.uniform(1.1, 2.2) if "arrival" in plan.late else rng.uniform(0.3, 0.95)
            start_at = self.later(plan, t0, fraction * row.arrival_minutes)
        else:
            start_at = self.later(plan, when, rng.uniform(10, 120))
        start_at = max(start_at, when + timedelta(minutes=rng.randint(2, 8)))
        self.at(start_at, lambda t: self.started(plan, t, t0))

    def started(self, plan: _Plan, when: datetime, t0: datetime) -> None:
        self.act(plan, "start", plan.worker, when)
        if plan.stop == "in_progress":
            return
        if plan.hold:
            self.at(self.later(plan, when, self.rng.uniform(15, 60)), lambda t: self.held(plan, t))
        else:
            self.schedule_resolve(plan, when, t0)

    def held(self, plan: _Plan, when: datetime) -> None:
        self.act(plan, "hold", plan.worker, when, hold_reason=plan.hold, note=self.rng.choice(HOLD_NOTES[plan.hold]))
        if plan.stop == "on_hold":
            return
        span = self.rng.uniform(300, 1200) if plan.hold == HoldReason.AWAITING_PARTS else self.rng.uniform(40, 300)
        self.at(self.later(plan, when, span, office=True), lambda t: self.resumed(plan, t))

    def resumed(self, plan: _Plan, when: datetime) -> None:
        self.act(plan, "resume", plan.worker, when)
        self.at(self.later(plan, when, self.rng.uniform(20, 120)), lambda t: self.resolved(plan, t))

    def schedule_resolve(self, plan: _Plan, when: datetime, t0: datetime) -> None:
        rng = self.rng
        row = self.row(plan)
        assert row is not None
        minimum = when + timedelta(minutes=rng.randint(10, 40))
        if row.resolution_minutes:
            fraction = rng.uniform(1.1, 2.0) if "resolution" in plan.late else rng.uniform(0.15, 0.85)
            resolve_at = max(minimum, self.later(plan, t0, fraction * row.resolution_minutes))
        else:
            resolve_at = self.later(plan, minimum, rng.uniform(10, 120))
        self.at(resolve_at, lambda t: self.resolved(plan, t))

    def resolved(self, plan: _Plan, when: datetime) -> None:
        self.act(plan, "resolve", plan.worker, when, note=plan.resolution_note)
        if plan.rating is None:
            return  # left unrated: expire_feedback closes it when the window ends
        req = plan.req
        assert req is not None and req.feedback_due is not None
        rate_at = self.later(plan, when, self.rng.uniform(5, 1100), office=True)
        if rate_at >= req.feedback_due:
            rate_at = req.feedback_due - timedelta(minutes=self.rng.randint(5, 120))
        self.at(max(rate_at, when + timedelta(minutes=2)), lambda t: self.rated(plan, t))

    def rated(self, plan: _Plan, when: datetime) -> None:
        from tickets.services.feedback import feedback_submit

        rng = self.rng
        rating = plan.rating
        assert rating is not None and plan.req is not None
        low = rating <= settings.SERVICEDESK["LOW_RATING"]
        if low:
            comment = rng.choice(LOW_COMMENTS[ServiceLine(plan.category.service_line)])
        elif rating == 3:
            comment = rng.choice(SO_SO_COMMENTS)
        else:
            comment = rng.choice(GOOD_COMMENTS) if rng.random() < 0.2 else ""
        feedback = feedback_submit(request=plan.req, actor=plan.requester, rating=rating, comment=comment, now=when)
        if not low:
            return
        plan.complaint = Complaint.objects.filter(feedback=feedback).first()
        supervisor = self.supervisors[plan.category.service_line]
        self.at(
            self.later(plan, when, rng.uniform(20, 90), office=True),
            lambda t: self.called_back(
                plan, supervisor, t, "已电话回访报修人，督促服务商返工并限时办结。", close=False
            ),
        )
        # The contractor comes back: accept, go there again, fix it properly; then the requester confirms.
        self.at(self.later(plan, when, rng.uniform(10, 60)), lambda t: self.rework(plan, t))

    def called_back(self, plan: _Plan, supervisor: User, when: datetime, note: str, *, close: bool) -> None:
        from tickets.services.feedback import complaint_callback

        if plan.complaint is not None and plan.complaint.state != Complaint.State.CLOSED:
            plan.complaint = complaint_callback(
                complaint=plan.complaint, actor=supervisor, note=note, close=close, now=when
            )

    def rework(self, plan: _Plan, when: datetime) -> None:
        self.act(plan, "accept", plan.worker, when)
        if plan.category.service_line == ServiceLine.CANTEEN:
            self.at(self.later(plan, when, self.rng.uniform(30, 240)), lambda t: self.reworked(plan, t))
        else:
            self.at(self.later(plan, when, self.rng.uniform(10, 60)), lambda t: self.rework_started(plan, t))

    def rework_started(self, plan: _Plan, when: datetime) -> None:
        self.act(plan, "start", plan.worker, when)
        self.at(self.later(plan, when, self.rng.uniform(30, 240)), lambda t: self.reworked(plan, t))

    def reworked(self, plan: _Plan, when: datetime) -> None:
        rng = self.rng
        self.act(plan, "resolve", plan.worker, when, note="返工：" + plan.resolution_note)
        supervisor = self.supervisors[plan.category.service_line]
        confirm_at = self.later(plan, when, rng.uniform(30, 600), office=True)
        self.at(confirm_at, lambda t: self.act(plan, "confirm", plan.requester, t))
        self.at(
            confirm_at + timedelta(minutes=rng.randint(20, 90)),
            lambda t: self.called_back(
                plan, supervisor, t, "返工后再次回访，报修人表示问题已解决，投诉办结。", close=True
            ),
        )

    # --- today ------------------------------------------------------------------------------------------------


# --- summary ----------------------------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    """What the demo holds, for the command's summary and the tests."""
    requests = ServiceRequest.objects.all()
    return {
        "compounds": Compound.objects.count(),
        "buildings": Building.objects.count(),
        "floors": Floor.objects.count(),
        "rooms": Room.objects.count(),
        "units": Unit.objects.count(),
        "contractors": Contractor.objects.count(),
        "calendars": BusinessCalendar.objects.count(),
        "sla_policies": SlaPolicy.objects.count(),
        "categories": Category.objects.count(),
        "leaf_categories": Category.objects.annotate(n=Count("children")).filter(n=0).count(),
        "contracts": Contract.objects.count(),
        "users": User.objects.count(),
        "requests": requests.count(),
        "open_requests": requests.filter(status__in=OPEN_STATUSES).count(),
        "events": Event.objects.count(),
        "feedback": Feedback.objects.count(),
        "complaints": Complaint.objects.count(),
        "breached_requests": requests.filter(
            Q(response_breached=True) | Q(arrival_breached=True) | Q(resolution_breached=True)
        ).count(),
        "breach_events": Event.objects.filter(kind=EventKind.SLA_BREACH).count(),
    }


COUNT_LABELS = {
    "compounds": "院区",
    "buildings": "楼栋",
    "floors": "楼层",
    "rooms": "房间",
    "units": "使用单位",
    "contractors": "服务商",
    "calendars": "工作日历",
    "sla_policies": "SLA策略",
    "categories": "服务目录",
    "leaf_categories": "可报修分类",
    "contracts": "服务合同",
    "users": "用户",
    "requests": "服务请求",
    "open_requests": "未办结请求",
    "events": "事件",
    "feedback": "评价",
    "complaints": "投诉",
    "breached_requests": "超时请求",
    "breach_events": "超时事件",
}
