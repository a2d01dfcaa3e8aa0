"""The checklists a new installation starts with, one per institution kind (installed by migration 0002; admins
change them afterwards by publishing new versions in the UI).

Each item: (category, check text, legal basis, severity, rectification period in working days, photo required when
it fails). Written from ../shared/docs/domain.md and the rules it cites. Where a rule is local (floor area per
student, 20:30 closing time), the text says "符合本地规定" and the inspector checks the local figure.
"""

from __future__ import annotations

FIRE_LAW = "《中华人民共和国消防法》"
FOOD_LAW = "《中华人民共和国食品安全法》"
DOUBLE_REDUCTION = "《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》"
PREPAID = "《教育部办公厅等六部门关于加强校外培训机构预收费监管工作的通知》（教监管厅函〔2021〕6号）"
NON_ACADEMIC_RULES = "《教育部办公厅等十三部门关于规范面向中小学生的非学科类校外培训的意见》（教监管厅函〔2022〕4号）"

FIRE = [
    ("fire_safety", "疏散通道、安全出口畅通，未被占用、堵塞、封闭或锁闭", f"{FIRE_LAW}第二十八条", "severe", 1, True),
    (
        "fire_safety",
        "按规定配置灭火器，且压力正常、在有效期内",
        f"{FIRE_LAW}第十六条第一款第（二）项",
        "major",
        3,
        True,
    ),
    ("fire_safety", "应急照明灯具和疏散指示标志完好有效", f"{FIRE_LAW}第十六条第一款第（二）项", "major", 5, True),
    (
        "fire_safety",
        "电气线路规范敷设，无私拉乱接、超负荷用电，无电动自行车室内停放充电",
        f"{FIRE_LAW}第二十七条",
        "major",
        5,
        True,
    ),
    (
        "fire_safety",
        "儿童活动场所未设置在地下、半地下，设在建筑内时楼层符合规定",
        "《建筑设计防火规范》（GB 50016-2014，2018年版）第5.4.4条",
        "severe",
        20,
        True,
    ),
    (
        "fire_safety",
        "落实消防安全责任人，定期开展防火检查和疏散演练并有记录",
        f"{FIRE_LAW}第十六条第一款第（一）（五）（六）项",
        "minor",
        10,
        False,
    ),
]
LEGAL_ENTITY = (
    "qualification",
    "取得营业执照或民办非企业单位登记证书，经营范围与实际开展的业务一致",
    "《市场主体登记管理条例》第三条",
    "severe",
    20,
    True,
)
STAFF_RECORDS = (
    "staff",
    "招聘工作人员时已查询性侵害、虐待、暴力伤害等违法犯罪记录",
    "《中华人民共和国未成年人保护法》第六十二条",
    "major",
    10,
    False,
)
PRICES = ("fees", "收费项目、标准和退费办法明码标价并公示", "《中华人民共和国价格法》第十三条", "minor", 5, True)
ADVERTISING = (
    "advertising",
    "招生宣传无升学、考试、培训效果的保证性承诺，无虚假、夸大宣传",
    "《中华人民共和国广告法》第二十四条",
    "major",
    5,
    True,
)
PREPAID_LIMIT = (
    "fees",
    "预收费时间跨度不超过 3 个月且不超过 60 课时，预收资金纳入监管账户",
    PREPAID,
    "major",
    10,
    False,
)
PREMISES_AREA = (
    "premises",
    "培训场所面积与招生规模相适应，生均面积符合本地规定",
    "《国务院办公厅关于规范校外培训机构发展的意见》（国办发〔2018〕80号）",
    "minor",
    20,
    False,
)

DEFAULT_CHECKLISTS = [
    {
        "name": "学科类校外培训机构检查表",
        "institution_kind": "academic",
        "description": "义务教育阶段学科类培训：办学许可、培训时间和内容、师资、预收费，以及消防安全。",
        "items": [
            (
                "qualification",
                "取得教育行政部门颁发的办学许可证，且在有效期内",
                "《中华人民共和国民办教育促进法》第十二条",
                "severe",
                5,
                True,
            ),
            LEGAL_ENTITY,
            (
                "qualification",
                "办学许可证、收费标准、培训人员信息在培训场所显著位置公示",
                f"{DOUBLE_REDUCTION}第（十四）条",
                "minor",
                3,
                True,
            ),
            (
                "teaching",
                "未占用国家法定节假日、休息日及寒暑假期组织学科类培训",
                f"{DOUBLE_REDUCTION}第（十四）条",
                "severe",
                1,
                False,
            ),
            (
                "teaching",
                "无超标超前培训，培训内容已备案且与备案一致",
                f"{DOUBLE_REDUCTION}第（十四）条",
                "major",
                5,
                False,
            ),
            (
                "teaching",
                "线下培训结束时间不晚于本地规定（一般为 20:30）",
                f"{DOUBLE_REDUCTION}第（十四）条",
                "major",
                3,
                False,
            ),
            (
                "staff",
                "从事学科类培训的人员具备相应教师资格，教师资格信息已公示",
                f"{DOUBLE_REDUCTION}第（十四）条",
                "major",
                10,
                True,
            ),
            STAFF_RECORDS,
            PREPAID_LIMIT,
            PRICES,
            ADVERTISING,
            PREMISES_AREA,
            *FIRE,
        ],
    },
    {
        "name": "非学科类校外培训机构检查表",
        "institution_kind": "non_academic",
        "description": "体育、文化艺术、科技等非学科类培训：许可或登记、不得开展学科类培训、从业人员能力、预收费和消防安全。",
        "items": [
            (
                "qualification",
                "按本地规定取得非学科类培训办学许可证或完成登记",
                NON_ACADEMIC_RULES,
                "severe",
                20,
                True,
            ),
            LEGAL_ENTITY,
            (
                "qualification",
                "未以非学科类名义开展学科类培训（课程、教材、宣传材料核查）",
                f"{DOUBLE_REDUCTION}第（十四）条",
                "severe",
                1,
                True,
            ),
            ("staff", "从业人员具有相应的职业（专业）能力证明", NON_ACADEMIC_RULES, "major", 10, False),
            STAFF_RECORDS,
            PREPAID_LIMIT,
            PRICES,
            ADVERTISING,
            PREMISES_AREA,
            *FIRE,
        ],
    },
    {
        "name": "小饭桌检查表",
        "institution_kind": "meal_care",
        "description": "为学生提供午餐、午休的小饭桌：食品经营许可或小餐饮备案、从业人员健康、食材和留样，以及消防安全。",
        "items": [
            LEGAL_ENTITY,
            (
                "food_safety",
                "取得食品经营许可证或办理小餐饮备案，并在有效期内",
                f"{FOOD_LAW}第三十五条",
                "severe",
                10,
                True,
            ),
            (
                "food_safety",
                "接触直接入口食品的从业人员持有效健康证明上岗",
                f"{FOOD_LAW}第四十五条",
                "major",
                5,
                True,
            ),
            (
                "food_safety",
                "食材来源可追溯，贮存分类分架、离地离墙，无过期变质食品",
                f"{FOOD_LAW}第三十三条、第三十四条",
                "major",
                3,
                True,
            ),
            (
                "food_safety",
                "每餐次的成品按规定留样（每样不少于 125 克，冷藏 48 小时以上），有留样记录",
                "《学校食品安全与营养健康管理规定》第三十五条（参照执行）",
                "major",
                3,
                True,
            ),
            ("food_safety", "餐用具清洗消毒并保洁存放，防蝇防鼠设施完好", f"{FOOD_LAW}第三十三条", "minor", 5, True),
            STAFF_RECORDS,
            PRICES,
            *FIRE,
        ],
    },
    {
        "name": "托管班检查表",
        "institution_kind": "after_school",
        "description": "课后托管：登记、不得开展学科类培训、从业人员、供餐时的食品安全，以及消防安全。",
        "items": [
            LEGAL_ENTITY,
            (
                "qualification",
                "未以托管名义开展学科类培训",
                f"{DOUBLE_REDUCTION}第（十四）条",
                "severe",
                1,
                True,
            ),
            (
                "food_safety",
                "提供餐食的，取得食品经营许可证或办理小餐饮备案",
                f"{FOOD_LAW}第三十五条",
                "severe",
                10,
                True,
            ),
            STAFF_RECORDS,
            PRICES,
            PREMISES_AREA,
            *FIRE,
        ],
    },
    {
        "name": "其他培训场所检查表",
        "institution_kind": "other",
        "description": "其他面向中小学生的场所（研学、家庭教育指导等）：登记、内容、收费、宣传和消防安全。",
        "items": [
            LEGAL_ENTITY,
            (
                "qualification",
                "未以研学、家政、咨询等名义变相开展学科类培训",
                f"{DOUBLE_REDUCTION}第（十四）条",
                "severe",
                1,
                True,
            ),
            STAFF_RECORDS,
            PREPAID_LIMIT,
            PRICES,
            ADVERTISING,
            *FIRE,
        ],
    },
]


def install_defaults(apps=None) -> int:  # type: ignore[no-untyped-def]
    """Publish DEFAULT_CHECKLISTS as version 1 of each, unless there are checklists already; returns how many.

    Used by migration 0002 (with its historical `apps`) and by tests whose database was flushed (live-server tests)."""
    from django.apps import apps as current_apps
    from django.utils import timezone

    apps = apps or current_apps
    Checklist = apps.get_model("checklists", "Checklist")
    ChecklistVersion = apps.get_model("checklists", "ChecklistVersion")
    ChecklistItem = apps.get_model("checklists", "ChecklistItem")
    if Checklist.objects.exists():
        return 0
    now = timezone.now()
    for spec in DEFAULT_CHECKLISTS:
        checklist = Checklist.objects.create(
            name=spec["name"], institution_kind=spec["institution_kind"], description=spec["description"]
        )
        version = ChecklistVersion.objects.create(
            checklist=checklist, number=1, status="published", note="初始版本", published_at=now
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                version=version,
                order=n,
                category=category,
                text=text,
                legal_basis=basis,
                severity=severity,
                period_days=period,
                photo_required=photo,
            )
            for n, (category, text, basis, severity, period, photo) in enumerate(spec["items"], start=1)
        )
    return len(DEFAULT_CHECKLISTS)
