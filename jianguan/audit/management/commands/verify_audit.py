from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jianguan.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "校验审计链：逐条核对哈希，发现被修改、删除或插入的记录时指出第一条出错的序号，退出码为 1。"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(
                f"审计链校验失败：{report.reason}（已核对 {report.checked} 条）。broken seq={report.broken_seq}"
            )
        self.stdout.write(f"审计链完整：共 {report.checked} 条事件，哈希链一致。")
