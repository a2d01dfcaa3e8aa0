from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from jianguan.accounts.demo import ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRETS, HEADS
from jianguan.audit.services import audit_batch
from jianguan.demo.loader import demo_day, load_demo


class Command(BaseCommand):
    help = "载入示范区（青岚区）演示数据；可重复运行，不会产生重复记录。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--quiet-accounts", action="store_true", help="不打印演示账户")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        today = timezone.localdate()
        day = demo_day(today)
        if day != today:
            self.stdout.write(
                f"注意：{day.year + 1}年的法定节假日安排尚未收录，演示数据的经过截至 {day:%Y-%m-%d}"
                "（其后的期限无法计算）。国务院办公厅通知发布后，可在“工作日 → 导入节假日安排通知”中导入。"
            )
        with transaction.atomic(), audit_batch():
            created = load_demo(today=day)
        total = sum(created.values())
        detail = "，".join(f"{k} {v}" for k, v in created.items() if v)
        self.stdout.write(f"演示数据：新建 {total} 条记录" + (f"（{detail}）" if detail else "（已是最新）"))
        if not options["quiet_accounts"]:
            self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
            for a in ACCOUNTS:
                self.stdout.write(f"  {a.username:<8} {a.name:<4} {a.role.label:<10} {a.does}")
            self.stdout.write("  检查对象的机构账户：" + "、".join(f"{a.username}（{a.does}）" for a in HEADS))
            self.stdout.write("admin 和 lead 须两步验证：在验证器 App 中手动添加密钥（基于时间），或运行")
            self.stdout.write("  .venv/bin/python manage.py demo_code admin   （或 lead）查看当前 6 位验证码")
            for username, secret in DEMO_TOTP_SECRETS.items():
                self.stdout.write(f"  {username:<8} {secret}")
