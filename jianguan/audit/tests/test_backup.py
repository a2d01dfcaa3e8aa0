"""Backups that restore, stored files checked against their hashes, and the audit chain anchored outside."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jianguan.audit.models import AuditEvent
from tests.support.district import persona_client

ROOT = Path(__file__).resolve().parents[3]


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )


def _scratch_databases(tmp_path: Path) -> tuple[str, str, list[str]]:
    """Two empty databases of the kind this run uses: (source URL, target URL, names to drop afterwards)."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path}/source.sqlite3", f"sqlite:///{tmp_path}/restored.sqlite3", []
    db = connection.settings_dict
    names = [f"jg_backup_{uuid.uuid4().hex[:8]}_{side}" for side in ("src", "dst")]
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{db['USER']}@"
    server = f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    _server_sql([f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0" for name in names])
    return f"{server}/{names[0]}", f"{server}/{names[1]}", names


def _server_sql(statements: list[str]) -> None:
    """Statements outside any transaction (CREATE/DROP DATABASE), on the server this run's database lives on."""
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    ) as conn:  # fmt: skip
        for statement in statements:
            conn.execute(statement)


@pytest.mark.django_db
def test_the_demo_is_backed_up_restored_elsewhere_and_verified(tmp_path):
    source_url, target_url, created = _scratch_databases(tmp_path)
    base = {**os.environ, "PYTHONPATH": str(ROOT)}
    source = {**base, "DATABASE_URL": source_url, "JIANGUAN_MEDIA_ROOT": str(tmp_path / "media")}
    target = {**base, "DATABASE_URL": target_url, "JIANGUAN_MEDIA_ROOT": str(tmp_path / "restored-media")}
    try:
        for step in (("migrate", "-v0"), ("load_demo", "--quiet-accounts")):
            done = _manage(source, *step)
            assert done.returncode == 0, done.stderr[-2000:]
        made = _manage(source, "backup", str(tmp_path / "backup"))
        assert made.returncode == 0, made.stderr[-2000:]
        assert made.stdout.strip().splitlines()[-1].startswith(f"backup complete: {tmp_path / 'backup'} (database")
        head = _manage(source, "verify_audit").stdout.strip().splitlines()[-1]
        assert head.startswith("head #")

        restored = _manage(target, "restore", str(tmp_path / "backup"))
        assert restored.returncode == 0, restored.stderr[-2000:]
        last = restored.stdout.strip().splitlines()[-1]
        assert last.startswith("restore complete and verified: audit chain") and "stored files match" in last
        (tmp_path / "anchor.txt").write_text(head + "\n")
        verified = _manage(target, "verify_audit", "--files", "--anchor", str(tmp_path / "anchor.txt"))
        assert verified.returncode == 0, verified.stderr[-2000:]
        assert verified.stdout.strip().splitlines()[-1] == head  # the same chain, to its head

        again = _manage(target, "restore", str(tmp_path / "backup"))
        assert again.returncode != 0 and "不是空的" in again.stderr  # never over data

        pdf = next((tmp_path / "restored-media" / "documents").rglob("*.pdf"))
        pdf.write_bytes(pdf.read_bytes() + b"%tampered")
        broken = _manage(target, "verify_audit", "--files")
        assert broken.returncode == 1 and "文件内容与登记的 SHA-256 不符" in broken.stderr and pdf.name in broken.stderr
    finally:
        if created:
            _server_sql([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in created])


def test_a_download_whose_file_changed_is_refused_not_served(district):
    document = district.documents["a"]
    path = Path(document.pdf.path)
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"%changed")
        response = persona_client(district.users["admin"]).get(f"/documents/{document.pk}/pdf/")
        assert response.status_code == 409 and "SHA-256 不符" in response.content.decode()
        with pytest.raises(CommandError, match=r"documents\.document\.pdf #\d+"):
            call_command("verify_audit", "--files", stdout=io.StringIO())
        path.unlink()
        assert persona_client(district.users["admin"]).get(f"/documents/{document.pk}/pdf/").status_code == 409
    finally:
        path.write_bytes(original)
    assert persona_client(district.users["admin"]).get(f"/documents/{document.pk}/pdf/").status_code == 200


def test_the_anchor_catches_a_chain_rewritten_as_a_whole(district, tmp_path):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    head = out.getvalue().strip().splitlines()[-1]
    anchor = tmp_path / "anchor.txt"
    anchor.write_text(f"2026-12-05T03:30:00Z {head}\n")  # as deploy/verify-and-anchor.sh appends it
    call_command("verify_audit", "--anchor", str(anchor), stdout=io.StringIO())
    seq = int(head.split()[1].lstrip("#"))
    # A superuser rewrites the event at the anchored point and re-chains everything after it: the chain verifies,
    # the anchor kept outside the database does not.
    from jianguan.audit.models import AuditChainHead
    from jianguan.audit.services import event_hash, event_payload

    events = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else events[0].prev_hash
    table, head_table = AuditEvent._meta.db_table, AuditChainHead._meta.db_table
    with connection.cursor() as cursor:  # what a database superuser can do; the ORM refuses it
        for event in events:
            if event.seq == seq:
                event.action += ".x"
            event.prev_hash = prev
            event.hash = event_hash(event_payload(event))
            cursor.execute(
                f"UPDATE {table} SET action = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [event.action, event.prev_hash, event.hash, event.pk],
            )
            prev = event.hash
        cursor.execute(f"UPDATE {head_table} SET last_hash = %s WHERE id = 1", [prev])
    call_command("verify_audit", stdout=io.StringIO())  # the rewritten chain is self-consistent
    with pytest.raises(CommandError, match="锚点不符"):
        call_command("verify_audit", "--anchor", str(anchor), stdout=io.StringIO())


def test_backup_refuses_a_directory_in_use(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x").write_text("x")
    with pytest.raises(CommandError, match="不是空的"):
        call_command("backup", str(tmp_path / "old"))
    shutil.rmtree(tmp_path / "old")
