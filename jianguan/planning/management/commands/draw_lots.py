"""双随机 draw for a campaign: `manage.py draw_lots CAMPAIGN_ID --seed SEED [--dry-run] [--json]`.

Without --dry-run the draw is made and recorded (once per campaign). On a campaign already drawn, the recorded draw is
run again from its frozen snapshot with the given seed and printed, with whether it matches the record."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.inspections.models import Campaign
from jianguan.planning import draw as lots
from jianguan.planning.models import Draw
from jianguan.planning.selectors import draw_json
from jianguan.planning.services import draw_make


def _as_json(campaign: Campaign, seed: str, frozen: lots.Snapshot, result: lots.Result, **extra: Any) -> dict:
    return {
        "campaign_id": campaign.pk,
        "seed": seed,
        "target_snapshot_hash": frozen.target_hash,
        "officer_snapshot_hash": frozen.officer_hash,
        "result_hash": result.digest(),
        "target_pool": len(frozen.targets),
        "officer_pool": len(frozen.officers),
        **extra,
        "targets": [
            {"institution_id": t.institution_id, "kind": t.kind, "level": t.level, "officers": t.officers}
            for t in result.targets
        ],
    }


class Command(BaseCommand):
    help = "双随机一公开：按随机种子从检查对象名录库和执法检查人员名录库中抽取检查对象和检查组。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("--seed", required=True, help="随机种子（事先确定并公开）")
        parser.add_argument("--source", default="", help="种子来源（记录在抽取记录中）")
        parser.add_argument("--user", default="", help="以哪个账户抽取（默认第一个牵头协调账户）")
        parser.add_argument("--dry-run", action="store_true", help="只计算并打印，不记录")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.filter(pk=options["campaign_id"]).first()
        if campaign is None:
            raise CommandError(f"专项行动 {options['campaign_id']} 不存在。")
        seed = options["seed"]
        recorded = Draw.objects.filter(campaign=campaign).first()
        if recorded is not None:
            data = self._again(campaign, recorded, seed, options["dry_run"])
        else:
            data = self._draw(campaign, seed, options)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self._print(campaign, data)

    def _draw(self, campaign: Campaign, seed: str, options: dict[str, Any]) -> dict[str, Any]:
        actor = self._actor(options["user"])
        try:
            outcome = draw_make(
                actor=actor,
                campaign=campaign,
                seed=seed,
                seed_source=options["source"] or f"manage.py draw_lots（{actor}）",
                dry_run=options["dry_run"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        if outcome.draw is not None:
            return draw_json(outcome.draw) | {"recorded": True}
        return _as_json(campaign, seed, outcome.snapshot, outcome.result, recorded=False)

    def _again(self, campaign: Campaign, recorded: Draw, seed: str, dry_run: bool) -> dict[str, Any]:
        """The recorded draw run again from its frozen snapshot (the seed may differ in a dry run)."""
        if seed != recorded.seed and not dry_run:
            raise CommandError(
                f"该专项行动已于 {recorded.made_at:%Y-%m-%d} 以种子“{recorded.seed}”抽签，结果不能更改。"
            )
        frozen = lots.Snapshot.from_json(recorded.snapshot)
        try:
            result = lots.draw(
                seed=seed,
                snapshot=frozen,
                ratios=recorded.ratios,
                kind_ratios=recorded.kind_ratios,
                max_per_officer=recorded.max_per_officer,
            )
        except lots.DrawError as exc:
            raise CommandError(str(exc)) from exc
        matches = (
            frozen.target_hash == recorded.target_hash
            and frozen.officer_hash == recorded.officer_hash
            and result.digest() == recorded.result_hash
        )
        return _as_json(campaign, seed, frozen, result, recorded=False, matches_record=matches)

    def _actor(self, username: str) -> User:
        users = User.objects.filter(is_active=True)
        actor = users.filter(username=username).first() if username else users.filter(role=Role.LEAD).first()
        if actor is None:
            raise CommandError("找不到抽签账户（--user）。")
        return actor

    def _print(self, campaign: Campaign, data: dict[str, Any]) -> None:
        self.stdout.write(f"{campaign}：种子“{data['seed']}”")
        self.stdout.write(f"检查对象名录库 {data['target_pool']} 家，摘要 {data['target_snapshot_hash']}")
        self.stdout.write(f"执法检查人员名录库 {data['officer_pool']} 人，摘要 {data['officer_snapshot_hash']}")
        self.stdout.write(f"抽中 {len(data['targets'])} 家，结果摘要 {data['result_hash']}")
        if "matches_record" in data:
            self.stdout.write("与抽取记录一致" if data["matches_record"] else "与抽取记录不一致")
        elif not data.get("recorded"):
            self.stdout.write("试抽（未记录）")
        for n, target in enumerate(data["targets"], 1):
            officers = "、".join(str(u) for u in target["officers"])
            self.stdout.write(f"  {n}. 机构 {target['institution_id']}（{target['level']}）检查组：{officers}")
