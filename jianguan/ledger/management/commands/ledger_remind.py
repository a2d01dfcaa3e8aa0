from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from jianguan.ledger.reminders import send_reminders


class Command(BaseCommand):
    help = "发送整改提醒：即将到期、已逾期的事项提醒机构，待复查的事项提醒监管人员；同一事项每人每天至多一条。"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        sent = send_reminders(timezone.localdate())
        self.stdout.write(f"sent {sent}")
