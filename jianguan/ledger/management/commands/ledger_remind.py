from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from jianguan.notifications.reminders import send_all


class Command(BaseCommand):
    help = (
        "发送提醒：即将到期、已逾期的整改事项提醒机构，待复查的事项提醒监管人员，即将到期、已逾期的投诉提醒承办人；"
        "同一事项每人每天至多一条。"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="同时把下一次提醒排入后台任务队列（每天一次，由 manage.py db_worker 执行）",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        sent = send_all(timezone.localdate())
        if options["schedule"]:
            from jianguan.ledger.tasks import next_run, schedule

            if schedule():
                self.stdout.write(f"下一次提醒已排入后台任务：{next_run():%Y-%m-%d %H:%M}")
            else:
                self.stdout.write("当前任务后端不支持定时，请用 cron 每天运行本命令")
        self.stdout.write(f"sent {sent}")
