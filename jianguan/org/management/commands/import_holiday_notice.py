from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jianguan.accounts.models import User
from jianguan.lib.holidaynotice import MAX_CHARS
from jianguan.org import services

# A notice is a few kilobytes; a file far larger is not one (and is not read whole into memory).
MAX_BYTES = MAX_CHARS * 4


def _read(name: str) -> str:
    if name == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        try:
            with Path(name).open("rb") as f:
                raw = f.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"无法读取文件 {name}：{exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise CommandError(f"文件超过 {MAX_BYTES // 1024} KB，不是一份节假日安排通知。")
    # Saved from a Chinese Windows editor the text is often GB 18030 (GBK) rather than UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError("文件既不是 UTF-8 也不是 GB 18030 编码的文本。")


class Command(BaseCommand):
    help = (
        "导入国务院办公厅关于某年部分节假日安排的通知（纯文本，照原样粘贴保存），作为该年的放假和调休上班日期。"
        "--json 输出 {year, holidays, workdays}；--dry-run 只解析不写入。"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="通知文本文件；- 表示从标准输入读取")
        parser.add_argument("--dry-run", action="store_true", help="只解析并显示结果，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出 year、holidays、workdays")
        parser.add_argument("--year", type=int, help="通知文本中没有年份时指定")
        parser.add_argument("--as", dest="username", default="admin", help="以哪个账户的名义导入（默认 admin）")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        text = _read(options["file"])
        try:
            parsed = services.holiday_notice_read(text, year=options["year"])
            if not options["dry_run"]:
                actor = User.objects.filter(username=options["username"], is_active=True).first()
                if actor is None:
                    raise CommandError(f"账户 {options['username']} 不存在或已停用，请用 --as 指定导入人。")
                services.holiday_notice_import(actor=actor, text=text, year=options["year"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        except PermissionDenied:
            raise CommandError(f"账户 {options['username']} 无权导入节假日安排（须为管理员或牵头协调人）。") from None
        if options["json"]:
            self.stdout.write(json.dumps(parsed.as_json(), ensure_ascii=False))
            return
        self.stdout.write(f"{parsed.year}年节假日安排：")
        for festival in parsed.festivals:
            rest, work = festival.holidays_text, festival.workdays_text or "无"
            self.stdout.write(f"  {festival.name}：放假 {rest}（{len(festival.holidays)} 天）；调休上班 {work}")
        self.stdout.write(
            f"全年工作日 {parsed.working_day_count()} 天（放假 {len(parsed.holidays)} 天，调休上班 {len(parsed.workdays)} 天）"
        )
        verb = "dry run, nothing stored" if options["dry_run"] else "imported"
        self.stdout.write(f"{verb} {parsed.year}: {len(parsed.holidays)} holidays, {len(parsed.workdays)} workdays")
