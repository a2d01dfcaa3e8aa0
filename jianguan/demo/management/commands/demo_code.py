from __future__ import annotations

import pyotp
from django.core.management.base import BaseCommand, CommandError

from jianguan.accounts.demo import DEMO_TOTP_SECRETS
from jianguan.accounts.models import TwoFactor


class Command(BaseCommand):
    help = "演示区：打印演示账户（admin、lead）当前的两步验证码。只对使用公开演示密钥的账户有效。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username", choices=sorted(DEMO_TOTP_SECRETS))

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        secret = DEMO_TOTP_SECRETS[options["username"]]
        # Only while the account still uses the published demo secret: never a way to read a real account's code.
        if not TwoFactor.objects.filter(user__username=options["username"], secret=secret).exists():
            raise CommandError("该账户没有使用演示密钥。")
        self.stdout.write(pyotp.TOTP(secret).now())
