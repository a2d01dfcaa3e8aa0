from __future__ import annotations

from django.core.management.base import BaseCommand

from jianguan.staff.importer import write_template


class Command(BaseCommand):
    help = "写出从业人员导入模板（含填写说明和下拉选项）。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("out", help="输出文件，如 从业人员模板.xlsx")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        write_template(options["out"])
        self.stdout.write(f"已写出导入模板：{options['out']}")
