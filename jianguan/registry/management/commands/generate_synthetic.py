"""`manage.py generate_synthetic --institutions 100000 [--seed 1] [--append]`: synthetic institutions for load tests.

Synthetic bulk data is NOT audited: it is test data loaded by an operator, not a user's change to the registry, so it is
written with bulk_create and no audit events. Never run it against a production database. The generation itself lives
in jianguan.registry.synthetic.generate, which the benchmarks call too.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from jianguan.registry.synthetic import BATCH_SIZE, SYNTHETIC_NOTE, SyntheticDataExists, generate


class Command(BaseCommand):
    help = (
        "生成合成（虚构）机构及其证照，用于压力测试和性能基准：名称、地址、类型、信用代码、证照有效期均为随机但可复现"
        f"（同一 --seed 得到同样的数据），每批 {BATCH_SIZE:,} 条批量写入。合成数据是测试数据而不是用户的变更，"
        f"不记入审计日志；切勿在生产库上运行。合成机构的备注为“{SYNTHETIC_NOTE}”。已有合成机构时拒绝执行，除非使用 --append。"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--institutions", type=int, default=100_000, help="生成多少家机构（默认 100000）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）；相同种子生成相同数据")
        parser.add_argument("--append", action="store_true", help="已有合成机构时仍然追加")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        n = options["institutions"]
        if n <= 0:
            raise CommandError("--institutions 必须是正整数。")
        start = time.perf_counter()
        try:
            created = generate(n, options["seed"], append=options["append"], log=self.stdout.write)
        except SyntheticDataExists as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - start
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {created:,} 家合成机构，用时 {elapsed:.1f} s（{created / elapsed:,.0f} 家/秒）。"
            )
        )
