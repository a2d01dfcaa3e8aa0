"""The demo district's staff, courses, classes and prepaid charges, entered by the institutions a week before the
demo's day (the self-service drive the speech asked for), with a realistic handful of each rule's violations; and the
district's list of barred persons. Then the day's rule check (`load_demo` runs it after the stories).

Every record goes through the services (staff, courses, fees), so the audit chain holds them. Deterministic: the
same institutions get the same people; a second run finds them there and creates nothing.
"""

from __future__ import annotations

import zlib
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from stdnum.cn import ric

from jianguan.courses import services as courses
from jianguan.courses.choices import Mode
from jianguan.fees import services as fees
from jianguan.fees.choices import AccountKind
from jianguan.lib.story import Story, moment
from jianguan.registry.choices import InstitutionKind, OperatingStatus
from jianguan.registry.models import Institution
from jianguan.staff import services as staff
from jianguan.staff.choices import RecordCheckResult, StaffRole
from jianguan.staff.models import BarredPerson, StaffMember

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = [
    "晓明",
    "丽娟",
    "建国",
    "海燕",
    "志强",
    "秀英",
    "俊杰",
    "雪梅",
    "文博",
    "静怡",
    "国庆",
    "春华",
    "子涵",
    "雨欣",
    "宇航",
]
# How many institutions beyond the six of the speech's first pages get records (the rest have not entered theirs yet).
OTHERS = 30
CLOSED = (OperatingStatus.LICENCE_REVOKED, OperatingStatus.BANNED, OperatingStatus.DEREGISTERED)


def _id_number(n: int) -> str:
    """A valid, fictional 居民身份证号码 (python-stdnum checks the region code, so a real one: 110105)."""
    born = date(1975, 1, 1) + timedelta(days=(n * 173) % 9000)
    body = f"110105{born:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]


def _institutions() -> list[Institution]:
    from jianguan.registry.demo import INSTITUTIONS

    named = list(Institution.objects.filter(name__in=[row[0] for row in INSTITUTIONS]).order_by("pk"))
    rest = list(
        Institution.objects.exclude(pk__in=[i.pk for i in named])
        .exclude(status__in=CLOSED)
        .exclude(status=OperatingStatus.UNREGISTERED)
        .order_by("pk")[:OTHERS]
    )
    stopped = list(Institution.objects.filter(name="南湖佳苑家庭托管点"))
    return named + rest + stopped


class _Maker:
    """Makes one institution's records; `flaws` says which violations this institution is given."""

    def __init__(self, actor: Any, today: date, reserved: set[str]) -> None:
        self.actor, self.today, self.n = actor, today, 0
        self.reserved = reserved

    def name(self, seed: int) -> str:
        """A made-up name that holds none of the district's other people's names (contacts, legal representatives,
        accounts, complainants): a 学科类 teacher's name is public and must not look like someone else's leaked."""
        name = _name(seed)
        for _attempt in range(100):
            if not any(person in name for person in self.reserved):
                break
            seed += 7919
            name = _name(seed)
        return name

    def person(self, inst: Institution, role: str, **fields: Any) -> StaffMember:
        self.n += 1
        seed = zlib.crc32(f"{inst.pk}-{self.n}".encode()) % 100000
        defaults = {
            "name": self.name(seed), "role": role, "start_date": self.today - timedelta(days=200 + seed % 900),
            "record_check_date": self.today - timedelta(days=20 + seed % 300),
            "record_check_result": RecordCheckResult.CLEAR,
        }  # fmt: skip
        if role == StaffRole.COOK:
            defaults.update(handles_food=True, health_cert_number=f"健{seed:06d}",
                            health_cert_valid_until=self.today + timedelta(days=60 + seed % 250))  # fmt: skip
        defaults.update(fields)
        return staff.staff_create(actor=self.actor, institution=inst, id_number=_id_number(seed), **defaults)

    def teacher(self, inst: Institution, academic: bool, certified: bool = True, **fields: Any) -> StaffMember:
        cert = f"2019{zlib.crc32(inst.name.encode()) % 10**8:08d}{self.n:02d}" if certified else ""
        return self.person(inst, StaffRole.TEACHER, teaches_academic=academic, teacher_cert_number=cert,
                           teacher_cert_subject="数学" if academic else "", **fields)  # fmt: skip

    def klass(self, inst: Institution, course: Any, teacher: Any, *, weekdays: str = "135", ends: time = time(19, 30),
              until: date | None = None, name: str = "一班") -> Any:  # fmt: skip
        start = self.today - timedelta(days=40)
        end_time = ends
        start_time = time(end_time.hour - 1, end_time.minute) if end_time.hour >= 9 else time(8, 0)
        return courses.class_create(
            actor=self.actor, institution=inst, course=course, name=name, capacity=20, start_date=start,
            end_date=until or self.today + timedelta(days=35), weekdays=weekdays, start_time=start_time,
            end_time=end_time, teacher=teacher,
        )  # fmt: skip

    def charge(self, inst: Institution, course: Any, *, hours: int = 40, amount: int = 3200, months: int = 3,
               into: bool = True, paid_days_ago: int = 20) -> Any:  # fmt: skip
        from jianguan.rules.limits import add_months

        self.n += 1
        paid = self.today - timedelta(days=paid_days_ago)
        end = add_months(paid, months) - timedelta(days=1)
        return fees.fee_record_create(
            actor=self.actor, institution=inst, student_name=self.name(self.n * 7), course=course,
            course_name=course.name, academic=course.academic, contract_number=f"HT{inst.pk:04d}{self.n:04d}",
            hours=Decimal(hours), amount=Decimal(amount), period_start=paid, period_end=end, paid_on=paid,
            into_supervised_account=into,
        )  # fmt: skip


def _fill(m: _Maker, inst: Institution, flaws: set[str]) -> None:
    academic = inst.kind == InstitutionKind.ACADEMIC
    training = inst.kind in (InstitutionKind.ACADEMIC, InstitutionKind.NON_ACADEMIC)
    food = inst.kind in (InstitutionKind.MEAL_CARE, InstitutionKind.AFTER_SCHOOL)
    m.person(inst, StaffRole.MANAGER)
    stale = {"record_check_date": m.today - timedelta(days=400)} if "record_check" in flaws else {}
    lead_teacher = m.teacher(inst, academic, certified="teacher_cert" not in flaws, **stale)
    second = m.teacher(inst, academic)
    if food:
        expired = {"health_cert_valid_until": m.today - timedelta(days=12)} if "health_cert" in flaws else {}
        m.person(inst, StaffRole.COOK, **expired)
        m.person(inst, StaffRole.CARE)
    if "record_found" in flaws:
        m.person(inst, StaffRole.CARE, record_check_result=RecordCheckResult.FOUND)
    if not training and not food:
        return
    subject, mode = ("数学", Mode.OFFLINE) if academic else ("美术" if training else "课后托管", Mode.OFFLINE)
    course = courses.course_create(actor=m.actor, institution=inst, name=f"{subject}{'提高班' if training else ''}",
                                   subject=subject, academic=academic, mode=mode)  # fmt: skip
    m.klass(inst, course, lead_teacher, weekdays="24" if academic else "135",
            ends=time(20, 45) if "offline_late" in flaws else time(19, 30))  # fmt: skip
    if academic:
        m.klass(inst, course, second, name="二班", weekdays="6" if "rest_day" in flaws else "35", ends=time(18, 30))
        if "vacation" in flaws:
            m.klass(inst, course, second, name="寒假冲刺班", weekdays="12345", ends=time(11, 30),
                    until=date(m.today.year + 1, 2, 10))  # fmt: skip
    if "online_late" in flaws:
        online = courses.course_create(actor=m.actor, institution=inst, name="线上书法", subject="书法",
                                       academic=False, mode=Mode.ONLINE)  # fmt: skip
        m.klass(inst, online, second, name="线上一班", weekdays="3", ends=time(21, 30))
    if "no_account" not in flaws:
        if inst.pk % 3:
            fees.fee_account_set(actor=m.actor, institution=inst, kind=AccountKind.SUPERVISION, version=0,
                                 bank="青岚农商银行城东支行", account_number=f"62216630{inst.pk:011d}",
                                 agreement_date=m.today - timedelta(days=300))  # fmt: skip
        else:
            fees.fee_account_set(actor=m.actor, institution=inst, kind=AccountKind.DEPOSIT, version=0,
                                 deposit_amount=Decimal("50000"), agreement_date=m.today - timedelta(days=280))  # fmt: skip
    m.charge(inst, course)
    m.charge(inst, course, hours=24, amount=1800, months=2, paid_days_ago=45)
    if "fee_period" in flaws:
        m.charge(inst, course, hours=48, amount=4600, months=6)
    if "fee_hours" in flaws:
        m.charge(inst, course, hours=96, amount=4800 if not academic else 9600)
    if "fee_amount" in flaws and not academic:
        m.charge(inst, course, hours=40, amount=6800)
    if "outside" in flaws:
        m.charge(inst, course, into=False)


# Which violations which institution is given: a handful of each rule, at the kinds where they happen.
FLAWS = {
    0: {"teacher_cert", "fee_hours"},  # 青岚启航 (学科类)
    1: {"offline_late", "fee_amount"},  # 星语艺术 (非学科类)
    2: {"health_cert"},  # 城东阳光小饭桌
    3: {"record_check", "health_cert"},  # 南湖快乐托管班
    4: {"online_late", "fee_period", "outside"},  # 北苑跃动体育
    5: {"record_check"},  # 青山镇晨曦托管中心
}
CYCLE = [set(), set(), {"fee_period"}, set(), {"offline_late"}, {"no_account"}, set(), {"fee_hours", "outside"}, set(),
         {"fee_amount", "record_check"}, set()]  # fmt: skip
# The academic ones among the others, in order: two classes on Saturdays, one into the winter vacation.
ACADEMIC_FLAWS = [set(), {"rest_day"}, {"vacation"}, {"rest_day"}]
RECORD_FOUND_AT = 9  # one care worker whose check found a record, still in post


def sector_story(*, today: date) -> Story:
    """A week before the demo's day the institutions enter their staff, courses, classes and charges; the district's
    list of barred persons holds a court's 从业禁止 of a care worker still at work in a 托管班."""
    from jianguan.accounts.models import User
    from jianguan.complaints.models import Complaint

    if StaffMember.objects.exists():
        return 0
    yield moment(today - timedelta(days=7), 10)
    actor = User.objects.get(username="admin")
    reserved = {
        value
        for row in Institution.objects.values_list("contact_person", "legal_representative")
        for value in row
        if value and len(value) >= 2
    } | {n for n in User.objects.values_list("name", flat=True) if n and len(n) >= 2}
    reserved |= {n for n in Complaint.objects.values_list("reporter_name", flat=True) if n and len(n) >= 2}
    maker = _Maker(actor, today - timedelta(days=7), reserved)
    maker.today = today
    created = academic = 0
    for n, inst in enumerate(_institutions()):
        flaws = set(FLAWS.get(n, CYCLE[n % len(CYCLE)]))
        if n >= len(FLAWS) and inst.kind == InstitutionKind.ACADEMIC:
            flaws |= ACADEMIC_FLAWS[academic % len(ACADEMIC_FLAWS)]
            academic += 1
        if n == RECORD_FOUND_AT:
            flaws.add("record_found")
        if inst.name == "南湖佳苑家庭托管点":
            flaws = set()
        _fill(maker, inst, flaws)
        created += 1
    yield moment(today - timedelta(days=6), 15)
    lead = User.objects.get(username="lead")
    care = StaffMember.objects.filter(role=StaffRole.CARE, institution__kind=InstitutionKind.AFTER_SCHOOL).order_by(
        "pk"
    )[1]
    if not BarredPerson.objects.exists():
        staff.barred_add(
            actor=lead, name=care.name, id_number=care.id_number(), reason="犯猥亵儿童罪，禁止从事密切接触未成年人的工作五年",
            basis_authority="青岚区人民法院", basis_number="（2025）青刑初字第128号", basis_date=date(2025, 6, 18),
            start_date=date(2025, 6, 18), end_date=date(2030, 6, 17),
        )  # fmt: skip
    return created
