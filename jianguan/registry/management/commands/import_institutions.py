from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jianguan.accounts.models import User
from jianguan.registry.importer import import_file


class Command(BaseCommand):
    help = "从 Excel（.xlsx）导入机构名录。任一行有误时不写入任何数据，除非使用 --valid-only。最后一行为 imported N, updated M, rejected K。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--valid-only", action="store_true", help="只导入无误的行，跳过有错误的行")
        parser.add_argument("--as", dest="username", default="admin", help="以哪个账户的名义导入（默认 admin）")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"账户 {options['username']} 不存在或已停用，请用 --as 指定导入人。")
        report = import_file(options["file"], actor=actor, dry_run=options["dry_run"], valid_only=options["valid_only"])
        if report.fatal:
            raise CommandError(report.fatal)
        for error in report.errors:
            value = f"“{error.value}”" if error.value else ""
            self.stdout.write(f"第 {error.row} 行 {error.column} {value}：{error.reason}")
        prefix = "（试运行，未写入）" if options["dry_run"] else ""
        self.stdout.write(prefix + report.summary)
        self.stdout.write(report.last_line)
        if report.errors and not report.committed and not options["dry_run"]:
            raise SystemExit(1)
