"""The checklists a new installation starts with, one per institution kind (installed by migration 0002; admins
change them afterwards by publishing new versions in the UI).

Each item (see `item`): the check, the rule broken when it fails (违反的规定), the remedy, the provision the order rests
on (依据), what correcting means, the consequence of not complying, the severity, the period and whether a failure
needs a photo. Citations checked against the texts (LawRefBook/Laws for laws and regulations; official reprints for
the policy documents, whose item numbers are cited by heading where the number could not be confirmed). Where a rule
is local (floor area per student, closing time), the text says "本地规定" and the inspector checks the local figure.
Version 2 of each (migration 0005) corrected the citations of version 1.
"""

from __future__ import annotations

FIRE_LAW = "《中华人民共和国消防法》"
FOOD_LAW = "《中华人民共和国食品安全法》"
PRIVATE_EDUCATION = "《中华人民共和国民办教育促进法》"
PRIVATE_EDUCATION_RULES = "《中华人民共和国民办教育促进法实施条例》"
DOUBLE_REDUCTION = "《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》（“规范培训服务行为”）"
PREPAID = "《教育部等六部门关于加强校外培训机构预收费监管工作的通知》（教监管函〔2021〕2号）"
NON_ACADEMIC_RULES = "《教育部等十三部门关于规范面向中小学生的非学科类校外培训的意见》（教监管〔2022〕4号）"
PENALTY_RULES = "《校外培训行政处罚暂行办法》（教育部令第53号）"
GUIDELINES_2018 = "《国务院办公厅关于规范校外培训机构发展的意见》（国办发〔2018〕80号）"
# Most operating violations of a training institution: ordered and punished through 实施条例 第六十三条 and 民促法
# 第六十二条 (the policy documents set the rules, these carry the order and the penalty).
EDU_ORDER = f"{PRIVATE_EDUCATION_RULES}第六十三条第一款第（{{item}}）项、{PRIVATE_EDUCATION}第六十二条"
EDU_PENALTY = (
    f"依照{PRIVATE_EDUCATION}第六十二条责令限期改正，并予以警告；有违法所得的，退还所收费用后没收违法所得；"
    "情节严重的，责令停止招生、吊销办学许可证"
)
FIRE_60_PENALTY = (
    f"依照{FIRE_LAW}第六十条第一款处五千元以上五万元以下罚款；经责令改正拒不改正的，依照该条第三款强制执行"
)
FOOD_126_PENALTY = (
    f"依照{FOOD_LAW}第一百二十六条第一款给予警告；拒不改正的，处五千元以上五万元以下罚款；"
    "情节严重的，责令停产停业，直至吊销许可证"
)
# 擅自举办 (教育部令第53号 第十七条: a dedicated site, two or more staff, an organisation): stop and refund.
UNLICENSED_ORDER = f"{PRIVATE_EDUCATION}第六十四条；{PENALTY_RULES}第十七条"
UNLICENSED_PENALTY = (
    f"依照{PRIVATE_EDUCATION}第六十四条、{PENALTY_RULES}第十七条责令停止举办、退还所收费用，"
    "并对举办者处违法所得一倍以上五倍以下罚款"
)
UNLICENSED_REQUIREMENT = "立即停止举办培训活动，不得招收学员，妥善退还所收费用、安置学员；取得许可前不得开展培训"


def item(
    category: str,
    text: str,
    basis: str,
    severity: str,
    period: int,
    photo: bool,
    *,
    code: str = "",
    remedy: str = "deadline",
    order_basis: str = "",
    requirement: str = "",
    penalty: str = "",
) -> dict:
    """One default item: what is checked, the rule it breaks when it fails (违反的规定), the remedy, the provision
    the order rests on (依据), what correcting means, the consequence, how serious, the period (限期改正: working
    days to correct; otherwise the working days to report the correction) and whether a failure needs a photo."""
    return {
        "category": category, "text": text, "legal_basis": basis, "severity": severity, "period_days": period,
        "photo_required": photo, "code": code, "remedy": remedy, "order_basis": order_basis,
        "requirement": requirement, "penalty_basis": penalty,
    }  # fmt: skip


FIRE = [
    item(
        "fire_safety",
        "疏散通道、安全出口畅通，未被占用、堵塞、封闭或锁闭",
        f"{FIRE_LAW}第二十八条",
        "severe",
        1,
        True,
        code="fire_exits",
        order_basis=f"{FIRE_LAW}第六十条第一款第（三）项",
        requirement="清除占用、堵塞疏散通道和安全出口的物品，拆除封闭、锁闭设施，保持畅通",
        penalty=FIRE_60_PENALTY,
    ),
    item(
        "fire_safety",
        "按规定配置灭火器，且压力正常、在有效期内",
        f"{FIRE_LAW}第十六条第一款第（二）项",
        "major",
        3,
        True,
        code="fire_extinguishers",
        order_basis=f"{FIRE_LAW}第六十条第一款第（一）项",
        requirement="按国家标准配置灭火器，更换压力不足、过期的灭火器",
        penalty=FIRE_60_PENALTY,
    ),
    item(
        "fire_safety",
        "应急照明灯具和疏散指示标志完好有效",
        f"{FIRE_LAW}第十六条第一款第（二）项",
        "major",
        5,
        True,
        code="emergency_lighting",
        order_basis=f"{FIRE_LAW}第六十条第一款第（一）项",
        requirement="维修或更换损坏的应急照明灯具和疏散指示标志，保持完好有效",
        penalty=FIRE_60_PENALTY,
    ),
    item(
        "fire_safety",
        "电气线路规范敷设，无私拉乱接、超负荷用电",
        f"{FIRE_LAW}第二十七条第二款",
        "major",
        5,
        True,
        code="wiring",
        order_basis=f"{FIRE_LAW}第六十六条",
        requirement="由具备资质的电工按消防技术标准重新敷设线路，拆除私拉乱接的电线和串接的插线板",
        penalty=f"逾期不改正的，依照{FIRE_LAW}第六十六条责令停止使用，可以并处一千元以上五千元以下罚款",
    ),
    item(
        "fire_safety",
        "儿童活动场所未设置在地下、半地下，设在建筑内时楼层符合规定",
        "《建筑设计防火规范》（GB 50016-2014，2018年版）第5.4.4条；《建筑防火通用规范》（GB 55037-2022）",
        "severe",
        20,
        True,
        code="child_venue_floor",
        order_basis=f"{FIRE_LAW}第五十四条",
        requirement="将培训、看护场所调整至符合规定的楼层，调整前不得在该部位组织儿童活动",
        penalty=f"经通知后不及时采取措施消除火灾隐患的，依照{FIRE_LAW}第六十条第一款第（七）项处五千元以上五万元以下罚款",
    ),
    item(
        "fire_safety",
        "落实消防安全责任人，定期开展防火检查和疏散演练并有记录",
        f"{FIRE_LAW}第十六条第一款第（一）（五）（六）项、第二款",
        "minor",
        10,
        False,
        code="fire_duty",
        order_basis=f"{FIRE_LAW}第六十七条",
        requirement="明确消防安全责任人，建立防火检查和疏散演练制度并如实记录",
        penalty=f"逾期不改正的，依照{FIRE_LAW}第六十七条对直接负责的主管人员和其他直接责任人员给予处分或者警告处罚",
    ),
]
LEGAL_ENTITY = item(
    "qualification",
    "取得营业执照或民办非企业单位登记证书，经营范围与实际开展的业务一致",
    "《中华人民共和国市场主体登记管理条例》第三条第一款、第十四条；《民办非企业单位登记管理暂行条例》第三条",
    "severe",
    20,
    True,
    code="business_licence",
    order_basis="《中华人民共和国市场主体登记管理条例》第四十三条；《无证无照经营查处办法》第六条、第十三条",
    requirement="依法办理市场主体登记（或民办非企业单位登记），按登记的经营范围开展活动",
    penalty=(
        "未经设立登记从事经营活动的，依照《中华人民共和国市场主体登记管理条例》第四十三条没收违法所得；"
        "拒不改正的，处1万元以上10万元以下的罚款；情节严重的，依法责令关闭停业，并处10万元以上50万元以下的罚款"
    ),
)
STAFF_RECORDS = item(
    "staff",
    "招聘工作人员时及每年定期查询性侵害、虐待、暴力伤害等违法犯罪记录，有记录者未录用或已解聘",
    "《中华人民共和国未成年人保护法》第六十二条",
    "major",
    10,
    False,
    code="criminal_record_checks",
    order_basis="《中华人民共和国未成年人保护法》第一百二十六条",
    requirement="对全部工作人员完成违法犯罪记录查询并建档，此后每年定期查询；发现有记录的立即解聘",
    penalty=(
        "依照《中华人民共和国未成年人保护法》第一百二十六条给予警告，并处五万元以下罚款；拒不改正或者造成严重后果的，"
        "责令停业整顿或者吊销营业执照、吊销相关许可证，并处五万元以上五十万元以下罚款"
    ),
)
PRICES = item(
    "fees",
    "收费项目、标准和退费办法明码标价并公示",
    "《中华人民共和国价格法》第十三条第一款；《明码标价和禁止价格欺诈规定》第五条、第七条第二款",
    "minor",
    5,
    True,
    code="price_display",
    order_basis="《中华人民共和国价格法》第四十二条；《价格违法行为行政处罚规定》第十三条",
    requirement="在经营场所显著位置公示收费项目、收费标准和退费办法",
    penalty="依照《中华人民共和国价格法》第四十二条没收违法所得，可以并处五千元以下的罚款",
)
ADVERTISING = item(
    "advertising",
    "招生宣传无升学、考试、培训效果的保证性承诺，无虚假、夸大宣传",
    "《中华人民共和国广告法》第二十四条第（一）项、第二十八条",
    "major",
    5,
    True,
    code="advertising",
    remedy="immediate",
    order_basis="《中华人民共和国广告法》第五十五条第一款、第五十八条第一款第（六）项",
    requirement="立即停止发布含保证性承诺或虚假、夸大内容的招生宣传，撤下已张贴、发布的材料，在相应范围内消除影响",
    penalty=(
        "依照《中华人民共和国广告法》第五十八条第一款处广告费用一倍以上三倍以下的罚款（虚假广告依照第五十五条第一款处"
        "广告费用三倍以上五倍以下的罚款）"
    ),
)
PREPAID_LIMIT = item(
    "fees",
    "预收费时间跨度不超过 3 个月且不超过 60 课时，预收资金全部进入培训收费专用账户",
    PREPAID,
    "major",
    10,
    False,
    code="prepaid_fees",
    order_basis=EDU_ORDER.format(item="二"),
    requirement="超出 3 个月或 60 课时的预收费用按规定清退或转为分期，预收资金全部进入监管账户",
    penalty=EDU_PENALTY,
)
PREPAID_LIMIT_NON_ACADEMIC = item(
    "fees",
    "预收费时间跨度不超过 3 个月或 60 课时且每次不超过 5000 元，或按规定缴纳风险保证金",
    f"{PREPAID}；{NON_ACADEMIC_RULES}",
    "major",
    10,
    False,
    code="prepaid_fees",
    order_basis=EDU_ORDER.format(item="二"),
    requirement="清退超出期限、课时或金额的预收费用，预收资金进入监管账户或缴纳风险保证金",
    penalty=EDU_PENALTY,
)
PREMISES_AREA = item(
    "premises",
    "培训场所面积与招生规模相适应，生均面积符合本地规定",
    f"{GUIDELINES_2018}；{PRIVATE_EDUCATION}第十一条",
    "minor",
    20,
    False,
    code="floor_area",
    order_basis=EDU_ORDER.format(item="四"),
    requirement="按本地设置标准核减同一时段招生人数或调整场地",
    penalty=EDU_PENALTY,
)
DISGUISED = {  # 变相开展学科类培训 under another name: the three elements of 第十七条 make it 擅自举办
    "remedy": "stop_running",
    "order_basis": f"{PENALTY_RULES}第十七条、第十八条",
    "requirement": "停止以其他名义开展的学科类培训，不得招收学科类培训学员，退还所收费用",
    "penalty": (
        f"依照{PENALTY_RULES}责令改正，退还所收费用，予以警告或通报批评；情节严重的，处5万元以下罚款；"
        "情节特别严重的，处5万元以上10万元以下罚款；构成擅自举办的，依照第十七条处理"
    ),
}
FOOD_LICENCE = {
    "code": "food_licence",
    "order_basis": f"{FOOD_LAW}第一百二十二条第一款；第一百二十七条及本省小餐饮管理办法",
    "requirement": "取得食品经营许可证或办理小餐饮备案前停止供餐",
    "penalty": (
        f"未取得许可从事餐饮服务的，依照{FOOD_LAW}第一百二十二条第一款没收违法所得和违法经营的食品、工具、设备、原料，"
        "货值金额不足一万元的，并处五万元以上十万元以下罚款"
    ),
}

DEFAULT_CHECKLISTS = [
    {
        "name": "学科类校外培训机构检查表",
        "institution_kind": "academic",
        "description": "义务教育阶段学科类培训：办学许可、培训时间和内容、师资、预收费，以及消防安全。",
        "items": [
            item(
                "qualification",
                "取得教育行政部门颁发的办学许可证，且在有效期内",
                f"{PRIVATE_EDUCATION}第十二条、第十八条第一款",
                "severe",
                5,
                True,
                code="school_licence",
                remedy="stop_running",
                order_basis=UNLICENSED_ORDER,
                requirement=UNLICENSED_REQUIREMENT,
                penalty=UNLICENSED_PENALTY,
            ),
            LEGAL_ENTITY,
            item(
                "qualification",
                "办学许可证、收费标准、培训人员信息在培训场所显著位置公示",
                f"{DOUBLE_REDUCTION}；{PREPAID}一（二）；{PRIVATE_EDUCATION}第三十八条第一款",
                "minor",
                3,
                True,
                code="public_notices",
                order_basis=EDU_ORDER.format(item="十"),
                requirement="在培训场所和网站显著位置公示办学许可证、收费项目和标准、培训人员及其教师资格信息",
                penalty=EDU_PENALTY,
            ),
            item(
                "teaching",
                "未占用国家法定节假日、休息日及寒暑假期组织学科类培训",
                DOUBLE_REDUCTION,
                "severe",
                1,
                False,
                code="holiday_classes",
                remedy="immediate",
                order_basis=EDU_ORDER.format(item="二"),
                requirement="立即停止在法定节假日、休息日和寒暑假期组织的学科类培训，调整课表并告知家长",
                penalty=EDU_PENALTY,
            ),
            item(
                "teaching",
                "无超标超前培训，培训内容已备案且与备案一致",
                DOUBLE_REDUCTION,
                "major",
                5,
                False,
                code="curriculum",
                order_basis=EDU_ORDER.format(item="二"),
                requirement="停用超标超前的培训材料，按备案内容和进度组织培训，未备案的材料完成备案",
                penalty=EDU_PENALTY,
            ),
            item(
                "teaching",
                "线下培训结束时间不晚于 20:30（线上不晚于 21:00，以本地规定为准）",
                f"{GUIDELINES_2018}；《中小学生减负措施》（减负三十条）第17条；{DOUBLE_REDUCTION}（线上 21:00）",
                "major",
                3,
                False,
                code="class_hours",
                order_basis=EDU_ORDER.format(item="二"),
                requirement="调整课表，线下培训 20:30 前、线上培训 21:00 前结束",
                penalty=EDU_PENALTY,
            ),
            item(
                "staff",
                "从事学科类培训的人员具备相应教师资格，教师资格信息已公示",
                f"{DOUBLE_REDUCTION}；{PRIVATE_EDUCATION}第二十九条；{PRIVATE_EDUCATION_RULES}第三十三条第一款",
                "major",
                10,
                True,
                code="teacher_qualification",
                order_basis=EDU_ORDER.format(item="七"),
                requirement="不具备教师资格的人员停止从事学科类培训，公示全部培训人员的教师资格信息",
                penalty=EDU_PENALTY,
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
            item(
                "qualification",
                "按本地规定取得非学科类培训办学许可证或完成登记",
                f"{NON_ACADEMIC_RULES}；{PRIVATE_EDUCATION}第十二条",
                "severe",
                20,
                True,
                code="school_licence",
                remedy="stop_running",
                order_basis=UNLICENSED_ORDER,
                requirement=UNLICENSED_REQUIREMENT,
                penalty=UNLICENSED_PENALTY,
            ),
            LEGAL_ENTITY,
            item(
                "qualification",
                "未以非学科类名义开展学科类培训（课程、教材、宣传材料核查）",
                f"{DOUBLE_REDUCTION}；{NON_ACADEMIC_RULES}",
                "severe",
                1,
                True,
                code="disguised_academic",
                remedy="stop_activity",
                order_basis=f"{PRIVATE_EDUCATION_RULES}第六十三条第一款第（九）项、{PRIVATE_EDUCATION}第六十二条；"
                f"{PENALTY_RULES}第十八条",
                requirement="立即停止学科类培训内容，停用相关教材和宣传材料，退还学科类培训费用",
                penalty=DISGUISED["penalty"],
            ),
            item(
                "staff",
                "从业人员具有相应的职业（专业）能力证明或教师资格，未聘用中小学在职教师",
                f"{NON_ACADEMIC_RULES}；{PRIVATE_EDUCATION_RULES}第三十三条第一款",
                "major",
                10,
                False,
                code="staff_qualification",
                order_basis=EDU_ORDER.format(item="七"),
                requirement="不具备相应能力证明的人员停止从事培训，解聘中小学在职教师",
                penalty=EDU_PENALTY,
            ),
            STAFF_RECORDS,
            PREPAID_LIMIT_NON_ACADEMIC,
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
            item(
                "food_safety",
                "取得食品经营许可证或办理小餐饮备案，并在有效期内",
                f"{FOOD_LAW}第三十五条第一款；第三十六条第三款及本省小餐饮管理办法",
                "severe",
                10,
                True,
                remedy="stop_activity",
                **FOOD_LICENCE,
            ),
            item(
                "food_safety",
                "接触直接入口食品的从业人员持有效健康证明上岗",
                f"{FOOD_LAW}第四十五条第二款",
                "major",
                5,
                True,
                code="health_certificates",
                order_basis=f"{FOOD_LAW}第一百二十六条第一款第（六）项",
                requirement="未取得有效健康证明的人员立即调离接触直接入口食品的岗位，取得健康证明后方可上岗",
                penalty=FOOD_126_PENALTY,
            ),
            item(
                "food_safety",
                "食材来源可追溯，贮存分类分架、离地离墙，无过期变质食品",
                f"{FOOD_LAW}第五十三条第一款、第五十四条第一款、第三十三条第一款第（六）项",
                "major",
                3,
                True,
                code="food_storage",
                order_basis=f"{FOOD_LAW}第一百二十六条第一款第（三）项、第一百三十二条",
                requirement="建立进货查验记录，食材分类分架、离地离墙存放，清理过期变质食品",
                penalty=(
                    f"依照{FOOD_LAW}第一百三十二条给予警告；拒不改正的，责令停产停业，并处一万元以上五万元以下罚款；"
                    "情节严重的，吊销许可证"
                ),
            ),
            item(
                "food_safety",
                "每餐次的成品按规定留样（每样不少于 125 克，冷藏 48 小时以上），有留样记录",
                "《学校食品安全与营养健康管理规定》第四十条（参照执行）；《中华人民共和国食品安全法实施条例》第二十八条",
                "major",
                3,
                True,
                code="food_samples",
                order_basis=f"{FOOD_LAW}第一百二十六条第一款第（十三）项",
                requirement="配备留样专柜，每餐次每种成品留样不少于 125 克、冷藏 48 小时以上，并记录",
                penalty=FOOD_126_PENALTY,
            ),
            item(
                "food_safety",
                "餐用具清洗消毒并保洁存放，防蝇防鼠设施完好",
                f"{FOOD_LAW}第三十三条第一款第（二）（五）项、第五十六条第二款",
                "minor",
                5,
                True,
                code="tableware",
                order_basis=f"{FOOD_LAW}第一百二十六条第一款第（五）项",
                requirement="餐用具每次使用前清洗消毒并保洁存放，配齐防蝇防鼠设施",
                penalty=FOOD_126_PENALTY,
            ),
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
            item(
                "qualification",
                "未以托管名义开展学科类培训",
                f"{PENALTY_RULES}第十八条；{DOUBLE_REDUCTION}",
                "severe",
                1,
                True,
                code="disguised_academic",
                remedy=DISGUISED["remedy"],
                order_basis=DISGUISED["order_basis"],
                requirement=DISGUISED["requirement"],
                penalty=DISGUISED["penalty"],
            ),
            item(
                "food_safety",
                "提供餐食的，取得食品经营许可证或办理小餐饮备案",
                f"{FOOD_LAW}第三十五条第一款；第三十六条第三款及本省小餐饮管理办法",
                "severe",
                10,
                True,
                remedy="stop_activity",
                **FOOD_LICENCE,
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
            item(
                "qualification",
                "未以研学、家政、咨询等名义变相开展学科类培训",
                f"{PENALTY_RULES}第十八条；{DOUBLE_REDUCTION}",
                "severe",
                1,
                True,
                code="disguised_academic",
                remedy=DISGUISED["remedy"],
                order_basis=DISGUISED["order_basis"],
                requirement=DISGUISED["requirement"],
                penalty=DISGUISED["penalty"],
            ),
            STAFF_RECORDS,
            PREPAID_LIMIT,
            PRICES,
            ADVERTISING,
            *FIRE,
        ],
    },
]

CORRECTION_NOTE = (
    "更正法律依据（预收费：教监管函〔2021〕2号；非学科类：教监管〔2022〕4号；留样：学校食品安全与营养健康管理规定"
    "第四十条；虚假宣传：广告法第二十八条；违法犯罪记录每年查询：未成年人保护法第六十二条；20:30/21:00 的出处），"
    "增加改正方式、责令改正的依据、改正要求和法律后果"
)


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
        _create_items(ChecklistItem, version, spec["items"])
    return len(DEFAULT_CHECKLISTS)


def _create_items(item_model, version, items: list[dict]) -> None:  # type: ignore[no-untyped-def]
    """The items with the fields the (possibly historical) model has: migration 0002 ran before the order terms."""
    fields = {f.name for f in item_model._meta.get_fields()}
    item_model.objects.bulk_create(
        item_model(version=version, order=n, **{k: v for k, v in spec.items() if k in fields})
        for n, spec in enumerate(items, start=1)
    )


def correct_defaults(apps=None) -> int:  # type: ignore[no-untyped-def]
    """Publish DEFAULT_CHECKLISTS as a new version of each default checklist that still has its initial version
    published and differs from it (a published version never changes; inspections keep the version they used).
    Checklists an administrator has changed since are left as they are. Returns how many were corrected."""
    from django.apps import apps as current_apps
    from django.utils import timezone

    apps = apps or current_apps
    Checklist = apps.get_model("checklists", "Checklist")
    ChecklistVersion = apps.get_model("checklists", "ChecklistVersion")
    ChecklistItem = apps.get_model("checklists", "ChecklistItem")
    now, corrected = timezone.now(), 0
    for spec in DEFAULT_CHECKLISTS:
        checklist = Checklist.objects.filter(name=spec["name"]).first()
        versions = list(ChecklistVersion.objects.filter(checklist=checklist)) if checklist else []
        if len(versions) != 1 or versions[0].status != "published" or versions[0].note != "初始版本":
            continue
        current = versions[0]
        keys = list(spec["items"][0])
        have = [
            tuple(getattr(i, k) for k in keys) for i in ChecklistItem.objects.filter(version=current).order_by("order")
        ]
        if have == [tuple(i[k] for k in keys) for i in spec["items"]]:
            continue
        current.status, current.archived_at = "archived", now
        current.save(update_fields=["status", "archived_at"])
        version = ChecklistVersion.objects.create(
            checklist=checklist, number=current.number + 1, status="published", note=CORRECTION_NOTE, published_at=now
        )
        _create_items(ChecklistItem, version, spec["items"])
        corrected += 1
    return corrected
