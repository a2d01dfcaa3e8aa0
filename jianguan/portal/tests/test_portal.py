"""The public portal: search without login, plain badges, a profile page without personal data, rate limits."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from jianguan.lib.textnorm import mask_phone
from jianguan.registry import services as registry_services
from jianguan.registry.models import Institution
from tests.support.district import DECISION_BASIS


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public(district):
    inst = district.institutions["a"]
    Institution.objects.filter(pk=inst.pk).update(
        contact_phone="13912345678", contact_person="联系人秘密", legal_representative="法人秘密", notes="内部备注秘密"
    )
    return Client()


def test_search_finds_by_name_pinyin_and_code_without_login(public, district):
    for q in ("甲街道培训", "jjdpx", "92990100MA00000A1P", "92990100ma"):
        html = public.get("/public/", {"q": q}).content.decode()
        assert "甲街道培训学校" in html, q
    html = public.get("/public/", {"kind": "meal_care"}).content.decode()
    assert "乙街道小饭桌" in html and "甲街道培训学校" not in html


def test_badges_say_licensed_rectifying_or_ordered_to_stop(public, district):
    a, b = district.institutions["a"], district.institutions["b"]
    html = public.get("/public/", {"q": "街道"}).content.decode()
    # a: permit and legal-entity licence? a holds a school permit only (missing legal entity) → 未取得许可;
    # it also has an open ledger item (the district's fire-exit problem) → 整改中.
    assert "整改中" in html and "未取得许可" in html
    registry_services.institution_status_change(
        actor=district.users["lead"],
        institution=b,
        to_status="stop_enrolling",
        reason="无证经营，责令停止招生",
        **DECISION_BASIS,
    )
    page = public.get(f"/public/institutions/{b.pk}/").content.decode()
    assert "责令停止招生" in page and "无证经营，责令停止招生" in page and "测教罚决〔2026〕9号（2026-01-05）" in page
    assert public.get(f"/public/institutions/{a.pk}/").status_code == 200


def test_no_personal_data_reaches_the_public(public, district, settings):
    a = district.institutions["a"]
    pages = [
        public.get("/public/", {"q": "甲街道"}).content.decode(),
        public.get(f"/public/institutions/{a.pk}/").content.decode(),
    ]
    for html in pages:
        for secret in ("13912345678", "联系人秘密", "法人秘密", "内部备注秘密", "edu_officer姓名", "TEST0000"):
            assert secret not in html, secret
    assert "139****5678" in pages[1]
    settings.JIANGUAN_PUBLIC_LEGAL_REPRESENTATIVE = True
    assert "法人秘密" in public.get(f"/public/institutions/{a.pk}/").content.decode()


def test_inspection_results_of_the_last_three_years(public, district):
    html = public.get(f"/public/institutions/{district.institutions['a'].pk}/").content.decode()
    assert "近三年检查结果" in html and "消防安全 1 项" in html and "整改中 1" in html


def test_rate_limit_answers_429_in_chinese(public, settings):
    settings.JIANGUAN_PUBLIC_RATE_LIMIT = 3
    codes = [public.get("/public/", {"q": "甲"}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    response = public.get("/public/")
    assert response.status_code == 429 and "查询过于频繁" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 60  # the seconds until the window turns


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13800138000", "138****8000"), ("0571-88886666", "0571-****6666"), ("", ""), ("88886666", "****6666")],
)
def test_phones_are_masked(phone, masked):
    assert mask_phone(phone) == masked


def test_unknown_institution_is_404(public):
    assert public.get("/public/institutions/999999/").status_code == 404


def test_the_public_api_has_public_fields_only(public, district):
    import json

    a = district.institutions["a"]
    listing = public.get("/api/v1/public/institutions", {"q": "甲街道"})
    assert listing.status_code == 200 and listing.json()["items"][0]["name"] == "甲街道培训学校"
    detail = public.get(f"/api/v1/public/institutions/{a.pk}")
    body = json.dumps(detail.json(), ensure_ascii=False)
    assert detail.status_code == 200 and "139****5678" in body
    for secret in ("13912345678", "联系人秘密", "法人秘密", "内部备注秘密", "contact_person", "notes"):
        assert secret not in body, secret
    assert public.get("/api/v1/public/institutions/999999").status_code == 404


def test_the_public_api_is_rate_limited(public, settings):
    import time

    import time_machine

    settings.JIANGUAN_PUBLIC_RATE_LIMIT = 2
    # The window is a fixed minute: the requests are made in the middle of one, never across its turn.
    middle = (time.time() // 60 + 1) * 60 + 30
    with time_machine.travel(middle, tick=False):
        codes = [public.get("/api/v1/public/institutions", {"q": "甲"}).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert "过于频繁" in public.get("/api/v1/public/institutions").json()["message"]


def test_whitelist_and_blacklist_are_shown_with_their_reasons_and_audited(public, district):
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import timezone

    from jianguan.audit.models import AuditEvent
    from jianguan.portal import services

    a, b, lead = district.institutions["a"], district.institutions["b"], district.users["lead"]
    mark = services.mark_add(actor=lead, institution=a, kind="whitelist", reason="教学规范，收费公示完善")
    with pytest.raises(ValidationError, match="已在“放心机构”中"):
        services.mark_add(actor=lead, institution=a, kind="whitelist", reason="再次")
    with pytest.raises(ValidationError, match="另一份名单"):
        services.mark_add(actor=lead, institution=a, kind="blacklist", reason="x", legal_basis="依据",
                          removal_conditions="条件", ends_on=timezone.localdate() + timezone.timedelta(days=30))  # fmt: skip
    for persona in ("edu_officer", "street_a", "leader", "institution"):
        with pytest.raises(PermissionDenied):
            services.mark_add(actor=district.users[persona], institution=b, kind="blacklist", reason="x")
    page = public.get(f"/public/institutions/{a.pk}/").content.decode()
    assert "放心机构" in page and "教学规范，收费公示完善" in page
    assert "放心机构" in public.get("/public/", {"q": "甲街道"}).content.decode()
    with pytest.raises(ValidationError, match="依据"):
        services.mark_add(actor=lead, institution=b, kind="blacklist", reason="无证经营且拒不整改")
    black = services.mark_add(
        actor=lead, institution=b, kind="blacklist", reason="无证经营且拒不整改",
        ends_on=timezone.localdate() + timezone.timedelta(days=365), legal_basis="测教罚决〔2026〕1号",
        removal_conditions="取得办学许可或停止办学满一年",
    )  # fmt: skip
    assert "黑名单" not in public.get(f"/public/institutions/{b.pk}/").content.decode()  # told first, not shown
    with pytest.raises(ValidationError, match="期满后"):
        services.mark_confirm(actor=lead, mark=black)
    import time_machine

    with time_machine.travel(timezone.now() + timezone.timedelta(days=14)):
        services.mark_confirm(actor=lead, mark=black)
        assert "黑名单" in public.get(f"/public/institutions/{b.pk}/").content.decode()
    with pytest.raises(ValidationError, match="撤销须填写理由"):
        services.mark_withdraw(actor=lead, mark=mark, reason="")
    services.mark_withdraw(actor=lead, mark=mark, reason="复查发现超纲教学")
    assert "放心机构" not in public.get(f"/public/institutions/{a.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="public_mark.withdraw", institution_id=a.pk).exists()
    assert AuditEvent.objects.filter(action="public_mark.add", institution_id=b.pk).exists()


def test_staff_manage_the_lists_on_a_page(client_for, district):
    client = client_for("lead")
    response = client.post(
        "/public/lists/",
        {"institution": "92990100MA00000A1P", "kind": "whitelist", "reason": "规范办学"},
        follow=True,
    )
    assert "规范办学" in response.content.decode()
    from jianguan.portal.models import PublicMark

    mark = PublicMark.objects.get()
    client.post(f"/public/lists/{mark.pk}/withdraw/", {"reason": "撤销"})
    mark.refresh_from_db()
    assert mark.withdrawn_at is not None


@pytest.mark.parametrize("local_time", ["23:30", "00:30"])
def test_the_public_page_shows_the_local_day_of_an_inspection(district, local_time):
    """Dates people read are Asia/Shanghai dates: 00:30 on 5 December in Beijing is still 4 December in UTC."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from jianguan.inspections.models import Inspection

    done = district.inspections["done"]
    hour, minute = map(int, local_time.split(":"))
    local = datetime(2026, 12, 5, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))
    Inspection.objects.filter(pk=done.pk).update(completed_at=local)
    html = Client().get(f"/public/institutions/{done.institution_id}/").content.decode()
    assert "2026-12-05 · 检查" in html and "2026-12-04 · 检查" not in html


def test_a_proposed_blacklisting_is_told_objected_answered_then_confirmed(client_for, district):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from jianguan.accounts import services as accounts
    from jianguan.notifications.models import Notification
    from jianguan.portal import services

    a, lead = district.institutions["a"], district.users["lead"]
    mark = services.mark_add(
        actor=lead, institution=a, kind="blacklist", reason="拒不履行处罚决定", legal_basis="测教罚决〔2026〕1号",
        removal_conditions="履行处罚决定", ends_on=timezone.localdate() + timezone.timedelta(days=365),
    )  # fmt: skip
    assert Notification.objects.filter(recipient=district.users["institution"], reason="public_mark.blacklist").exists()
    party = client_for("institution")
    page = party.get(f"/public/lists/{mark.pk}/").content.decode()
    assert "拟列入" in page and 'data-testid="action-object"' in page and "action-confirm" not in page
    party.post(f"/public/lists/{mark.pk}/", {"action": "object", "object-objection": "罚款已缴清，请求不列入。"})
    mark.refresh_from_db()
    assert mark.objection == "罚款已缴清，请求不列入。"
    assert party.post(f"/public/lists/{mark.pk}/", {"action": "confirm"}).status_code == 403
    other = accounts.user_create(actor=district.users["admin"], username="p_other_b", name="乙", role="institution_user",
                                 password="Jianguan#2026x", institution=district.institutions["b"])  # fmt: skip
    from tests.support.district import persona_client

    assert persona_client(other).get(f"/public/lists/{mark.pk}/").status_code == 404
    with pytest.raises(ValidationError, match="答复"):
        services.mark_confirm(actor=lead, mark=mark)
    staff = client_for("lead")
    staff.post(f"/public/lists/{mark.pk}/", {"action": "answer", "answer-answer": "经核实罚款已缴清，但拒不停止办学。"})
    staff.post(f"/public/lists/{mark.pk}/", {"action": "confirm"})
    mark.refresh_from_db()
    assert mark.starts_on == timezone.localdate() and not mark.proposed
