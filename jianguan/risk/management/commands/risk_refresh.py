from __future__ import annotations

from django.core.management.base import BaseCommand

from jianguan.risk.services import risk_refresh_all


class Command(BaseCommand):
    help = "重新评定全部机构的风险等级（证照到期、整改逾期等随时间变化的因素）；每天运行一次。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="同时把下一次评定排入后台任务队列（每天一次，由 manage.py db_worker 执行）",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        result = risk_refresh_all()
        if options["schedule"]:
            from jianguan.risk.tasks import next_run, schedule

            if schedule():
                self.stdout.write(f"下一次评定已排入后台任务：{next_run():%Y-%m-%d %H:%M}")
            else:
                self.stdout.write("当前任务后端不支持定时，请用 cron 每天运行本命令")
        if result.level_changed:
            self.stdout.write(f"风险等级上升 {result.raised} 家，下降 {result.lowered} 家")
        self.stdout.write(f"refreshed {result.refreshed}")
