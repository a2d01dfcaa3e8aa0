"""The speech's joint inspection campaign in the demo district: 22 sites inspected in October by mixed teams, with the
problems the speech reports (5 办学资质, 3 教学内容, 4 食品安全, 6 消防安全 — counted per institution), photos, and the
documents handed over on site. Told as a story (`jianguan.lib.story`): the demo loader replays each step through the
services with the clock at the moment it happened, so the records, documents and audit carry the on-site times.

Run by ``jianguan.demo.loader.load_demo`` after the registry and the accounts; skipped when the campaign exists.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from jianguan.accounts.models import User
from jianguan.inspections import services
from jianguan.inspections.models import Campaign
from jianguan.lib.story import Story, moment
from jianguan.org.models import Department
from jianguan.registry import demo_data
from jianguan.registry.models import Institution

CAMPAIGN_NAME = "校外培训机构联合执法检查"
CAMPAIGN_DESCRIPTION = (
    "对全区培训点（含小饭桌、托管班）开展全面排查，重点检查办学资质、教学内容、食品安全和消防安全；"
    "发现问题当场下达责令整改通知书，明确整改要求和期限。"
)
STARTS, ENDS = date(2026, 10, 12), date(2026, 11, 30)

# group → (team usernames, {item text prefix: note} to fail), in the order the campaign visits them
GROUPS: dict[str, tuple[tuple[str, str], dict[str, str]]] = {
    "unlicensed": (("edu1", "market1", "police1"), {}),
    "teaching": (("edu1", "edu2"), {"无超标超前培训": "五年级数学课讲授初中一元二次方程内容，教材为自编讲义，未备案"}),
    "food": (("market1", "edu2"), {}),
    "fire": (("fire1", "edu1"), {}),
    "clean": (("edu2", "fire1"), {}),
}
MEMBERS = {
    "unlicensed": demo_data.CAMPAIGN_UNLICENSED,
    "teaching": demo_data.CAMPAIGN_TEACHING,
    "food": demo_data.CAMPAIGN_FOOD,
    "fire": demo_data.CAMPAIGN_FIRE,
    "clean": demo_data.CAMPAIGN_CLEAN,
}
# What each unlicensed site fails (by item text prefix), or an ad-hoc finding when its checklist has no such item.
UNLICENSED_FAILS = {
    "cx-xiaomifeng": {"未以托管名义开展学科类培训": "以课后托管名义组织小学语文、数学、英语集体授课，每周五个晚上"},
    "nh-jiayuan": {
        "未以托管名义开展学科类培训": "居民住宅内招收 18 名小学生，托管期间集中讲授数学、英语",
        "取得营业执照或民办非企业单位登记证书": "未办理任何登记",
    },
    "wc-moxiang": {"按本地规定取得非学科类培训办学许可证或完成登记": "仅有营业执照（文化艺术交流），未取得办学许可"},
    "cd-xiaochuangke": {
        "按本地规定取得非学科类培训办学许可证或完成登记": "未取得办学许可，面向中小学生招收编程学员 40 余名",
        "取得营业执照或民办非企业单位登记证书": "未办理任何登记",
    },
}
HAOXUE_FINDING = "未取得办学许可，在小饭桌场所内开设小学数学、英语“提优班”，属变相开展学科类培训"
FOOD_FAILS = {
    "cd-aixin": {"食材来源可追溯": "冷藏柜生熟食材混放，部分食材无进货凭证"},
    "nh-mama": {"每餐次的成品按规定留样": "当日午餐未留样，无留样记录"},
    "qs-nuanyang": {"接触直接入口食品的从业人员持有效健康证明上岗": "1 名帮厨人员健康证明已过期"},
    "xk-xiaoshumiao": {"餐用具清洗消毒并保洁存放": "餐具未消毒，后厨无防蝇设施"},
}
FIRE_FAILS = {
    "by-xiangyang": {"疏散通道、安全出口畅通": "后门安全出口被杂物和电动车堵塞"},
    "wc-lexue": {"按规定配置灭火器": "3 具灭火器压力不足，1 具已过期"},
    "cd-mingde": {"应急照明灯具和疏散指示标志完好有效": "2 楼走廊疏散指示标志不亮"},
    "nh-feiyue": {"按规定配置灭火器": "教室内未配置灭火器"},
    "cx-caihong": {"电气线路规范敷设": "教室内私拉电线，插线板串接使用"},
    "xk-yuedu": {"疏散通道、安全出口畅通": "楼梯间堆放桌椅，疏散通道宽度不足"},
}
REFUSED = {"nh-jiayuan": "湖滨社区网格员 常海燕"}  # the representative refused to sign; the witness
# 教育部令第53号 第十七条 for the unlicensed sites: (a fixed site, two or more staff, organised teaching). All three:
# 擅自举办 (责令停止举办 and a case); fewer: 责令停止招生 (the speech's "3家违规办学机构停止招生").
ELEMENT_FIELDS = ("fixed_site", "two_or_more_staff", "organised_teaching")
ELEMENTS = {
    "cx-xiaomifeng": (True, False, True),  # one tutor in a 托管班
    "nh-jiayuan": (True, False, True),  # the owner alone, in her flat
    "wc-moxiang": (True, False, True),  # a one-person calligraphy studio
    "cd-xiaochuangke": (True, True, True),  # 40 pupils, four coding tutors, classes by level
}


def _photo(seed: int, taken: datetime) -> SimpleUploadedFile:
    """A stand-in for a camera photo: coloured shapes, EXIF capture time of the inspection."""
    rng = random.Random(seed)  # noqa: S311 (demo pictures)
    image = Image.new("RGB", (1024, 768), (rng.randrange(120, 200), rng.randrange(120, 200), rng.randrange(120, 200)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(0, 900), rng.randrange(0, 650)
        draw.rectangle(
            (x, y, x + rng.randrange(40, 200), y + rng.randrange(40, 160)), fill=tuple(rng.choices(range(256), k=3))
        )
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = timezone.localtime(taken).strftime("%Y:%m:%d %H:%M:%S")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif)
    return SimpleUploadedFile(f"IMG_{seed:04d}.jpg", out.getvalue(), "image/jpeg")


def campaign_schedule(today: date) -> dict[str, datetime]:
    """When each site's inspection starts (by `demo_data` key): one a working day from the day after the campaign
    starts, group by group, mornings and afternoons in turn."""
    day = STARTS + (today - demo_data.REFERENCE_DATE) + timedelta(days=1)
    schedule: dict[str, datetime] = {}
    for group in GROUPS:
        for key in MEMBERS[group]:
            while day.weekday() >= 5:
                day += timedelta(days=1)
            schedule[key] = moment(day, 9 + len(schedule) % 2 * 5, 30)
            day += timedelta(days=1)
    return schedule


def campaign_story(*, today: date) -> Story:
    """The campaign planned a week before it starts, then each inspection on its day: arrival, the checklist with
    photos of what fails, and the record completed 80 minutes later with its documents. Returns how many
    inspections were made."""
    if Campaign.objects.filter(name=CAMPAIGN_NAME).exists():
        return 0
    shift = today - demo_data.REFERENCE_DATE
    users = {
        u.username: u for u in User.objects.filter(username__in=["lead", "edu1", "edu2", "fire1", "market1", "police1"])
    }
    if len(users) < 6:
        return 0
    schedule = campaign_schedule(today)
    yield moment(STARTS + shift - timedelta(days=7), 15)
    keys = {row["key"]: row for row in demo_data.INSTITUTIONS}
    sites: dict[str, Institution] = {}
    for key in demo_data.CAMPAIGN_SITES:
        row = keys[key]
        lookup = {"credit_code": row["credit_code"]} if row["credit_code"] else {"name": row["name"]}
        sites[key] = Institution.objects.get(**lookup)
    departments = {d.short_name: d for d in Department.objects.all()}
    lead = users["lead"]
    campaign = services.campaign_create(
        actor=lead,
        name=CAMPAIGN_NAME,
        starts_on=STARTS + shift,
        ends_on=ENDS + shift,
        lead_department=departments["青教"],
        departments=[departments[s] for s in ("青消", "青市监", "青公")],
        description=CAMPAIGN_DESCRIPTION,
        institutions=list(sites.values()),
    )
    teams = {key: [users[n] for n in GROUPS[group][0]] for group in GROUPS for key in MEMBERS[group]}
    planned = {
        key: services.inspection_create(
            actor=lead, institution=sites[key], scheduled_at=start, officers=teams[key], campaign=campaign
        )
        for key, start in schedule.items()
    }
    yield moment(STARTS + shift, 8, 30)
    services.campaign_set_status(actor=lead, campaign=campaign, status="active")
    for key, start in schedule.items():
        group = next(g for g in GROUPS if key in MEMBERS[g])
        team, inspection, institution = teams[key], planned[key], sites[key]
        yield start
        services.inspection_start(actor=team[0], inspection=inspection)
        fails = {
            **GROUPS[group][1],
            **UNLICENSED_FAILS.get(key, {}),
            **FOOD_FAILS.get(key, {}),
            **FIRE_FAILS.get(key, {}),
        }
        for item in inspection.checklist_version.items.all():
            note = next((n for prefix, n in fails.items() if item.text.startswith(prefix)), None)
            result = services.result_record(
                actor=team[0], inspection=inspection, item=item, outcome="fail" if note else "pass", note=note or ""
            )
            if note:
                services.evidence_add(
                    actor=team[1],
                    inspection=inspection,
                    upload=_photo(inspection.pk * 100 + item.order, timezone.now()),
                    result=result,
                )
        if key == "by-haoxue":
            services.finding_add(
                actor=team[0],
                inspection=inspection,
                category="qualification",
                description=HAOXUE_FINDING,
                severity="severe",
                legal_basis="《校外培训行政处罚暂行办法》（教育部令第53号）第十八条；《中华人民共和国民办教育促进法》第十二条",
                remedy="stop_enrolling",
                order_basis="《校外培训行政处罚暂行办法》（教育部令第53号）第十八条",
                requirement="停止招收学科类“提优班”学员，退还所收培训费用，仅保留供餐看护服务",
                department=departments["青教"],
                period_days=1,
            )
        yield start + timedelta(minutes=80)
        witness = REFUSED.get(key, "")
        services.inspection_complete(
            actor=team[0],
            inspection=inspection,
            representative_name="" if witness else (institution.legal_representative or institution.contact_person),
            signature_refused=bool(witness),
            witness_name=witness,
            summary="检查组出示执法证件后，对照检查表逐项检查，现场拍照取证。",
            certificates_shown=True,
            recusal_requested=False,
            **dict(zip(ELEMENT_FIELDS, ELEMENTS.get(key, (None,) * 3), strict=True)),
        )
    return len(schedule)
