from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from jianguan.rules.selectors import report_rows
from jianguan.rules.services import run_checks


class Command(BaseCommand):
    help = (
        "检查全部机构的从业人员、培训时间和预收费是否符合规定（规则及依据见 rules/catalogue.py），"
        "保存违规记录（新发现的生成预警，已消除的关闭），并逐条列出现有违规；每天运行一次。"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--json", action="store_true", help="以 JSON 输出（每条违规一个对象）")
        parser.add_argument("--schedule", action="store_true", help="同时把下一次检查排入后台任务队列")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        result = run_checks()
        rows = report_rows()
        if options["json"]:
            payload = {
                "checked_on": result.run.checked_on.isoformat(),
                "found": result.found,
                "opened": result.opened,
                "resolved": result.resolved,
                "violations": list(rows),
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1))
        else:
            for row in rows:
                self.stdout.write(
                    "\t".join(
                        [row["rule"], row["rule_title"], str(row["institution_id"]), row["institution_name"],
                         row["record"], row["detail"], row["source"]]
                    )
                )  # fmt: skip
        if options["schedule"]:
            from jianguan.rules.tasks import next_run, schedule

            if schedule():
                self.stderr.write(f"下一次检查已排入后台任务：{next_run():%Y-%m-%d %H:%M}")
            else:
                self.stderr.write("当前任务后端不支持定时，请用 cron 每天运行本命令")
        if not options["json"]:
            self.stdout.write(f"violations {result.found}, new {result.opened}, resolved {result.resolved}")
