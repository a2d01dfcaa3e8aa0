"""Holiday notices for years the calendar package does not know, so the suite runs on any day of the year.

A test run in late December counts deadlines into a year whose real notice may not exist yet. The tests enter a
synthetic notice for such a year, in the published form and through the real import service, exactly as an
administrator would enter the real one. It is test data: the demo and production never use it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

# (festival, first day, days of rest); each rest span is followed by one worked Saturday where the festival is long.
_FESTIVALS = [
    ("元旦", (1, 1), 1, False),
    ("春节", (2, 10), 7, True),
    ("清明节", (4, 5), 1, False),
    ("劳动节", (5, 1), 3, False),
    ("端午节", (6, 10), 1, False),
    ("中秋节", (9, 20), 1, False),
    ("国庆节", (10, 1), 7, True),
]
_NUMERALS = "一二三四五六七"


def _saturday_after(d: date) -> date:
    d += timedelta(days=1)
    while d.weekday() != 5:
        d += timedelta(days=1)
    return d


def synthetic_notice(year: int) -> str:
    """A notice text for ``year`` in the State Council's form (title, seven numbered festivals, signature)."""
    lines = [f"国务院办公厅关于{year}年部分节假日安排的通知（测试用）", f"现将{year}年放假调休日期的具体安排通知如下。"]
    for numeral, (name, (month, day), length, worked) in zip(_NUMERALS, _FESTIVALS, strict=True):
        start = date(year, month, day)
        end = start + timedelta(days=length - 1)
        if length == 1:
            clause = f"{numeral}、{name}：{month}月{day}日放假，共1天。"
        else:
            clause = f"{numeral}、{name}：{month}月{day}日至{end.month}月{end.day}日放假调休，共{length}天。"
        if worked:
            saturday = _saturday_after(end)
            clause += f"{saturday.month}月{saturday.day}日（星期六）上班。"
        lines.append(clause)
    lines += ["节假日期间，各地区、各部门要妥善安排好值班工作。", "国务院办公厅"]
    return "\n".join(lines)


def enter_calendar_years(actor: Any, years: list[int]) -> list[int]:
    """Import a synthetic notice for each of ``years`` the calendar does not know; returns the years entered."""
    from django.test import TestCase

    from jianguan.lib import workdays
    from jianguan.org import services

    entered = [year for year in years if not workdays.year_is_known(year)]
    for year in entered:
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.holiday_notice_import(actor=actor, text=synthetic_notice(year))
    workdays.clear_cache()
    return entered
