"""The audit chain: written with each change, verified end to end, and impossible to edit through the platform."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from jianguan.audit.models import AuditEvent
from jianguan.audit.selectors import audit_chain_verify
from jianguan.audit.services import audit_record
from jianguan.org.services import department_save


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_services_write_a_chained_event_per_change(personas):
    before = AuditEvent.objects.count()
    dept = department_save(actor=personas["admin"], name="测试区卫健局", short_name="测卫", kind="health")
    department_save(actor=personas["admin"], department=dept, name="测试区卫生健康局")
    events = list(AuditEvent.objects.order_by("-seq")[:2])
    assert AuditEvent.objects.count() == before + 2
    update, create = events
    assert create.action == "department.create" and create.after["short_name"] == "测卫"
    assert update.action == "department.update"
    assert update.before == {"name": "测试区卫健局"} and update.after == {"name": "测试区卫生健康局"}
    assert update.prev_hash == create.hash and update.seq == create.seq + 1
    assert update.actor_id == personas["admin"].pk and update.source == "command"


def test_verify_passes_on_an_intact_chain(personas):
    report = audit_chain_verify()
    assert report.ok and report.checked == AuditEvent.objects.count() > 20
    call_command("verify_audit")


@pytest.mark.parametrize(
    "tamper,expected_seq",
    [
        ("edit_after", 5),
        ("edit_actor", 5),
        ("delete_middle", 5),
        ("delete_tail", "last"),
        ("insert_tail", "next"),
        ("renumber", 5),
    ],
)
def test_verify_names_the_first_broken_event(personas, tamper, expected_seq):
    last = AuditEvent.objects.order_by("-seq").first()
    table = AuditEvent._meta.db_table
    if tamper == "edit_after":
        _sql(f"UPDATE {table} SET after = %s WHERE seq = 5", ['{"name": "改过的"}'])
    elif tamper == "edit_actor":
        _sql(f"UPDATE {table} SET actor_label = %s WHERE seq = 5", ["别人"])
    elif tamper == "delete_middle":
        _sql(f"DELETE FROM {table} WHERE seq = 5", [])
    elif tamper == "delete_tail":
        _sql(f"DELETE FROM {table} WHERE seq = %s", [last.seq])
        expected_seq = last.seq
    elif tamper == "insert_tail":
        _sql(
            f"INSERT INTO {table} (seq, at, actor_label, action, object_type, object_id, object_label, source, "
            "prev_hash, hash) VALUES (%s, %s, '', 'forged', '', '', '', 'web', %s, %s)",
            [last.seq + 1, last.at, last.hash, "f" * 64],
        )
        expected_seq = last.seq + 1
    elif tamper == "renumber":
        # Delete an event and close the gap, as someone hiding a deletion would.
        _sql(f"DELETE FROM {table} WHERE seq = 5", [])
        _sql(f"UPDATE {table} SET seq = seq + 1000000 WHERE seq >= 6", [])
        _sql(f"UPDATE {table} SET seq = seq - 1000001 WHERE seq >= 1000005", [])
    report = audit_chain_verify()
    assert not report.ok
    assert report.broken_seq == expected_seq
    with pytest.raises(CommandError, match=f"第 {expected_seq} 号"):
        call_command("verify_audit")


def test_events_cannot_be_changed_or_deleted_through_the_orm(personas):
    event = AuditEvent.objects.order_by("seq").first()
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_audit_record_refuses_to_run_outside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="loose")


def test_a_failed_change_leaves_no_event(personas):
    before = AuditEvent.objects.count()
    with pytest.raises(Exception), transaction.atomic():
        department_save(actor=personas["admin"], name="重复", short_name="测教", kind="other")
    assert AuditEvent.objects.count() == before
    assert audit_chain_verify().ok


def test_requests_record_source_and_ip(client_for):
    client = client_for("admin")
    client.post(
        "/org/departments/new/",
        {"name": "新部门", "short_name": "新", "kind": "other", "is_active": "on"},
        REMOTE_ADDR="10.1.2.3",
    )
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.source, event.ip) == ("department.create", "web", "10.1.2.3")
    client.post("/api/v1/tokens", data={"name": "x"}, content_type="application/json", REMOTE_ADDR="10.9.9.9")
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.source, event.ip) == ("api_token.create", "api", "10.9.9.9")


def test_audit_page_filters(client_for, personas):
    html = client_for("admin").get("/audit/", {"action": "user.create", "actor": "管理员甲"}).content.decode()
    assert "user.create" in html and "department.create" not in html
    empty = client_for("admin").get("/audit/", {"date_from": "2000-01-01", "date_to": "2000-01-02"}).content.decode()
    assert "没有符合条件的记录" in empty


def test_audit_api_filters(client_for, personas):
    data = client_for("admin").get("/api/v1/audit/events", {"object_type": "org.department"}).json()
    assert data["count"] == 4 and {e["object_type"] for e in data["items"]} == {"org.department"}


def test_every_audited_action_has_a_chinese_label():
    import re
    from pathlib import Path

    from jianguan.audit.labels import ACTION_LABELS

    root = Path(__file__).resolve().parents[2]
    found = set()
    for path in root.rglob("services.py"):
        for name in re.findall(r'action="([a-z_.]+)"', path.read_text(encoding="utf-8")):
            # Bare names go through org.services._save_audited, which appends .create / .update.
            found |= {name} if "." in name else {f"{name}.create", f"{name}.update"}
    assert found, "the scan found no audited actions"
    assert found - set(ACTION_LABELS) == set()


def test_audit_filter_copes_with_dates_at_the_ends_of_the_calendar(client_for, personas):
    response = client_for("admin").get("/api/v1/audit/events", {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 200 and response.json()["count"] > 0


def test_a_batch_keeps_the_chain_whole_across_rolled_back_rows(personas):
    from jianguan.audit.services import audit_batch
    from jianguan.org.services import department_save

    with transaction.atomic(), audit_batch():
        department_save(actor=personas["admin"], name="批量一", short_name="批一", kind="other")
        with pytest.raises(Exception), transaction.atomic():
            department_save(actor=personas["admin"], name="批量二", short_name="批二", kind="other")
            raise RuntimeError("row fails after its event was written")
        department_save(actor=personas["admin"], name="批量三", short_name="批三", kind="other")
    report = audit_chain_verify()
    assert report.ok, report
