"""Daily backups as a background task: at JIANGUAN_BACKUP_HOUR a new directory under JIANGUAN_BACKUP_DIR
(jianguan-YYYYMMDD-HHMMSS) receives a backup (backup.py: database, stored files, manifest), and only the newest
JIANGUAN_BACKUP_KEEP are kept. Without JIANGUAN_BACKUP_DIR nothing is scheduled (cron runs `manage.py backup DIR`).
A failed backup is retried and, when the attempts run out, stays on the failed list (后台任务 page, metrics)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from jianguan.audit.backup import MANIFEST, backup
from jianguan.lib.tasks import next_daily_run, retried, schedule_daily

PREFIX = "jianguan-"


def next_run(now: datetime | None = None) -> datetime:
    """Tomorrow at JIANGUAN_BACKUP_HOUR (local time)."""
    return next_daily_run(settings.JIANGUAN_BACKUP_HOUR, now)


def new_directory(root: str | Path | None = None) -> Path:
    """A fresh directory name under the backup root, by local time to the second."""
    root = Path(root or settings.JIANGUAN_BACKUP_DIR)
    return root / f"{PREFIX}{timezone.localtime():%Y%m%d-%H%M%S}"


def prune(root: str | Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` complete backups under `root` (and any partial one left by a crash, but not
    the one being written now); returns what was deleted. Only directories this task names are touched."""
    root = Path(root)
    complete = sorted(
        (
            p
            for p in root.glob(f"{PREFIX}*")
            if p.is_dir() and not p.name.endswith(".partial") and (p / MANIFEST).exists()
        ),
        key=lambda p: p.name,
    )
    doomed = complete[: max(len(complete) - max(keep, 1), 0)]
    doomed += [p for p in root.glob(f"{PREFIX}*.partial") if p.is_dir()]
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    return doomed


@task()
@retried
def backup_daily(reschedule: bool = True) -> str:
    """One backup into a new directory; returns the summary line ("" when no JIANGUAN_BACKUP_DIR is set)."""
    try:
        if not settings.JIANGUAN_BACKUP_DIR:
            return ""
        summary = backup(new_directory())
        prune(settings.JIANGUAN_BACKUP_DIR, settings.JIANGUAN_BACKUP_KEEP)
        return summary.last_line
    finally:  # tomorrow's run is queued even when today's fails (its retries then find it waiting)
        if reschedule and settings.JIANGUAN_BACKUP_DIR:
            schedule()


def schedule() -> bool:
    """Queue the next run; False when the backend cannot defer or no JIANGUAN_BACKUP_DIR is set."""
    if not settings.JIANGUAN_BACKUP_DIR:
        return False
    return schedule_daily(backup_daily, settings.JIANGUAN_BACKUP_HOUR)
