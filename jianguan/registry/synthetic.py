"""Synthetic institutions for load tests and benchmarks: `manage.py generate_synthetic` and `benchmarks/`.

Fills the registry quickly with realistic but invented institutions of the demo district: Chinese names built from
word lists, addresses in the demo streets, kinds and sub-kinds, operating statuses, valid unified social credit codes
for most of them (unique, built from a running number so they never collide), and one or two licences each whose
valid-until dates are spread so that some have expired and some are expiring.

Everything is drawn from ``random.Random`` seeded with the seed given, so the same seed gives the same rows.

Synthetic bulk data is deliberately NOT audited: it is test data loaded by an operator, not a user's change to the
registry, and writing 100,000 hash-chained audit events would measure the audit chain rather than the registry. The
rows are written with ``bulk_create`` (no services, no ``full_clean``), which is why this module must never be used
for real data. Every synthetic institution carries ``SYNTHETIC_NOTE`` in its notes, which is how they are recognised.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jianguan.lib.creditcode import ALPHABET, check_char
from jianguan.org.models import Region
from jianguan.org.selectors import streets
from jianguan.registry.choices import InstitutionKind, InstitutionSubKind, LicenceKind, OperatingStatus
from jianguan.registry.models import Institution, Licence, pinyin_initials
from jianguan.registry.search import name_latin
from jianguan.registry.selectors import licence_cover, licence_requirements

__all__ = ["BATCH_SIZE", "SYNTHETIC_NOTE", "SyntheticDataExists", "generate", "synthetic_count"]

SYNTHETIC_NOTE = "【合成测试数据】由 generate_synthetic 生成，非真实机构，未记入审计日志。"
BATCH_SIZE = 5_000
DISTRICT_CODE = "330199"  # the demo district's division code, positions 3–8 of the credit codes

# Positions 1–2 and 9–10 of the credit codes: enterprises (91…MA) and private non-enterprise units (52…MJ, most
# private schools). Positions 11–17 are a scrambled running number, so codes are unique and look random.
CODE_PREFIXES = (f"91{DISTRICT_CODE}MA", f"52{DISTRICT_CODE}MJ")
_CODE_SPACE = len(ALPHABET) ** 7
_CODE_MULTIPLIER = 1_000_003  # coprime with 31**7: i ↦ (i·m + c) mod 31**7 is a bijection
_CODE_OFFSET = 7_654_321

PLACES = ["青岚", "城东", "城西", "南湖", "北苑", "青山", "白石", "湖滨", "文昌", "翠苑", "金桥", "新城", ""]
BRAND_FIRST = [
    "启", "星", "阳", "快", "跃", "晨", "博", "智", "新", "未", "育", "明", "思", "乐", "金", "七", "童", "彩", "蓝",
    "春", "雏", "远", "卓", "优", "英", "励", "翰", "书", "墨", "百", "和", "知", "致", "求", "佳", "精", "晶", "嘉",
    "京", "锦", "君", "九", "聚", "俊", "天", "华", "光", "宏", "鸿", "瑞", "腾", "悦", "雅", "睿", "沐", "朗", "弘",
]  # fmt: skip
BRAND_SECOND = [
    "航", "语", "光", "乐", "动", "曦", "雅", "慧", "星", "来", "才", "德", "源", "学", "辰", "彩", "心", "虹", "天",
    "苗", "鹰", "帆", "越", "才", "华", "志", "林", "香", "韵", "灵", "美", "行", "远", "知", "音", "英", "晶", "禾",
    "翼", "程", "桥", "成", "途", "思", "阳", "宇", "峰", "博", "言", "文", "艺", "趣", "优", "杰", "尚", "逸", "泽",
]  # fmt: skip
CATEGORIES = {
    InstitutionKind.ACADEMIC: [
        ("", "教育培训学校"), ("", "培训学校"), ("", "学科辅导中心"), ("", "教育培训中心"), ("", "文化培训学校"),
        ("", "英语培训学校"), ("", "数学培训中心"), ("", "作文培训中心"), ("", "教育"),
    ],
    InstitutionKind.NON_ACADEMIC: [
        (InstitutionSubKind.SPORTS, "体育培训中心"), (InstitutionSubKind.SPORTS, "篮球俱乐部"),
        (InstitutionSubKind.SPORTS, "跆拳道馆"), (InstitutionSubKind.SPORTS, "游泳培训中心"),
        (InstitutionSubKind.SPORTS, "足球训练营"), (InstitutionSubKind.SPORTS, "轮滑俱乐部"),
        (InstitutionSubKind.ARTS, "艺术培训中心"), (InstitutionSubKind.ARTS, "美术工作室"),
        (InstitutionSubKind.ARTS, "舞蹈培训学校"), (InstitutionSubKind.ARTS, "钢琴艺术中心"),
        (InstitutionSubKind.ARTS, "书法培训中心"), (InstitutionSubKind.ARTS, "声乐艺术学校"),
        (InstitutionSubKind.SCIENCE, "科技培训中心"), (InstitutionSubKind.SCIENCE, "机器人编程中心"),
        (InstitutionSubKind.SCIENCE, "科创教育中心"), (InstitutionSubKind.OTHER, "口才培训中心"),
        (InstitutionSubKind.OTHER, "研学培训中心"), (InstitutionSubKind.OTHER, "围棋培训中心"),
    ],
    InstitutionKind.MEAL_CARE: [("", "小饭桌"), ("", "学生餐托中心"), ("", "午托部"), ("", "爱心小饭桌")],
    InstitutionKind.AFTER_SCHOOL: [("", "托管班"), ("", "托管中心"), ("", "学生托管服务部"), ("", "课后托管中心")],
    InstitutionKind.OTHER: [("", "家庭教育服务中心"), ("", "素质教育中心"), ("", "亲子成长中心")],
}  # fmt: skip
KIND_WEIGHTS = {
    InstitutionKind.ACADEMIC: 25,
    InstitutionKind.NON_ACADEMIC: 40,
    InstitutionKind.MEAL_CARE: 15,
    InstitutionKind.AFTER_SCHOOL: 15,
    InstitutionKind.OTHER: 5,
}
# Share of each kind that holds a unified social credit code (meal-care and after-school sites often have none).
CODE_SHARE = {
    InstitutionKind.ACADEMIC: 0.95,
    InstitutionKind.NON_ACADEMIC: 0.85,
    InstitutionKind.MEAL_CARE: 0.35,
    InstitutionKind.AFTER_SCHOOL: 0.45,
    InstitutionKind.OTHER: 0.6,
}
STATUS_WEIGHTS = {
    OperatingStatus.NORMAL: 880,
    OperatingStatus.STOP_ENROLLING: 35,
    OperatingStatus.SUSPENDED: 30,
    OperatingStatus.LICENCE_REVOKED: 10,
    OperatingStatus.BANNED: 10,
    OperatingStatus.DEREGISTERED: 25,
    OperatingStatus.UNREGISTERED: 10,
}
BRANCHES = ["分校", "校区", "分部", "教学点"]
ROADS = [
    "文昌路", "和平路", "育才巷", "湖滨路", "中心街", "人民路", "解放路", "建设路", "青年路", "学府路", "体育馆路",
    "新华路", "滨江路", "东风路", "幸福路", "长安街", "春晖路", "丰收路", "钟楼巷", "石桥路", "光明路", "翠柳街",
    "朝阳路", "南湖大道", "北苑路", "青山大道", "白石街", "银杏路", "桂花巷", "香樟路",
]  # fmt: skip
ESTATES = ["湖滨小区", "翠苑新村", "阳光花园", "金桥公寓", "文昌苑", "和平里", "幸福家园", "银杏小区", "春晖苑"]
BUILDINGS = ["商业楼", "综合楼", "文化中心", "商务大厦", "时代广场", "邻里中心"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彬鹏宇浩然欣怡子涵梓轩晨曦雨桐"
LICENCE_ISSUERS = {
    LicenceKind.SCHOOL_PERMIT: "青岚区教育局",
    LicenceKind.LEGAL_ENTITY: "青岚区市场监督管理局",
    LicenceKind.FOOD: "青岚区市场监督管理局",
    LicenceKind.FIRE: "青岚区消防救援大队",
    LicenceKind.OTHER: "青岚区人民政府",
}
# What each kind must hold (the migration's default requirements), used to give most institutions complete licences.
REQUIRED = {
    InstitutionKind.ACADEMIC: [LicenceKind.SCHOOL_PERMIT, LicenceKind.LEGAL_ENTITY],
    InstitutionKind.NON_ACADEMIC: [LicenceKind.SCHOOL_PERMIT, LicenceKind.LEGAL_ENTITY],
    InstitutionKind.MEAL_CARE: [LicenceKind.LEGAL_ENTITY, LicenceKind.FOOD],
    InstitutionKind.AFTER_SCHOOL: [LicenceKind.LEGAL_ENTITY],
    InstitutionKind.OTHER: [LicenceKind.LEGAL_ENTITY],
}


class SyntheticDataExists(RuntimeError):
    """Synthetic institutions are already there and appending was not asked for."""


def synthetic_count() -> int:
    return Institution.objects.filter(notes=SYNTHETIC_NOTE).count()


def credit_code(prefix: str, number: int) -> str:
    """A valid code from a 10-character prefix and a running number (distinct numbers give distinct codes)."""
    n = (number * _CODE_MULTIPLIER + _CODE_OFFSET) % _CODE_SPACE
    digits = []
    for _ in range(7):
        n, r = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[r])
    body = prefix + "".join(reversed(digits))
    return body + check_char(body)


class _Names:
    """Institution and person names, addresses and phone numbers drawn from the word lists."""

    def __init__(self, rng: random.Random, street_names: dict[int, str]) -> None:
        self.rng = rng
        self.street_names = street_names
        self.seen: set[tuple[str, int]] = set()

    def institution(self, kind: str, street_id: int) -> tuple[str, str]:
        rng = self.rng
        for attempt in range(50):
            sub_kind, category = rng.choice(CATEGORIES[kind])
            brand = rng.choice(BRAND_FIRST) + rng.choice(BRAND_SECOND)
            if rng.random() < 0.25:
                brand += rng.choice(BRAND_SECOND)
            # Most names start with their own street's name (城东…), some with the district's or a landmark's.
            place = self.street_names[street_id][:2] if rng.random() < 0.5 else rng.choice(PLACES)
            name = place + brand + category
            if attempt > 5 or rng.random() < 0.04:  # a branch: 某某培训学校（城东分校）
                branch = self.street_names[street_id][:2] if attempt < 20 else f"第{rng.randint(2, 99)}"
                name += f"（{branch}{rng.choice(BRANCHES)}）"
            if (name, street_id) not in self.seen:
                self.seen.add((name, street_id))
                return name, sub_kind
        return name, sub_kind  # a duplicate name in a street is allowed (real registries have them)

    def person(self) -> str:
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def address(self, street_id: int) -> str:
        rng = self.rng
        street = self.street_names[street_id]
        roll = rng.random()
        if roll < 0.5:
            return f"{street}{rng.choice(ROADS)} {rng.randint(1, 399)} 号{rng.choice(['', f' {rng.randint(1, 6)} 楼'])}"
        if roll < 0.8:
            return f"{street}{rng.choice(ESTATES)} {rng.randint(1, 30)} 幢 {rng.randint(1, 6)}0{rng.randint(1, 4)} 室"
        return f"{street}{rng.choice(ROADS)}{rng.choice(BUILDINGS)} {rng.randint(2, 12)} 楼 {rng.randint(201, 1299)} 室"

    def phone(self) -> str:
        rng = self.rng
        if rng.random() < 0.75:
            return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
        return f"0571-8{rng.randint(0, 9_999_999):07d}"


def _ensure_streets(log: Callable[..., Any]) -> list[Region]:
    found = list(streets().order_by("code"))
    if not found:
        from jianguan.accounts.demo import demo_admin
        from jianguan.org.demo import load_demo_org

        log("没有街道/乡镇：先建立示范区的街道、部门和职责分工。")
        load_demo_org(actor=demo_admin()[0])
        found = list(streets().order_by("code"))
    return found


def _licence_dates(rng: random.Random, kind: str, today: date) -> tuple[date | None, date | None]:
    """(issue_date, valid_until): about 8 % expired, 5 % expiring within 30 days, business licences often 长期."""
    if kind == LicenceKind.LEGAL_ENTITY and rng.random() < 0.45:
        return today - timedelta(days=rng.randint(60, 3650)), None
    roll = rng.random()
    if roll < 0.08:
        valid_until = today - timedelta(days=rng.randint(1, 900))
    elif roll < 0.13:
        valid_until = today + timedelta(days=rng.randint(0, 30))
    else:
        valid_until = today + timedelta(days=rng.randint(31, 1800))
    issue_date = valid_until - timedelta(days=365 * rng.choice([3, 4, 5]))
    if issue_date > today:
        issue_date = today - timedelta(days=rng.randint(1, 365))
    return issue_date, valid_until


def _licence_number(rng: random.Random, kind: str, code: str | None) -> str:
    if kind == LicenceKind.SCHOOL_PERMIT:
        return f"教民1{DISTRICT_CODE}{rng.randint(0, 99_999_999):08d}号"
    if kind == LicenceKind.LEGAL_ENTITY:
        return code or f"92{DISTRICT_CODE}{rng.randint(0, 10**9 - 1):09d}"
    if kind == LicenceKind.FOOD:
        return f"JY{rng.choice('23')}{DISTRICT_CODE}{rng.randint(0, 10**7 - 1):07d}"
    if kind == LicenceKind.FIRE:
        return f"青消安检字〔{rng.randint(2021, 2026)}〕第{rng.randint(1, 9999):04d}号"
    return f"QL{rng.randint(0, 10**8 - 1):08d}"


def _rows(
    n: int, rng: random.Random, street_list: list[Region], first_number: int, taken_codes: set[str], today: date
) -> Iterator[tuple[Institution, list[dict[str, Any]]]]:
    """Yields (unsaved institution, its licences as field dicts)."""
    names = _Names(rng, {s.pk: s.name for s in street_list})
    street_ids = [s.pk for s in street_list]
    street_weights = [3 if s.level == "street" else 1 for s in street_list]
    kinds, kind_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    statuses, status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    now = timezone.now()
    number = first_number
    for _ in range(n):
        kind = rng.choices(kinds, kind_weights)[0]
        street_id = rng.choices(street_ids, street_weights)[0]
        name, sub_kind = names.institution(kind, street_id)
        status = rng.choices(statuses, status_weights)[0]
        code = None
        if status != OperatingStatus.UNREGISTERED and rng.random() < CODE_SHARE[kind]:
            while code is None or code in taken_codes:
                school = kind in (InstitutionKind.ACADEMIC, InstitutionKind.NON_ACADEMIC) and rng.random() < 0.5
                code = credit_code(CODE_PREFIXES[1] if school else CODE_PREFIXES[0], number)
                number += 1
        created = now - timedelta(seconds=rng.randint(0, 5 * 365 * 86400))
        institution = Institution(
            name=name,
            credit_code=code,
            kind=kind,
            sub_kind=sub_kind,
            street_id=street_id,
            address=names.address(street_id),
            legal_representative=names.person(),
            contact_person=names.person() if rng.random() < 0.6 else "",
            contact_phone=names.phone(),
            capacity=None if rng.random() < 0.1 else rng.randint(10, 400),
            floor_area=None if rng.random() < 0.15 else Decimal(rng.randint(3_000, 200_000)) / 100,
            floors=rng.choice(["", "1 楼", "2 楼", "3 楼", "1-2 楼", "4 楼", "负一楼", "2-3 楼"]),
            status=status,
            notes=SYNTHETIC_NOTE,
            pinyin_initials=pinyin_initials(name)[:100],
            name_latin=name_latin(name),
            created_at=created,
        )
        licences = []
        if status != OperatingStatus.UNREGISTERED:
            wanted = [k for k in REQUIRED[kind] if rng.random() < 0.93]  # some lack a required licence
            if len(wanted) < 2 and rng.random() < 0.3:
                wanted.append(LicenceKind.FIRE)
            for lic_kind in wanted:
                issue_date, valid_until = _licence_dates(rng, lic_kind, today)
                licences.append(
                    {
                        "kind": lic_kind,
                        "number": _licence_number(rng, lic_kind, code),
                        "issuer": LICENCE_ISSUERS[lic_kind],
                        "issue_date": issue_date,
                        "valid_until": valid_until,
                        "created_at": max(
                            created, timezone.make_aware(datetime.combine(issue_date, datetime.min.time()))
                        ),
                    }
                )
        yield institution, licences


def generate(
    n: int,
    seed: int = 1,
    *,
    append: bool = False,
    today: date | None = None,
    log: Callable[..., Any] = print,
) -> int:
    """Create `n` synthetic institutions (with their licences) in batches of BATCH_SIZE; returns how many.

    Refuses with SyntheticDataExists when synthetic institutions are already there, unless `append`. Not audited:
    see the module docstring.
    """
    existing = synthetic_count()
    if existing and not append:
        raise SyntheticDataExists(
            f"已有 {existing:,} 家合成机构（备注为“{SYNTHETIC_NOTE}”）。再次生成会重复；如确需追加，请使用 --append。"
        )
    today = today or timezone.localdate()
    street_list = _ensure_streets(log)
    # Appending continues the running number behind the codes (and reseeds), so codes and names do not repeat.
    taken: set[str] = set()
    if existing:
        prefixed = Q(credit_code__startswith=CODE_PREFIXES[0]) | Q(credit_code__startswith=CODE_PREFIXES[1])
        taken = set(Institution.objects.filter(prefixed).values_list("credit_code", flat=True))
    rng = random.Random(f"jianguan-synthetic:{seed}:{existing}")  # noqa: S311 (test data, not secrets)
    start = time.perf_counter()
    created = licences = 0
    rows = _rows(n, rng, street_list, first_number=existing, taken_codes=taken, today=today)
    required = licence_requirements()
    while created < n:
        batch = [row for _, row in zip(range(min(BATCH_SIZE, n - created)), rows, strict=False)]
        for inst, lics in batch:
            inst.licence_missing, inst.licence_cover_until = licence_cover(
                inst.kind, [(lic["kind"], lic["valid_until"]) for lic in lics], required
            )
        with transaction.atomic():
            institutions = Institution.objects.bulk_create([inst for inst, _lic in batch], batch_size=BATCH_SIZE)
            licence_objs = [
                Licence(institution_id=inst.pk, **fields)
                for inst, (_unsaved, lics) in zip(institutions, batch, strict=True)
                for fields in lics
            ]
            Licence.objects.bulk_create(licence_objs, batch_size=BATCH_SIZE)
        created += len(batch)
        licences += len(licence_objs)
        log(f"  {created:,} / {n:,} 家机构，{licences:,} 张证照，{time.perf_counter() - start:.1f} s")
    return created
