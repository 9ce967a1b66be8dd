"""What the demo's simulated year says and how often: request texts per category, notes, comments, and the
weights, seasons and places that decide which requests are filed when and where. Plain data for
``tickets.demo.history``."""

from __future__ import annotations

from tickets.models import HoldReason, ServiceLine

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
HOLD_NOTES: dict[str, list[str]] = {
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
