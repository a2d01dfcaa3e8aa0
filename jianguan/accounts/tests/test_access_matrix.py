"""Every page × every persona: who gets the page, who gets 403/404, and who is sent to the login page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.support.district import PERSONAS, persona_client

SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
MANAGERS = ["admin", "lead", "street_a", "street_b"]
MANAGERS_OF_A = ["admin", "lead", "street_a"]
RESPONSIBILITY_VIEWERS = ["admin", "lead", "edu_officer", "fire_officer", "leader"]
CALENDAR_MANAGERS = ["admin", "lead"]


CHECKLIST_VIEWERS = [p for p in SIGNED_IN if p != "institution"]
CAMPAIGN_VIEWERS = [p for p in SIGNED_IN if p != "institution"]
CAMPAIGN_MANAGERS = ["admin", "lead"]
TEAM = ["edu_officer", "fire_officer"]
LEDGER_A_VIEWERS = ["admin", "lead", "leader", "legal", "fire_officer", "street_a", "institution"]
REPORT_READERS = ["admin", "lead", "leader", "legal", "edu_officer", "fire_officer"]
COMPLAINT_A_VIEWERS = ["admin", "lead", "leader", "legal", "fire_officer"]  # assigned to the fire department
HIDDEN_PLANNED = ["street_b", "institution"]  # institution users see only completed inspections of their own


def _photo():  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.support.district import tiny_jpeg

    return SimpleUploadedFile("site.jpg", tiny_jpeg(), "image/jpeg")


def _complaint_photo(d: object) -> int:
    """A photo on the district's complaint (saved the first time it is asked for)."""
    import hashlib

    from django.core.files.base import ContentFile

    from jianguan.complaints.models import ComplaintPhoto
    from tests.support.district import tiny_jpeg

    complaint = d.complaints["a"]  # type: ignore[attr-defined]
    data = tiny_jpeg()
    photo = ComplaintPhoto(
        complaint=complaint, sha256=hashlib.sha256(data).hexdigest(), content_type="image/jpeg", size=len(data)
    )
    photo.file.save("c.jpg", ContentFile(data), save=True)
    return photo.pk


def _campaign(d: object) -> int:
    return d.campaigns["a"].pk  # type: ignore[attr-defined]


def _planned(d: object) -> int:
    return d.inspections["planned"].pk  # type: ignore[attr-defined]


def _done(d: object) -> int:
    return d.inspections["done"].pk  # type: ignore[attr-defined]


def _version(d: object):  # type: ignore[no-untyped-def]
    """A published default checklist version (installed by migration)."""
    from jianguan.checklists.models import ChecklistVersion

    return ChecklistVersion.objects.filter(status="published").order_by("pk").first()


def _published(d: object) -> int:
    return _version(d).pk


def _draft(d: object):  # type: ignore[no-untyped-def]
    """A draft of that checklist (made by the admin the first time it is asked for)."""
    from jianguan.checklists.services import version_draft

    version = _version(d)
    return version.checklist.versions.filter(status="draft").first() or version_draft(
        actor=d.users["admin"],
        checklist=version.checklist,  # type: ignore[attr-defined]
    )


def _scanned_licence(d: object) -> int:
    """Institution a's licence with a scanned copy (uploaded through the service the first time it is asked for)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jianguan.registry.services import licence_save
    from tests.support.district import tiny_jpeg

    licence = d.licences["a"]  # type: ignore[attr-defined]
    licence.refresh_from_db()
    if not licence.scan:
        licence_save(
            actor=d.users["admin"],  # type: ignore[attr-defined]
            institution=licence.institution,
            licence=licence,
            scan=SimpleUploadedFile("许可证.jpg", tiny_jpeg(), "image/jpeg"),
        )
    return licence.pk


def _article(d: object) -> int:
    """A draft article (written by the admin the first time it is asked for)."""
    from jianguan.articles.models import Article
    from jianguan.articles.services import article_create

    article = Article.objects.filter(title="矩阵测试文章").first() or article_create(
        actor=d.users["admin"],  # type: ignore[attr-defined]
        category="notice",
        title="矩阵测试文章",
        body="<p>正文</p>",
    )
    return article.pk


def _alert_key() -> str:
    """A warning only the district-wide roles see: a complaint about a site outside the registry, not yet assigned."""
    from django.utils import timezone

    from jianguan.alerts.selectors import object_key
    from jianguan.complaints.services import complaint_submit

    complaint, _code = complaint_submit(
        typed_name="矩阵无名班", typed_address="乙街道 9 号", category="unlicensed", content="有人无证办班。",
        anonymous=True,
    )  # fmt: skip
    day = timezone.localtime(complaint.received_at).date()
    return object_key("complaint_unregistered", "complaints.complaint", complaint.pk, day)


def _blacklisting(d: object) -> int:
    """Institution a proposed for the blacklist (the first time it is asked for)."""
    from django.utils import timezone

    from jianguan.portal.models import PublicMark
    from jianguan.portal.services import mark_add

    mark = PublicMark.objects.filter(reason="矩阵测试").first() or mark_add(
        actor=d.users["lead"],
        institution=d.institutions["a"],
        kind="blacklist",
        reason="矩阵测试",  # type: ignore[attr-defined]
        legal_basis="依据",
        removal_conditions="条件",
        ends_on=timezone.localdate() + timezone.timedelta(days=30),
    )
    return mark.pk


def _penalty_case(d: object) -> int:
    """A case against institution a opened by the education officer, waiting for 立案 (made the first time)."""
    from jianguan.enforcement.models import Case as PenaltyCase
    from jianguan.enforcement.services import case_open

    case = PenaltyCase.objects.filter(clue="矩阵测试线索").first() or case_open(
        actor=d.users["edu_officer"],
        department=d.departments["edu"],
        institution=d.institutions["a"],  # type: ignore[attr-defined]
        clue="矩阵测试线索",
    )
    return case.pk


@dataclass
class Case:
    url: Callable[[object], str]
    allowed: list[str]
    method: str = "get"
    ok: int = 200
    denied: int = 403
    data: dict = field(default_factory=dict)
    # Personas who cannot even see the object get 404 rather than 403.
    not_found: list[str] = field(default_factory=list)


def _rule_violation(d: object) -> int:
    """An open violation at institution a (a class ending late), stored as the daily check would."""
    from jianguan.rules.models import RuleViolation

    inst = d.institutions["a"]  # type: ignore[attr-defined]
    v, _ = RuleViolation.objects.get_or_create(
        rule="CLASS_OFFLINE_LATE", object_type="courses.classgroup", object_id=999999, resolved_on=None,
        defaults={"institution": inst, "record": "矩阵 一班", "detail": "线下培训 20:45 结束", "first_seen": inst.created_at.date()},
    )  # fmt: skip
    return v.pk


def _year_plan(d: object) -> int:
    """A draft year plan (drawn up by the lead coordinator the first time it is asked for)."""
    from jianguan.planning.models import YearPlan
    from jianguan.planning.services import plan_create

    plan = YearPlan.objects.filter(year=2099).first() or plan_create(
        actor=d.users["lead"],  # type: ignore[attr-defined]
        year=2099,
        title="矩阵测试方案",
        objectives="全覆盖",
    )
    return plan.pk


def _meeting_session(d: object, which: str = "held") -> int:
    """A joint meeting of every department and street (made the first time): a session held yesterday with the fire
    brigade's task, and the next one scheduled with its materials."""
    from datetime import timedelta

    from django.utils import timezone

    from jianguan.meetings import services as meetings
    from jianguan.meetings.models import JointMeeting, MeetingSession

    lead, today = d.users["lead"], timezone.localdate()  # type: ignore[attr-defined]
    if not JointMeeting.objects.filter(name="矩阵测试联席会议").exists():
        meeting = meetings.meeting_save(
            actor=lead, name="矩阵测试联席会议", department=d.departments["edu"], convener=lead,  # type: ignore[attr-defined]
            departments=list(d.departments.values()), streets=list(d.streets.values()), schedule="quarterly",  # type: ignore[attr-defined]
        )  # fmt: skip
        held = meetings.session_schedule(
            actor=lead, meeting=meeting, held_on=today - timedelta(days=1), place="会议室", agenda="议程"
        )
        meetings.session_minutes_record(
            actor=lead, session=held, minutes="纪要",
            decisions=[{"decision": "消防指导", "unit": f"d{d.departments['fire'].pk}", "deadline": today}],  # type: ignore[attr-defined]
        )  # fmt: skip
        following = meetings.session_schedule(
            actor=lead, meeting=meeting, held_on=today + timedelta(days=3), place="会议室", agenda="议程"
        )
        meetings.session_materials_generate(actor=lead, session=following)
    sessions = MeetingSession.objects.filter(meeting__name="矩阵测试联席会议").order_by("number")
    return sessions[0 if which == "held" else 1].pk


def _meeting(d: object) -> int:
    from jianguan.meetings.models import MeetingSession

    return MeetingSession.objects.get(pk=_meeting_session(d)).meeting_id


def _meeting_task(d: object) -> int:
    from jianguan.meetings.models import MeetingTask

    return MeetingTask.objects.get(session=_meeting_session(d)).pk


def _transfer(d: object) -> int:
    """A 移送 from the education officer to the fire brigade about institution a (sent the first time)."""
    from jianguan.transfers.models import Transfer
    from jianguan.transfers.services import transfer_send

    found = Transfer.objects.filter(subject="矩阵测试移送").first() or transfer_send(
        actor=d.users["edu_officer"], kind="transfer", receiver_department=d.departments["fire"],  # type: ignore[attr-defined]
        institution=d.institutions["a"], category="fire_safety", subject="矩阵测试移送", facts="安全出口堵塞。",  # type: ignore[attr-defined]
    )  # fmt: skip
    return found.pk


def _subscription(d: object) -> int:
    """The fire brigade's subscription to fire findings (made the first time)."""
    from jianguan.transfers.models import Subscription
    from jianguan.transfers.services import subscription_save

    found = Subscription.objects.filter(name="矩阵测试订阅").first() or subscription_save(
        actor=d.users["fire_officer"], name="矩阵测试订阅", events=["finding_recorded"],  # type: ignore[attr-defined]
    )  # fmt: skip
    return found.pk


def _course(d: object, name: str = "矩阵测试课程") -> int:
    """A course of institution a (added by the admin the first time it is asked for)."""
    from jianguan.courses.models import Course
    from jianguan.courses.services import course_create

    found = Course.objects.filter(name=name).first() or course_create(
        actor=d.users["admin"], institution=d.institutions["a"], name=name, subject="美术",  # type: ignore[attr-defined]
    )  # fmt: skip
    return found.pk


def _class_group(d: object) -> int:
    """A class of that course, running now (added the first time)."""
    from datetime import time, timedelta

    from django.utils import timezone

    from jianguan.courses.models import ClassGroup, Course
    from jianguan.courses.services import class_create

    today = timezone.localdate()
    found = ClassGroup.objects.filter(name="矩阵测试班").first() or class_create(
        actor=d.users["admin"], institution=d.institutions["a"], course=Course.objects.get(pk=_course(d)),  # type: ignore[attr-defined]
        name="矩阵测试班", capacity=20, start_date=today - timedelta(days=30), end_date=today + timedelta(days=60),
        weekdays="135", start_time=time(18, 0), end_time=time(19, 30),
    )  # fmt: skip
    return found.pk


def _fee_record(d: object) -> int:
    """A prepaid charge at institution a (entered the first time)."""
    from datetime import date

    from jianguan.fees.models import FeeRecord
    from jianguan.fees.services import fee_record_create

    found = FeeRecord.objects.filter(contract_number="矩阵-001").first() or fee_record_create(
        actor=d.users["admin"], institution=d.institutions["a"], student_name="张小明", course_name="美术",  # type: ignore[attr-defined]
        contract_number="矩阵-001", hours=20, amount=2000, period_start=date(2026, 1, 5),
        period_end=date(2026, 3, 31), paid_on=date(2026, 1, 5),
    )  # fmt: skip
    return found.pk


FEE_RECORD_POST = {
    "student_name": "李小红", "course_name": "书法", "hours": "10", "amount": "800", "period_start": "2026-01-05",
    "period_end": "2026-02-28", "paid_on": "2026-01-05", "into_supervised_account": "on",
}  # fmt: skip
COURSE_KEEPERS = ["admin", "lead", "institution"]  # the institution itself (a) and the district's coordinators


def _staff_member(d: object) -> int:
    """A teacher at institution a (registered the first time it is asked for)."""
    from datetime import date

    from jianguan.staff.models import StaffMember
    from jianguan.staff.services import staff_create

    found = StaffMember.objects.filter(name="矩阵教师").first() or staff_create(
        actor=d.users["admin"], institution=d.institutions["a"], name="矩阵教师", id_number="11010519491231002X",  # type: ignore[attr-defined]
        role="teacher", start_date=date(2025, 9, 1),
    )  # fmt: skip
    return found.pk


def _barred(d: object) -> int:
    """An entry on the 限制从业 list from a court's decision (entered the first time it is asked for)."""
    from datetime import date

    from jianguan.staff.models import BarredPerson
    from jianguan.staff.services import barred_add

    found = BarredPerson.objects.filter(name="矩阵限制").first() or barred_add(
        actor=d.users["lead"], name="矩阵限制", id_number="11010519491231002X", reason="判决禁止从事相关职业",  # type: ignore[attr-defined]
        basis_authority="测试区人民法院", basis_number="（2026）测刑初1号", basis_date=date(2026, 1, 5),
    )  # fmt: skip
    return found.pk


def _webhook(d: object) -> int:
    """A webhook subscription (made by the admin the first time it is asked for)."""
    from jianguan.webhooks.models import Subscription
    from jianguan.webhooks.services import subscription_create

    found = Subscription.objects.filter(name="矩阵推送").first() or subscription_create(
        actor=d.users["admin"], name="矩阵推送", target_url="https://hooks.example.cn/in", events=["item.closed"],  # type: ignore[attr-defined]
    )[0]  # fmt: skip
    return found.pk


def _webhook_delivery(d: object) -> int:
    """A delivery of that subscription that was given up (stored as the sending task leaves it)."""
    import uuid

    from jianguan.webhooks.models import Delivery

    delivery = Delivery.objects.filter(subscription_id=_webhook(d)).first() or Delivery.objects.create(
        subscription_id=_webhook(d), event="item.closed", event_id=uuid.uuid4(), status="given_up", attempts=8,
        payload={"event": "item.closed", "object": {"type": "ledger_item", "id": 1, "url": "/api/v1/ledger/items/1"}},
    )  # fmt: skip
    return delivery.pk


STAFF_OF_A = ["admin", "lead", "edu_officer", "fire_officer", "street_a", "legal", "leader", "institution"]
STAFF_MANAGERS_OF_A = ["admin", "lead", "institution"]
BARRED_VIEWERS = ["admin", "lead", "edu_officer", "fire_officer", "legal", "leader"]
BARRED_MANAGERS = ["lead", "edu_officer", "fire_officer"]


def _u(name: str, **kwargs: object) -> Callable[[object], str]:
    return lambda d: reverse(name, kwargs={k: (v(d) if callable(v) else v) for k, v in kwargs.items()})


CASES: dict[str, Case] = {
    "home": Case(_u("home"), SIGNED_IN),
    "accounts:password_change": Case(_u("accounts:password_change"), SIGNED_IN),
    # Institutions only where JIANGUAN_INSTITUTION_API_TOKENS enables it (accounts/tests/test_tokens.py).
    "accounts:token_list": Case(_u("accounts:token_list"), [p for p in SIGNED_IN if p != "institution"]),
    "accounts:user_list": Case(_u("accounts:user_list"), ["admin"]),
    "accounts:user_create": Case(_u("accounts:user_create"), ["admin"]),
    "accounts:user_detail": Case(_u("accounts:user_detail", pk=lambda d: d.users["institution"].pk), ["admin"]),
    "accounts:user_officer_profile": Case(
        _u("accounts:user_officer_profile", pk=lambda d: d.users["edu_officer"].pk),
        ["admin"],
        method="post",
        ok=302,
        data={"certificate_number": "X1", "certificate_valid_until": "2030-01-01"},
    ),
    "accounts:user_password_reset": Case(
        _u("accounts:user_password_reset", pk=lambda d: d.users["leader"].pk),
        ["admin"],
        method="post",
        ok=302,
        data={"password": "Another#Pass2026"},
    ),
    "org:department_list": Case(_u("org:department_list"), ["admin"]),
    "org:department_create": Case(_u("org:department_create"), ["admin"]),
    "org:department_edit": Case(_u("org:department_edit", pk=lambda d: d.departments["edu"].pk), ["admin"]),
    "org:region_list": Case(_u("org:region_list"), ["admin"]),
    "org:region_create": Case(_u("org:region_create"), ["admin"]),
    "org:region_edit": Case(_u("org:region_edit", pk=lambda d: d.streets["a"].pk), ["admin"]),
    "org:responsibility_list": Case(_u("org:responsibility_list"), RESPONSIBILITY_VIEWERS),
    "org:responsibility_edit": Case(_u("org:responsibility_edit", category="fees"), ["admin"]),
    "org:responsibility_export": Case(_u("org:responsibility_export"), RESPONSIBILITY_VIEWERS),
    "org:responsibility_import": Case(_u("org:responsibility_import"), ["admin"], method="post", ok=302, data={}),
    "org:workday_list": Case(_u("org:workday_list"), CALENDAR_MANAGERS),
    "accounts:two_factor": Case(_u("accounts:two_factor"), SIGNED_IN),
    "accounts:user_two_factor_reset": Case(
        _u("accounts:user_two_factor_reset", pk=lambda d: d.users["lead"].pk), ["admin"], method="post", ok=302
    ),
    "org:holiday_notice": Case(_u("org:holiday_notice"), CALENDAR_MANAGERS),
    "audit:event_list": Case(_u("audit:event_list"), ["admin"]),
    "audit:event_detail": Case(_u("audit:event_detail", seq=1), ["admin"]),
    "audit:task_list": Case(_u("audit:task_list"), ["admin"]),
    "registry:institution_list": Case(_u("registry:institution_list"), SIGNED_IN),
    # Scoped like the list: each signed-in user is offered only the institutions it may see (test_search).
    "registry:institution_lookup": Case(_u("registry:institution_lookup"), SIGNED_IN),
    "registry:institution_export_xlsx": Case(_u("registry:institution_export_xlsx"), SIGNED_IN),
    "registry:institution_export_csv": Case(_u("registry:institution_export_csv"), SIGNED_IN),
    "registry:institution_create": Case(_u("registry:institution_create"), MANAGERS),
    "registry:import_upload": Case(_u("registry:import_upload"), MANAGERS),
    "registry:import_template": Case(_u("registry:import_template"), MANAGERS),
    "registry:requirement_list": Case(_u("registry:requirement_list"), ["admin"]),
    "documents:download": Case(
        _u("documents:download", pk=lambda d: d.documents["a"].pk, fmt="pdf"),
        [p for p in SIGNED_IN if p != "street_b"],
        denied=404,
    ),
    "registry:institution_detail": Case(
        _u("registry:institution_detail", pk=lambda d: d.institutions["a"].pk),
        [p for p in SIGNED_IN if p != "street_b"],
        denied=404,
    ),
    "registry:institution_edit": Case(
        _u("registry:institution_edit", pk=lambda d: d.institutions["a"].pk), MANAGERS_OF_A, not_found=["street_b"]
    ),
    "registry:institution_status": Case(
        _u("registry:institution_status", pk=lambda d: d.institutions["a"].pk),
        ["admin", "lead"],
        method="post",
        ok=302,
        data={"to_status": "stop_enrolling", "effective_date": "2026-11-26", "reason": "未取得办学许可"},
        not_found=["street_b"],
    ),
    "registry:licence_create": Case(
        _u("registry:licence_create", pk=lambda d: d.institutions["a"].pk), MANAGERS_OF_A, not_found=["street_b"]
    ),
    "registry:licence_edit": Case(
        _u("registry:licence_edit", pk=lambda d: d.institutions["a"].pk, licence_pk=lambda d: d.licences["a"].pk),
        MANAGERS_OF_A,
        not_found=["street_b"],
    ),
    "registry:licence_scan": Case(
        _u("registry:licence_scan", pk=lambda d: d.institutions["a"].pk, licence_pk=_scanned_licence),
        [p for p in SIGNED_IN if p not in ("street_b", "institution")],
        not_found=["street_b"],
    ),
    "registry:licence_delete": Case(
        _u("registry:licence_delete", pk=lambda d: d.institutions["a"].pk, licence_pk=lambda d: d.licences["a"].pk),
        MANAGERS_OF_A,
        method="post",
        ok=302,
        not_found=["street_b"],
    ),
    "checklists:checklist_list": Case(_u("checklists:checklist_list"), CHECKLIST_VIEWERS),
    "checklists:checklist_create": Case(_u("checklists:checklist_create"), ["admin"]),
    "checklists:version_detail": Case(_u("checklists:version_detail", pk=_published), CHECKLIST_VIEWERS),
    "checklists:version_new_draft": Case(
        _u("checklists:version_new_draft", pk=lambda d: _version(d).checklist_id), ["admin"], method="post", ok=302
    ),
    "checklists:version_publish": Case(
        _u("checklists:version_publish", pk=_published), ["admin"], method="post", ok=302
    ),
    "checklists:version_archive": Case(
        _u("checklists:version_archive", pk=_published), ["admin"], method="post", ok=302
    ),
    "checklists:item_create": Case(_u("checklists:item_create", pk=lambda d: _draft(d).pk), ["admin"]),
    "checklists:item_edit": Case(
        _u("checklists:item_edit", pk=lambda d: _draft(d).pk, item_pk=lambda d: _draft(d).items.first().pk),
        ["admin"],
    ),
    "checklists:item_delete": Case(
        _u("checklists:item_delete", pk=_published, item_pk=lambda d: _version(d).items.first().pk),
        ["admin"],
        method="post",
        ok=302,
    ),
    # Campaigns and inspections. The district has a campaign, a planned inspection of institution a in it (team:
    # edu_officer + fire_officer) and a completed one with a photo.
    "inspections:campaign_list": Case(_u("inspections:campaign_list"), CAMPAIGN_VIEWERS),
    "inspections:campaign_create": Case(_u("inspections:campaign_create"), CAMPAIGN_MANAGERS),
    "inspections:campaign_detail": Case(_u("inspections:campaign_detail", pk=_campaign), CAMPAIGN_VIEWERS),
    "inspections:campaign_status": Case(
        _u("inspections:campaign_status", pk=_campaign),
        CAMPAIGN_MANAGERS,
        method="post",
        ok=302,
        data={"status": "active"},
        not_found=["institution"],
    ),
    "inspections:campaign_copy": Case(
        _u("inspections:campaign_copy", pk=_campaign),
        CAMPAIGN_MANAGERS,
        method="post",
        ok=302,
        not_found=["institution"],
    ),
    "inspections:campaign_target_add": Case(
        _u("inspections:campaign_target_add", pk=_campaign),
        CAMPAIGN_MANAGERS,
        method="post",
        ok=302,
        not_found=["institution"],
    ),
    "inspections:campaign_target_remove": Case(
        _u("inspections:campaign_target_remove", pk=_campaign, institution_pk=lambda d: d.institutions["b"].pk),
        CAMPAIGN_MANAGERS,
        method="post",
        ok=302,
        not_found=["institution"],
    ),
    "inspections:inspection_list": Case(_u("inspections:inspection_list"), SIGNED_IN),
    "inspections:inspection_create": Case(_u("inspections:inspection_create"), ["lead", "edu_officer", "fire_officer"]),
    "inspections:site_report": Case(
        _u("inspections:site_report"), ["admin", "lead", "edu_officer", "fire_officer", "street_a", "street_b"]
    ),
    "inspections:inspection_detail": Case(
        _u("inspections:inspection_detail", pk=_done), [p for p in SIGNED_IN if p != "street_b"], denied=404
    ),
    "inspections:inspection_start": Case(
        _u("inspections:inspection_start", pk=_planned), TEAM, method="post", ok=302, not_found=HIDDEN_PLANNED
    ),
    "inspections:result_save": Case(
        _u(
            "inspections:result_save",
            pk=_planned,
            item_pk=lambda d: d.inspections["planned"].checklist_version.items.first().pk,
        ),
        TEAM,
        method="post",
        ok=302,
        data={"outcome": "pass"},
        not_found=HIDDEN_PLANNED,
    ),
    "inspections:evidence_upload": Case(
        _u("inspections:evidence_upload", pk=_planned),
        TEAM,
        method="post",
        ok=302,
        data={"photo": _photo},
        not_found=HIDDEN_PLANNED,
    ),
    "inspections:finding_create": Case(
        _u("inspections:finding_create", pk=_planned),
        TEAM,
        method="post",
        ok=302,
        data={"category": "premises", "description": "x", "severity": "minor", "period_days": 5},
        not_found=HIDDEN_PLANNED,
    ),
    # The team may: an empty completion of an inspection not yet started comes back refused in place (400).
    "inspections:inspection_complete": Case(
        _u("inspections:inspection_complete", pk=_planned), TEAM, method="post", ok=400, not_found=HIDDEN_PLANNED
    ),
    "inspections:inspection_cancel": Case(
        _u("inspections:inspection_cancel", pk=_planned),
        ["admin", "lead", *TEAM],
        method="post",
        ok=302,
        data={"reason": "改期"},
        not_found=HIDDEN_PLANNED,
    ),
    "inspections:notice_issue": Case(
        _u("inspections:notice_issue", pk=_done),
        ["admin", "lead", *TEAM],
        method="post",
        ok=302,
        not_found=["street_b"],
    ),
    "inspections:inspection_amend": Case(
        _u("inspections:inspection_amend", pk=_done), ["admin", "lead", *TEAM], not_found=["street_b"]
    ),
    "inspections:evidence_file": Case(
        _u("inspections:evidence_file", pk=lambda d: d.evidence["done"].pk, size="thumb"),
        [p for p in SIGNED_IN if p != "street_b"],
        denied=404,
    ),
    # The ledger item of institution a: a fire problem (the fire department supervises), submitted with a photo.
    "ledger:item_list": Case(_u("ledger:item_list"), SIGNED_IN),
    "ledger:item_export": Case(_u("ledger:item_export"), SIGNED_IN),
    "ledger:item_detail": Case(_u("ledger:item_detail", pk=lambda d: d.ledger["a"].pk), LEDGER_A_VIEWERS, denied=404),
    "ledger:item_action": Case(
        _u("ledger:item_action", pk=lambda d: d.ledger["a"].pk, action="acknowledge"),
        ["institution"],
        method="post",
        ok=302,
        not_found=["edu_officer", "street_b"],
    ),
    "ledger:attachment_file": Case(
        _u("ledger:attachment_file", pk=lambda d: d.ledger["a"].attachments.first().pk), LEDGER_A_VIEWERS, denied=404
    ),
    "reports:dashboard": Case(_u("reports:dashboard"), CAMPAIGN_VIEWERS),
    "reports:institution_overview": Case(
        _u("reports:institution_overview", pk=lambda d: d.institutions["a"].pk),
        [p for p in SIGNED_IN if p not in ("street_b", "institution")],
        denied=404,
    ),
    "reports:dashboard_export": Case(_u("reports:dashboard_export", key="categories"), CAMPAIGN_VIEWERS),
    "reports:campaign_statistics": Case(_u("reports:campaign_statistics", pk=_campaign), REPORT_READERS),
    "reports:campaign_briefing": Case(_u("reports:campaign_briefing", pk=_campaign, fmt="docx"), REPORT_READERS),
    "complaints:complaint_list": Case(_u("complaints:complaint_list"), CAMPAIGN_VIEWERS),
    "complaints:complaint_export": Case(_u("complaints:complaint_export"), CAMPAIGN_VIEWERS),
    "complaints:complaint_detail": Case(
        _u("complaints:complaint_detail", pk=lambda d: d.complaints["a"].pk),
        COMPLAINT_A_VIEWERS,
        not_found=["edu_officer", "street_a", "street_b"],
    ),
    "complaints:complaint_action": Case(
        _u("complaints:complaint_action", pk=lambda d: d.complaints["a"].pk, action="note"),
        ["lead", "fire_officer"],
        method="post",
        ok=302,
        data={"note-note": "电话联系机构负责人核实"},
        not_found=["edu_officer", "street_a", "street_b"],
    ),
    "enforcement:case_list": Case(_u("enforcement:case_list"), [p for p in SIGNED_IN if not p.startswith("street")]),
    "enforcement:case_new": Case(
        _u("enforcement:case_new", institution=lambda d: d.institutions["a"].pk),
        ["lead", "edu_officer", "fire_officer"],
    ),
    "enforcement:case_detail": Case(
        _u("enforcement:case_detail", pk=_penalty_case),
        ["admin", "lead", "edu_officer", "legal", "leader"],
        not_found=["fire_officer", "institution"],
    ),
    # The case waits for 立案: only an officer of its department may propose it (an empty form: 400, nothing saved).
    "enforcement:case_action": Case(
        _u("enforcement:case_action", pk=_penalty_case, action="propose_filing"),
        ["edu_officer"],
        method="post",
        ok=400,
        not_found=["fire_officer", "institution"],
    ),
    # The district's complaint (assigned to the fire department) registered as a fire case's clue in one step.
    "enforcement:case_from_complaint": Case(
        _u("enforcement:case_from_complaint", complaint=lambda d: d.complaints["a"].pk),
        ["lead", "fire_officer"],
        method="post",
        ok=302,
        not_found=["edu_officer"],
    ),
    # The year plan and the 双随机 lists: staff read; the administrator and the lead coordinator manage (a publish
    # of a plan without campaigns is refused with a message: 302 back to the plan).
    "planning:plan_list": Case(_u("planning:plan_list"), CAMPAIGN_VIEWERS),
    "planning:plan_detail": Case(_u("planning:plan_detail", pk=_year_plan), CAMPAIGN_VIEWERS),
    "planning:plan_action": Case(
        _u("planning:plan_action", pk=_year_plan, action="publish"),
        ["admin", "lead"],
        method="post",
        ok=302,
        data={"version": 1},
    ),
    "planning:directory": Case(_u("planning:directory", which="officers"), CAMPAIGN_VIEWERS),
    # The draw page of the district's (full-coverage) campaign: whoever sees the campaign.
    "planning:draw": Case(_u("planning:draw", campaign=_campaign), CAMPAIGN_VIEWERS),
    "planning:draw_recuse": Case(_u("planning:draw_recuse", member=999999), CAMPAIGN_MANAGERS, method="post", ok=404),
    "planning:conflict_list": Case(_u("planning:conflict_list"), ["admin", "lead", "edu_officer", "fire_officer"]),
    "planning:conflict_end": Case(
        _u("planning:conflict_end", pk=999999), ["admin", "lead", "edu_officer", "fire_officer"], method="post", ok=404
    ),
    # Joint meetings: every member reads them; the convener (lead coordinator) runs them; the task's unit (the fire
    # brigade) reports progress. The forms' pages answer 200, their POSTs redirect.
    "meetings:meeting_list": Case(_u("meetings:meeting_list"), CAMPAIGN_VIEWERS),
    "meetings:task_list": Case(_u("meetings:task_list"), CAMPAIGN_VIEWERS),
    "meetings:session_detail": Case(_u("meetings:session_detail", pk=_meeting_session), CAMPAIGN_VIEWERS),
    "meetings:session_materials_download": Case(
        _u("meetings:session_materials_download", pk=lambda d: _meeting_session(d, "next"), fmt="docx"),
        CAMPAIGN_VIEWERS,
    ),
    "meetings:meeting_new": Case(_u("meetings:meeting_new"), ["lead"]),
    "meetings:meeting_edit": Case(_u("meetings:meeting_edit", pk=_meeting), ["lead"]),
    "meetings:session_new": Case(_u("meetings:session_new", pk=_meeting), ["lead"]),
    "meetings:session_attendance": Case(_u("meetings:session_attendance", pk=_meeting_session), ["lead"]),
    "meetings:session_minutes": Case(
        _u("meetings:session_minutes", pk=lambda d: _meeting_session(d, "next")), ["lead"]
    ),
    "meetings:session_materials": Case(
        _u("meetings:session_materials", pk=lambda d: _meeting_session(d, "next")), ["lead"], method="post", ok=302
    ),
    "meetings:task_progress": Case(
        _u("meetings:task_progress", pk=_meeting_task), ["fire_officer"], method="post", ok=302
    ),
    "meetings:task_close": Case(_u("meetings:task_close", pk=_meeting_task), ["lead"], method="post", ok=302),
    # 移送 / 协查: staff read (each within its units), the units' officers send; the transfer's page for both units
    # and the district-wide roles; only the receiving unit accepts (the sender and the readers 403).
    "transfers:transfer_list": Case(_u("transfers:transfer_list"), CAMPAIGN_VIEWERS),
    "transfers:transfer_new": Case(
        _u("transfers:transfer_new"), ["lead", "edu_officer", "fire_officer", "street_a", "street_b"]
    ),
    "transfers:transfer_detail": Case(
        _u("transfers:transfer_detail", pk=_transfer),
        ["admin", "lead", "edu_officer", "fire_officer", "legal", "leader"],
        not_found=["street_a", "street_b"],
    ),
    "transfers:transfer_action": Case(
        _u("transfers:transfer_action", pk=_transfer, action="accept"),
        ["fire_officer"],
        method="post",
        ok=302,
        not_found=["street_a", "street_b"],
    ),
    # 信息共享: every staff role reads the feed and the subscriptions; only the subscribing unit changes its own.
    "transfers:feed": Case(_u("transfers:feed"), CAMPAIGN_VIEWERS),
    "transfers:subscription_list": Case(_u("transfers:subscription_list"), CAMPAIGN_VIEWERS),
    "transfers:subscription_edit": Case(
        _u("transfers:subscription_edit", pk=_subscription),
        ["fire_officer"],
        not_found=["edu_officer", "street_a", "street_b"],
    ),
    "transfers:subscription_delete": Case(
        _u("transfers:subscription_delete", pk=_subscription),
        ["fire_officer"],
        method="post",
        ok=302,
        not_found=["edu_officer", "street_a", "street_b"],
    ),
    "complaints:photo": Case(
        _u("complaints:photo", pk=_complaint_photo),
        COMPLAINT_A_VIEWERS,
        not_found=["edu_officer", "street_a", "street_b"],
    ),
    # Risk ratings: staff within their scope; institutions are never shown a rating, not even their own.
    "risk:rating_list": Case(_u("risk:rating_list"), [p for p in SIGNED_IN if p != "institution"]),
    # The rule checks' violations (issue 18): everyone within their scope (street b does not see institution a's); the
    # check is run by hand by the administrator and the lead coordinator.
    "rules:violation_list": Case(_u("rules:violation_list"), SIGNED_IN),
    "rules:violation_detail": Case(
        _u("rules:violation_detail", pk=_rule_violation),
        [p for p in SIGNED_IN if p != "street_b"],
        not_found=["street_b"],
    ),
    "rules:run": Case(_u("rules:run"), ["admin", "lead"], method="post", ok=302),
    "portal:mark_list": Case(_u("portal:mark_list"), ["admin", "lead"]),
    "portal:mark_withdraw": Case(_u("portal:mark_withdraw", pk=999999), ["admin", "lead"], ok=404, method="post"),
    # A proposed blacklisting of institution a: the list's managers and the institution itself (its notice).
    "portal:mark_detail": Case(
        _u("portal:mark_detail", pk=_blacklisting), ["admin", "lead", "institution"], denied=404
    ),
    "articles:article_list": Case(_u("articles:article_list"), ["admin", "lead"]),
    "articles:article_create": Case(_u("articles:article_create"), ["admin", "lead"]),
    "articles:article_edit": Case(_u("articles:article_edit", pk=_article), ["admin", "lead"]),
    "articles:article_publish": Case(
        _u("articles:article_publish", pk=_article), ["admin", "lead"], method="post", ok=302
    ),
    "articles:article_unpublish": Case(
        _u("articles:article_unpublish", pk=_article), ["admin", "lead"], method="post", ok=302
    ),
    "notifications:inbox": Case(_u("notifications:inbox"), SIGNED_IN),
    "notifications:mark_read": Case(_u("notifications:mark_read"), SIGNED_IN, method="post", ok=302),
    "notifications:preferences": Case(_u("notifications:preferences"), SIGNED_IN),
    "notifications:delivery_list": Case(_u("notifications:delivery_list"), ["admin"]),
    # Webhooks (事件推送): the administrator's alone (webhooks/tests/test_pages.py checks what each does).
    "webhooks:subscription_list": Case(_u("webhooks:subscription_list"), ["admin"]),
    "webhooks:subscription_create": Case(_u("webhooks:subscription_create"), ["admin"]),
    "webhooks:subscription_edit": Case(_u("webhooks:subscription_edit", pk=_webhook), ["admin"]),
    "webhooks:subscription_deactivate": Case(
        _u("webhooks:subscription_deactivate", pk=_webhook), ["admin"], method="post", ok=302
    ),
    "webhooks:subscription_rotate": Case(_u("webhooks:subscription_rotate", pk=_webhook), ["admin"], method="post"),
    "webhooks:delivery_list": Case(_u("webhooks:delivery_list"), ["admin"]),
    "webhooks:delivery_detail": Case(_u("webhooks:delivery_detail", pk=_webhook_delivery), ["admin"]),
    "webhooks:delivery_redeliver": Case(
        _u("webhooks:delivery_redeliver", pk=_webhook_delivery), ["admin"], method="post", ok=302
    ),
    "alerts:alert_list": Case(_u("alerts:alert_list"), SIGNED_IN),
    # Everyone is sent back to the list; a warning outside one's scope is refused there with a message and nothing is
    # written (alerts/tests/test_pages.py).
    "alerts:acknowledge": Case(_u("alerts:acknowledge"), SIGNED_IN, method="post", ok=302, data={"key": _alert_key}),
    # 课程与班级 and 预收费 (issue 18): everyone reads them within their scope (street b does not see institution a);
    # the institution keeps its own, the administrator and the lead coordinator correct any; other roles 403.
    "courses:class_list": Case(_u("courses:class_list"), SIGNED_IN),
    "courses:institution": Case(
        _u("courses:institution", pk=lambda d: d.institutions["a"].pk),
        [p for p in SIGNED_IN if p != "street_b"],
        denied=404,
    ),  # fmt: skip
    "courses:course_new": Case(_u("courses:course_new", pk=lambda d: d.institutions["a"].pk), COURSE_KEEPERS),
    "courses:class_new": Case(_u("courses:class_new", pk=lambda d: d.institutions["a"].pk), COURSE_KEEPERS),
    "courses:course_edit": Case(_u("courses:course_edit", pk=_course), COURSE_KEEPERS),
    "courses:course_delete": Case(
        _u("courses:course_delete", pk=lambda d: _course(d, "矩阵待删课程")), COURSE_KEEPERS, method="post", ok=302
    ),
    "courses:class_edit": Case(_u("courses:class_edit", pk=_class_group), COURSE_KEEPERS),
    "courses:class_end": Case(_u("courses:class_end", pk=_class_group), COURSE_KEEPERS, method="post", ok=302),
    "courses:class_delete": Case(_u("courses:class_delete", pk=_class_group), COURSE_KEEPERS, method="post", ok=302),
    "fees:record_list": Case(_u("fees:record_list"), SIGNED_IN),
    "fees:institution": Case(
        _u("fees:institution", pk=lambda d: d.institutions["a"].pk),
        [p for p in SIGNED_IN if p != "street_b"],
        denied=404,
    ),  # fmt: skip
    "fees:account_edit": Case(_u("fees:account_edit", pk=lambda d: d.institutions["a"].pk), COURSE_KEEPERS),
    "fees:record_new": Case(
        _u("fees:record_new", pk=lambda d: d.institutions["a"].pk),
        COURSE_KEEPERS,
        method="post",
        ok=302,
        data=FEE_RECORD_POST,
    ),  # fmt: skip
    "fees:record_edit": Case(_u("fees:record_edit", pk=_fee_record), COURSE_KEEPERS),
    "fees:record_delete": Case(_u("fees:record_delete", pk=_fee_record), COURSE_KEEPERS, method="post", ok=302),
    # 从业人员: the district list and export for staff roles; an institution's page for whoever sees the institution,
    # its forms for the institution itself and the coordinators; the 限制从业 list for the supervisors
    # (staff/tests/test_views.py).
    "staff:mine": Case(_u("staff:mine"), SIGNED_IN, ok=302),
    "staff:staff_list": Case(_u("staff:staff_list"), CHECKLIST_VIEWERS),
    "staff:staff_export_xlsx": Case(_u("staff:staff_export_xlsx"), CHECKLIST_VIEWERS),
    "staff:staff_export_csv": Case(_u("staff:staff_export_csv"), CHECKLIST_VIEWERS),
    "staff:institution_staff": Case(
        _u("staff:institution_staff", pk=lambda d: d.institutions["a"].pk), STAFF_OF_A, not_found=["street_b"]
    ),
    "staff:staff_create": Case(
        _u("staff:staff_create", pk=lambda d: d.institutions["a"].pk), STAFF_MANAGERS_OF_A, not_found=["street_b"]
    ),
    "staff:staff_edit": Case(_u("staff:staff_edit", pk=_staff_member), STAFF_MANAGERS_OF_A, not_found=["street_b"]),
    "staff:staff_check": Case(_u("staff:staff_check", pk=_staff_member), STAFF_MANAGERS_OF_A, not_found=["street_b"]),
    "staff:staff_health": Case(_u("staff:staff_health", pk=_staff_member), STAFF_MANAGERS_OF_A, not_found=["street_b"]),
    "staff:staff_leave": Case(
        _u("staff:staff_leave", pk=_staff_member),
        STAFF_MANAGERS_OF_A,
        method="post",
        ok=302,
        data={"end_date": "2026-01-31"},
        not_found=["street_b"],
    ),
    "staff:barred_list": Case(_u("staff:barred_list"), BARRED_VIEWERS),
    "staff:barred_create": Case(_u("staff:barred_create"), BARRED_MANAGERS),
    "staff:barred_lift": Case(_u("staff:barred_lift", pk=_barred), BARRED_MANAGERS),
}
# Pages that answer everyone the same way, or that need an object the persona owns; tested on their own below.
SEPARATELY_TESTED = {
    "accounts:login",
    "accounts:logout",
    "accounts:login_verify",  # the sign-in's second step: jianguan/accounts/tests/test_two_factor.py
    "accounts:token_revoke",
    "notifications:delivery_retry",  # needs a delivery: notifications/tests/test_channels.py
    "accounts:login_again",  # the on-site form's re-login: inspections/tests/test_sync.py
    "service_worker",  # the same for everyone: inspections/tests/test_sync.py
    "web_manifest",
    "org:workday_delete",
    "set_language",
    "healthz",  # no login, the same answer for everyone: org/tests/test_holiday_notice.py
    "readyz",
    "metrics",  # by address or token, not by role: jianguan/lib/tests/test_operations.py
    "portal:search",  # public, no login: portal/tests/test_portal.py
    "portal:institution",
    "public_penalties:penalty_list",  # public: enforcement/tests/test_publication.py
    "public_plans:plan_list",  # public: planning/tests/test_public.py
    "public_plans:plan_detail",
    "public_plans:draw_detail",
    "public_complaints:new",  # public: complaints/tests/test_public.py
    "public_complaints:pick",
    "public_complaints:done",
    "public_complaints:track",
    "open_data:page",  # public: reports/tests/test_opendata.py
    "open_data:download",
    "portal:institution_qr",  # public: portal/tests/test_plate.py
    "portal:institution_plate",
    # public, no login; drafts and unpublished articles answer 404: articles/tests/test_public.py
    "public_articles:article_list",
    "public_articles:article_detail",
}


def _named_urls(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "api":
                continue
            names |= _named_urls(entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def test_every_page_is_in_the_access_matrix():
    assert _named_urls() == set(CASES) | SEPARATELY_TESTED


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_access(name, persona, district):
    persona_name, user = persona
    case = CASES[name]
    client = persona_client(user)
    url = case.url(district)
    data = {k: (v() if callable(v) else v) for k, v in case.data.items()}  # files are made fresh for each request
    response = getattr(client, case.method)(url, data)
    if persona_name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif persona_name in case.allowed:
        assert response.status_code == case.ok, response.content[:500]
    elif persona_name in case.not_found:
        assert response.status_code == 404
    else:
        assert response.status_code == case.denied
        if case.denied == 403:
            assert "无权访问" in response.content.decode()


def test_login_page_is_public_and_chinese(client, db):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "用户名" in html and "密码" in html


def test_login_page_sends_signed_in_users_home(client_for):
    response = client_for("lead").get(reverse("accounts:login"))
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_logout_needs_post(client_for):
    client = client_for("lead")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_set_language_switches_to_english(client_for):
    client = client_for("lead")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html


@pytest.mark.parametrize("owner", ["lead", "fire_officer"])
def test_token_revoke_only_by_its_owner(client_for, personas, owner):
    from jianguan.accounts.services import api_token_create

    token, _ = api_token_create(actor=personas[owner], name="对接")
    url = reverse("accounts:token_revoke", kwargs={"pk": token.pk})
    for persona_name in SIGNED_IN:
        if persona_name != owner:
            assert client_for(persona_name).post(url).status_code == 404
    assert client_for(owner).post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_workday_delete_only_by_calendar_managers(client_for, personas):
    from datetime import date

    from jianguan.org.services import workday_override_set

    override = workday_override_set(actor=personas["admin"], day=date(2099, 1, 1), is_working_day=False)
    url = reverse("org:workday_delete", kwargs={"pk": override.pk})
    for persona_name in SIGNED_IN:
        if persona_name not in CALENDAR_MANAGERS:
            assert client_for(persona_name).post(url).status_code == 403
    assert client_for("anonymous").post(url).status_code == 302
    assert client_for("admin").get(url).status_code == 405
    assert client_for("lead").post(url).status_code == 302


def test_missing_objects_answer_404(client_for):
    admin = client_for("admin")
    assert admin.get(reverse("accounts:user_detail", kwargs={"pk": 999999})).status_code == 404
    assert admin.get(reverse("audit:event_detail", kwargs={"seq": 999999})).status_code == 404
    assert admin.get(reverse("org:responsibility_edit", kwargs={"category": "nope"})).status_code == 404
