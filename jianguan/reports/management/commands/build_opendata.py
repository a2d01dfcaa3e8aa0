from __future__ import annotations

from django.core.management.base import BaseCommand

from jianguan.reports.opendata import open_data_zip


class Command(BaseCommand):
    help = "生成当天的开放数据文件（公开下载的 ZIP，每天一份）；已生成时不重复生成。每天运行一次。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="同时把下一次生成排入后台任务队列（每天 JIANGUAN_OPENDATA_HOUR 点，由后台任务进程执行）",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path = open_data_zip()
        if options["schedule"]:
            from jianguan.reports.tasks import next_run, schedule

            if schedule():
                self.stdout.write(f"下一次生成已排入后台任务：{next_run():%Y-%m-%d %H:%M}")
            else:
                self.stdout.write("当前任务后端不支持定时，请用 cron 每天运行本命令")
        self.stdout.write(f"built {path.name}")
