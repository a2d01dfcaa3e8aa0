"""The rectification ledger: items from the rectification order, the one state machine with who may do what,
deadlines in working days, extensions, rechecks with their opinion document, escalation, conflicts."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from jianguan.audit.models import AuditEvent
from jianguan.documents.models import Document
from jianguan.inspections import services as inspections
from jianguan.ledger import services
from jianguan.ledger.choices import Action
from jianguan.ledger.models import LedgerItem, Referral
from jianguan.ledger.workflow import Conflict, available
from jianguan.lib.workdays import add_working_days, is_working_day
from tests.support.district import tiny_jpeg

PERSONAS = ["admin", "lead", "edu_officer", "fire_officer", "street_a", "street_b", "legal", "leader", "institution"]


def photo(name: str = "p.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_jpeg(), "image/jpeg")


def inspect(  # type: ignore[no-untyped-def]
    district,
    *,
    fail_fire: bool = True,
    fixed: bool = False,
    at: datetime | None = None,
    extra_period: int = 0,
    lead_department=None,
):
    """An inspection of institution a by edu + fire with the fire-exit item failed; returns the completed one."""
    edu, fire = district.users["edu_officer"], district.users["fire_officer"]
    at = at or timezone.now() - timedelta(hours=2)
    inspection = inspections.inspection_create(
        actor=district.users["lead"], institution=district.institutions["a"], scheduled_at=at, officers=[edu, fire],
        lead_department=lead_department, backfill=at < timezone.now() - inspections.PLAN_GRACE,
    )  # fmt: skip
    inspections.inspection_start(actor=edu, inspection=inspection, at=at)
    for item in inspection.checklist_version.items.all():
        failed = fail_fire and item.text.startswith("疏散通道")
        result = inspections.result_record(
            actor=fire, inspection=inspection, item=item, outcome="fail" if failed else "pass",
            note="后门堵塞" if failed else "", fixed_on_site=failed and fixed,
        )  # fmt: skip
        if failed:
            inspections.evidence_add(actor=fire, inspection=inspection, upload=photo(), result=result)
    if extra_period:
        inspections.finding_add(
            actor=edu, inspection=inspection, category="premises", description="教室采光不足", severity="minor",
            period_days=extra_period,
        )  # fmt: skip
    return inspections.inspection_complete(
        certificates_shown=True,
        recusal_requested=False,
        actor=edu,
        inspection=inspection,
        representative_name="张校长",
        at=at + timedelta(minutes=50),
    )


@pytest.fixture
def item(district) -> LedgerItem:
    done = inspect(district)
    return LedgerItem.objects.get(inspection=done)


def test_the_order_opens_one_item_per_problem(district, item):
    finding = item.finding
    assert item.status == "pending" and item.deadline == finding.deadline
    assert item.department == district.departments["fire"] and item.officer == district.users["fire_officer"]
    assert item.institution == district.institutions["a"] and item.category == "fire_safety"
    assert "后门堵塞" in item.description and item.measure
    assert item.events.get().action == "create"
    assert AuditEvent.objects.filter(action="ledger.create", institution_id=item.institution_id).exists()


def test_what_was_fixed_on_the_spot_is_closed_at_the_inspection(district):
    done = inspect(district, fixed=True)
    item = LedgerItem.objects.get(inspection=done)
    assert item.status == "closed" and item.closed_on == timezone.localtime(done.completed_at).date()
    event = item.events.get()
    assert event.action == "close_on_site" and event.data["evidence"]
    assert not Document.objects.filter(source_id=str(done.pk), kind="rectification_notice").exists()


def test_an_item_is_found_on_the_local_day_its_inspection_completed(district):
    from jianguan.ledger.filters import LedgerFilter

    # Completed at 00:10 Beijing time on 28 September: still 27 September in UTC.
    done = inspect(district, at=timezone.make_aware(datetime(2026, 9, 27, 23, 20)))
    item = LedgerItem.objects.get(inspection=done)
    assert done.completed_at.astimezone(UTC).date() == date(2026, 9, 27)
    assert item.found_on == date(2026, 9, 28)

    def found(**params: str) -> bool:
        form = LedgerFilter(params, user=district.users["lead"])
        return form.apply(LedgerItem.objects.filter(pk=item.pk)).exists()

    assert found(found_from="2026-09-28", found_to="2026-09-28")
    assert not found(found_to="2026-09-27") and not found(found_from="2026-09-29")


def test_items_move_with_their_institution_to_another_street(district, item):
    from jianguan.ledger.filters import LedgerFilter
    from jianguan.registry import services as registry
    from jianguan.reports.dashboard import Filters, rectification_counts

    lead, b = district.users["lead"], district.streets["b"]
    assert item.street == district.streets["a"]
    registry.institution_update(actor=district.users["admin"], institution=item.institution, street=b)
    item.refresh_from_db()
    assert item.street == b
    # The dashboard (the items' copy of the street) and the ledger list (the institution's street) agree.
    on_dashboard = sum(n[0] for (_c, _d, street), n in rectification_counts(lead, Filters()).items() if street == b.pk)
    listed = LedgerFilter({"street": b.pk}, user=lead).apply(LedgerItem.objects.visible_to(lead)).count()
    assert on_dashboard == listed >= 1
    assert rectification_counts(lead, Filters(street=b)) == {
        k: v for k, v in rectification_counts(lead, Filters()).items() if k[2] == b.pk
    }


def test_deadlines_count_working_days_across_the_national_day_holiday(district):
    issued = timezone.make_aware(datetime(2026, 9, 28, 10, 0))
    done = inspect(district, at=issued, extra_period=5)
    item = LedgerItem.objects.get(inspection=done, category="premises")
    period = item.finding.period_days
    assert item.deadline == add_working_days(date(2026, 9, 28), period)
    assert item.deadline > date(2026, 10, 7)  # the Golden Week holiday does not count
    days = [date(2026, 9, 28) + timedelta(days=n) for n in range(1, (item.deadline - date(2026, 9, 28)).days + 1)]
    assert sum(is_working_day(d) for d in days) == period and is_working_day(item.deadline)


ALLOWED = {
    Action.ACKNOWLEDGE: {"institution"},
    Action.SUBMIT: {"institution"},
    Action.REQUEST_EXTENSION: {"institution"},
    Action.RECHECK_PASS: {"lead", "fire_officer"},
    Action.RECHECK_FAIL: {"lead", "fire_officer"},
    Action.ESCALATE: {"lead", "fire_officer"},
    Action.GUIDANCE: {"lead", "fire_officer", "edu_officer"},
}


def _certified() -> list:
    """The district's officers with a valid certificate (a recheck needs two)."""
    from jianguan.accounts.models import User

    return list(User.objects.filter(officer_profile__certificate_valid_until__gte=timezone.localdate()))


def _act(action: str, user, item, version=None):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    if action == Action.ACKNOWLEDGE:
        return services.acknowledge(actor=user, item=item, version=version)
    if action == Action.SUBMIT:
        return services.submit(actor=user, item=item, note="已清理后门通道", files=[photo()], version=version)
    if action == Action.REQUEST_EXTENSION:
        return services.request_extension(
            actor=user, item=item, requested_deadline=item.deadline + timedelta(days=10), reason="需更换防火门"
        )
    if action in (Action.RECHECK_PASS, Action.RECHECK_FAIL):
        return services.recheck(
            actor=user, item=item, passed=action == Action.RECHECK_PASS, note="现场复查", officers=_certified()
        )
    if action == Action.ESCALATE:
        return services.escalate(actor=user, item=item, reason="拒不整改")
    return services.guidance_add(actor=user, item=item, adviser="", given_on=today, method="on_site", advice="建议")


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_transition_by_every_role(district, item, action, persona):
    user = district.users[persona]
    if action in (Action.RECHECK_PASS, Action.RECHECK_FAIL):
        services.submit(actor=district.users["institution"], item=item, note="已整改")  # due for a recheck
        item.refresh_from_db()
    before = (item.status, item.version)
    if persona in ALLOWED[action]:
        assert action in available(user, item, timezone.localdate())
        _act(action, user, item)
        item.refresh_from_db()
        assert item.version == before[1] + 1
    else:
        assert action not in available(user, item, timezone.localdate())
        with pytest.raises(PermissionDenied):
            _act(action, user, item)
        item.refresh_from_db()
        assert (item.status, item.version) == before


def test_the_life_of_an_item(district, item):
    inst, fire, lead = district.users["institution"], district.users["fire_officer"], district.users["lead"]
    with pytest.raises(Conflict, match="尚未提交整改材料"):
        services.recheck(actor=fire, item=item, passed=True, note="提前复查")
    services.acknowledge(actor=inst, item=item)
    with pytest.raises(ValidationError, match="请上传整改照片"):
        services.submit(actor=inst, item=item)
    with pytest.raises(ValidationError, match="PDF 文件不完整"):
        services.submit(actor=inst, item=item, files=[SimpleUploadedFile("x.jpg", b"%PDF-1.4 nope", "image/jpeg")])
    with pytest.raises(ValidationError, match="不是有效的照片"):
        services.submit(actor=inst, item=item, files=[SimpleUploadedFile("x.jpg", b"GIF89a....", "image/jpeg")])
    services.submit(actor=inst, item=item, note="杂物已清理", files=[photo()])
    item.refresh_from_db()
    assert item.status == "submitted" and item.submitted_on == timezone.localdate() and item.attachments.count() == 1
    old_deadline = item.deadline
    new_deadline = add_working_days(timezone.localdate(), 3)
    failed = services.recheck(
        actor=fire, item=item, passed=False, note="通道仍有电动车停放", new_deadline=new_deadline,
        officers=[lead, district.users["edu_officer"]],
    )  # fmt: skip
    item.refresh_from_db()
    assert item.status == "in_progress" and item.deadline == new_deadline
    assert set(failed.officers.all()) == {fire, district.users["edu_officer"]}  # the lead has no certificate
    event = item.events.get(action="recheck_fail")
    assert event.data["old_deadline"] == old_deadline.isoformat() and event.note == "通道仍有电动车停放"
    opinion = Document.objects.get(source_type="ledger.recheck", source_id=str(failed.pk))
    assert opinion.kind == "recheck_opinion" and opinion.number.startswith("测消复查〔")
    services.submit(actor=inst, item=item, note="电动车已移走")
    passed = services.recheck(actor=lead, item=item, passed=True, note="通道畅通", officers=_certified())
    item.refresh_from_db()
    assert item.status == "closed" and item.closed_on == timezone.localdate()
    assert Document.objects.filter(source_type="ledger.recheck", source_id=str(passed.pk)).exists()
    with pytest.raises(Conflict, match="已销号"):
        services.escalate(actor=lead, item=item, reason="x")
    actions = list(item.events.values_list("action", flat=True))
    assert actions == ["create", "acknowledge", "submit", "recheck_fail", "submit", "recheck_pass"]


def test_an_institution_never_closes_its_own_item(district, item):
    services.submit(actor=district.users["institution"], item=item, note="已整改")
    with pytest.raises(PermissionDenied, match="机构不能自行销号"):
        services.recheck(actor=district.users["institution"], item=item, passed=True, note="我们已整改")


def test_extensions_keep_the_old_deadline(district, item):
    inst, fire = district.users["institution"], district.users["fire_officer"]
    old = item.deadline
    with pytest.raises(ValidationError, match="须晚于现有整改时限"):
        services.request_extension(actor=inst, item=item, requested_deadline=old, reason="x")
    request = services.request_extension(
        actor=inst, item=item, requested_deadline=old + timedelta(days=14), reason="防火门订货中"
    )
    with pytest.raises(Conflict, match="已有一份延期申请"):
        services.request_extension(actor=inst, item=item, requested_deadline=old + timedelta(days=20), reason="再延")
    services.decide_extension(actor=fire, item=item, approve=True, note="同意")
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.deadline == old + timedelta(days=14) and request.status == "approved" and request.old_deadline == old
    services.request_extension(actor=inst, item=item, requested_deadline=old + timedelta(days=30), reason="再延期")
    services.decide_extension(actor=fire, item=item, approve=False, note="不同意，按期整改")
    item.refresh_from_db()
    assert item.deadline == old + timedelta(days=14)
    with pytest.raises(Conflict, match="没有等待审批"):
        services.decide_extension(actor=fire, item=item, approve=True)


def test_escalation_creates_a_referral(district, item):
    with pytest.raises(ValidationError, match="写明理由"):
        services.escalate(actor=district.users["lead"], item=item, reason="")
    referral = services.escalate(actor=district.users["fire_officer"], item=item, reason="拒不整改，消防通道仍被封堵")
    item.refresh_from_db()
    assert item.status == "escalated" and referral.status == "awaiting" and referral.get_status_display() == "待立案"
    assert Referral.objects.get(item=item) == referral


def test_a_stale_version_is_a_conflict_and_changes_nothing(district, item):
    inst = district.users["institution"]
    version = item.version
    services.acknowledge(actor=inst, item=item, version=version)
    with pytest.raises(Conflict, match="已被他人更新"):
        services.submit(actor=inst, item=item, note="已整改", version=version)
    item.refresh_from_db()
    assert item.status == "in_progress" and item.version == version + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under real concurrency: PostgreSQL")
def test_two_officers_recheck_at_once_one_wins(district):
    """Committed data (outside the test's transaction): an item made by threads, then two officers recheck it at
    the same moment on their own connections. One closes it; the other gets a conflict; nothing is half-written."""

    def in_thread(fn):  # type: ignore[no-untyped-def]
        out: list = []

        def run() -> None:
            try:
                with transaction.atomic():
                    out.append(fn())
            except BaseException as exc:  # noqa: BLE001
                out.append(exc)
            finally:
                connection.close()

        t = threading.Thread(target=run)
        t.start()
        t.join()
        return out[0]

    users = district.users
    # Issued by the police department, whose document numbers no other test counts (they stay taken: committed).
    police = district.departments["police"]
    made = in_thread(lambda: LedgerItem.objects.get(inspection=inspect(district, lead_department=police)).pk)
    assert isinstance(made, int), made
    in_thread(lambda: services.submit(actor=users["institution"], item=LedgerItem.objects.get(pk=made), note="已整改"))
    version = in_thread(lambda: LedgerItem.objects.get(pk=made).version)
    barrier = threading.Barrier(2)
    results: list = []

    def officer(user) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            with transaction.atomic():
                services.recheck(
                    actor=user, item=LedgerItem.objects.get(pk=made), passed=True, note="复查", version=version,
                    officers=_certified(),
                )  # fmt: skip
            results.append("ok")
        except Conflict as exc:
            results.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=officer, args=(users[p],)) for p in ("fire_officer", "lead")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = in_thread(
        lambda: (LedgerItem.objects.get(pk=made).status, LedgerItem.objects.get(pk=made).rechecks.count())
    )
    _cleanup = in_thread(lambda: _delete_committed(made))
    assert sorted(r == "ok" for r in results) == [False, True], results
    assert any("已被他人更新" in r for r in results if r != "ok")
    assert final == ("closed", 1)


def _delete_committed(item_pk: int) -> None:
    """Remove what the concurrency test committed, children first (the audit events stay, as they must)."""
    from jianguan.inspections.models import Evidence, Finding, Inspection, InspectionOfficer, ItemResult
    from jianguan.ledger.models import Attachment, ItemEvent, Recheck
    from jianguan.notifications.models import Notification

    item = LedgerItem.objects.get(pk=item_pk)
    inspection = item.inspection
    # The people the committed events told (the inbox rows would otherwise meet the next tests' counts).
    told = [f"ledger.itemevent:{pk}" for pk in ItemEvent.objects.filter(item=item).values_list("pk", flat=True)]
    Notification.objects.filter(subject__in=[*told, f"inspections.inspection:{inspection.pk}"]).delete()
    Document.objects.filter(
        source_type="ledger.recheck", source_id__in=[str(r.pk) for r in item.rechecks.all()]
    ).delete()
    Document.objects.filter(source_type="inspections.inspection", source_id=str(inspection.pk)).delete()
    Attachment.objects.filter(item=item).delete()
    ItemEvent.objects.filter(item=item).delete()
    Recheck.objects.filter(item=item).delete()
    item.delete()
    Evidence.objects.filter(inspection=inspection).delete()
    Finding.objects.filter(inspection=inspection).delete()
    ItemResult.objects.filter(inspection=inspection).delete()
    InspectionOfficer.objects.filter(inspection=inspection).delete()
    Inspection.objects.filter(pk=inspection.pk).delete()


def test_a_chosen_deadline_wins_over_the_period(district):
    edu, fire = district.users["edu_officer"], district.users["fire_officer"]
    start = timezone.now() - timedelta(hours=1)
    inspection = inspections.inspection_create(
        actor=district.users["lead"], institution=district.institutions["a"], scheduled_at=start, officers=[edu, fire]
    )
    inspections.inspection_start(actor=edu, inspection=inspection, at=start)
    for check in inspection.checklist_version.items.all():
        inspections.result_record(actor=edu, inspection=inspection, item=check, outcome="pass")
    chosen = timezone.localdate() + timedelta(days=40)
    with pytest.raises(ValidationError, match="不能早于检查日期"):
        inspections.finding_add(
            actor=edu, inspection=inspection, category="premises", description="x", severity="minor",
            deadline=timezone.localdate() - timedelta(days=5),
        )  # fmt: skip
    inspections.finding_add(
        actor=edu, inspection=inspection, category="premises", description="装修隔断", severity="minor",
        deadline=chosen,
    )  # fmt: skip
    inspections.inspection_complete(
        certificates_shown=True, recusal_requested=False, actor=edu, inspection=inspection, representative_name="张校长"
    )
    assert LedgerItem.objects.get(inspection=inspection).deadline == chosen


def test_an_extension_is_bounded_and_may_be_granted_shorter(district, item, settings):
    """JIANGUAN_EXTENSION_MAX_WORKING_DAYS bounds what one request may ask; the officer may grant less, never more,
    and never a day that is not later than the current deadline."""
    settings.JIANGUAN_EXTENSION_MAX_WORKING_DAYS = 5
    inst, fire = district.users["institution"], district.users["fire_officer"]
    old = item.deadline
    with pytest.raises(ValidationError, match="延期最多 5 个工作日.*这次是 6 个工作日"):
        services.request_extension(actor=inst, item=item, requested_deadline=add_working_days(old, 6), reason="装修")
    asked = add_working_days(old, 5)
    request = services.request_extension(actor=inst, item=item, requested_deadline=asked, reason="防火门订货中")
    for wrong in (old, asked + timedelta(days=1)):
        with pytest.raises(ValidationError, match="批准的期限须晚于现有整改时限"):
            services.decide_extension(actor=fire, item=item, approve=True, granted_deadline=wrong)
    with pytest.raises(ValidationError, match="不同意延期时不填写"):
        services.decide_extension(actor=fire, item=item, approve=False, granted_deadline=asked)
    granted = add_working_days(old, 2)
    services.decide_extension(actor=fire, item=item, approve=True, granted_deadline=granted, note="给两个工作日")
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.deadline == granted and request.granted_deadline == granted and request.status == "approved"
    event = item.events.get(action=Action.APPROVE_EXTENSION)
    assert (
        event.data["granted_deadline"] == granted.isoformat() and event.data["requested_deadline"] == asked.isoformat()
    )
    assert AuditEvent.objects.filter(object_id=str(item.pk), action__contains="extension").exists()


def test_the_api_grants_a_shorter_extension(district, item, client):
    inst, fire = district.users["institution"], district.users["fire_officer"]
    old = item.deadline
    services.request_extension(actor=inst, item=item, requested_deadline=add_working_days(old, 4), reason="订货")
    client.force_login(fire)
    url = f"/api/v1/ledger/items/{item.pk}/decide-extension"
    granted = add_working_days(old, 1)
    response = client.post(
        url, {"approve": True, "granted_deadline": granted.isoformat()}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["deadline"] == granted.isoformat()
    long_note = {"approve": True, "note": "长" * 2001}
    assert client.post(url, long_note, content_type="application/json").status_code == 422
