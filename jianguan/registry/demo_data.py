"""The demo district's registry (名录库): about 120 institutions of 青岚区 (fictional), their licences and status orders.

Plain data, no database access: ``jianguan.demo.loader.load_demo`` creates it through the registry services.

Everything is relative to ``REFERENCE_DATE`` (2026-11-26, the day of the speech's 推进会议):

* most institutions hold every licence their kind requires (``REQUIRED_LICENCES``, the defaults of migration 0003),
  valid well past 2027-02;
* 10 have a required licence expiring within 30 days (2026-11-30 … 2026-12-23), 8 have an expired one, a few lack
  one, and 4 unregistered sites (status ``unregistered``, no credit code) have none;
* 22 institutions are the sites of the joint inspection campaign (联合执法检查覆盖的20余家培训点), split so that the
  speech's findings can be reproduced from inspection records: 5 without a school permit (违规办学), 3 academic ones
  teaching beyond the syllabus (超纲教学), 4 小饭桌 with food problems, 6 sites with fire hazards, 4 without problems.

Credit codes, phone numbers and licence numbers are fictional: credit codes are valid (GB 32100-2015 check character)
and derived from each institution's key, so they stay the same when rows are added; phones are 1380000xxxx.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta
from typing import Any

from jianguan.lib.creditcode import ALPHABET, check_char

REFERENCE_DATE = date(2026, 11, 26)
DISTRICT_CODE = "330199"

# (code, name, level) — two of the district's streets (jianguan.org.demo.STREETS) that only this data uses.
EXTRA_STREETS = [
    ("330199005", "文昌街道", "street"),
    ("330199102", "溪口镇", "township"),
]
STREET_NAMES = {
    "330199001": "城东街道",
    "330199002": "城西街道",
    "330199003": "南湖街道",
    "330199004": "北苑街道",
    "330199005": "文昌街道",
    "330199101": "青山镇",
    "330199102": "溪口镇",
    "330199201": "白石乡",
}

# Codes the six institutions of jianguan.registry.demo already use; none of ours may repeat them.
RESERVED_CREDIT_CODES = frozenset({"91440300MA5H0HLK5U", "91133100MA0D8N1J7G"})

# What each kind must hold (mirrors DEFAULT_REQUIREMENTS of registry migration 0003).
REQUIRED_LICENCES = {
    "academic": ("school_permit", "legal_entity"),
    "non_academic": ("school_permit", "legal_entity"),
    "meal_care": ("legal_entity", "food"),
    "after_school": ("legal_entity",),
    "other": ("legal_entity",),
}

# --- The joint inspection campaign: 22 sites, five disjoint groups (5 + 3 + 4 + 6 + 4) -------------------------------

# 未取得相关办学许可 (违规办学): two 托管班 and one 小饭桌 doing disguised 学科类 tutoring, two 非学科类 sites.
CAMPAIGN_UNLICENSED = [
    "cx-xiaomifeng",  # 托管班 with a business licence, tutors 语数英 under the name of 托管
    "nh-jiayuan",  # 托管点 in a residential flat, unregistered
    "by-haoxue",  # 小饭桌 with business and food licences, runs homework/subject classes in the evening
    "wc-moxiang",  # 书画工作室 with a business licence (文化艺术交流), no school permit
    "cd-xiaochuangke",  # 少儿编程 in an office tower, unregistered
]
# 超纲教学: academic institutions (licensed).
CAMPAIGN_TEACHING = ["cx-qizhi", "nh-qiushi", "qs-yuying"]
# 食材储存不规范、卫生条件不达标: 小饭桌 (licensed).
CAMPAIGN_FOOD = ["cd-aixin", "nh-mama", "qs-nuanyang", "xk-xiaoshumiao"]
# 消防通道堵塞、消防器材配备不足: mixed kinds.
CAMPAIGN_FIRE = ["by-xiangyang", "wc-lexue", "cd-mingde", "nh-feiyue", "cx-caihong", "xk-yuedu"]
# The 托管班 whose blocked fire exit was only tidied up within the deadline (speech, section 三).
CAMPAIGN_FIRE_EXIT_BLOCKED = "by-xiangyang"
# Inspected and found in order.
CAMPAIGN_CLEAN = ["cd-boxue", "wc-weilai", "cx-linli", "bs-chunmiao"]
CAMPAIGN_SITES = [*CAMPAIGN_UNLICENSED, *CAMPAIGN_TEACHING, *CAMPAIGN_FOOD, *CAMPAIGN_FIRE, *CAMPAIGN_CLEAN]

# Well-run institutions proposed as 放心机构 for the public portal (also said in their notes).
WHITELIST_CANDIDATES = ["cd-boxue", "cx-linli", "nh-shuxiang", "by-weiqi"]

# --- The rows ----------------------------------------------------------------------------------------------------------

# Kind codes used in the rows: A 学科类; S/R/K/N 非学科类 体育/文化艺术/科技/其他; M 小饭桌; T 托管班; O 其他.
_KINDS = {
    "A": ("academic", ""),
    "S": ("non_academic", "sports"),
    "R": ("non_academic", "arts"),
    "K": ("non_academic", "science"),
    "N": ("non_academic", "other"),
    "M": ("meal_care", ""),
    "T": ("after_school", ""),
    "O": ("other", ""),
}

# Row: (key, name, kind code, address after the street name, legal representative, contact ("" = the legal
# representative), capacity, floor area ㎡, floors, licence plan, notes).
# Licence plan, space-separated: "" = what the kind requires; "-kind" lacks it; "+kind" holds it in addition;
# "kind=YYYY-MM-DD" its valid-until date; "unreg" = an unregistered site (no credit code, no licences).
# fmt: off
_ROWS: dict[str, list[tuple[str, str, str, str, str, str, int, str, str, str, str]]] = {
    "330199001": [  # 城东街道
        ("cd-boxue", "青岚博学教育培训学校", "A", "东湖路 128 号金桂大厦 3 楼 301 室", "陈立新", "刘芳", 260, "680.00", "3楼", "+fire",
         "教学管理规范，证照齐全，收费公示和退费制度完善，拟推荐为“放心机构”。"),
        ("cd-mingde", "城东明德文化培训学校", "A", "建设东路 56 号东方商务楼 2 楼", "黄志强", "吴丽娟", 180, "450.00", "2楼", "", ""),
        ("cd-xinyue", "城东新悦文化培训学校", "A", "朝阳路 219 号 4 楼", "周文斌", "郑婷", 150, "380.50", "4楼", "school_permit=2026-12-05", ""),
        ("cd-xiaochuangke", "城东小创客编程工作室", "K", "解放东路 77 号恒信大厦 12 楼 1205 室", "", "马俊", 40, "120.00", "12楼", "unreg",
         "写字楼内开展少儿编程培训，未办理营业执照，未取得办学许可；由城东街道巡查发现。"),
        ("cd-aixin", "城东爱心小饭桌", "M", "育才巷 9 号 1 楼", "王秀兰", "", 45, "160.00", "1楼", "", ""),
        ("cd-yuecai", "城东悦彩舞蹈培训中心", "R", "东湖路 88 号东城商业广场 3 楼", "林雪", "许静", 120, "520.00", "3楼", "+fire", ""),
        ("cd-qinyun", "青岚琴韵音乐培训学校", "R", "人民东路 35 号 2 楼", "赵敏", "孙浩", 90, "300.00", "2楼", "", ""),
        ("cd-feiyang", "城东飞扬篮球培训中心", "S", "建设东路 210 号体育公园篮球馆", "刘洋", "", 80, "900.00", "1层", "+fire", ""),
        ("cd-jingyu", "城东鲸鱼游泳培训中心", "S", "东湖路 300 号东湖游泳馆", "钱志刚", "何丽", 100, "1200.00", "1层", "+other",
         "租用东湖游泳馆泳道开展游泳培训，持高危险性体育项目经营许可证。"),
        ("cd-xingxing", "城东小星星托管班", "T", "朝阳路 45 号 2 楼", "李桂芳", "", 40, "180.00", "2楼", "", ""),
        ("cd-qimiao", "城东启苗托管中心", "T", "解放东路 12 号 1-2 楼", "张建军", "张丽", 60, "260.00", "1-2层", "", ""),
        ("cd-leyang", "城东乐阳托管班", "T", "人民东路 102 号 2 楼", "徐红梅", "", 35, "150.00", "2楼", "legal_entity=2026-06-30",
         "营业执照营业期限已届满，尚未办理变更。"),
        ("cd-haoweidao", "城东好味道小饭桌", "M", "朝阳路 8 号 1 楼", "杨春燕", "", 40, "140.00", "1楼", "food=2026-12-01", ""),
        ("cd-jingsi", "城东静思共享自习室", "O", "东湖路 88 号东城商业广场 5 楼", "朱凯", "", 80, "350.00", "5楼", "", ""),
        ("cd-xingzhi", "青岚行知研学营地服务中心", "O", "建设东路 300 号 1 楼", "高明", "罗佳", 60, "220.00", "1楼", "", ""),
        ("cd-zhizao", "城东智造机器人培训中心", "K", "人民东路 66 号科创园 B 座 3 楼", "谢伟", "唐敏", 70, "260.00", "3楼", "", ""),
        ("cd-tonghua", "城东童画美术培训中心", "R", "育才巷 21 号 2 楼", "韩梅", "", 50, "160.00", "2楼", "", ""),
        ("cd-xiaozhuchi", "城东小主持人口才培训中心", "R", "朝阳路 150 号 3 楼", "冯晓", "曹静", 60, "200.00", "3楼", "school_permit=2026-12-18", ""),
        ("cd-xiaodangjia", "城东小当家生活技能培训中心", "N", "解放东路 90 号 2 楼", "彭丽", "", 40, "180.00", "2楼", "", ""),
        ("cd-zhiqu", "城东稚趣感统训练中心", "O", "建设东路 18 号 1 楼", "袁超", "邓丽", 30, "200.00", "1楼", "", ""),
    ],
    "330199002": [  # 城西街道
        ("cx-xiaomifeng", "城西小蜜蜂托管班", "T", "新华路 36 号 2 楼", "蒋丽萍", "", 50, "200.00", "2楼", "",
         "营业执照经营范围为课后托管服务（不含教育培训）。"),
        ("cx-qizhi", "城西启智教育培训学校", "A", "建设西路 88 号 3 楼", "沈国华", "吕欣", 200, "520.00", "3楼", "", ""),
        ("cx-caihong", "城西彩虹舞蹈培训中心", "R", "西山路 199 号西城印象广场 4 楼", "苏燕", "卢倩", 100, "420.00", "4楼", "", ""),
        ("cx-linli", "城西邻里小饭桌", "M", "锦绣路 12 号锦绣花园商铺 1 楼", "丁美华", "", 50, "180.00", "1楼", "",
         "明厨亮灶，食材进货查验台账完整，从业人员健康证齐全，拟推荐为“放心机构”。"),
        ("cx-shuxiang", "城西书香文化培训学校", "A", "和平路 120 号 2-3 楼", "潘建平", "杜娟", 240, "650.00", "2-3层", "school_permit=2026-08-31", ""),
        ("cx-jinxiu", "城西锦绣文化培训学校", "A", "锦绣路 66 号 2 楼", "魏国强", "任静", 160, "400.00", "2楼", "", ""),
        ("cx-yueqi", "城西乐器之家音乐培训中心", "R", "新华路 101 号 2 楼", "姜涛", "", 60, "220.00", "2楼", "", ""),
        ("cx-yuedong", "城西跃动跳绳体能培训中心", "S", "西山路 45 号 1 楼", "范磊", "石颖", 60, "350.00", "1楼", "", ""),
        ("cx-lvyin", "城西绿茵足球培训中心", "S", "建设西路 300 号城西体育场", "汪洋", "", 120, "2000.00", "1层", "", ""),
        ("cx-chenguang", "城西晨光托管中心", "T", "和平路 210 号 1 楼", "田丽", "", 45, "180.00", "1楼", "", ""),
        ("cx-anxin", "城西安心托管班", "T", "锦绣路 8 号 2 楼", "贾秀英", "", 30, "120.00", "2楼", "legal_entity=2026-12-09", ""),
        ("cx-jiachang", "城西家常味小饭桌", "M", "新华路 58 号 1 楼", "夏桂英", "", 35, "120.00", "1楼", "food=2026-09-30", ""),
        ("cx-xiaoniudun", "城西小牛顿科学实验培训中心", "K", "西山路 199 号西城印象广场 3 楼", "方浩", "金晶", 60, "240.00", "3楼", "school_permit=2026-12-23", ""),
        ("cx-zhishu", "城西知书达礼国学礼仪培训中心", "N", "和平路 33 号 3 楼", "邹文", "", 40, "150.00", "3楼", "", ""),
        ("cx-huiben", "城西童趣绘本阅读馆", "O", "新华路 12 号 1 楼", "陆佳", "", 40, "160.00", "1楼", "", ""),
        ("cx-jiajiao", "城西家庭教育指导服务中心", "O", "建设西路 20 号 5 楼", "严华", "孔静", 30, "120.00", "5楼", "legal_entity=2026-03-31", ""),
        ("cx-hanmo", "城西翰墨书法培训中心", "R", "锦绣路 100 号 2 楼", "孟凡", "", 40, "140.00", "2楼", "", ""),
    ],
    "330199003": [  # 南湖街道
        ("nh-qiushi", "南湖求是文化培训学校", "A", "南湖大道 168 号南湖商厦 4 楼", "钟伟", "汤莉", 220, "560.00", "4楼", "", ""),
        ("nh-mama", "南湖妈妈味道小饭桌", "M", "荷花路 23 号 1 楼", "黎淑芬", "", 50, "170.00", "1楼", "", ""),
        ("nh-jiayuan", "南湖佳苑家庭托管点", "T", "湖滨小区 7 幢 302 室", "", "常红", 25, "95.00", "3楼", "unreg",
         "位于住宅小区居民楼内，未办理营业执照；由家长反映、南湖街道核实。"),
        ("nh-feiyue", "南湖飞跃跆拳道培训中心", "S", "月湖路 88 号地下一层", "武刚", "", 80, "450.00", "负1层", "", "场馆位于地下一层。"),
        ("nh-shuxiang", "南湖书香托管中心", "T", "南苑路 15 号 1-2 楼", "乔丽华", "白雪", 60, "300.00", "1-2层", "+fire",
         "接送登记、午休看护和食品留样制度完善，拟推荐为“放心机构”。"),
        ("nh-xingchen", "南湖星辰科技创新培训中心", "K", "南湖大道 300 号 2 楼", "程亮", "葛敏", 70, "260.00", "2楼", "", ""),
        ("nh-hehua", "南湖荷花美术培训中心", "R", "荷花路 60 号 2 楼", "傅婷", "", 50, "180.00", "2楼", "school_permit=2026-05-20", ""),
        ("nh-yuehu", "南湖月湖音乐培训学校", "R", "月湖路 12 号 3 楼", "崔建", "康琳", 100, "360.00", "3楼", "", ""),
        ("nh-yinqiu", "南湖银球乒乓球培训中心", "S", "湖滨路 56 号 2 楼", "毛勇", "", 50, "400.00", "2楼", "", ""),
        ("nh-hongwen", "南湖弘文教育培训学校", "A", "湖滨路 200 号 3 楼", "邱建华", "秦雪", 180, "480.00", "3楼", "legal_entity=2026-12-12", ""),
        ("nh-hupan", "南湖湖畔小饭桌", "M", "湖滨路 18 号 1 楼", "江桂兰", "", 40, "130.00", "1楼", "food=2026-12-20", ""),
        ("nh-tongle", "南湖童乐托管班", "T", "荷花路 5 号 2 楼", "史慧", "", 35, "140.00", "2楼", "", ""),
        ("nh-xueyou", "南湖学友托管中心", "T", "月湖路 66 号 1 楼", "顾强", "顾敏", 50, "200.00", "1楼", "", ""),
        ("nh-qingshang", "南湖情商成长培训中心", "N", "南苑路 88 号 3 楼", "侯静", "", 30, "120.00", "3楼", "", ""),
        ("nh-boya", "南湖博雅共享自习室", "O", "南湖大道 168 号南湖商厦 5 楼", "邵峰", "", 60, "260.00", "5楼", "", ""),
        ("nh-xiangshu", "南湖小橡树亲子成长中心", "O", "荷花路 90 号 1 楼", "龚丽", "", 40, "280.00", "1楼", "", ""),
        ("nh-yudong", "南湖羽动羽毛球培训中心", "S", "南苑路 200 号南湖全民健身中心", "尹强", "", 60, "1100.00", "1层", "-school_permit",
         "非学科类培训机构设立申请已受理，审批中。"),
    ],
    "330199004": [  # 北苑街道
        ("by-haoxue", "北苑好学小饭桌", "M", "北辰路 36 号 1-2 楼", "雷小芳", "", 40, "200.00", "1-2层", "", ""),
        ("by-xiangyang", "北苑向阳托管班", "T", "北苑新村 12 幢 1 楼", "贺春梅", "", 45, "180.00", "1楼", "",
         "位于居民楼底层，仅一条疏散通道。联合执法检查发现消防通道被杂物堵塞，整改期限内仅作简单清理，"
         "通道狭窄、易堵塞的问题未根本解决。"),
        ("by-weiqi", "北苑少儿围棋培训中心", "S", "体育馆路 18 号 2 楼", "梁文博", "", 60, "220.00", "2楼", "+fire",
         "课程、收费和师资信息公开，退费及时，拟推荐为“放心机构”。"),
        ("by-zhiyuan", "北苑致远教育培训学校", "A", "北苑路 99 号 3 楼", "宋建国", "熊丽", 200, "500.00", "3楼", "legal_entity=2026-07-31",
         "民办非企业单位登记证书已过有效期，未办理换证。"),
        ("by-jianer", "北苑健儿武术培训中心", "S", "丰收路 55 号 1 楼", "项伟", "", 50, "300.00", "1楼", "", ""),
        ("by-liyuan", "北苑梨园少儿戏曲培训中心", "R", "北辰路 120 号 2 楼", "薛红", "", 40, "160.00", "2楼", "", ""),
        ("by-yinhe", "北苑银河航模科技培训中心", "K", "银河路 28 号 2 楼", "戴明", "", 40, "180.00", "2楼", "", ""),
        ("by-haohuoban", "北苑好伙伴托管中心", "T", "丰收路 9 号 2 楼", "蔡红", "", 50, "220.00", "2楼", "", ""),
        ("by-tongxin", "北苑童心托管班", "T", "银河路 60 号 1 楼", "余芳", "", 30, "120.00", "1楼", "", ""),
        ("by-nuanxin", "北苑暖心小饭桌", "M", "北苑路 18 号 1 楼", "潘桂珍", "", 40, "150.00", "1楼", "food=2026-12-03", ""),
        ("by-jiahe", "北苑家和小饭桌", "M", "北苑新村 3 幢底商 2 号", "胡美玲", "", 30, "110.00", "1楼", "-food",
         "食品经营许可申请材料已提交，待现场核查。"),
        ("by-bowen", "北苑博文文化培训学校", "A", "北辰路 200 号 2 楼", "卢志明", "段丽", 150, "380.00", "2楼", "", ""),
        ("by-qicai", "北苑七彩美术培训中心", "R", "体育馆路 66 号 3 楼", "庞丽", "", 45, "150.00", "3楼", "", ""),
        ("by-chengzhang", "北苑成长心理咨询服务中心", "O", "北苑路 150 号 4 楼", "陶静", "", 20, "100.00", "4楼", "", ""),
        ("by-ziran", "北苑自然探索营地教育中心", "N", "银河路 200 号 1 楼", "储强", "", 60, "500.00", "1楼", "", ""),
        ("by-lunhua", "北苑风火轮轮滑培训中心", "S", "体育馆路 8 号北苑体育馆西侧", "鲁峰", "", 60, "800.00", "1层", "", ""),
    ],
    "330199005": [  # 文昌街道
        ("wc-moxiang", "文昌墨香书画工作室", "R", "书院街 18 号 2 楼", "柳青", "", 30, "110.00", "2楼", "-school_permit",
         "营业执照经营范围为文化艺术交流活动策划。"),
        ("wc-lexue", "文昌乐学托管中心", "T", "学府路 58 号 2-3 楼", "甘秀梅", "唐俊", 70, "320.00", "2-3层", "", ""),
        ("wc-weilai", "文昌未来科技创新培训中心", "K", "桂香路 100 号科技大厦 6 楼", "殷俊", "", 80, "300.00", "6楼", "+fire", ""),
        ("wc-shuyuan", "文昌书院文化培训学校", "A", "文昌路 66 号 3 楼", "欧阳明", "林晓", 200, "520.00", "3楼", "", ""),
        ("wc-xuefu", "文昌学府教育培训学校", "A", "学府路 8 号 2 楼", "易建", "卓娜", 160, "420.00", "2楼", "", ""),
        ("wc-guixiang", "文昌桂香小饭桌", "M", "桂香路 12 号 1 楼", "莫秀珍", "", 40, "140.00", "1楼", "", ""),
        ("wc-xuezi", "文昌学子小饭桌", "M", "状元巷 6 号 1 楼", "聂红", "", 35, "120.00", "1楼", "food=2026-11-10", ""),
        ("wc-shutong", "文昌小书童托管班", "T", "状元巷 20 号 2 楼", "向丽", "", 30, "130.00", "2楼", "", ""),
        ("wc-pugongying", "文昌蒲公英舞蹈培训中心", "R", "文昌路 120 号 4 楼", "欧娟", "", 80, "360.00", "4楼", "", ""),
        ("wc-yayun", "文昌雅韵古筝培训中心", "R", "书院街 40 号 2 楼", "华琳", "", 30, "100.00", "2楼", "", ""),
        ("wc-zhuifeng", "文昌追风少儿足球培训中心", "S", "学府路 200 号文昌体育公园", "符勇", "", 80, "1500.00", "1层", "", ""),
        ("wc-mashang", "文昌码上少儿编程培训中心", "K", "桂香路 100 号科技大厦 8 楼", "柯明", "", 40, "150.00", "8楼", "", ""),
        ("wc-shuye", "文昌书页共享自习室", "O", "文昌路 66 号 5 楼", "施磊", "", 70, "280.00", "5楼", "legal_entity=2026-12-15", ""),
        ("wc-qisehua", "文昌七色花托管中心", "T", "学府路 120 号 1-2 楼", "詹丽", "", 50, "240.00", "1-2层", "", ""),
        ("wc-caishang", "文昌少儿财商启蒙培训中心", "N", "桂香路 66 号 3 楼", "房磊", "", 30, "100.00", "3楼", "", ""),
    ],
    "330199101": [  # 青山镇
        ("qs-yuying", "青山镇育英文化培训学校", "A", "青山大道 58 号 2 楼", "骆建华", "翁丽", 160, "400.00", "2楼", "", ""),
        ("qs-nuanyang", "青山镇暖阳小饭桌", "M", "镇南路 16 号 1 楼", "龙秀英", "", 40, "150.00", "1楼", "", ""),
        ("qs-qiming", "青山镇启明教育培训学校", "A", "新街 30 号 3 楼", "柏志强", "古丽", 120, "300.00", "3楼", "", ""),
        ("qs-xiaoshulin", "青山镇小树林托管班", "T", "中心街 55 号 2 楼", "祝春花", "", 35, "150.00", "2楼", "", ""),
        ("qs-yulu", "青山镇阳光雨露托管中心", "T", "工业路 12 号 1 楼", "舒桂兰", "", 40, "160.00", "1楼", "", ""),
        ("qs-longteng", "青山镇龙腾武术培训中心", "S", "青山大道 120 号 1 楼", "仇志勇", "", 60, "400.00", "1楼", "", ""),
        ("qs-moqu", "青山镇墨趣书法培训中心", "R", "新街 8 号 2 楼", "管文", "", 30, "100.00", "2楼", "", ""),
        ("qs-bailing", "青山镇小百灵音乐培训中心", "R", "中心街 88 号 2 楼", "单丽", "", 40, "130.00", "2楼", "", ""),
        ("qs-gongjiang", "青山镇小工匠科技培训中心", "K", "工业路 60 号 2 楼", "鲍军", "", 30, "150.00", "2楼", "", ""),
        ("qs-xiangwei", "青山镇乡味小饭桌", "M", "新街 50 号 1 楼", "宁秀芳", "", 30, "100.00", "1楼", "", ""),
        ("qs-nongqu", "青山镇农趣研学基地", "O", "青山大道 500 号青山农场", "韦建", "路强", 100, "3000.00", "1层", "", ""),
        ("qs-liyi", "青山镇少儿礼仪培训中心", "N", "镇南路 30 号 2 楼", "蒲丽", "", 30, "100.00", "2楼", "", ""),
        ("qs-xiongying", "青山镇雄鹰篮球培训中心", "S", "青山大道 200 号镇文体中心", "邬刚", "", 50, "600.00", "1层", "school_permit=2026-10-15", ""),
    ],
    "330199102": [  # 溪口镇
        ("xk-xiaoshumiao", "溪口小树苗小饭桌", "M", "滨溪路 20 号 1 楼", "岑秀兰", "", 35, "120.00", "1楼", "", ""),
        ("xk-yuedu", "溪口悦读共享自习室", "O", "溪口大道 66 号 2 楼", "包磊", "", 50, "200.00", "2楼", "", ""),
        ("xk-axiang", "溪口老街阿香小饭桌", "M", "溪口老街 102 号", "", "邢香", 20, "80.00", "1楼", "unreg",
         "在自家住宅内为附近学生提供午餐，未办理营业执照和食品经营许可；由溪口镇巡查发现。"),
        ("xk-qinxue", "溪口勤学教育培训学校", "A", "溪口大道 100 号 3 楼", "翟建平", "翟丽", 120, "320.00", "3楼", "", ""),
        ("xk-baige", "溪口小白鸽托管班", "T", "镇北路 18 号 2 楼", "桂红", "", 30, "130.00", "2楼", "", ""),
        ("xk-caihongqiao", "溪口彩虹桥托管中心", "T", "滨溪路 60 号 1-2 楼", "戚美华", "", 45, "220.00", "1-2层", "", ""),
        ("xk-tiane", "溪口小天鹅舞蹈培训中心", "R", "溪口大道 88 号 3 楼", "伍丽", "", 50, "240.00", "3楼", "", ""),
        ("xk-xuanfeng", "溪口小旋风乒乓球培训中心", "S", "镇北路 50 号 2 楼", "褚强", "", 40, "300.00", "2楼", "school_permit=2026-11-30", ""),
        ("xk-xinghuo", "溪口星火科技培训中心", "K", "溪口大道 120 号 2 楼", "靳明", "", 30, "120.00", "2楼", "", ""),
        ("xk-fangxuele", "溪口放学乐小饭桌", "M", "镇北路 6 号 1 楼", "应桂芳", "", 30, "110.00", "1楼", "", ""),
        ("xk-qinzi", "溪口亲子绘本馆", "O", "溪口老街 30 号 1 楼", "裘丽", "", 30, "120.00", "1楼", "", ""),
        ("xk-chenxing", "溪口晨星托管班", "T", "溪口大道 210 号 2 楼", "芦秀英", "", 30, "120.00", "2楼", "", ""),
    ],
    "330199201": [  # 白石乡
        ("bs-chunmiao", "白石乡春苗托管班", "T", "白石街 26 号 1-2 楼", "章秀芳", "", 40, "200.00", "1-2层", "", ""),
        ("bs-shiqiao", "白石乡石桥村家庭托管点", "T", "石桥路石桥村 58 号", "", "仲桂兰", 15, "90.00", "1-2层", "unreg",
         "村民自建房内看护放学儿童，未办理营业执照；由白石乡巡查发现。"),
        ("bs-zhixing", "白石乡知行文化培训学校", "A", "乡政府路 18 号 2 楼", "季建国", "季红", 80, "220.00", "2楼", "", ""),
        ("bs-nongjia", "白石乡农家小饭桌", "M", "白石街 8 号 1 楼", "凌秀英", "", 30, "100.00", "1楼", "", ""),
        ("bs-lexiang", "白石乡乐享小饭桌", "M", "乡政府路 40 号 1 楼", "蓝桂花", "", 25, "90.00", "1楼", "", ""),
        ("bs-zhuimeng", "白石乡追梦足球培训中心", "S", "乡政府路 60 号乡文化站旁", "滕飞", "", 40, "800.00", "1层", "", ""),
        ("bs-shanhua", "白石乡山花美术培训中心", "R", "白石街 50 号 2 楼", "禹霞", "", 30, "100.00", "2楼", "", ""),
        ("bs-chayi", "白石乡少儿茶艺培训中心", "N", "石桥路 12 号 2 楼", "宫丽", "", 20, "80.00", "2楼", "", ""),
        ("bs-nonggeng", "白石乡农耕研学实践中心", "O", "白石村 1 号", "荣建", "", 80, "2000.00", "1层", "-legal_entity",
         "营业执照副本待补录。"),
        ("bs-xiaojiaoya", "白石乡小脚丫托管班", "T", "石桥路 30 号 1 楼", "边春燕", "", 25, "100.00", "1楼", "", ""),
    ],
}
# fmt: on

# --- Building the records ----------------------------------------------------------------------------------------------

_CODE_DIGITS = 7  # organisation part = a 2-letter prefix + 7 characters derived from the key


def _credit_code(key: str, prefix: str) -> str:
    """A valid, stable code: "52" (民办非企业单位) or "91" (企业) + area + MJ/MA + 7 characters from the key."""
    n = zlib.crc32(key.encode()) % len(ALPHABET) ** _CODE_DIGITS
    chars = []
    for _ in range(_CODE_DIGITS):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    body = prefix + DISTRICT_CODE + ("MJ" if prefix == "52" else "MA") + "".join(reversed(chars))
    return body + check_char(body)


def _add_years(day: date, years: int) -> date:
    return day.replace(year=day.year + years)  # never a 29 February here


def _default_issue(key: str, kind: str, first_year: int, span: int) -> date:
    seed = zlib.crc32(f"{key}:{kind}".encode())
    return date(first_year + seed % span, 3 + (seed // 7) % 9, 1 + (seed // 97) % 28)


def _validity_years(kind: str, prefix: str) -> int:
    # 营业执照 of a company: a 10-year operating term (营业期限); 民非登记证书, permits and food licences: 5 years.
    return 10 if kind == "legal_entity" and prefix == "91" else 5


_ISSUERS = {
    "school_permit": {"academic": "青岚区教育局", "non_academic": "青岚区行政审批局"},
    "legal_entity": {"91": "青岚区市场监督管理局", "52": "青岚区民政局"},
    "food": "青岚区市场监督管理局",
    "fire": "青岚区消防救援大队",
    "other": "青岚区文化和广电旅游体育局",
}


def _licence(
    key: str, kind: str, institution_kind: str, prefix: str, code: str, until: date | None, seq: dict[str, int]
) -> dict[str, Any]:
    seq[kind] = seq.get(kind, 0) + 1
    n = seq[kind]
    years = _validity_years(kind, prefix)
    if until is None:
        # issued 2017–2025 (10-year terms) or 2022–2025 (5-year terms), March–November: valid until 2027-02 at least
        first_year, span = (2017, 9) if years == 10 else (2022, 4)
        issue = _default_issue(key, kind, first_year, span)
        until = _add_years(issue, years) - timedelta(days=1)
    else:
        issue = _add_years(until, -years) + timedelta(days=1)
    if kind == "school_permit":
        number = f"教民1{DISTRICT_CODE}7{n:07d}号"
        issuer = _ISSUERS["school_permit"][institution_kind]
    elif kind == "legal_entity":
        number = code  # 营业执照 and 民非登记证书 carry the unified social credit code as their number
        issuer = _ISSUERS["legal_entity"][prefix]
    elif kind == "food":
        number = f"JY1{DISTRICT_CODE}{n:07d}"
        issuer = _ISSUERS["food"]
    elif kind == "fire":
        number = f"青消安检字〔{issue.year}〕第{n:04d}号"
        issuer = _ISSUERS["fire"]
    else:  # 高危险性体育项目经营许可证 (swimming)
        number = f"青体高危许字〔{issue.year}〕第{n:03d}号"
        issuer = _ISSUERS["other"]
    return {
        "kind": kind,
        "number": number,
        "issuer": issuer,
        "issue_date": issue.isoformat(),
        "valid_until": until.isoformat(),
    }


_LICENCE_ORDER = ("school_permit", "legal_entity", "food", "fire", "other")


def _build() -> list[dict[str, Any]]:
    campaign = set(CAMPAIGN_SITES)
    seq: dict[str, int] = {}
    records = []
    phone = 1000
    for street_code, rows in _ROWS.items():
        street_name = STREET_NAMES[street_code]
        for key, name, kind_code, address, legal, contact, capacity, area, floors, plan, notes in rows:
            kind, sub_kind = _KINDS[kind_code]
            tokens = plan.split()
            phone += 1
            unregistered = "unreg" in tokens
            prefix = "52" if name.endswith("学校") else "91"
            code = None if unregistered else _credit_code(key, prefix)
            licences = []
            if not unregistered:
                held = set(REQUIRED_LICENCES[kind])
                held |= {t[1:] for t in tokens if t.startswith("+")}
                held -= {t[1:] for t in tokens if t.startswith("-")}
                until = {k: date.fromisoformat(v) for k, v in (t.split("=") for t in tokens if "=" in t)}
                licences = [
                    _licence(key, k, kind, prefix, code or "", until.get(k), seq) for k in _LICENCE_ORDER if k in held
                ]
            records.append(
                {
                    "key": key,
                    "name": name,
                    "credit_code": code,
                    "kind": kind,
                    "sub_kind": sub_kind,
                    "street_code": street_code,
                    "address": f"{street_name}{address}",
                    "legal_representative": legal,
                    "contact_person": contact or legal,
                    "contact_phone": f"1380000{phone:04d}",
                    "capacity": capacity,
                    "floor_area": area,
                    "floors": floors,
                    "notes": notes,
                    "status": "unregistered" if unregistered else "normal",
                    "campaign": key in campaign,
                    "licences": licences,
                }
            )
    return records


INSTITUTIONS: list[dict[str, Any]] = _build()
