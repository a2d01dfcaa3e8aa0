"""Checklists: the shipped defaults, versioning (a published version never changes), permissions, audit, pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jianguan.audit.models import AuditEvent
from jianguan.checklists import services
from jianguan.checklists.models import Checklist, ChecklistItem, ChecklistVersion
from jianguan.org.choices import CheckCategory
from jianguan.registry.choices import InstitutionKind
from tests.support.district import persona_client


def _published(kind: str) -> ChecklistVersion:
    return ChecklistVersion.objects.get(checklist__institution_kind=kind, status="published")


def test_every_institution_kind_has_a_published_default_checklist(db):
    for kind in InstitutionKind.values:
        version = _published(kind)
        items = list(version.items.all())
        assert len(items) >= 8, kind
        assert {i.category for i in items} <= set(CheckCategory.values)
        assert all(i.legal_basis and i.period_days >= 1 for i in items)
        assert "fire_safety" in {i.category for i in items}  # every site is checked for fire safety
        assert [i.order for i in items] == list(range(1, len(items) + 1))


@pytest.mark.parametrize(
    ("kind", "phrases"),
    [
        (
            "academic",
            ["办学许可证", "教师资格", "法定节假日、休息日及寒暑假期", "60 课时", "疏散通道", "灭火器", "应急照明"],
        ),
        ("meal_care", ["食品经营许可证或办理小餐饮备案", "健康证明", "贮存", "留样", "疏散通道"]),
        ("non_academic", ["未以非学科类名义开展学科类培训", "3 个月"]),
        ("after_school", ["未以托管名义开展学科类培训"]),
    ],
)
def test_default_checklists_carry_the_checks_of_the_domain(db, kind, phrases):
    text = "\n".join(_published(kind).items.values_list("text", flat=True))
    for phrase in phrases:
        assert phrase in text, phrase


def test_blocked_fire_exits_are_severe_and_need_a_photo(db):
    item = _published("after_school").items.get(text__startswith="疏散通道")
    assert item.severity == "severe" and item.photo_required and item.period_days == 1
    assert "消防法" in item.legal_basis and "第二十八条" in item.legal_basis


def test_a_new_version_is_a_draft_copy_and_publishing_archives_the_old_one(personas):
    admin = personas["admin"]
    v1 = _published("academic")
    draft = services.version_draft(actor=admin, checklist=v1.checklist, note="增加作业管理检查")
    assert draft.number == v1.number + 1 and draft.is_draft
    assert draft.items.count() == v1.items.count()
    with pytest.raises(ValidationError, match="已有草稿版本"):
        services.version_draft(actor=admin, checklist=v1.checklist)
    added = services.item_save(
        actor=admin,
        version=draft,
        category="teaching",
        text="不布置超量作业",
        legal_basis="《双减意见》",
        severity="minor",
    )
    assert added.order == v1.items.count() + 1
    first = draft.items.get(order=1)
    first_period = first.period_days
    assert first_period != 3
    services.item_save(actor=admin, version=draft, item=first, period_days=3)
    services.version_publish(actor=admin, version=draft)
    v1.refresh_from_db()
    draft.refresh_from_db()
    assert v1.status == "archived" and v1.archived_at and draft.status == "published"
    # The old version kept its items unchanged.
    assert v1.items.count() == draft.items.count() - 1
    assert draft.items.get(order=1).period_days == 3 and v1.items.get(order=1).period_days == first_period
    actions = list(
        AuditEvent.objects.filter(action__startswith="checklist").order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["checklist.draft", "checklist_item.create", "checklist_item.update", "checklist.publish"]


def test_a_published_version_never_changes(personas):
    admin = personas["admin"]
    version = _published("meal_care")
    item = version.items.first()
    with pytest.raises(ValidationError, match="不能再修改"):
        services.item_save(actor=admin, version=version, item=item, text="改")
    with pytest.raises(ValidationError, match="不能再修改"):
        services.item_save(actor=admin, version=version, category="fees", text="新", legal_basis="x")
    with pytest.raises(ValidationError, match="不能再修改"):
        services.item_delete(actor=admin, item=item)
    with pytest.raises(ValidationError):
        services.version_publish(actor=admin, version=version)
    item.refresh_from_db()
    assert item.text != "改" and version.items.count() == ChecklistItem.objects.filter(version=version).count()


def test_new_checklist_needs_an_item_before_publishing_and_bad_items_are_refused(personas):
    admin = personas["admin"]
    checklist = services.checklist_create(actor=admin, name="培训机构安全专项检查表", institution_kind="")
    draft = checklist.versions.get()
    with pytest.raises(ValidationError, match="至少要有一个检查项"):
        services.version_publish(actor=admin, version=draft)
    with pytest.raises(ValidationError) as exc:
        services.item_save(actor=admin, version=draft, category="nonsense", text="", legal_basis="x", period_days=0)
    assert {"category", "text", "period_days"} <= set(exc.value.message_dict)
    services.item_save(actor=admin, version=draft, category="premises", text="场地", legal_basis="x", order=5)
    with pytest.raises(ValidationError, match="序号 5 已被"):
        services.item_save(actor=admin, version=draft, category="premises", text="场地二", legal_basis="x", order=5)
    services.version_publish(actor=admin, version=draft)
    services.version_archive(actor=admin, version=draft)
    with pytest.raises(ValidationError):
        services.version_archive(actor=admin, version=draft)
    with pytest.raises(ValidationError):  # unique name
        services.checklist_create(actor=admin, name="培训机构安全专项检查表")


@pytest.mark.parametrize("persona_name", ["lead", "edu_officer", "street_a", "leader", "institution"])
def test_only_admins_edit_checklists(personas, persona_name):
    user = personas[persona_name]
    version = _published("other")
    with pytest.raises(PermissionDenied):
        services.checklist_create(actor=user, name="越权")
    with pytest.raises(PermissionDenied):
        services.version_draft(actor=user, checklist=version.checklist)
    with pytest.raises(PermissionDenied):
        services.version_archive(actor=user, version=version)
    assert not Checklist.objects.filter(name="越权").exists()


def test_version_page_shows_items_with_the_lead_department_of_the_matrix(district):
    version = _published("meal_care")
    html = persona_client(district.users["edu_officer"]).get(f"/checklists/versions/{version.pk}/").content.decode()
    assert "留样" in html and "测试区市场监管局" in html and "测试区消防救援大队" in html
    assert "发布此版本" not in html  # officers read, admins edit


def test_admin_edits_a_draft_through_the_pages(district):
    client = persona_client(district.users["admin"])
    version = _published("academic")
    response = client.post(f"/checklists/{version.checklist_id}/draft/")
    draft = version.checklist.versions.get(status="draft")
    assert response.status_code == 302 and response["Location"].endswith(f"/checklists/versions/{draft.pk}/")
    response = client.post(
        f"/checklists/versions/{draft.pk}/items/new/",
        {"category": "staff", "text": "外籍人员资质", "legal_basis": "规定", "severity": "major", "period_days": 5},
    )
    assert response.status_code == 302 and draft.items.filter(text="外籍人员资质").exists()
    count = version.items.count()
    response = client.post(
        f"/checklists/versions/{version.pk}/items/new/",
        {"category": "staff", "text": "x", "legal_basis": "y", "severity": "minor", "period_days": 5},
        follow=True,
    )
    assert "不能修改" in response.content.decode() and version.items.count() == count  # published: refused
    client.post(f"/checklists/versions/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.status == "published"


def test_the_default_checklists_were_corrected_by_a_new_version_and_the_first_kept(district):
    """Issue 15: the citations checked against the texts, published as version 2 of each default checklist (a
    published version never changes); inspections that used version 1 keep it, and the page says which used which."""
    from jianguan.checklists.defaults import CORRECTION_NOTE, DEFAULT_CHECKLISTS, correct_defaults

    for spec in DEFAULT_CHECKLISTS:
        versions = {v.number: v for v in ChecklistVersion.objects.filter(checklist__name=spec["name"])}
        assert versions[1].status == "archived" and versions[2].status == "published"
        assert versions[2].note == CORRECTION_NOTE
    items = ChecklistItem.objects.filter(version__status="published")
    bases = " ".join(items.values_list("legal_basis", flat=True))
    assert "教监管函〔2021〕2号" in bases and "教监管厅函〔2021〕6号" not in bases
    assert "教监管〔2022〕4号" in bases and "《学校食品安全与营养健康管理规定》第四十条" in bases
    assert "《中华人民共和国广告法》第二十四条第（一）项、第二十八条" in bases
    staff = items.filter(code="criminal_record_checks").first()
    assert "每年" in staff.text and "第六十二条" in staff.legal_basis and staff.order_basis.endswith("第一百二十六条")
    licence = items.get(version__checklist__institution_kind="academic", code="school_licence")
    assert licence.remedy == "stop_running" and "第六十四条" in licence.order_basis
    exits = items.filter(code="fire_exits").first()
    assert exits.order_basis == "《中华人民共和国消防法》第六十条第一款第（三）项" and exits.remedy == "deadline"
    assert all(i.order_basis and i.penalty_basis for i in items)  # every default item says both
    assert correct_defaults() == 0  # once only
    version = ChecklistVersion.objects.get(checklist__name=DEFAULT_CHECKLISTS[0]["name"], number=2)
    page = persona_client(district.users["admin"]).get(f"/checklists/versions/{version.pk}/").content.decode()
    assert "用于" in page and "次检查" in page and CORRECTION_NOTE[:10] in page
