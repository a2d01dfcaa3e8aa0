"""The daily rule check (issue 18: "`check_rules` over 100k institutions, 1M staff and class rows under 60 s on
PostgreSQL"): `manage.py check_rules` as cron runs it, output to /dev/null, on the registry cases' 100,000 synthetic
institutions with 500,000 staff, 500,000 classes (over 100,000 courses) and 200,000 prepaid charges of this bench's
own, with a realistic handful of each violation (a few per cent). Two figures: the first run, which opens every
violation (and re-rates the institutions concerned on commit), and a steady-state run the next day, which finds the
same and changes nothing. Floor, measured in the same run: reading every staff, class and charge row once through
the ORM (`values_list` streamed), the least any check over them must do. `BENCH_CASES=rules` runs it alone.

Rows are bulk-inserted (not audited), ID numbers sealed and fingerprinted as the services store them.
"""

from __future__ import annotations

import io
import random
import time
from datetime import date, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from benchmarks import registry_cases

SEED = 18
STAFF_PER_INSTITUTION = 5
CLASSES_PER_INSTITUTION = 5
FEES_PER_INSTITUTION = 2
TARGET_S = 60.0
MARK = "【基准测试】"
BATCH = 5000


def _ensure_rows() -> dict[str, int]:
    from jianguan.courses.models import ClassGroup, Course
    from jianguan.fees.models import FeeAccount, FeeRecord
    from jianguan.lib.protected import fingerprint, mask_id_number, seal
    from jianguan.registry.models import Institution
    from jianguan.registry.synthetic import SYNTHETIC_NOTE
    from jianguan.staff.models import BarredPerson, StaffMember

    registry_cases._ensure_data()
    if Course.objects.filter(name__startswith=MARK).exists():
        return {}
    rng = random.Random(SEED)  # noqa: S311
    today = timezone.localdate()
    start = time.perf_counter()
    ids = list(Institution.objects.filter(notes=SYNTHETIC_NOTE).order_by("pk").values_list("pk", "kind"))
    sealed = {}  # a few thousand distinct people's sealed numbers, reused: sealing is not what is measured

    def person(n: int) -> tuple[str, str, str]:
        key = n % 5000
        if key not in sealed:
            number = f"1101051990{key:07d}X"[:18]
            sealed[key] = (seal(number), mask_id_number(number), fingerprint(f"{number}-{n}"))
        s, m, _h = sealed[key]
        return s, m, fingerprint(f"{key}-{n}")

    counts = {"staff": 0, "classes": 0, "courses": 0, "fees": 0}
    barred_hashes: list[str] = []
    with transaction.atomic():
        staff: list[StaffMember] = []
        for i, (pk, kind) in enumerate(ids):
            for k in range(STAFF_PER_INSTITUTION):
                n = i * STAFF_PER_INSTITUTION + k
                s, m, h = person(n)
                role = ("teacher", "teacher", "care", "cook", "manager")[k]
                checked = today - timedelta(days=rng.randrange(360) if rng.random() < 0.97 else 500)
                staff.append(StaffMember(
                    institution_id=pk, name=f"员工{n}", role=role, id_number_sealed=s, id_number_masked=m,
                    id_number_hash=h, teaches_academic=kind == "academic" and role == "teacher",
                    teacher_cert_number="" if rng.random() < 0.03 else f"2020{n:010d}",
                    handles_food=role == "cook",
                    health_cert_valid_until=today + timedelta(days=rng.randrange(-20, 340)) if role == "cook" else None,
                    record_check_date=checked, record_check_result="clear",
                    start_date=today - timedelta(days=rng.randrange(30, 1500)),
                ))  # fmt: skip
                if n % 10_000 == 0:
                    barred_hashes.append(h)
            if len(staff) >= BATCH:
                StaffMember.objects.bulk_create(staff)
                counts["staff"] += len(staff)
                staff = []
        StaffMember.objects.bulk_create(staff)
        counts["staff"] += len(staff)
        BarredPerson.objects.bulk_create(
            [BarredPerson(name=f"限制从业{n}", reason="基准测试", basis_authority="某区人民法院",
                          basis_number=f"（2025）基准{n}号", basis_date=today - timedelta(days=100),
                          start_date=today - timedelta(days=100), id_number_hash=h, id_number_masked="110***********0000")
             for n, h in enumerate(barred_hashes)]
            + [BarredPerson(name=f"其他{n}", reason="基准测试", basis_authority="某区人民法院", basis_number=f"（2024）基准{n}号",
                            basis_date=today - timedelta(days=400), start_date=today - timedelta(days=400),
                            id_number_hash=fingerprint(f"other-{n}"), id_number_masked="110***********0000")
               for n in range(1000)]
        )  # fmt: skip

        courses = [
            Course(institution_id=pk, name=f"{MARK}课程{pk}", subject="数学" if kind == "academic" else "美术",
                   academic=kind == "academic", mode="online" if rng.random() < 0.1 else "offline")
            for pk, kind in ids
        ]  # fmt: skip
        Course.objects.bulk_create(courses, batch_size=BATCH)
        counts["courses"] = len(courses)
        course_of = dict(Course.objects.filter(name__startswith=MARK).values_list("institution_id", "pk"))
        teachers: dict[int, int] = {}
        for inst, pk in StaffMember.objects.filter(role="teacher").values_list("institution_id", "pk").iterator(BATCH):
            teachers.setdefault(inst, pk)
        groups: list[ClassGroup] = []
        for pk, _kind in ids:
            for k in range(CLASSES_PER_INSTITUTION):
                begins = today - timedelta(days=rng.randrange(0, 60))
                late = rng.random() < 0.02
                weekdays = "6" if rng.random() < 0.02 else rng.choice(["135", "24", "12345", "3"])
                # Most classes end with the term (before any winter vacation); 2 % run on into it.
                weeks = rng.randrange(4, 7) if rng.random() < 0.98 else rng.randrange(10, 16)
                groups.append(ClassGroup(
                    institution_id=pk, course_id=course_of[pk], name=f"{k + 1}班", teacher_id=teachers.get(pk),
                    capacity=20, start_date=begins, end_date=begins + timedelta(weeks=weeks),
                    weekdays=weekdays, start_time=clock(18, 30) if late else clock(16, 0),
                    end_time=clock(20, 45) if late else clock(17, 30),
                ))  # fmt: skip
            if len(groups) >= BATCH:
                ClassGroup.objects.bulk_create(groups)
                counts["classes"] += len(groups)
                groups = []
        ClassGroup.objects.bulk_create(groups)
        counts["classes"] += len(groups)

        FeeAccount.objects.bulk_create(
            [FeeAccount(institution_id=pk, kind="supervision", bank="基准银行", account_masked="**** **** 0000")
             for i, (pk, _k) in enumerate(ids) if i % 50]
        )  # fmt: skip
        fees: list[FeeRecord] = []
        for pk, kind in ids:
            for _k in range(FEES_PER_INSTITUTION):
                paid = today - timedelta(days=rng.randrange(0, 300))
                months = 4 if rng.random() < 0.02 else 3
                fees.append(FeeRecord(
                    institution_id=pk, student_masked="张**", course_name="基准课程", academic=kind == "academic",
                    hours=Decimal(80 if rng.random() < 0.02 else 48), amount=Decimal(5200 if rng.random() < 0.02 else rng.choice([2400, 3600, 4800])),
                    period_start=paid, period_end=paid + timedelta(days=30 * months - 5), paid_on=paid,
                    into_supervised_account=rng.random() > 0.01,
                ))  # fmt: skip
            if len(fees) >= BATCH:
                FeeRecord.objects.bulk_create(fees)
                counts["fees"] += len(fees)
                fees = []
        FeeRecord.objects.bulk_create(fees)
        counts["fees"] += len(fees)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("staff_staffmember", "courses_classgroup", "courses_course", "fees_feerecord",
                          "fees_feeaccount", "staff_barredperson"):  # fmt: skip
                cursor.execute(f"VACUUM ANALYZE {table}")
    elapsed = time.perf_counter() - start
    print(
        f"     generated {counts['staff']:,} staff, {counts['courses']:,} courses, {counts['classes']:,} classes, "
        f"{counts['fees']:,} prepaid charges in {elapsed:.1f} s (not audited)",
        flush=True,
    )
    return counts


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _floor() -> None:
    from jianguan.courses.models import ClassGroup
    from jianguan.fees.models import FeeRecord
    from jianguan.staff.models import StaffMember

    for qs, fields in (
        (StaffMember.objects.all(), ("pk", "institution_id", "name", "record_check_date")),
        (ClassGroup.objects.all(), ("pk", "institution_id", "start_date", "end_date", "weekdays", "end_time")),
        (FeeRecord.objects.all(), ("pk", "institution_id", "period_start", "period_end", "hours", "amount")),
    ):
        for _row in qs.values_list(*fields).iterator(BATCH):
            pass


def _check(day: date | None = None) -> None:
    call_command("check_rules", stdout=io.StringIO(), stderr=io.StringIO())


def check_rules_1m() -> list[dict]:
    import time_machine

    from jianguan.rules.models import RuleRun, RuleViolation

    _ensure_rows()
    RuleViolation.objects.all().delete()  # the first run opens everything again, whatever an earlier run left
    floor = _timed(_floor)
    first = _timed(_check)
    run = RuleRun.objects.first()
    stored = (run.finished_at - run.started_at).total_seconds()
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=True):
        steady = _timed(_check)
    floor_again = _timed(_floor)
    from jianguan.courses.models import ClassGroup
    from jianguan.staff.models import StaffMember

    rows = StaffMember.objects.count() + ClassGroup.objects.count()
    note = (
        f"{rows:,} staff and class rows; {run.found:,} violations ({', '.join(f'{k} {v:,}' for k, v in run.by_rule.items())}); "
        f"checked and stored in {stored:.1f} s, the rest re-rating the institutions concerned; "
        f"floor (every staff, class and charge row read once) {min(floor, floor_again):.1f} s"
    )
    return [
        {"name": "check_rules, first run (opens all)", "value": first, "unit": "s", "target": TARGET_S,
         "better": "lower", "note": note},
        {"name": "check_rules, next day (steady)", "value": steady, "unit": "s", "target": TARGET_S,
         "better": "lower", "note": f"floor {min(floor, floor_again):.1f} s"},
    ]  # fmt: skip


ALL = [check_rules_1m]
