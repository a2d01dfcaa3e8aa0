"""Backups that restore: the database (a consistent snapshot), the stored files and a manifest that proves both.

A backup directory holds ``database.dump`` (PostgreSQL, ``pg_dump`` custom format) or ``database.sqlite3`` (SQLite's
online backup API: a consistent copy while the platform runs), ``media/`` (every stored file), and ``manifest.json``:
the SHA-256 and size of every file in the backup, the audit chain's head at the time, and the migrations applied.
The database is copied first, then the files: every file the copied database refers to already exists.

``restore`` refuses a database or media root that is not empty, loads the copy, checks every file against the
manifest, then verifies as ``verify_audit --files`` does: the audit chain walks to the manifest's head and every
stored document, photo and attachment matches the SHA-256 recorded for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
# Working files of the platform, not records: left out of a backup.
SKIPPED_MEDIA = ("imports/", "opendata/")
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432), "-U", str(db["USER"])]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or ""), "PGCONNECT_TIMEOUT": "10"}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[-500:]}")


@dataclass(frozen=True)
class BackupSummary:
    directory: Path
    database_bytes: int
    files: int
    file_bytes: int
    head_seq: int
    head_hash: str

    @property
    def last_line(self) -> str:
        return (
            f"backup complete: {self.directory} (database {self.database_bytes / 1048576:.1f} MB, "
            f"{self.files} files {self.file_bytes / 1048576:.1f} MB, audit head #{self.head_seq} {self.head_hash[:16]})"
        )


def backup(directory: str | Path) -> BackupSummary:
    """Write a backup into ``directory`` (new or empty)."""
    from django.db.migrations.recorder import MigrationRecorder

    from jianguan.audit.selectors import chain_head

    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录 {target} 不是空的：每次备份请用新的目录（如按日期命名）。")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    head_seq, head_hash = chain_head()
    if connection.vendor == "postgresql":
        database = partial / "database.dump"
        args, env = _pg_env()
        _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", *args, "-f", str(database),
              settings.DATABASES["default"]["NAME"]], env)  # fmt: skip
    elif connection.vendor == "sqlite":
        database = partial / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(database) as out:
            connection.connection.backup(out)
        out.close()
    else:
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    media_root = Path(settings.MEDIA_ROOT)
    media: list[dict[str, Any]] = []
    if media_root.exists():
        for source in sorted(p for p in media_root.rglob("*") if p.is_file()):
            relative = source.relative_to(media_root).as_posix()
            if relative.startswith(SKIPPED_MEDIA):
                continue
            copy = partial / "media" / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
            media.append({"path": relative, "sha256": _sha256(copy), "bytes": copy.stat().st_size})
    recorder = MigrationRecorder(connection)
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {
            "engine": connection.vendor,
            "file": database.name,
            "sha256": _sha256(database),
            "bytes": database.stat().st_size,
        },
        "media": media,
        "audit_head": {"seq": head_seq, "hash": head_hash},
        "migrations": sorted(f"{app}.{name}" for app, name in recorder.applied_migrations()),
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    if target.exists():
        target.rmdir()
    partial.rename(target)  # a backup directory is either complete or absent
    return BackupSummary(
        target, manifest["database"]["bytes"], len(media), sum(m["bytes"] for m in media), head_seq, head_hash
    )


@dataclass(frozen=True)
class RestoreSummary:
    events: int
    head_seq: int
    files: int

    @property
    def last_line(self) -> str:
        return (
            f"restore complete and verified: audit chain {self.events} events (head #{self.head_seq}), "
            f"{self.files} stored files match their SHA-256"
        )


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(directory: str | Path) -> RestoreSummary:
    """Load a backup into an empty database and media root, then verify it."""
    from jianguan.audit.selectors import audit_chain_verify, chain_head
    from jianguan.lib.storedfiles import kinds, verify_all

    source = Path(directory)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} 不是完整的备份目录（{MANIFEST} 缺失或损坏）。") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"备份格式 {manifest.get('format')} 不是本版本能恢复的格式 {FORMAT_VERSION}。")
    if manifest["database"]["engine"] != connection.vendor:
        raise BackupError(
            f"这是 {manifest['database']['engine']} 数据库的备份，当前配置的是 {connection.vendor}：请配置相同种类的空数据库。"
        )
    database = source / manifest["database"]["file"]
    if not database.exists() or _sha256(database) != manifest["database"]["sha256"]:
        raise BackupError("备份中的数据库文件缺失或与清单中的 SHA-256 不符，不能恢复。")
    if not _database_is_empty():
        raise BackupError("目标数据库不是空的：恢复只写入新建的空数据库，以免覆盖现有数据。")
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"目标文件目录 {media_root} 不是空的：请指定新的空目录（JIANGUAN_MEDIA_ROOT）。")
    for entry in manifest["media"]:
        stored = source / "media" / entry["path"]
        if not stored.exists() or _sha256(stored) != entry["sha256"]:
            raise BackupError(f"备份中的文件 {entry['path']} 缺失或与清单中的 SHA-256 不符，不能恢复。")

    if connection.vendor == "postgresql":
        args, env = _pg_env()
        connection.close()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args,
              "-d", settings.DATABASES["default"]["NAME"], str(database)], env)  # fmt: skip
    else:
        connection.ensure_connection()
        with sqlite3.connect(database) as backup_copy:
            backup_copy.backup(connection.connection)
        backup_copy.close()
    for entry in manifest["media"]:
        target = media_root / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / "media" / entry["path"], target)

    report = audit_chain_verify()
    if not report.ok:
        raise BackupError(f"恢复后审计链校验失败：{report.reason}。")
    head = chain_head()
    expected = (manifest["audit_head"]["seq"], manifest["audit_head"]["hash"])
    if head != expected:
        raise BackupError(f"恢复后的审计链头 #{head[0]} 与备份清单记录的 #{expected[0]} 不一致。")
    problem = next(verify_all(), None)
    if problem is not None:
        raise BackupError(f"恢复后存档文件校验失败：{problem}。")
    files = sum(k.model.objects.exclude(**{k.file_field: ""}).count() for k in kinds())
    return RestoreSummary(report.checked, head[0], files)
