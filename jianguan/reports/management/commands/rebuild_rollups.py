from __future__ import annotations

from django.core.management.base import BaseCommand

from jianguan.reports.services import rebuild_rollups


class Command(BaseCommand):
    help = (
        "从记录重新计算驾驶舱所读的汇总表（台账问题、销号、机构计数），并核对与实时计数一致。"
        "汇总表平时由数据库触发器在同一事务中维护，本命令用于恢复、迁移或核查之后。"
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        written = rebuild_rollups(actor=None)
        for table, cells in written.items():
            self.stdout.write(f"{table}: {cells} cells")
        self.stdout.write("rollups rebuilt; every cell equals the live count")
