"""The demo district's accounts: one for every role, all with the password DEMO_PASSWORD; the two-step roles with
published TOTP secrets. Called by the demo loader (`jianguan.demo.loader`) once streets, departments and
institutions exist; idempotent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from jianguan.accounts import services as account_services
from jianguan.accounts import twofactor
from jianguan.accounts.choices import Role
from jianguan.accounts.models import OfficerProfile, User

DEMO_PASSWORD = "Jianguan#2026"
# The roles that must sign in in two steps get published demo secrets, like the shared password: add them to any
# authenticator App by hand (or read the current code with `manage.py demo_code admin`).
DEMO_TOTP_SECRETS = {"admin": "JIANGUANDEMOADMINKEY234567ABCDEF", "lead": "JIANGUANDEMOLEADKEY234567ABCDEFG"}


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
    head: bool = False  # 部门负责人


ACCOUNTS = [
    DemoAccount("admin", "王建国", Role.ADMIN, does="管理账户、部门、街道、职责分工、工作日和审计"),
    DemoAccount("lead", "李协调", Role.LEAD, "青教", does="全区可见；统筹专项行动、销号和移交处罚"),
    DemoAccount(
        "eduhead",
        "周立新",
        Role.DEPARTMENT_OFFICER,
        "青教",
        certificate="33019900100",
        does="教育局负责人：批准立案、作出处罚决定",
        head=True,
    ),
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
# Heads of campaign sites who answer their orders on the platform (the ledger's demo: acknowledged and submitted).
HEADS = [
    DemoAccount("mingde", "吴丽娟", Role.INSTITUTION, institution="52330199MJ4JHUDG66", does="城东明德文化培训学校"),
    DemoAccount("qiushi", "汤莉", Role.INSTITUTION, institution="52330199MJ0EBYPYEA", does="南湖求是文化培训学校"),
    DemoAccount("aixin", "王秀兰", Role.INSTITUTION, institution="91330199MA1M7GQ182", does="城东爱心小饭桌"),
    DemoAccount("mama", "黎淑芬", Role.INSTITUTION, institution="91330199MA4HKBEFFE", does="南湖妈妈味道小饭桌"),
    DemoAccount("lexue", "唐俊", Role.INSTITUTION, institution="91330199MA3569B83Q", does="文昌乐学托管中心"),
    DemoAccount("caihong", "卢倩", Role.INSTITUTION, institution="91330199MA2HRJWUYD", does="城西彩虹舞蹈培训中心"),
]


def demo_admin() -> tuple[User, bool]:
    """The demo's platform administrator (created on the first run, like `create_admin` in production)."""
    admin = User.objects.filter(username="admin").first()
    if admin is not None:
        return admin, False
    return account_services.user_bootstrap_admin(username="admin", name="王建国", password=DEMO_PASSWORD), True


def load_demo_accounts(
    *, actor: Any, departments: dict[str, Any], regions: dict[str, Any], institutions: dict[str, Any], today: date
) -> int:
    """The accounts that are missing (scope by department short name, street code, institution credit code), their
    enforcement certificates, and two-step sign-in for admin and lead; returns how many accounts were created."""
    created = 0
    for account in [*ACCOUNTS, *HEADS]:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = account_services.user_create(
                actor=actor,
                username=account.username,
                name=account.name,
                role=account.role,
                password=DEMO_PASSWORD,
                department=departments.get(account.department) if account.department else None,
                streets=[regions[c] for c in account.streets],
                institution=institutions[account.institution] if account.institution else None,
                is_department_head=account.head,
            )
            created += 1
        if account.certificate and not OfficerProfile.objects.filter(user=user).exists():
            account_services.officer_profile_set(
                actor=actor,
                user=user,
                certificate_number=account.certificate,
                certificate_valid_until=date(today.year + 2, 12, 31),
                issued_by="青岚区人民政府",
            )
    _enrol_two_factor()
    return created


def _enrol_two_factor() -> None:
    """Two-step sign-in for the demo's admin and lead, with the published secrets; confirmed with the code of the
    previous 30 s so that the code shown right now signs in."""
    import pyotp

    for username, secret in DEMO_TOTP_SECRETS.items():
        user = User.objects.filter(username=username).first()
        if user is None or twofactor.enabled_for(user):
            continue
        twofactor.two_factor_confirm(actor=user, secret=secret, code=pyotp.TOTP(secret).at(time.time() - 30))
