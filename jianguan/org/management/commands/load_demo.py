from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from jianguan.audit.services import audit_batch
from jianguan.org.demo import ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "载入示范区（青岚区）演示数据；可重复运行，不会产生重复记录。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--quiet-accounts", action="store_true", help="不打印演示账户")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        with transaction.atomic(), audit_batch():
            created = load_demo(today=timezone.localdate())
        total = sum(created.values())
        detail = "，".join(f"{k} {v}" for k, v in created.items() if v)
        self.stdout.write(f"演示数据：新建 {total} 条记录" + (f"（{detail}）" if detail else "（已是最新）"))
        if not options["quiet_accounts"]:
            self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
            for a in ACCOUNTS:
                self.stdout.write(f"  {a.username:<8} {a.name:<4} {a.role.label:<10} {a.does}")
