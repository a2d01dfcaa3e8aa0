"""Every rule of rules/catalogue.py evaluated over the registry: each check is one query (streamed) that yields the
records breaking its rule on `today`, with what to show. Nothing is written here (rules/services.py stores them).

What is checked: the institutions still operating (not 已吊销 / 已取缔 / 已注销, except for FEE_CLOSING, which is about
closing); staff employed on the day; classes that have not ended (their days from today on); charges paid within
JIANGUAN_RULE_FEE_LOOKBACK_DAYS.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from jianguan.courses.choices import Mode
from jianguan.courses.models import ClassGroup
from jianguan.fees.models import FeeRecord
from jianguan.registry.choices import OperatingStatus
from jianguan.registry.models import Institution
from jianguan.rules import limits
from jianguan.staff.choices import RecordCheckResult, StaffRole
from jianguan.staff.models import BarredPerson, StaffMember, barred_in_force_q, current_q

CLOSED = (OperatingStatus.LICENCE_REVOKED, OperatingStatus.BANNED, OperatingStatus.DEREGISTERED)
CHUNK = 5000
STAFF = "staff.staffmember"
CLASS = "courses.classgroup"
FEE = "fees.feerecord"
INSTITUTION = "registry.institution"


@dataclass(frozen=True)
class Finding:
    rule: str
    institution_id: int
    object_type: str
    object_id: int
    record: str
    detail: str

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.rule, self.object_type, self.object_id)


def _operating() -> Q:
    return ~Q(institution__status__in=CLOSED)


def _current_staff(today: date) -> Q:
    return _operating() & current_q(today)


def _staff_label(name: str, role: str) -> str:
    return f"{name} · {StaffRole(role).label}" if role in StaffRole.values else name


def staff_findings(today: date) -> Iterator[Finding]:
    fields = ("pk", "institution_id", "name", "role")
    current = StaffMember.objects.filter(_current_staff(today))

    barred = dict(
        BarredPerson.objects.filter(barred_in_force_q(today))
        .exclude(id_number_hash="")
        .values_list("id_number_hash", "basis_number")
    )
    if barred:
        for pk, inst, name, role, hashed in current.filter(id_number_hash__in=list(barred)).values_list(
            *fields, "id_number_hash"
        ):
            yield Finding("STAFF_BARRED", inst, STAFF, pk, _staff_label(name, role),
                          _("与限制从业名单（%(basis)s）身份证号码一致") % {"basis": barred[hashed]})  # fmt: skip

    cutoff = limits.record_check_cutoff(today)
    stale = current.filter(Q(record_check_date__isnull=True) | Q(record_check_date__lt=cutoff))
    for pk, inst, name, role, checked in stale.values_list(*fields, "record_check_date").iterator(CHUNK):
        detail = (
            _("未查询违法犯罪记录")
            if checked is None
            else _("最近一次查询为 %(day)s，已超过 %(days)s 天")
            % {"day": checked.isoformat(), "days": settings.JIANGUAN_RULE_RECORD_CHECK_DAYS}
        )
        yield Finding("STAFF_RECORD_CHECK", inst, STAFF, pk, _staff_label(name, role), detail)

    found = current.filter(record_check_result=RecordCheckResult.FOUND)
    for pk, inst, name, role, checked in found.values_list(*fields, "record_check_date").iterator(CHUNK):
        yield Finding("STAFF_RECORD_FOUND", inst, STAFF, pk, _staff_label(name, role),
                      _("%(day)s 查询发现违法犯罪记录，仍在岗") % {"day": checked.isoformat() if checked else "—"})  # fmt: skip

    food = current.filter(Q(handles_food=True) | Q(role=StaffRole.COOK)).filter(
        Q(health_cert_valid_until__isnull=True) | Q(health_cert_valid_until__lt=today)
    )
    for pk, inst, name, role, until in food.values_list(*fields, "health_cert_valid_until").iterator(CHUNK):
        detail = _("无健康证明") if until is None else _("健康证明已于 %(day)s 过期") % {"day": until.isoformat()}
        yield Finding("STAFF_HEALTH_CERT", inst, STAFF, pk, _staff_label(name, role), detail)

    uncertified = current.filter(teaches_academic=True, teacher_cert_number="")
    for pk, inst, name, role in uncertified.values_list(*fields).iterator(CHUNK):
        yield Finding("STAFF_TEACHER_CERT", inst, STAFF, pk, _staff_label(name, role), _("未登记教师资格证编号"))


def _class_label(course: str, name: str) -> str:
    return f"{course} {name}"


def _days(days: tuple[date, ...], count: int) -> str:
    shown = "、".join(d.isoformat() for d in days)
    return shown + (_(" 等 %(count)s 天") % {"count": count} if count > len(days) else "")


def class_findings(today: date) -> Iterator[Finding]:
    current = ClassGroup.objects.filter(_operating(), end_date__gte=today)
    fields = ("pk", "institution_id", "course__name", "name")
    for mode, rule in ((Mode.OFFLINE, "CLASS_OFFLINE_LATE"), (Mode.ONLINE, "CLASS_ONLINE_LATE")):
        latest = limits.latest_end(mode)
        late = current.filter(course__mode=mode, end_time__gt=latest)
        for pk, inst, course, name, ends in late.values_list(*fields, "end_time").iterator(CHUNK):
            yield Finding(rule, inst, CLASS, pk, _class_label(course, name),
                          _("%(mode)s培训 %(end)s 结束，晚于 %(latest)s")
                          % {"mode": Mode(mode).label, "end": f"{ends:%H:%M}", "latest": f"{latest:%H:%M}"})  # fmt: skip

    academic = current.filter(course__academic=True)
    uncertified = academic.filter(Q(teacher__isnull=True) | Q(teacher__teacher_cert_number=""))
    for pk, inst, course, name, teacher in uncertified.values_list(*fields, "teacher__name").iterator(CHUNK):
        detail = (
            _("未登记授课教师") if teacher is None else _("授课教师 %(name)s 未登记教师资格证编号") % {"name": teacher}
        )
        yield Finding("CLASS_TEACHER_CERT", inst, CLASS, pk, _class_label(course, name), detail)

    for pk, inst, course, name, start, end, weekdays in academic.values_list(
        *fields, "start_date", "end_date", "weekdays"
    ).iterator(CHUNK):
        if not weekdays:
            continue
        found = limits.academic_schedule(max(start, today), end, weekdays)
        if found.rest_count:
            yield Finding("CLASS_REST_DAY", inst, CLASS, pk, _class_label(course, name),
                          _("安排在法定节假日或休息日上课：%(days)s") % {"days": _days(found.rest_days, found.rest_count)})  # fmt: skip
        if found.vacation_count:
            yield Finding("CLASS_VACATION", inst, CLASS, pk, _class_label(course, name),
                          _("安排在寒暑假上课：%(days)s")
                          % {"days": _days(found.vacation_days, found.vacation_count)})  # fmt: skip


def fee_findings(today: date) -> Iterator[Finding]:
    since = today - timedelta(days=settings.JIANGUAN_RULE_FEE_LOOKBACK_DAYS)
    recent = FeeRecord.objects.filter(_operating(), paid_on__gte=since)
    max_hours = settings.JIANGUAN_RULE_PREPAID_MAX_HOURS
    max_amount = Decimal(settings.JIANGUAN_RULE_NONACADEMIC_MAX_CHARGE_YUAN)
    for pk, inst, student, course, start, end, hours, amount, academic, into_account in recent.values_list(
        "pk", "institution_id", "student_masked", "course_name", "period_start", "period_end", "hours", "amount",
        "academic", "into_supervised_account",
    ).iterator(CHUNK):  # fmt: skip
        label = f"{student} {course} ¥{amount}"
        if not limits.period_ok(start, end):
            yield Finding("FEE_PERIOD", inst, FEE, pk, label,
                          _("服务期 %(start)s 至 %(end)s，超过 %(months)s 个月（至多到 %(last)s）")
                          % {"start": start.isoformat(), "end": end.isoformat(),
                             "months": settings.JIANGUAN_RULE_PREPAID_MAX_MONTHS,
                             "last": limits.period_last_day(start).isoformat()})  # fmt: skip
        if not limits.hours_ok(hours):
            yield Finding("FEE_HOURS", inst, FEE, pk, label,
                          _("一次收取 %(hours)s 课时，超过 %(max)s 课时") % {"hours": _plain(hours), "max": max_hours})  # fmt: skip
        if not limits.amount_ok(amount, academic):
            yield Finding("FEE_AMOUNT", inst, FEE, pk, label,
                          _("非学科类一次收费 %(amount)s 元，超过 %(max)s 元") % {"amount": amount, "max": max_amount})  # fmt: skip
        if not into_account:
            yield Finding("FEE_OUTSIDE_ACCOUNT", inst, FEE, pk, label, _("该笔费用未缴入资金监管账户"))

    no_account = (
        Institution.objects.filter(~Q(status__in=CLOSED), fee_records__paid_on__gte=since, fee_account__isnull=True)
        .annotate(charges=Count("fee_records"))
        .values_list("pk", "name", "charges")
    )
    for pk, name, charges in no_account.iterator(CHUNK):
        yield Finding("FEE_NO_ACCOUNT", pk, INSTITUTION, pk, name,
                      _("近期收取预收费 %(count)s 笔，未登记资金监管账户或风险保证金") % {"count": charges})  # fmt: skip

    yield from closing_findings(today)


def _plain(number: Decimal) -> str:
    """96.0 → 96, 60.5 → 60.5."""
    return f"{number.normalize():f}"


def prepaid_balance(amount: Decimal, start: date, end: date, today: date) -> Decimal:
    """What is still owed in service: the part of the charge for the days from today to the period's end."""
    if end < today:
        return Decimal("0")
    total = (end - start).days + 1
    left = (end - max(start, today)).days + 1
    return (amount * left / total).quantize(Decimal("0.01")) if total > 0 else amount


def closing_findings(today: date) -> Iterator[Finding]:
    """An institution with prepaid money still owed in service that shows signs of closing: its status has left
    正常经营, or JIANGUAN_RULE_REFUND_COMPLAINTS complaints about fees came in within the window."""
    from jianguan.complaints.choices import ComplaintCategory
    from jianguan.complaints.models import Complaint

    window = today - timedelta(days=settings.JIANGUAN_RULE_REFUND_WINDOW_DAYS)
    complaints = dict(
        Complaint.objects.filter(
            category=ComplaintCategory.FEES, institution__isnull=False, received_at__date__gte=window
        )
        .values("institution_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.JIANGUAN_RULE_REFUND_COMPLAINTS)
        .values_list("institution_id", "n")
    )
    stopped = dict(
        Institution.objects.exclude(status__in=(OperatingStatus.NORMAL, OperatingStatus.UNREGISTERED))
        .filter(fee_records__period_end__gte=today)
        .distinct()
        .values_list("pk", "status")
    )
    candidates = set(complaints) | set(stopped)
    if not candidates:
        return
    owed: dict[int, Decimal] = defaultdict(Decimal)
    names = dict(Institution.objects.filter(pk__in=candidates).values_list("pk", "name"))
    for inst, amount, start, end in FeeRecord.objects.filter(
        institution_id__in=candidates, period_end__gte=today
    ).values_list("institution_id", "amount", "period_start", "period_end"):
        owed[inst] += prepaid_balance(amount, start, end, today)
    for inst in sorted(candidates):
        if owed.get(inst, Decimal("0")) <= 0:
            continue
        signs = []
        if inst in stopped:
            signs.append(_("经营状态：%(status)s") % {"status": OperatingStatus(stopped[inst]).label})
        if inst in complaints:
            signs.append(_("近 %(days)s 天收费退费投诉 %(count)s 件")
                         % {"days": settings.JIANGUAN_RULE_REFUND_WINDOW_DAYS, "count": complaints[inst]})  # fmt: skip
        yield Finding("FEE_CLOSING", inst, INSTITUTION, inst, names.get(inst, ""),
                      _("尚有预收费余额约 %(owed)s 元；%(signs)s") % {"owed": owed[inst], "signs": "；".join(signs)})  # fmt: skip


CHECKS: list[Callable[[date], Iterator[Finding]]] = [staff_findings, class_findings, fee_findings]


def all_findings(today: date) -> Iterator[Finding]:
    limits.clear_caches()
    for check in CHECKS:
        yield from check(today)
