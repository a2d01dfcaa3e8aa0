"""Campaigns and inspections: targets from the scope, teams of certified officers, the on-site record, photos checked
by content, completion into findings, freezing and amendments, scope and timeline."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from jianguan.accounts.models import OfficerProfile
from jianguan.audit.models import AuditEvent
from jianguan.checklists import services as checklist_services
from jianguan.checklists.models import ChecklistVersion
from jianguan.inspections import services
from jianguan.inspections.models import CampaignTarget, Evidence, Inspection
from jianguan.lib.workdays import clear_cache
from jianguan.org.selectors import Competence
from jianguan.registry import services as registry_services
from jianguan.registry.models import Institution


def jpeg(taken: str | None = "2026:11:20 09:30:00", size=(640, 480)) -> bytes:
    image = Image.new("RGB", size, (180, 40, 40))
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name: str = "IMG_0001.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def when(days: int = 0) -> datetime:
    return timezone.now() + timedelta(days=days)


@pytest.fixture
def team(personas):
    return [personas["edu_officer"], personas["fire_officer"]]


@pytest.fixture
def campaign(personas, district):
    return services.campaign_create(
        actor=personas["lead"],
        name="校外培训机构联合执法检查",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 31),
        lead_department=district.departments["edu"],
        departments=[district.departments["fire"], district.departments["market"]],
    )


@pytest.fixture
def inspection(personas, district, team, campaign):
    return services.inspection_create(
        actor=personas["lead"],
        institution=district.institutions["a"],
        scheduled_at=when(),
        officers=team,
        campaign=campaign,
    )


def answer_all(officer, inspection, fail: dict[int, str] | None = None) -> None:
    """Every item 合格, except the orders in `fail` (order → note)."""
    fail = fail or {}
    for item in inspection.checklist_version.items.all():
        outcome = "fail" if item.order in fail else "pass"
        services.result_record(
            actor=officer, inspection=inspection, item=item, outcome=outcome, note=fail.get(item.order, "")
        )


# ---------------------------------------------------------------------------------------------------- campaigns


def test_campaign_targets_come_from_its_scope(personas, district, campaign):
    assert set(campaign.targets.values_list("institution_id", flat=True)) == {
        district.institutions["a"].pk,
        district.institutions["b"].pk,
    }
    assert set(campaign.departments.all()) == {
        district.departments[k] for k in ("edu", "fire", "market")
    }  # the lead department takes part too
    narrow = services.campaign_create(
        actor=personas["admin"],
        name="小饭桌专项",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 11, 30),
        lead_department=district.departments["market"],
        streets=[district.streets["b"]],
        institution_kinds=["meal_care"],
    )
    assert list(narrow.targets.values_list("institution_id", flat=True)) == [district.institutions["b"].pk]
    event = AuditEvent.objects.get(action="campaign.create", object_id=str(narrow.pk))
    assert event.after["targets"] == 1


def test_campaign_rules(personas, district, campaign):
    lead = personas["lead"]
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(
            actor=lead,
            name="倒序",
            starts_on=date(2026, 12, 1),
            ends_on=date(2026, 11, 1),
            lead_department=district.departments["edu"],
            institution_kinds=["nonsense"],
        )
    assert {"ends_on", "institution_kinds"} <= set(exc.value.message_dict)
    for persona in ("edu_officer", "street_a", "leader", "institution"):
        with pytest.raises(PermissionDenied):
            services.campaign_set_status(actor=personas[persona], campaign=campaign, status="active")
    with pytest.raises(ValidationError, match="结束后才能复制"):
        services.campaign_copy(actor=lead, campaign=campaign, starts_on=date(2027, 3, 1), ends_on=date(2027, 4, 1))
    with pytest.raises(ValidationError):
        services.campaign_set_status(actor=lead, campaign=campaign, status="finished")  # planned → finished: no
    services.campaign_set_status(actor=lead, campaign=campaign, status="active")
    services.campaign_set_status(actor=lead, campaign=campaign, status="finished")
    # A new site registered since is on the next round's list: the routine goes on (常态化).
    new_site = registry_services.institution_create(
        actor=personas["admin"], name="新开托管班", kind="after_school", street=district.streets["a"]
    )
    second = services.campaign_copy(actor=lead, campaign=campaign, starts_on=date(2027, 3, 1), ends_on=date(2027, 4, 1))
    assert second.round == 2 and second.previous == campaign and str(second).endswith("（第2轮）")
    assert set(second.departments.all()) == set(campaign.departments.all())
    assert second.targets.filter(institution=new_site).exists()


def test_target_list_is_editable_until_an_inspection_is_planned(personas, district, campaign, team):
    lead, inst_a = personas["lead"], district.institutions["a"]
    services.campaign_target_remove(actor=lead, campaign=campaign, institution=inst_a)
    with pytest.raises(ValidationError, match="不在本次专项行动"):
        services.inspection_create(
            actor=lead, institution=inst_a, scheduled_at=when(), officers=team, campaign=campaign
        )
    services.campaign_target_add(actor=lead, campaign=campaign, institution=inst_a)
    with pytest.raises(ValidationError, match="已在检查对象名单中"):
        services.campaign_target_add(actor=lead, campaign=campaign, institution=inst_a)
    services.inspection_create(actor=lead, institution=inst_a, scheduled_at=when(), officers=team, campaign=campaign)
    with pytest.raises(ValidationError, match="不能移出名单"):
        services.campaign_target_remove(actor=lead, campaign=campaign, institution=inst_a)
    assert CampaignTarget.objects.filter(campaign=campaign, institution=inst_a).exists()


# ---------------------------------------------------------------------------------------------------- teams


def test_a_team_needs_two_officers_with_valid_certificates(personas, district, campaign, team):
    lead, inst = personas["lead"], district.institutions["a"]
    before = Inspection.objects.count()
    with pytest.raises(ValidationError, match="至少需要 2 名") as exc:
        services.inspection_create(actor=lead, institution=inst, scheduled_at=when(), officers=team[:1])
    assert "第四十二条" in exc.value.message_dict["officers"][0]
    with pytest.raises(ValidationError, match="至少需要 2 名"):  # the same officer twice is one officer
        services.inspection_create(actor=lead, institution=inst, scheduled_at=when(), officers=[team[0], team[0]])
    OfficerProfile.objects.filter(user=team[1]).update(certificate_valid_until=date(2026, 1, 31))
    with pytest.raises(ValidationError) as exc:
        services.inspection_create(actor=lead, institution=inst, scheduled_at=when(), officers=team)
    message = exc.value.message_dict["officers"][0]
    assert "fire_officer姓名" in message and "TEST0001" in message and "已过期" in message
    with pytest.raises(ValidationError, match="没有执法证"):
        services.inspection_create(
            actor=lead, institution=inst, scheduled_at=when(), officers=[team[0], personas["street_a"]]
        )
    assert Inspection.objects.count() == before


def test_campaign_teams_come_from_its_departments(personas, district, team):
    only_edu = services.campaign_create(
        actor=personas["lead"],
        name="教育专项",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 31),
        lead_department=district.departments["edu"],
    )
    with pytest.raises(ValidationError, match="未参加本次专项行动"):
        services.inspection_create(
            actor=personas["lead"],
            institution=district.institutions["a"],
            scheduled_at=when(),
            officers=team,
            campaign=only_edu,
        )


def test_officers_plan_only_inspections_they_are_on(personas, district, team):
    inst = district.institutions["a"]
    with pytest.raises(PermissionDenied, match="只能安排自己参加"):
        services.inspection_create(
            actor=personas["fire_officer"], institution=inst, scheduled_at=when(), officers=[team[0], team[0]]
        )
    own = services.inspection_create(
        actor=personas["fire_officer"], institution=inst, scheduled_at=when(), officers=team
    )
    assert own.kind == "routine" and own.lead_department == district.departments["fire"]
    for persona in ("street_a", "leader", "admin", "institution", "legal"):
        with pytest.raises(PermissionDenied):
            services.inspection_create(actor=personas[persona], institution=inst, scheduled_at=when(), officers=team)


def test_the_inspection_keeps_its_checklist_version(personas, inspection):
    version = inspection.checklist_version
    assert version.checklist.institution_kind == "academic" and version.status == "published"
    draft = checklist_services.version_draft(actor=personas["admin"], checklist=version.checklist)
    checklist_services.version_publish(actor=personas["admin"], version=draft)
    inspection.refresh_from_db()
    assert inspection.checklist_version == version
    assert ChecklistVersion.objects.get(pk=version.pk).status == "archived"


# ---------------------------------------------------------------------------------------------------- on site


def test_the_on_site_record_becomes_findings(personas, district, inspection):
    edu, fire = personas["edu_officer"], personas["fire_officer"]
    services.inspection_start(actor=edu, inspection=inspection)
    items = {i.order: i for i in inspection.checklist_version.items.all()}
    exits = next(i for i in items.values() if i.text.startswith("疏散通道"))
    permit = items[1]
    answer_all(edu, inspection, {permit.order: "未取得办学许可证", exits.order: "后门被杂物堵塞"})
    with pytest.raises(ValidationError, match="须拍照取证"):
        services.inspection_complete(
            certificates_shown=True,
            recusal_requested=False,
            actor=edu,
            inspection=inspection,
            representative_name="张校长",
        )
    exits_result = inspection.results.get(item=exits)
    permit_result = inspection.results.get(item=permit)
    services.evidence_add(actor=fire, inspection=inspection, upload=upload(jpeg()), result=exits_result)
    services.evidence_add(actor=edu, inspection=inspection, upload=upload(jpeg(taken=None)), result=permit_result)
    services.result_record(
        actor=fire, inspection=inspection, item=exits, outcome="fail", note="后门被杂物堵塞", fixed_on_site=True
    )
    extra = services.finding_add(
        actor=edu,
        inspection=inspection,
        category="advertising",
        description="门口宣传牌写有“保过”承诺",
        severity="major",
    )
    assert extra.department == Competence().lead(extra.inspection.institution.kind, "advertising")  # the competent one
    with pytest.raises(ValidationError) as exc:
        services.inspection_complete(certificates_shown=True, recusal_requested=False, actor=edu, inspection=inspection)
    assert "representative_name" in exc.value.message_dict
    with pytest.raises(ValidationError, match="须记录见证人"):
        services.inspection_complete(
            certificates_shown=True, recusal_requested=False, actor=edu, inspection=inspection, signature_refused=True
        )
    done = services.inspection_complete(
        certificates_shown=True,
        recusal_requested=False,
        actor=edu,
        inspection=inspection,
        signature_refused=True,
        witness_name="物业管理员李某",
        summary="现场检查",
        fixed_site=True,
        two_or_more_staff=False,
        organised_teaching=True,
    )
    assert done.status == "completed" and done.completed_at
    findings = {f.description: f for f in done.findings.all()}
    assert len(findings) == 3
    fire_finding = findings["疏散通道、安全出口畅通，未被占用、堵塞、封闭或锁闭：后门被杂物堵塞"]
    assert fire_finding.department == district.departments["fire"] and fire_finding.fixed_on_site
    assert fire_finding.severity == "severe" and fire_finding.period_days == 1
    assert fire_finding.evidence.count() == 1
    # Frozen: nothing more on site.
    with pytest.raises(ValidationError, match="已完成"):
        services.result_record(actor=edu, inspection=done, item=permit, outcome="pass")
    with pytest.raises(ValidationError, match="已完成"):
        services.evidence_add(actor=edu, inspection=done, upload=upload(jpeg()))
    actions = set(
        AuditEvent.objects.filter(institution_id=district.institutions["a"].pk).values_list("action", flat=True)
    )
    assert {
        "inspection.create",
        "inspection.start",
        "inspection.result",
        "evidence.add",
        "finding.create",
        "inspection.complete",
    } <= actions  # fmt: skip  (the institution's shared timeline)


def test_every_item_must_be_answered_and_only_from_its_version(personas, inspection):
    edu = personas["edu_officer"]
    services.inspection_start(actor=edu, inspection=inspection)
    first = inspection.checklist_version.items.first()
    services.result_record(actor=edu, inspection=inspection, item=first, outcome="pass")
    with pytest.raises(ValidationError, match="未填写结果"):
        services.inspection_complete(
            certificates_shown=True, recusal_requested=False, actor=edu, inspection=inspection, representative_name="张"
        )
    other = ChecklistVersion.objects.exclude(pk=inspection.checklist_version_id).first().items.first()
    with pytest.raises(ValidationError, match="不属于本次检查"):
        services.result_record(actor=edu, inspection=inspection, item=other, outcome="pass")
    with pytest.raises(ValidationError, match="只有不合格"):
        services.result_record(actor=edu, inspection=inspection, item=first, outcome="pass", fixed_on_site=True)
    with pytest.raises(ValidationError):
        services.result_record(actor=edu, inspection=inspection, item=first, outcome="maybe")


def test_only_the_team_records_on_site(personas, district, campaign, inspection):
    services.inspection_start(actor=personas["edu_officer"], inspection=inspection)
    item = inspection.checklist_version.items.first()
    for persona in ("lead", "street_a", "admin", "institution"):
        with pytest.raises(PermissionDenied, match="检查组成员"):
            services.result_record(actor=personas[persona], inspection=inspection, item=item, outcome="pass")
    # Another department's officer, not on this team, cannot add a photo to it.
    other = personas["admin"]
    with pytest.raises(PermissionDenied):
        services.evidence_add(actor=other, inspection=inspection, upload=upload(jpeg()))
    assert not Evidence.objects.filter(inspection=inspection).exists()


# ---------------------------------------------------------------------------------------------------- photos


@pytest.fixture
def on_site(personas, inspection):
    services.inspection_start(actor=personas["edu_officer"], inspection=inspection)
    return inspection


def test_a_photo_is_stored_by_hash_with_its_own_time_and_a_thumbnail(personas, on_site):
    data = jpeg(size=(2000, 1500))
    evidence = services.evidence_add(actor=personas["edu_officer"], inspection=on_site, upload=upload(data))
    import hashlib

    assert evidence.sha256 == hashlib.sha256(data).hexdigest() and evidence.file.read() == data
    assert evidence.content_type == "image/jpeg" and (evidence.width, evidence.height) == (2000, 1500)
    assert timezone.localtime(evidence.taken_at).strftime("%Y-%m-%d %H:%M") == "2026-11-20 09:30"
    with Image.open(evidence.thumbnail) as thumb:
        assert max(thumb.size) == 480 and thumb.format == "JPEG"


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "photo.jpg", "不是有效的照片"),  # a PDF renamed .jpg
        (jpeg()[: len(jpeg()) // 2], "cut.jpg", "不是有效的照片"),  # truncated
        (b"", "empty.jpg", "空文件"),
        (b"GIF89a" + b"\x00" * 100, "anim.gif", "不是有效的照片"),
    ],
)
def test_bad_photos_are_refused_and_change_nothing(personas, on_site, data, name, reason):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match=reason):
        services.evidence_add(actor=personas["edu_officer"], inspection=on_site, upload=upload(data, name))
    assert not Evidence.objects.filter(inspection=on_site).exists() and AuditEvent.objects.count() == before


def test_a_huge_photo_is_refused_by_size(personas, on_site, settings):
    settings.JIANGUAN_PHOTO_MAX_BYTES = 1024 * 1024
    big = upload(jpeg() + b"\x00" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError, match="不能超过 1 MB"):
        services.evidence_add(actor=personas["edu_officer"], inspection=on_site, upload=big)


def test_a_50_mb_upload_is_refused(personas, on_site):
    with pytest.raises(ValidationError, match="不能超过 15 MB"):
        services.evidence_add(
            actor=personas["edu_officer"], inspection=on_site, upload=upload(b"\xff\xd8" + b"\x00" * (50 * 1024 * 1024))
        )


# ---------------------------------------------------------------------------------------------------- after


def test_cancel_needs_a_reason_and_amendments_keep_what_was_there(personas, district, team, inspection):
    lead, edu = personas["lead"], personas["edu_officer"]
    with pytest.raises(ValidationError, match="须填写原因"):
        services.inspection_cancel(actor=lead, inspection=inspection, reason=" ")
    services.inspection_start(actor=edu, inspection=inspection)
    answer_all(edu, inspection)
    services.inspection_complete(
        certificates_shown=True, recusal_requested=False, actor=edu, inspection=inspection, representative_name="张校长"
    )
    with pytest.raises(ValidationError):
        services.inspection_cancel(actor=lead, inspection=inspection, reason="误建")
    with pytest.raises(ValidationError, match="须填写原因"):
        services.inspection_amend(actor=edu, inspection=inspection, reason="", summary="x")
    with pytest.raises(ValidationError, match="不能更正"):
        services.inspection_amend(actor=edu, inspection=inspection, reason="笔误", status="planned")
    amendment = services.inspection_amend(
        actor=edu, inspection=inspection, reason="负责人姓名笔误", representative_name="章校长"
    )
    assert amendment.changes == {
        "before": {"representative_name": "张校长"},
        "after": {"representative_name": "章校长"},
    }
    with pytest.raises(PermissionDenied):
        services.inspection_amend(actor=personas["street_a"], inspection=inspection, reason="x", summary="y")
    other = services.inspection_create(
        actor=lead, institution=district.institutions["b"], scheduled_at=when(1), officers=team
    )
    services.inspection_cancel(actor=lead, inspection=other, reason="机构当日停业，改期")
    other.refresh_from_db()
    assert other.status == "cancelled" and other.cancel_reason == "机构当日停业，改期"
    assert AuditEvent.objects.filter(action="inspection.amend", institution_id=district.institutions["a"].pk).exists()


def test_who_sees_which_inspection(personas, district, inspection):
    def visible(persona):
        return Inspection.objects.visible_to(personas[persona]).filter(pk=inspection.pk).exists()

    assert all(visible(p) for p in ("admin", "lead", "leader", "legal", "edu_officer", "fire_officer", "street_a"))
    assert not visible("street_b") and not visible("anonymous")
    assert not visible("institution")  # the institution sees it once completed
    edu = personas["edu_officer"]
    services.inspection_start(actor=edu, inspection=inspection)
    answer_all(edu, inspection)
    services.inspection_complete(
        certificates_shown=True, recusal_requested=False, actor=edu, inspection=inspection, representative_name="张校长"
    )
    assert visible("institution")


def test_a_department_sees_inspections_it_takes_part_in_or_supervises(personas, district):
    from jianguan.accounts import services as account_services
    from tests.support.district import PASSWORD

    market_officers = []
    for n in range(2):
        officer = account_services.user_create(
            actor=personas["admin"],
            username=f"market{n}",
            name=f"市监{n}",
            role="department_officer",
            password=PASSWORD,
            department=district.departments["market"],
        )
        account_services.officer_profile_set(
            actor=personas["admin"], user=officer, certificate_number=f"M{n}", certificate_valid_until=date(2099, 1, 1)
        )
        market_officers.append(officer)
    market_only = services.inspection_create(
        actor=market_officers[0], institution=district.institutions["b"], scheduled_at=when(), officers=market_officers
    )
    assert not Inspection.objects.visible_to(personas["fire_officer"]).filter(pk=market_only.pk).exists()
    services.inspection_start(actor=market_officers[0], inspection=market_only)
    services.finding_add(
        actor=market_officers[1],
        inspection=market_only,
        category="fire_safety",
        description="灭火器过期",
        severity="major",
    )
    # A fire-safety finding is the fire department's to supervise: now they see the inspection.
    assert Inspection.objects.visible_to(personas["fire_officer"]).filter(pk=market_only.pk).exists()


def test_an_unregistered_site_is_put_on_the_registry_on_the_spot(personas, district, team):
    site = registry_services.site_report(
        actor=personas["edu_officer"],
        name="居民楼内无名辅导班",
        kind="academic",
        street=district.streets["a"],
        address="甲街道 9 号 3 单元 501",
    )
    assert site.status == "unregistered" and site.credit_code is None and site.licence_missing
    assert AuditEvent.objects.filter(action="site.report", institution_id=site.pk).exists()
    inspection = services.inspection_create(
        actor=personas["edu_officer"], institution=site, scheduled_at=when(), officers=team
    )
    assert inspection.checklist_version.checklist.institution_kind == "academic"
    with pytest.raises(PermissionDenied):
        registry_services.site_report(actor=personas["leader"], name="x", kind="other", street=district.streets["a"])
    with pytest.raises(PermissionDenied):
        registry_services.site_report(
            actor=personas["street_b"], name="外街道", kind="other", street=district.streets["a"]
        )
    with pytest.raises(ValidationError, match="同一街道已有名称相同"):
        registry_services.site_report(
            actor=personas["street_a"], name="居民楼内无名辅导班", kind="academic", street=district.streets["a"]
        )
    assert Institution.objects.filter(name="居民楼内无名辅导班").count() == 1


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_photos_are_accepted_whole_and_refused_cut(personas, on_site, fmt):
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (10, 120, 60)).save(out, fmt)
    data = out.getvalue()
    evidence = services.evidence_add(actor=personas["edu_officer"], inspection=on_site, upload=upload(data, "x.bin"))
    assert evidence.content_type == f"image/{fmt.lower()}" and evidence.taken_at is None
    with pytest.raises(ValidationError, match="不是有效的照片"):
        services.evidence_add(actor=personas["edu_officer"], inspection=on_site, upload=upload(data[:-10], "y.bin"))


# ---------------------------------------------------------------------------------------------------- documents


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page of a PDF (pdftotext), whitespace removed: Chinese lines wrap anywhere."""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(data)
        tmp.flush()
        out = subprocess.run(["pdftotext", tmp.name, "-"], capture_output=True, text=True, check=True).stdout
    return ["".join(page.split()) for page in out.split("\f") if page.strip()]


def _pdf_text(document) -> str:  # type: ignore[no-untyped-def]
    with document.pdf.open("rb") as pdf:
        return "".join(pdf_pages(pdf.read()))


def _complete_with_problems(personas, inspection, periods: dict[str, int] | None = None):  # type: ignore[no-untyped-def]
    edu = personas["edu_officer"]
    services.inspection_start(actor=edu, inspection=inspection)
    items = list(inspection.checklist_version.items.all())
    # An education problem ordered with a date, and a fire problem corrected on the spot.
    permit = next(i for i in items if i.text.startswith("无超标超前培训"))
    exits = next(i for i in items if i.text.startswith("疏散通道"))
    answer_all(edu, inspection, {permit.order: "超前培训", exits.order: "堵塞"})
    for item in (permit, exits):
        services.evidence_add(
            actor=edu, inspection=inspection, upload=upload(jpeg()), result=inspection.results.get(item=item)
        )
    services.result_record(
        actor=edu, inspection=inspection, item=exits, outcome="fail", note="堵塞", fixed_on_site=True
    )
    for text, period in (periods or {}).items():
        services.finding_add(
            actor=edu,
            inspection=inspection,
            category="premises",
            description=text,
            severity="minor",
            period_days=period,
        )
    return services.inspection_complete(
        certificates_shown=True,
        recusal_requested=False,
        actor=edu,
        inspection=inspection,
        signature_refused=True,
        witness_name="物业管理员李某",
    )


def test_completion_issues_the_record_and_the_rectification_order(personas, district, inspection):
    from jianguan.documents.models import Document
    from jianguan.lib.workdays import add_working_days

    done = _complete_with_problems(personas, inspection, {"教室采光不足": 10})
    docs = {d.kind: d for d in Document.objects.filter(source_type="inspections.inspection", source_id=str(done.pk))}
    assert set(docs) == {"inspection_record", "rectification_notice", "on_spot_order"}
    assert docs["on_spot_order"].department == district.departments["fire"]  # the exit, corrected on the spot
    record, notice = docs["inspection_record"], docs["rectification_notice"]
    year = timezone.localdate().year
    assert record.number.startswith(f"测教检录〔{year}〕") and notice.number.startswith(f"测教责改〔{year}〕")
    import os

    if os.environ.get("JIANGUAN_DUMP_DOCS"):  # look at them: JIANGUAN_DUMP_DOCS=/tmp pytest -k record_and
        for doc in (record, notice):
            with open(f"{os.environ['JIANGUAN_DUMP_DOCS']}/{doc.kind}.pdf", "wb") as out:
                out.write(doc.pdf.read())
            with open(f"{os.environ['JIANGUAN_DUMP_DOCS']}/{doc.kind}.docx", "wb") as out:
                out.write(doc.docx.read())
    text = _pdf_text(record)
    for phrase in ("现场检查笔录", record.number, "甲街道培训学校", "TEST0000", "TEST0001", "拒绝签字", "物业管理员李某",
                   "出示执法证件", "已当场整改"):  # fmt: skip
        assert phrase in text, phrase
    text = _pdf_text(notice)
    today = timezone.localdate()
    for finding in done.findings.filter(fixed_on_site=False):
        assert finding.deadline == add_working_days(today, finding.period_days)
    assert "责令整改通知书" in text and "甲街道培训学校：" in text and "教室采光不足" in text
    assert "堵塞" not in text.split("存在下列问题")[1]  # fixed on the spot: not on the order
    assert "六十日内" in text and "测试区教育局" in text


def test_an_order_waits_for_next_years_calendar(personas, district, inspection):
    from jianguan.documents.models import Document
    from jianguan.lib.workdays import working_days_between
    from jianguan.org import services as org_services
    from jianguan.org.models import HolidayNotice
    from tests.support.calendar import synthetic_notice

    today = timezone.localdate()
    next_year = today.year + 1
    # A period that ends a few working days into next year, whatever day of the year the test runs on.
    period = working_days_between(today, date(today.year, 12, 31)) + 5
    HolidayNotice.objects.filter(year=next_year).delete()  # the test district entered one; this test needs none
    clear_cache()
    done = _complete_with_problems(personas, inspection, {"装修整改": period})
    assert done.status == "completed"
    kinds = set(
        Document.objects.filter(source_type="inspections.inspection", source_id=str(done.pk)).values_list(
            "kind", flat=True
        )
    )
    event = AuditEvent.objects.get(action="inspection.complete", object_id=str(done.pk))
    if workdays_known(next_year):
        assert "rectification_notice" in kinds  # the package itself covers next year
        return
    assert kinds == {"inspection_record", "on_spot_order"} and "尚未收录" in event.after["notice_pending"]
    assert not done.findings.exclude(deadline=None).exists()
    with pytest.raises(Exception, match="尚未收录"):
        services.rectification_notice_issue(actor=personas["lead"], inspection=done)
    # The waiting order is listed for the team and the lead, and counted on their home pages.
    from tests.support.district import persona_client

    for name in ("lead", "edu_officer"):
        client = persona_client(personas[name])
        listed = client.get("/inspections/", {"notice": "waiting"}).context["page"]
        assert [i.pk for i in listed] == [done.pk], name
        figures = {f.label: f.value for f in client.get("/").context["figures"]}
        assert figures["待生成整改通知书"] == 1, name
    # The lead coordinator imports next year's notice; the waiting order can go out at once (same transaction).
    org_services.holiday_notice_import(actor=personas["lead"], text=synthetic_notice(next_year))
    [notice] = services.rectification_notice_issue(actor=personas["lead"], inspection=done)
    assert notice.kind == "rectification_notice" and done.findings.filter(deadline__year=next_year).exists()
    assert not persona_client(personas["lead"]).get("/inspections/", {"notice": "waiting"}).context["page"]


def workdays_known(year: int) -> bool:
    from jianguan.lib.workdays import year_is_known

    return year_is_known(year)


def test_an_amendment_regenerates_the_record_under_its_number(personas, inspection):
    from jianguan.documents.models import Document

    done = _complete_with_problems(personas, inspection)
    record = Document.objects.get(
        source_type="inspections.inspection", source_id=str(done.pk), kind="inspection_record"
    )
    services.inspection_amend(
        actor=personas["edu_officer"], inspection=done, reason="见证人姓名笔误", witness_name="物业管理员黎某"
    )
    again = Document.objects.get(pk=record.pk)
    assert again.number == record.number and again.pdf_sha256 != record.pdf_sha256
    assert "黎某" in _pdf_text(again)


def test_the_inspection_list_filters_by_institution_within_scope(district, client_for):
    a, b = district.institutions["a"], district.institutions["b"]
    html = client_for("lead").get(f"/inspections/?institution={a.pk}").content.decode()
    assert html.count("甲街道培训学校") >= 2 and "乙街道小饭桌</a>" not in html
    assert client_for("street_a").get(f"/inspections/?institution={b.pk}").status_code == 404
    detail = client_for("lead").get(f"/institutions/{a.pk}/").content.decode()
    assert f"/inspections/?institution={a.pk}" in detail


def test_a_time_that_has_passed_is_planned_only_as_backfill(personas, district, team):
    lead, inst = personas["lead"], district.institutions["b"]
    yesterday = timezone.now() - timedelta(days=1)
    with pytest.raises(ValidationError, match="计划检查时间已经过去.*补录"):
        services.inspection_create(actor=lead, institution=inst, scheduled_at=yesterday, officers=team)
    with pytest.raises(ValidationError, match="补录的检查，检查时间须早于现在"):
        services.inspection_create(actor=lead, institution=inst, scheduled_at=when(1), officers=team, backfill=True)
    entered = services.inspection_create(
        actor=lead, institution=inst, scheduled_at=yesterday, officers=team, backfill=True
    )
    assert entered.backfilled
    assert AuditEvent.objects.filter(action="inspection.create", object_id=str(entered.pk)).get().after["backfilled"]
    # A team entering the inspection it is starting is not 补录.
    assert not services.inspection_create(
        actor=lead, institution=inst, scheduled_at=timezone.now() - timedelta(hours=1), officers=team
    ).backfilled


def test_planning_the_same_inspection_twice_returns_the_first(personas, district, team, client):
    lead, inst = personas["lead"], district.institutions["b"]
    at = when(2)
    first = services.inspection_create(actor=lead, institution=inst, scheduled_at=at, officers=team)
    events = AuditEvent.objects.count()
    again = services.inspection_create(actor=lead, institution=inst, scheduled_at=at, officers=list(reversed(team)))
    assert again.pk == first.pk and AuditEvent.objects.count() == events
    # Twice through the page (a double click): one inspection.
    client.force_login(lead)
    at = timezone.localtime(when(3)).replace(second=0, microsecond=0)
    form = {
        "institution": inst.credit_code or inst.name,
        "scheduled_at": at.strftime("%Y-%m-%dT%H:%M"),
        "officers": [u.pk for u in team],
    }
    for _ in range(2):
        assert client.post("/inspections/new/", form).status_code == 302
    assert Inspection.objects.filter(institution=inst, scheduled_at=at).count() == 1
