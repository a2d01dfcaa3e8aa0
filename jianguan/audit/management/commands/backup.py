from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jianguan.audit.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "把数据库（PostgreSQL 用 pg_dump 自定义格式，SQLite 用在线备份）、全部存档文件和清单（每个文件的 SHA-256、"
        "审计链头）写入新的空目录 DIR。最后一行为 backup complete: …"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "directory",
            nargs="?",
            help="备份目录（不存在或为空），建议按日期命名，如 /srv/backup/jianguan-20261205；"
            "省略时在 JIANGUAN_BACKUP_DIR 下按时间新建",
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="同时把每天的备份排入后台任务队列（JIANGUAN_BACKUP_HOUR 点，写入 JIANGUAN_BACKUP_DIR，"
            "由后台任务进程执行）；只排队不立即备份时可与 --no-backup 同用",
        )
        parser.add_argument("--no-backup", action="store_true", help="只排队，不立即备份")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        from jianguan.audit.tasks import new_directory, next_run, schedule

        directory = options["directory"]
        if not directory and not settings.JIANGUAN_BACKUP_DIR and not options["no_backup"]:
            raise CommandError("请给出备份目录 DIR，或设置 JIANGUAN_BACKUP_DIR。")
        if options["schedule"]:
            if not settings.JIANGUAN_BACKUP_DIR:
                raise CommandError("定时备份需要设置 JIANGUAN_BACKUP_DIR（备份写入的目录）。")
            if schedule():
                self.stdout.write(f"下一次备份已排入后台任务：{next_run():%Y-%m-%d %H:%M}")
            else:
                self.stdout.write("当前任务后端不支持定时，请用 cron 每天运行本命令")
        if options["no_backup"]:
            return
        try:
            summary = backup(directory or new_directory())
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(summary.last_line)
