"""Test personas and a small district, built through the real services (so the audit chain is real too)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from tests.support.calendar import enter_calendar_years

PASSWORD = "Persona#Pass2026"

# Every view and endpoint is tested against each of these; None in a test's table means anonymous.
PERSONAS = [
    "admin",
    "lead",
    "edu_officer",
    "fire_officer",
    "street_a",
    "street_b",
    "legal",
    "leader",
    "institution",
    "anonymous",
]


@dataclass
class District:
    users: dict[str, Any] = field(default_factory=dict)
    streets: dict[str, Any] = field(default_factory=dict)
    departments: dict[str, Any] = field(default_factory=dict)
    institutions: dict[str, Any] = field(default_factory=dict)
    licences: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, Any] = field(default_factory=dict)
    campaigns: dict[str, Any] = field(default_factory=dict)
    inspections: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    ledger: dict[str, Any] = field(default_factory=dict)
    complaints: dict[str, Any] = field(default_factory=dict)

    def reload(self) -> District:
        """Fresh instances of the same rows, so one test's in-memory changes never leak into the next."""
        from jianguan.accounts.models import User
        from jianguan.complaints.models import Complaint
        from jianguan.documents.models import Document
        from jianguan.inspections.models import Campaign, Evidence, Inspection
        from jianguan.ledger.models import LedgerItem
        from jianguan.org.models import Department, Region
        from jianguan.registry.models import Institution, Licence

        def fetch(model: Any, objs: dict[str, Any]) -> dict[str, Any]:
            rows = model.objects.in_bulk([o.pk for o in objs.values() if o is not None])
            return {k: (rows[o.pk] if o is not None else None) for k, o in objs.items()}

        return District(
            users=fetch(User, self.users),
            streets=fetch(Region, self.streets),
            departments=fetch(Department, self.departments),
            institutions=fetch(Institution, self.institutions),
            licences=fetch(Licence, self.licences),
            documents=fetch(Document, self.documents),
            campaigns=fetch(Campaign, self.campaigns),
            inspections=fetch(Inspection, self.inspections),
            evidence=fetch(Evidence, self.evidence),
            ledger=fetch(LedgerItem, self.ledger),
            complaints=fetch(Complaint, self.complaints),
        )


def make_district() -> District:
    from jianguan.accounts import services as accounts
    from jianguan.accounts.choices import Role
    from jianguan.org import services as org
    from jianguan.org.choices import CheckCategory, DepartmentKind, RegionLevel
    from jianguan.registry import services as registry
    from jianguan.registry.choices import InstitutionKind

    d = District()
    admin = accounts.user_bootstrap_admin(username="p_admin", name="管理员甲", password=PASSWORD)
    d.users["admin"] = admin
    # Deadlines counted from today may run into next year, whose holidays the package may not know yet.
    this_year = timezone.localdate().year
    enter_calendar_years(admin, [this_year - 1, this_year, this_year + 1])
    root = org.region_save(actor=admin, code="990100", name="测试区", level=RegionLevel.DISTRICT, parent=None)
    d.streets["a"] = org.region_save(
        actor=admin, code="990100001", name="甲街道", level=RegionLevel.STREET, parent=root
    )
    d.streets["b"] = org.region_save(
        actor=admin, code="990100002", name="乙街道", level=RegionLevel.STREET, parent=root
    )
    for key, name, short, kind in [
        ("edu", "测试区教育局", "测教", DepartmentKind.EDUCATION),
        ("fire", "测试区消防救援大队", "测消", DepartmentKind.FIRE),
        ("market", "测试区市场监管局", "测市监", DepartmentKind.MARKET_REGULATION),
        ("police", "测试区公安分局", "测公", DepartmentKind.PUBLIC_SECURITY),
    ]:
        d.departments[key] = org.department_save(actor=admin, name=name, short_name=short, kind=kind)
    leads = {
        CheckCategory.FIRE_SAFETY: "fire",
        CheckCategory.FOOD_SAFETY: "market",
        CheckCategory.ADVERTISING: "market",
    }
    for category in CheckCategory:
        org.responsibility_set(
            actor=admin, category=category, lead=d.departments[leads.get(category, "edu")], supporting=[]
        )
    d.institutions["a"] = registry.institution_create(
        actor=admin,
        name="甲街道培训学校",
        credit_code="92990100MA00000A1P",
        kind=InstitutionKind.ACADEMIC,
        street=d.streets["a"],
        address="甲街道 1 号",
    )
    d.institutions["b"] = registry.institution_create(
        actor=admin,
        name="乙街道小饭桌",
        credit_code=None,
        kind=InstitutionKind.MEAL_CARE,
        street=d.streets["b"],
        address="乙街道 2 号",
    )

    d.licences["a"] = registry.licence_save(
        actor=admin,
        institution=d.institutions["a"],
        kind="school_permit",
        number="教民330199001",
        issuer="测试区教育局",
        issue_date=date(2024, 1, 1),
        valid_until=date(2099, 12, 31),
    )

    def user(key: str, role: str, **kw: Any) -> Any:
        u = accounts.user_create(
            actor=admin, username=f"p_{key}", name=f"{key}姓名", role=role, password=PASSWORD, **kw
        )
        d.users[key] = u
        return u

    user("lead", Role.LEAD, department=d.departments["edu"])
    edu = user("edu_officer", Role.DEPARTMENT_OFFICER, department=d.departments["edu"])
    fire = user("fire_officer", Role.DEPARTMENT_OFFICER, department=d.departments["fire"])
    for n, officer in enumerate([edu, fire]):
        accounts.officer_profile_set(
            actor=admin, user=officer, certificate_number=f"TEST{n:04d}", certificate_valid_until=date(2099, 12, 31)
        )
    user("street_a", Role.STREET_OFFICER, streets=[d.streets["a"]])
    user("street_b", Role.STREET_OFFICER, streets=[d.streets["b"]])
    user("legal", Role.LEGAL_REVIEWER)
    user("leader", Role.LEADER)
    user("institution", Role.INSTITUTION, institution=d.institutions["a"])
    d.users["anonymous"] = None
    _district_inspections(d)
    # The 现场检查笔录 of the completed inspection: seen by whoever may open that inspection.
    from jianguan.documents.models import Document

    d.documents["a"] = Document.objects.get(
        source_type="inspections.inspection", source_id=str(d.inspections["done"].pk), kind="inspection_record"
    )
    _district_complaints(d)
    from jianguan.notifications.models import Notification

    Notification.objects.all().delete()  # the district starts with empty inboxes (its history told people things)
    return d


# The decision a sanction entered by hand rests on (another authority's, with its issuer, number and date).
DECISION_BASIS = {
    "basis_authority": "测试区教育局",
    "basis_number": "测教罚决〔2026〕9号",
    "basis_date": date(2026, 1, 5),
}

# The reporter of the district's complaint: tests scan every page and answer for these.
REPORTER_NAME = "投诉人王秘密"
REPORTER_PHONE = "13700001111"


def _district_complaints(d: District) -> None:
    """complaints["a"]: about institution a, assigned to the fire department with fire_officer as handler."""
    from jianguan.complaints import services as complaints

    complaint, _code = complaints.complaint_submit(
        institution=d.institutions["a"], category="fire", content="安全出口被杂物堵住，晚上还有学生上课。",
        reporter_name=REPORTER_NAME, reporter_phone=REPORTER_PHONE,
    )  # fmt: skip
    d.complaints["a"] = complaints.complaint_assign(
        actor=d.users["lead"], complaint=complaint, department=d.departments["fire"], handler=d.users["fire_officer"],
        deadline=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip


def tiny_jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 60, 30)).save(out, "JPEG")
    return out.getvalue()


def _district_inspections(d: District) -> None:
    """A campaign over the district (education leads, fire takes part), a planned inspection of institution a in it,
    and a completed routine inspection of a (all items passed, one photo). Their documents are issued by the police
    department so that the education department's numbers start at 1 in the tests that count them."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from jianguan.inspections import services as inspections

    team = [d.users["edu_officer"], d.users["fire_officer"]]
    today = timezone.localdate()
    d.campaigns["a"] = inspections.campaign_create(
        actor=d.users["lead"],
        name="测试区联合检查",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
        lead_department=d.departments["edu"],
        departments=[d.departments["fire"]],
    )
    d.inspections["planned"] = inspections.inspection_create(
        actor=d.users["lead"],
        institution=d.institutions["a"],
        scheduled_at=timezone.now() + timedelta(days=1),
        officers=team,
        campaign=d.campaigns["a"],
        lead_department=d.departments["police"],
    )
    done = inspections.inspection_create(
        actor=d.users["lead"],
        institution=d.institutions["a"],
        scheduled_at=timezone.now(),
        officers=team,
        lead_department=d.departments["police"],
    )
    inspections.inspection_start(actor=team[0], inspection=done)
    for item in done.checklist_version.items.all():
        inspections.result_record(actor=team[0], inspection=done, item=item, outcome="pass")
    d.evidence["done"] = inspections.evidence_add(
        actor=team[1], inspection=done, upload=SimpleUploadedFile("a.jpg", tiny_jpeg(), "image/jpeg")
    )
    d.inspections["done"] = inspections.inspection_complete(
        certificates_shown=True, recusal_requested=False, actor=team[0], inspection=done, representative_name="张校长"
    )
    # On site at institution b (street b) right now, every item answered: ready to be completed.
    on_site = inspections.inspection_create(
        actor=d.users["lead"],
        institution=d.institutions["b"],
        scheduled_at=timezone.now(),
        officers=team,
        lead_department=d.departments["police"],
    )
    inspections.inspection_start(actor=team[0], inspection=on_site)
    for item in on_site.checklist_version.items.all():
        inspections.result_record(actor=team[0], inspection=on_site, item=item, outcome="pass")
    d.inspections["on_site"] = on_site
    # A problem on the ledger: the fire exit of institution a, submitted by the institution with a photo.
    problem = inspections.inspection_create(
        actor=d.users["lead"],
        institution=d.institutions["a"],
        scheduled_at=timezone.now() - timedelta(hours=3),
        officers=team,
        lead_department=d.departments["police"],
    )
    inspections.inspection_start(actor=team[0], inspection=problem)
    for item in problem.checklist_version.items.all():
        failed = item.text.startswith("疏散通道")
        result = inspections.result_record(
            actor=team[1], inspection=problem, item=item, outcome="fail" if failed else "pass"
        )
        if failed:
            inspections.evidence_add(
                actor=team[1], inspection=problem, result=result,
                upload=SimpleUploadedFile("exit.jpg", tiny_jpeg(), "image/jpeg"),
            )  # fmt: skip
    inspections.inspection_complete(
        certificates_shown=True,
        recusal_requested=False,
        actor=team[0],
        inspection=problem,
        representative_name="张校长",
    )
    from jianguan.ledger import services as ledger
    from jianguan.ledger.models import LedgerItem

    ledger_item = LedgerItem.objects.get(inspection=problem)
    ledger.submit(
        actor=d.users["institution"], item=ledger_item, note="已清理",
        files=[SimpleUploadedFile("done.jpg", tiny_jpeg(), "image/jpeg")],
    )  # fmt: skip
    d.ledger["a"] = ledger_item


def persona_client(user: Any) -> Client:
    """A test client signed in as the user (anonymous for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
