from __future__ import annotations

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianguan.audit.selectors import audit_chain_verify, chain_head, chain_holds

# "head #907 bc54…", "907 bc54…", or either after a time stamp (deploy/verify-and-anchor.sh writes one).
ANCHOR_LINE = re.compile(r"(?:^|\s)#?(\d+)\s+([0-9a-f]{64})\b")


class Command(BaseCommand):
    help = (
        "校验审计链：逐条核对哈希，发现被修改、删除或插入的记录时指出第一条出错的序号，退出码为 1。"
        "最后一行打印链头（序号与哈希），可保存在数据库之外作为锚点。"
        "--files 同时核对每份文书、证据照片和附件的 SHA-256；--anchor FILE 核对链中仍包含 FILE 中记录的链头。"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--files", action="store_true", help="同时核对所有存档文件的 SHA-256")
        parser.add_argument(
            "--anchor", metavar="FILE", help="此前保存的链头（每行“序号 哈希”，如 verify_audit 的最后一行）"
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(
                f"审计链校验失败：{report.reason}（已核对 {report.checked} 条）。broken seq={report.broken_seq}"
            )
        self.stdout.write(f"审计链完整：共 {report.checked} 条事件，哈希链一致。")
        if options["anchor"]:
            self._check_anchor(Path(options["anchor"]))
        if options["files"]:
            self._check_files()
        seq, digest = chain_head()
        self.stdout.write(f"head #{seq} {digest}")

    def _check_anchor(self, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise CommandError(f"无法读取锚点文件 {path}：{exc.strerror}") from None
        anchors = [(int(m[1]), m[2]) for line in lines if (m := ANCHOR_LINE.search(line))]
        if not anchors:
            raise CommandError(f"锚点文件 {path} 中没有“序号 哈希”形式的链头记录。")
        for seq, digest in anchors:
            if not chain_holds(seq, digest):
                raise CommandError(
                    f"锚点不符：此前记录的第 {seq} 号事件哈希 {digest[:16]}… 已不在链中——"
                    "审计链在该点之前被整体改写或截断。"
                )
        self.stdout.write(
            f"锚点一致：链中仍包含此前记录的 {len(anchors)} 个链头（最新 #{max(s for s, _ in anchors)}）。"
        )

    def _check_files(self) -> None:
        from jianguan.lib.storedfiles import kinds, verify_all

        problems = verify_all()
        first = next(problems, None)
        if first is not None:
            raise CommandError(f"存档文件校验失败：{first}。")
        counted = sum(k.model.objects.exclude(**{k.file_field: ""}).count() for k in kinds())
        self.stdout.write(f"存档文件完整：{counted} 个文件与登记的 SHA-256 一致。")
