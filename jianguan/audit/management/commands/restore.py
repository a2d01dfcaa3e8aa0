from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jianguan.audit.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "把 backup 写出的备份恢复到空的数据库（DATABASE_URL）和空的文件目录（JIANGUAN_MEDIA_ROOT），"
        "然后校验：审计链完整且链头与备份一致，每个存档文件与登记的 SHA-256 一致。最后一行为 restore complete …"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("directory", help="backup 写出的备份目录")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            summary = restore(options["directory"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(summary.last_line)
