"""Reading the State Council's yearly holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知).

The notice is pasted as published. Each festival clause (“二、春节：…”) names rest spans (“…至…放假调休，共N天”),
single rest days (“…放假，与周末连休”, “…放假1天，不调休”), substitute rest days (“…补休”) and adjusted working
weekends (“…（星期六）上班”). The parser is strict where a mistake would move a legal deadline: a stated weekday
that does not match the date, a span whose length differs from its “共N天”, a festival missing from the notice, a
day both rest and work, or a date it cannot place are refused with a message naming the text, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.utils.translation import gettext as _

__all__ = [
    "FESTIVALS",
    "MAX_CHARS",
    "Festival",
    "HolidayNotice",
    "NoticeError",
    "describe_days",
    "parse_holiday_notice",
]

# A published notice is about 1,000 characters; anything far longer is not one.
MAX_CHARS = 20_000
# The seven festivals of 《全国年节及纪念日放假办法》 that every yearly notice arranges (sometimes two in one clause).
FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
# The longest rest span a notice has ever given is 9 days (春节 2026); anything much longer is a misreading.
MAX_SPAN_DAYS = 15

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_NAMES = "一二三四五六日"
_NAMES = "|".join(FESTIVALS)
# “一、元旦：”, “六、中秋节、国庆节：”, “- 元旦:”, “一、2018年元旦：”; the colon is what makes it a clause head (the
# 2025 preamble lists festivals too, without one).
_HEAD = re.compile(rf"(?:[一二三四五六七八九十]+、|[-•·*])?(?:\d{{4}}年)?((?:{_NAMES})(?:、(?:{_NAMES}))*):")
# Where the arrangement ends: the closing paragraph and the signature.
_END = re.compile(r"节假日期间|国务院办公厅\d{4}年|国务院办公厅$")
_DATE = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?:\((?P<note>[^()]*)\))?")
# A bracketed remark not attached to a date (“除夕（2月9日）”) is commentary, not an arrangement.
_LOOSE_REMARK = re.compile(r"(?<!日)\([^()]*\)")
_WEEKDAY_NOTE = re.compile(r"(?:星期|周)([一二三四五六日天])")
_COUNT = re.compile(r"(?:共|放假)(\d{1,2})天")
_TITLE_YEAR = re.compile(r"关于(\d{4})年(?:部分)?节假日安排|现将(\d{4})年")


class NoticeError(ValueError):
    """The text is not a holiday notice the parser can read with certainty; the message says where and why."""


def describe_days(days: tuple[date, ...] | list[date]) -> str:
    """Days as a person reads them: consecutive days as a span (“2月15日至23日”), the rest separated by “、”; with
    the year on each date when they reach across a new year."""
    ordered = sorted(days)
    with_year = len({d.year for d in ordered}) > 1

    def day(d: date, *, after: date | None = None) -> str:
        if with_year and (after is None or after.year != d.year):
            return _("%(y)s年%(m)s月%(d)s日") % {"y": d.year, "m": d.month, "d": d.day}
        if after is not None and after.month == d.month:
            return _("%(d)s日") % {"d": d.day}
        return _("%(m)s月%(d)s日") % {"m": d.month, "d": d.day}

    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] - ordered[j] == timedelta(days=1):
            j += 1
        first, last = ordered[i], ordered[j]
        if first == last:
            parts.append(day(first))
        else:
            parts.append(_("%(first)s至%(last)s") % {"first": day(first), "last": day(last, after=first)})
        i = j + 1
    return "、".join(parts)


@dataclass(frozen=True)
class Festival:
    """One clause of the notice: the festival(s) it arranges, its rest days and its adjusted working days."""

    name: str
    holidays: tuple[date, ...]
    workdays: tuple[date, ...]

    @property
    def holidays_text(self) -> str:
        return describe_days(self.holidays)

    @property
    def workdays_text(self) -> str:
        return describe_days(self.workdays)


@dataclass(frozen=True)
class HolidayNotice:
    """A parsed notice: its year and, per festival clause, the days it declares rest or work."""

    year: int
    festivals: tuple[Festival, ...]

    @cached_property
    def holidays(self) -> list[date]:
        """Every date inside the notice's 放假 spans and its 补休 days, in order."""
        return sorted({d for f in self.festivals for d in f.holidays})

    @cached_property
    def workdays(self) -> list[date]:
        """The adjusted working days (上班), in order."""
        return sorted({d for f in self.festivals for d in f.workdays})

    def as_json(self) -> dict[str, object]:
        return {
            "year": self.year,
            "holidays": [d.isoformat() for d in self.holidays],
            "workdays": [d.isoformat() for d in self.workdays],
        }

    @cached_property
    def _days(self) -> dict[date, bool]:
        return {d: False for d in self.holidays} | {d: True for d in self.workdays}

    def is_working_day(self, d: date) -> bool:
        """The day as the notice makes it: its rest and work days, otherwise the plain Monday-to-Friday week."""
        return self._days.get(d, d.weekday() < 5)

    def working_day_count(self) -> int:
        """How many working days the notice leaves in its year."""
        start = date(self.year, 1, 1)
        days = (date(self.year + 1, 1, 1) - start).days
        return sum(self.is_working_day(start + timedelta(days=i)) for i in range(days))


def _normalise(text: str) -> str:
    if "\x00" in text:
        raise NoticeError(_("通知文本含有空字符（NUL），请粘贴通知原文。"))
    if len(text) > MAX_CHARS:
        raise NoticeError(_("文本过长（%(n)s 字），节假日安排通知通常约一千字，请只粘贴通知正文。") % {"n": len(text)})
    # Full-width digits, brackets, colons and commas become their ASCII forms; spaces inside dates (“1 月 1 日”)
    # and between paragraphs carry no meaning here.
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("~", "至")
    return re.sub(r"\s+", "", text)


def _year_of(text: str, year: int | None) -> int:
    found = {int(a or b) for a, b in _TITLE_YEAR.findall(text)}
    if len(found) > 1:
        raise NoticeError(
            _("通知中出现了多个年份（%(years)s），请只粘贴一份通知。") % {"years": "、".join(map(str, sorted(found)))}
        )
    stated = found.pop() if found else None
    if year is not None and stated is not None and year != stated:
        raise NoticeError(
            _("指定的年份 %(given)s 与通知所写的 %(stated)s 年不符。") % {"given": year, "stated": stated}
        )
    result = year or stated
    if result is None:
        raise NoticeError(_("未能从文本中识别年份（如“关于2027年部分节假日安排的通知”），请连同标题粘贴，或指定年份。"))
    if not 2000 <= result <= 2100:
        raise NoticeError(_("年份 %(year)s 不在 2000—2100 之间。") % {"year": result})
    return result


def _fmt(d: date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": d.year, "m": d.month, "d": d.day}


class _Reader:
    """Reads one festival clause; dates without a year or month take them from the notice and the span's start."""

    def __init__(self, year: int, name: str) -> None:
        self.year = year
        self.name = name

    def date(self, match: re.Match[str], *, after: date | None, fragment: str) -> date:
        y = int(match["y"]) if match["y"] else (after.year if after else self.year)
        if match["m"]:
            m = int(match["m"])
        elif after is not None:
            m = after.month
        else:
            raise NoticeError(_("“%(text)s”中的日期没有月份。") % {"text": fragment})
        try:
            d = date(y, m, int(match["d"]))
        except ValueError:
            raise NoticeError(_("“%(text)s”中的日期不存在。") % {"text": fragment}) from None
        if after is not None and d < after and not match["y"]:
            d = d.replace(year=d.year + 1)  # “12月31日至1月2日”: the end runs into the next year
        if abs(d.year - self.year) > 1:
            raise NoticeError(_("“%(text)s”中的日期不属于 %(year)s 年前后。") % {"text": fragment, "year": self.year})
        self._check_weekday(d, match["note"] or "", fragment)
        return d

    def _check_weekday(self, d: date, note: str, fragment: str) -> None:
        stated = _WEEKDAY_NOTE.search(note)
        if stated and _WEEKDAYS[stated[1]] != d.weekday():
            raise NoticeError(
                _("“%(text)s”：%(date)s是星期%(actual)s，通知标注为星期%(stated)s，请核对年份或原文。")
                % {"text": fragment, "date": _fmt(d), "actual": _WEEKDAY_NAMES[d.weekday()], "stated": stated[1]}
            )

    def clause(self, body: str) -> Festival:
        body = _LOOSE_REMARK.sub("", body)
        holidays: list[date] = []
        workdays: list[date] = []
        for sentence in filter(None, re.split(r"[。;；]", body)):
            counted = 0
            for fragment in filter(None, sentence.split(",")):
                dates = list(_DATE.finditer(fragment))
                if not dates:
                    continue
                if "上班" in fragment:
                    workdays += [self.date(m, after=None, fragment=fragment) for m in dates]
                elif "至" in fragment and "放假" in fragment:
                    span = self._span(dates, fragment)
                    holidays += span
                    counted += len(span)
                elif "放假" in fragment or "补休" in fragment:
                    days = [self.date(m, after=None, fragment=fragment) for m in dates]
                    holidays += days
                    counted += len(days)
                else:
                    raise NoticeError(
                        _("无法理解“%(text)s”：日期之后应写明“放假”“补休”或“上班”。") % {"text": fragment}
                    )
            stated = _COUNT.search(sentence)
            if stated and counted and int(stated[1]) != counted:
                raise NoticeError(
                    _("“%(text)s”写明共 %(stated)s 天，但所列日期为 %(counted)s 天，请核对原文。")
                    % {"text": sentence, "stated": stated[1], "counted": counted}
                )
        if not holidays:
            raise NoticeError(_("“%(name)s”一节没有列出放假日期。") % {"name": self.name})
        for d in workdays:
            if d.weekday() < 5:
                raise NoticeError(
                    _("%(name)s：%(date)s（星期%(wd)s）本是工作日，通知中的“上班”只用于调休的周末，请核对原文。")
                    % {"name": self.name, "date": _fmt(d), "wd": _WEEKDAY_NAMES[d.weekday()]}
                )
        return Festival(self.name, tuple(sorted(set(holidays))), tuple(sorted(set(workdays))))

    def _span(self, dates: list[re.Match[str]], fragment: str) -> list[date]:
        if len(dates) != 2:
            raise NoticeError(_("“%(text)s”：放假区间应写作“某日至某日”。") % {"text": fragment})
        start = self.date(dates[0], after=None, fragment=fragment)
        end = self.date(dates[1], after=start, fragment=fragment)
        length = (end - start).days + 1
        if not 1 <= length <= MAX_SPAN_DAYS:
            raise NoticeError(_("“%(text)s”：放假区间长达 %(n)s 天，请核对原文。") % {"text": fragment, "n": length})
        return [start + timedelta(days=i) for i in range(length)]


def parse_holiday_notice(text: str, *, year: int | None = None) -> HolidayNotice:
    """Parse the pasted notice; ``year`` is needed only when the text does not name it. Raises NoticeError."""
    text = _normalise(text)
    first = _HEAD.search(text)
    if first is None:
        raise NoticeError(_("未找到节假日安排（如“一、元旦：1月1日放假”），请粘贴国务院办公厅通知的正文。"))
    year = _year_of(text, year)
    end = _END.search(text, first.end())
    arrangement = text[: end.start()] if end else text
    heads = list(_HEAD.finditer(arrangement))
    festivals: list[Festival] = []
    seen: dict[str, str] = {}
    for head, following in zip(heads, [*heads[1:], None], strict=True):
        name = head[1]
        for part in name.split("、"):
            if part in seen:
                raise NoticeError(_("“%(name)s”在通知中出现了两次。") % {"name": part})
            seen[part] = name
        body = arrangement[head.end() : following.start() if following else None]
        festivals.append(_Reader(year, name).clause(body))
    missing = [f for f in FESTIVALS if f not in seen]
    if missing:
        raise NoticeError(
            _("通知缺少：%(names)s。请粘贴完整的通知正文（七个节日都要有）。") % {"names": "、".join(missing)}
        )
    rest = {d for f in festivals for d in f.holidays}
    both = sorted(rest & {d for f in festivals for d in f.workdays})
    if both:
        raise NoticeError(_("%(date)s既被列为放假又被列为上班，请核对原文。") % {"date": _fmt(both[0])})
    return HolidayNotice(year=year, festivals=tuple(festivals))
