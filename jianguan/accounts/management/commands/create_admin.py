from __future__ import annotations

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jianguan.accounts.services import user_bootstrap_admin


class Command(BaseCommand):
    help = "创建平台管理员账户（用于生产环境首次部署）。密码从终端输入或 JIANGUAN_ADMIN_PASSWORD 环境变量读取。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument("--name", default="平台管理员")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        import os

        password = os.environ.get("JIANGUAN_ADMIN_PASSWORD") or getpass.getpass("密码：")
        try:
            user = user_bootstrap_admin(username=options["username"], name=options["name"], password=password)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已创建平台管理员 {user.username}。")
