from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jianguan.org.selectors import responsibility_matrix


class Command(BaseCommand):
    help = "检查职责分工：列出没有牵头部门（空白）或有多个牵头部门（交叉）的检查类别。发现问题时退出码为 1。"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        problems = 0
        for row in responsibility_matrix():
            leads = "、".join(d.name for d in row.leads) or "—"
            status = row.problem_label or "正常"
            self.stdout.write(f"{row.label}\t牵头：{leads}\t{status}")
            problems += bool(row.problem)
        if problems:
            raise CommandError(f"发现 {problems} 处职责空白或交叉。")
        self.stdout.write("所有检查类别均有唯一牵头部门。")
