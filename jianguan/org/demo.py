"""The demo district (青岚区): streets, departments, the responsibility matrix, accounts and a few institutions.

Loaded by `manage.py load_demo`. Idempotent: each record is looked up by its natural key first, so a second run
creates nothing. Later capabilities add their part of the demo here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from jianguan.accounts import services as account_services
from jianguan.accounts.choices import Role
from jianguan.accounts.models import OfficerProfile, User
from jianguan.articles.demo import load_demo_articles
from jianguan.complaints.demo import load_demo_complaints
from jianguan.inspections.demo import load_demo_campaign
from jianguan.ledger.demo import load_demo_ledger
from jianguan.lib.workdays import UnknownCalendarYear
from jianguan.org import services as org_services
from jianguan.org.choices import CheckCategory, DepartmentKind, RegionLevel
from jianguan.org.models import Department, Region, Responsibility
from jianguan.org.selectors import calendar_missing_years, countable_day
from jianguan.registry import demo_data
from jianguan.registry import services as registry_services
from jianguan.registry.choices import InstitutionKind
from jianguan.registry.models import Institution
from jianguan.risk.services import risk_refresh_all

DEMO_PASSWORD = "Jianguan#2026"
# The roles that must sign in in two steps get published demo secrets, like the shared password: add them to any
# authenticator App by hand (or read the current code with `manage.py demo_code admin`).
DEMO_TOTP_SECRETS = {"admin": "JIANGUANDEMOADMINKEY234567ABCDEF", "lead": "JIANGUANDEMOLEADKEY234567ABCDEFG"}

# The demo's history starts about two months before its day and counts deadlines up to three weeks after it (the
# latest: a complaint assigned two days before, due 15 working days later); its calendar must cover this span.
DEMO_CALENDAR_BEFORE = timedelta(days=120)
DEMO_CALENDAR_AFTER = timedelta(days=31)


def demo_day(today: date) -> date:
    """The day the demo's history runs up to: today, or, while next year's holidays are not imported yet (late in
    the year), the last day whose deadlines the calendar can count. A demo never invents a holiday arrangement."""
    day = countable_day(today, before=DEMO_CALENDAR_BEFORE, after=DEMO_CALENDAR_AFTER)
    if day is None:
        raise UnknownCalendarYear(calendar_missing_years(today - DEMO_CALENDAR_BEFORE, today + DEMO_CALENDAR_AFTER)[0])
    return day


DISTRICT = ("330199", "青岚区")
STREETS = [
    ("330199001", "城东街道", RegionLevel.STREET),
    ("330199002", "城西街道", RegionLevel.STREET),
    ("330199003", "南湖街道", RegionLevel.STREET),
    ("330199004", "北苑街道", RegionLevel.STREET),
    ("330199101", "青山镇", RegionLevel.TOWNSHIP),
    ("330199201", "白石乡", RegionLevel.TOWNSHIP),
    *demo_data.EXTRA_STREETS,
]
DEPARTMENTS = [
    ("青岚区教育局", "青教", DepartmentKind.EDUCATION),
    ("青岚区公安分局", "青公", DepartmentKind.PUBLIC_SECURITY),
    ("青岚区市场监督管理局", "青市监", DepartmentKind.MARKET_REGULATION),
    ("青岚区消防救援大队", "青消", DepartmentKind.FIRE),
    ("青岚区卫生健康局", "青卫健", DepartmentKind.HEALTH),
]
# category -> (lead short name, supporting short names)
MATRIX = {
    CheckCategory.QUALIFICATION: ("青教", ["青市监"]),
    CheckCategory.TEACHING: ("青教", []),
    CheckCategory.FOOD_SAFETY: ("青市监", ["青卫健"]),
    CheckCategory.FIRE_SAFETY: ("青消", ["青公"]),
    CheckCategory.FEES: ("青教", ["青市监"]),
    CheckCategory.STAFF: ("青教", ["青公", "青卫健"]),
    CheckCategory.PREMISES: ("青教", ["青消"]),
    CheckCategory.ADVERTISING: ("青市监", ["青教"]),
}
INSTITUTIONS = [
    ("青岚启航教育培训学校", "91440300MA5H0HLK5U", InstitutionKind.ACADEMIC, "330199001", "城东街道文昌路 18 号 3 楼"),
    ("青岚星语艺术培训中心", "91133100MA0D8N1J7G", InstitutionKind.NON_ACADEMIC, "330199002", "城西街道和平路 66 号"),
    ("城东阳光小饭桌", None, InstitutionKind.MEAL_CARE, "330199001", "城东街道育才巷 5 号 1 楼"),
    ("南湖快乐托管班", None, InstitutionKind.AFTER_SCHOOL, "330199003", "南湖街道湖滨小区 12 幢 101 室"),
    ("北苑跃动体育培训", None, InstitutionKind.NON_ACADEMIC, "330199004", "北苑街道体育馆东侧 2 号"),
    ("青山镇晨曦托管中心", None, InstitutionKind.AFTER_SCHOOL, "330199101", "青山镇中心街 101 号"),
]

# Licences of the six institutions above (issue date, valid-until as ISO dates relative to 2026-11-26).
ORIGINAL_LICENCES = {
    "青岚启航教育培训学校": [
        ("school_permit", "教民133019910000101号", "青岚区教育局", "2023-08-01", "2028-07-31"),
        ("legal_entity", "91440300MA5H0HLK5U", "青岚区市场监督管理局", "2023-06-15", "2033-06-14"),
    ],
    "青岚星语艺术培训中心": [
        ("school_permit", "文艺培133019920000102号", "青岚区文化和广电旅游体育局", "2024-03-01", "2029-02-28"),
        ("legal_entity", "91133100MA0D8N1J7G", "青岚区市场监督管理局", "2024-01-10", "2034-01-09"),
    ],
    "城东阳光小饭桌": [("legal_entity", "个体工商户 330199600123456", "青岚区市场监督管理局", "2022-09-01", None)],
    "南湖快乐托管班": [("legal_entity", "个体工商户 330199600223344", "青岚区市场监督管理局", "2023-02-20", None)],
    "北苑跃动体育培训": [
        ("legal_entity", "个体工商户 330199600334455", "青岚区市场监督管理局", "2021-05-10", None),
        ("school_permit", "体培133019940000103号", "青岚区文化和广电旅游体育局", "2021-12-01", "2026-12-10"),
    ],
    "青山镇晨曦托管中心": [("legal_entity", "个体工商户 330199600445566", "青岚区市场监督管理局", "2024-04-01", None)],
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str
    department: str | None = None
    streets: tuple[str, ...] = ()
    institution: str | None = None
    certificate: str | None = None
    does: str = ""


ACCOUNTS = [
    DemoAccount("admin", "王建国", Role.ADMIN, does="管理账户、部门、街道、职责分工、工作日和审计"),
    DemoAccount("lead", "李协调", Role.LEAD, "青教", does="全区可见；统筹专项行动、销号和移交处罚"),
    DemoAccount("edu1", "张教育", Role.DEPARTMENT_OFFICER, "青教", certificate="33019900101", does="教育局执法人员"),
    DemoAccount("edu2", "赵明", Role.DEPARTMENT_OFFICER, "青教", certificate="33019900102", does="教育局执法人员"),
    DemoAccount(
        "fire1", "陈消防", Role.DEPARTMENT_OFFICER, "青消", certificate="33019900401", does="消防救援大队执法人员"
    ),
    DemoAccount(
        "market1", "周市监", Role.DEPARTMENT_OFFICER, "青市监", certificate="33019900301", does="市场监管执法人员"
    ),
    DemoAccount(
        "police1", "吴公安", Role.DEPARTMENT_OFFICER, "青公", certificate="33019900201", does="公安分局执法人员"
    ),
    DemoAccount("east", "孙城东", Role.STREET_OFFICER, streets=("330199001",), does="城东街道：本街道机构"),
    DemoAccount("west", "钱城西", Role.STREET_OFFICER, streets=("330199002",), does="城西街道：本街道机构"),
    DemoAccount("legal", "郑法制", Role.LEGAL_REVIEWER, "青教", does="法制审核"),
    DemoAccount("leader", "冯区长", Role.LEADER, does="只读：全区概况和报表"),
    DemoAccount(
        "inst", "何校长", Role.INSTITUTION, institution="91440300MA5H0HLK5U", does="本机构：通知书、整改、延期申请"
    ),
]


def load_demo(*, today: date | None = None, log: Any = print, inspections: bool = True) -> dict[str, int]:
    """Create whatever part of the demo district is missing; returns how many records were created by kind.
    Its history runs up to `today` (by default `demo_day` of the local date). `inspections=False` leaves out the
    campaign and its documents (the slow part), for tests that do not need them."""
    if today is None:
        today = demo_day(timezone.localdate())
    created = {
        "regions": 0, "departments": 0, "responsibilities": 0, "users": 0, "institutions": 0, "inspections": 0,
        "ledger": 0, "articles": 0, "complaints": 0,
    }  # fmt: skip

    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = account_services.user_bootstrap_admin(username="admin", name="王建国", password=DEMO_PASSWORD)
        created["users"] += 1

    district = Region.objects.filter(code=DISTRICT[0]).first()
    if district is None:
        district = org_services.region_save(
            actor=admin, code=DISTRICT[0], name=DISTRICT[1], level=RegionLevel.DISTRICT, parent=None, is_active=True
        )
        created["regions"] += 1
    for code, name, level in STREETS:
        if not Region.objects.filter(code=code).exists():
            org_services.region_save(actor=admin, code=code, name=name, level=level, parent=district, is_active=True)
            created["regions"] += 1

    for name, short, kind in DEPARTMENTS:
        if not Department.objects.filter(short_name=short).exists():
            org_services.department_save(actor=admin, name=name, short_name=short, kind=kind, is_active=True)
            created["departments"] += 1
    departments = {d.short_name: d for d in Department.objects.all()}

    for category, (lead, supporting) in MATRIX.items():
        if not Responsibility.objects.filter(category=category).exists():
            org_services.responsibility_set(
                actor=admin,
                category=category,
                lead=departments[lead],
                supporting=[departments[s] for s in supporting],
            )
            created["responsibilities"] += 1

    regions = {r.code: r for r in Region.objects.all()}
    for name, code, kind, street, address in INSTITUTIONS:
        lookup = {"credit_code": code} if code else {"name": name, "street": regions[street]}
        if not Institution.objects.filter(**lookup).exists():
            institution = registry_services.institution_create(
                actor=admin, name=name, credit_code=code, kind=kind, street=regions[street], address=address
            )
            shift = today - demo_data.REFERENCE_DATE
            for kind_, number, issuer, issued, until in ORIGINAL_LICENCES.get(name, []):
                registry_services.licence_save(
                    actor=admin,
                    institution=institution,
                    kind=kind_,
                    number=number,
                    issuer=issuer,
                    issue_date=date.fromisoformat(issued) + shift,
                    valid_until=date.fromisoformat(until) + shift if until else None,
                )
            created["institutions"] += 1

    created["institutions"] += _load_registry(admin=admin, regions=regions, today=today)

    for account in ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = account_services.user_create(
                actor=admin,
                username=account.username,
                name=account.name,
                role=account.role,
                password=DEMO_PASSWORD,
                department=departments.get(account.department) if account.department else None,
                streets=[regions[c] for c in account.streets],
                institution=Institution.objects.get(credit_code=account.institution) if account.institution else None,
            )
            created["users"] += 1
        if account.certificate and not OfficerProfile.objects.filter(user=user).exists():
            account_services.officer_profile_set(
                actor=admin,
                user=user,
                certificate_number=account.certificate,
                certificate_valid_until=date(today.year + 2, 12, 31),
                issued_by="青岚区人民政府",
            )
    _enrol_two_factor()
    if inspections:
        created["inspections"] = load_demo_campaign(today=today, log=log)
        created["ledger"] = load_demo_ledger(today=today, log=log)
        created["complaints"] = load_demo_complaints(today=today, log=log)
    created["articles"] = load_demo_articles(today=today, log=log)
    # Every institution rated as of `today` (derived data, not counted as created records).
    risk_refresh_all(today=today)
    return created


def _enrol_two_factor() -> None:
    """Two-step sign-in for the demo's admin and lead, with the published secrets; confirmed with the code of the
    previous 30 s so that the code shown right now signs in."""
    import time

    import pyotp

    from jianguan.accounts import twofactor

    for username, secret in DEMO_TOTP_SECRETS.items():
        user = User.objects.filter(username=username).first()
        if user is None or twofactor.enabled_for(user):
            continue
        twofactor.two_factor_confirm(actor=user, secret=secret, code=pyotp.TOTP(secret).at(time.time() - 30))


def _load_registry(*, admin: User, regions: dict[str, Region], today: date) -> int:
    """The registry's demo institutions with their licences and status orders, dated relative to `today`."""
    shift = today - demo_data.REFERENCE_DATE

    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) + shift if text else None

    created = 0
    by_key: dict[str, Institution] = {}
    for row in demo_data.INSTITUTIONS:
        street = regions[row["street_code"]]
        lookup = {"credit_code": row["credit_code"]} if row["credit_code"] else {"name": row["name"], "street": street}
        institution = Institution.objects.filter(**lookup).first()
        if institution is None:
            fields = {
                k: row[k]
                for k in (
                    "name", "credit_code", "kind", "sub_kind", "address", "legal_representative", "contact_person",
                    "contact_phone", "capacity", "floor_area", "floors", "notes",
                )
            }  # fmt: skip
            institution = registry_services.institution_create(
                actor=admin, street=street, status=row["status"], **fields
            )
            for lic in row["licences"]:
                registry_services.licence_save(
                    actor=admin,
                    institution=institution,
                    kind=lic["kind"],
                    number=lic["number"],
                    issuer=lic["issuer"],
                    issue_date=day(lic["issue_date"]),
                    valid_until=day(lic["valid_until"]),
                )
            created += 1
        by_key[row["key"]] = institution
    for key, to_status, reason, effective in demo_data.STATUS_ORDERS:
        institution = by_key[key]
        if institution.status != to_status:
            registry_services.institution_status_change(
                actor=admin,
                institution=institution,
                to_status=to_status,
                reason=reason,
                effective_date=day(effective if isinstance(effective, str) else effective.isoformat()),
            )
    return created
