from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jianguan.audit.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "把数据库（PostgreSQL 用 pg_dump 自定义格式，SQLite 用在线备份）、全部存档文件和清单（每个文件的 SHA-256、"
        "审计链头）写入新的空目录 DIR。最后一行为 backup complete: …"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "directory", help="备份目录（不存在或为空），建议按日期命名，如 /srv/backup/jianguan-20261205"
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            summary = backup(options["directory"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(summary.last_line)
