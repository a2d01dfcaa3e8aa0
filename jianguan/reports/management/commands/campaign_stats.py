"""Print a campaign's statistics: `manage.py campaign_stats CAMPAIGN_ID [--date YYYY-MM-DD] [--json]`."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jianguan.inspections.models import Campaign
from jianguan.reports.statistics import campaign_statistics


class Command(BaseCommand):
    help = "专项行动统计：检查家数、各类问题家数和个数、整改情况（按家计）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("--date", type=date.fromisoformat, default=None, help="统计截止日期（默认今天）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.filter(pk=options["campaign_id"]).first()
        if campaign is None:
            raise CommandError(f"专项行动 {options['campaign_id']} 不存在。")
        stats = campaign_statistics(campaign, options["date"])
        if options["json"]:
            self.stdout.write(json.dumps(stats.as_dict(), ensure_ascii=False, indent=2, default=str))
            return
        self.stdout.write(f"{stats.campaign}（截至 {stats.as_of:%Y-%m-%d}）")
        self.stdout.write(
            f"检查对象 {stats.targets} 家，已检查 {stats.inspected} 家，发现问题 {stats.with_problems} 家 "
            f"{stats.findings} 个，已整改 {stats.rectified_findings} 个，逾期未整改 {stats.overdue_findings} 个"
        )
        for c in stats.categories:
            self.stdout.write(
                f"  {c.label}：{c.institutions} 家（{c.findings} 个），已整改 {c.rectified_institutions} 家"
                f"（{c.rectified_findings} 个）"
            )
