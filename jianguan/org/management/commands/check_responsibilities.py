from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jianguan.org.selectors import responsibility_matrix


class Command(BaseCommand):
    help = (
        "检查职责分工：逐一列出每类机构每个检查类别（及单列的检查项）的牵头部门，报告空白（无牵头部门）、"
        "交叉（多个牵头部门）和派出所牵头。发现问题时退出码为 1。"
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        problems = 0
        for row in responsibility_matrix():
            for cell in row.cells:
                leads = "、".join(d.name for d in cell.leads) or "—"
                status = cell.problem_label or "正常"
                self.stdout.write(f"{row.label}\t{cell.kind_label}\t牵头：{leads}\t{status}")
                problems += bool(cell.problem)
        if problems:
            raise CommandError(f"发现 {problems} 处职责空白或交叉。")
        self.stdout.write("每类机构的每个检查类别均有唯一牵头部门。")
