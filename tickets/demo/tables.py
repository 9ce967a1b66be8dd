"""The demo's reference data as tables: places, organisations, working calendars, SLA policies, the catalogue,
contracts and people. Plain data; ``tickets.demo.loaders`` writes it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from tickets.models import Role, RoomFunction, ServiceLine, Urgency

PASSWORD = "Demo-2026-pass"

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


class _LineAndKind(TypedDict):
    line: str
    kind: str


CANTEEN: _LineAndKind = {"line": ServiceLine.CANTEEN, "kind": "canteen_complaint"}
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
