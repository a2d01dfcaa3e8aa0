"""The State Council's holiday notice: parsed as published, imported (command and page), warned about, and ready."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse

from jianguan.audit.models import AuditEvent
from jianguan.audit.selectors import audit_chain_verify
from jianguan.lib import workdays
from jianguan.lib.holidaynotice import NoticeError, parse_holiday_notice
from jianguan.org import services
from jianguan.org.models import HolidayNotice, WorkdayOverride
from jianguan.org.selectors import calendar_gaps
from tests.support.calendar import synthetic_notice

NOTICES = Path(__file__).parent / "notices"
# Published notices of years chinesecalendar knows (2019 and 2020 were changed by later notices, so are left out).
PUBLISHED = {2017: "2017.txt", 2023: "2023.txt", 2024: "2024.txt", 2025: "2025.txt", 2026: "2026.txt"}
# A year no package will know for a long time: the import makes it countable.
FAR = 2098


def _text(name: str) -> str:
    return (NOTICES / name).read_text(encoding="utf-8")


def _far_notice() -> str:
    return synthetic_notice(FAR)


# --- The parser ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "name"), [*PUBLISHED.items(), (2014, "2014-no-year.txt")])
def test_published_notices_give_every_day_of_the_year_as_the_package_does(year, name):
    notice = parse_holiday_notice(_text(name), year=year if "no-year" in name else None)
    assert notice.year == year
    day = date(year, 1, 1)
    while day.year == year:
        assert notice.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    for d in notice.holidays:
        assert chinese_calendar.is_holiday(d), d


def test_2023_notice_reaches_into_2022_and_names_each_festival():
    notice = parse_holiday_notice(_text("2023.txt"))
    assert notice.holidays[:3] == [date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 2)]
    festivals = {f.name: f for f in notice.festivals}
    assert festivals["中秋节、国庆节"].holidays == tuple(date(2023, 9, 29) + timedelta(days=i) for i in range(8))
    assert festivals["中秋节、国庆节"].workdays == (date(2023, 10, 7), date(2023, 10, 8))
    assert festivals["清明节"].holidays == (date(2023, 4, 5),)


def test_json_lists_every_date_of_the_rest_spans_and_the_worked_weekends():
    data = parse_holiday_notice(_text("2026.txt")).as_json()
    assert set(data) == {"year", "holidays", "workdays"} and data["year"] == 2026
    assert data["workdays"] == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    assert "2026-02-15" in data["holidays"] and "2026-02-23" in data["holidays"] and len(data["holidays"]) == 33
    # 2024: “安排职工在除夕（2月9日）休息” is encouragement, not a holiday.
    assert "2024-02-09" not in parse_holiday_notice(_text("2024.txt")).as_json()["holidays"]


def test_the_text_may_come_with_half_width_punctuation_spaces_and_bullets():
    text = _text("2024.txt").replace("：", ":").replace("，", ",").replace("（", "(").replace("）", ")")
    text = text.replace("一、元旦", "- 元旦 ").replace("1月1日", "1 月 1 日")
    assert parse_holiday_notice(text).as_json() == parse_holiday_notice(_text("2024.txt")).as_json()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("2026年", "2027年"), "星期"),  # the weekdays no longer match the year
        (lambda t: t.replace("五、端午节：6月19日（周五）至21日（周日）放假，共3天。", ""), "通知缺少：端午节"),
        (lambda t: t.replace("共9天", "共8天"), "共 8 天"),
        (lambda t: t.replace("5月9日（周六）上班", "5月8日（周五）上班"), "本是工作日"),
        (lambda t: t.replace("至3日（周六）放假调休", "至3日（周六）调休"), "无法理解"),
        (lambda t: t.replace("1月4日（周日）上班", "1月3日（周六）上班"), "既被列为放假又被列为上班"),
        (lambda t: t.replace("三、清明节", "三、清明节：4月5日放假。八、清明节"), "出现了两次"),
        (lambda t: t + "\x00", "空字符"),
        (lambda t: t * 50, "文本过长"),
        (lambda t: "今天天气很好。", "未找到节假日安排"),
    ],
)
def test_what_cannot_be_read_for_certain_is_refused_with_the_reason(change, message):
    with pytest.raises(NoticeError, match=message):
        parse_holiday_notice(change(_text("2026.txt")))


def test_a_notice_without_its_year_needs_one_and_a_contradicting_year_is_refused():
    with pytest.raises(NoticeError, match="未能从文本中识别年份"):
        parse_holiday_notice(_text("2014-no-year.txt"))
    with pytest.raises(NoticeError, match="不符"):
        parse_holiday_notice(_text("2026.txt"), year=2025)


# --- Import: service, command, page --------------------------------------------------------------------------------


def test_import_makes_an_unknown_year_countable_and_is_audited(personas):
    with pytest.raises(workdays.UnknownCalendarYear):
        workdays.add_working_days(date(FAR, 3, 2), 1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        notice = services.holiday_notice_import(actor=personas["lead"], text=_far_notice())
    assert notice.year == FAR and notice.imported_by == personas["lead"]
    parsed = parse_holiday_notice(_far_notice())
    saturday = parsed.workdays[0]
    assert not workdays.is_working_day(date(FAR, 2, 10))  # 春节 in the synthetic notice
    assert workdays.is_working_day(saturday) and saturday.weekday() == 5  # its worked Saturday
    monday = date(FAR, 3, 1) + timedelta(days=-date(FAR, 3, 1).weekday() + 7)
    assert workdays.is_working_day(monday) and not workdays.is_working_day(monday - timedelta(days=1))  # plain week
    assert workdays.working_days_between(date(FAR, 1, 1), date(FAR, 12, 31)) == parsed.working_day_count() - 0
    event = AuditEvent.objects.get(action="holiday_notice.import", object_id=str(notice.pk))
    assert event.actor == personas["lead"] and f"{FAR}-02-10" in event.after["holidays"]
    assert audit_chain_verify().ok


def test_importing_again_replaces_the_notices_days_and_supersedes_manual_entries_it_speaks_of(personas):
    admin = personas["admin"]
    services.workday_override_set(actor=admin, day=date(FAR, 2, 10), is_working_day=True, note="手工")
    services.workday_override_set(actor=admin, day=date(FAR, 8, 3), is_working_day=False, note="地方安排")
    services.holiday_notice_import(actor=admin, text=_far_notice())
    corrected = _far_notice().replace("6月10日放假", "6月11日放假")
    services.holiday_notice_import(actor=admin, text=corrected)
    assert HolidayNotice.objects.filter(year=FAR).count() == 1
    days = dict(WorkdayOverride.objects.filter(date__year=FAR).values_list("date", "is_working_day"))
    assert days[date(FAR, 2, 10)] is False  # the notice's word on 2月10日
    assert date(FAR, 6, 10) not in days and days[date(FAR, 6, 11)] is False
    assert days[date(FAR, 8, 3)] is False  # the manual entry the notice does not mention stays
    events = AuditEvent.objects.filter(action="holiday_notice.import", object_label__contains=str(FAR)).order_by("seq")
    first, last = events
    assert first.before["manual"] == [[f"{FAR}-02-10", True, "手工"]]
    assert f"{FAR}-06-10" in last.before["holidays"] and f"{FAR}-06-11" in last.after["holidays"]


def test_a_notice_reaching_into_the_previous_year_does_not_declare_that_year(personas):
    text = _far_notice().replace(
        "一、元旦：1月1日放假，共1天。", f"一、元旦：{FAR - 1}年12月31日至{FAR}年1月1日放假调休，共2天。"
    )
    services.holiday_notice_import(actor=personas["admin"], text=text)
    assert WorkdayOverride.objects.filter(date=date(FAR - 1, 12, 31), is_working_day=False).exists()
    assert not workdays.year_is_known(FAR - 1)
    assert workdays.year_is_known(FAR)


def test_only_admin_and_lead_may_import_and_a_refused_text_changes_nothing(personas):
    for name in ["edu_officer", "fire_officer", "street_a", "leader", "legal", "institution"]:
        with pytest.raises(PermissionDenied):
            services.holiday_notice_import(actor=personas[name], text=_far_notice())
    with pytest.raises(ValidationError, match="通知缺少"):
        services.holiday_notice_import(actor=personas["admin"], text=_far_notice().replace("端午节", "端阳"))
    assert not HolidayNotice.objects.filter(year=FAR).exists()
    assert not AuditEvent.objects.filter(action="holiday_notice.import", object_label__contains=str(FAR)).exists()


def test_an_uncommitted_import_is_never_cached_for_other_transactions(personas):
    with pytest.raises(workdays.UnknownCalendarYear):
        workdays.is_working_day(date(FAR, 3, 2))
    services.holiday_notice_import(actor=personas["admin"], text=_far_notice())
    # The same transaction sees its own import ...
    assert not workdays.is_working_day(date(FAR, 2, 10))
    # ... but nothing of it reached the process-wide cache, which the next request would read after a rollback.
    assert FAR not in workdays._tables
    assert FAR not in workdays._overrides_cache or not workdays._overrides_cache[FAR].declared


def test_command_json_prints_year_holidays_and_workdays_and_dry_run_stores_nothing(personas, tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(_text("2025.txt"), encoding="utf-8")
    out = io.StringIO()
    call_command("import_holiday_notice", str(path), "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == parse_holiday_notice(_text("2025.txt")).as_json()
    assert not HolidayNotice.objects.filter(year=2025).exists()


def test_command_imports_a_gbk_file_as_the_named_account_and_ends_with_a_summary(personas, tmp_path):
    path = tmp_path / "notice.txt"
    path.write_bytes(_far_notice().encode("gb18030"))
    out = io.StringIO()
    call_command("import_holiday_notice", str(path), "--as", personas["lead"].username, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[0] == f"{FAR}年节假日安排："
    assert lines[-1] == f"imported {FAR}: 21 holidays, 2 workdays"
    assert HolidayNotice.objects.get(year=FAR).imported_by == personas["lead"]


def test_command_refuses_in_chinese(personas, tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(_far_notice().replace("共7天", "共6天"), encoding="utf-8")
    with pytest.raises(CommandError, match="共 6 天"):
        call_command("import_holiday_notice", str(path))
    path.write_text(_far_notice(), encoding="utf-8")
    with pytest.raises(CommandError, match="无权"):
        call_command("import_holiday_notice", str(path), "--as", personas["fire_officer"].username)
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_holiday_notice", str(tmp_path / "missing.txt"))
    assert not HolidayNotice.objects.filter(year=FAR).exists()


def test_the_page_previews_the_year_then_imports_it(client_for, personas):
    client = client_for("lead")
    url = reverse("org:holiday_notice")
    page = client.post(url, {"text": _far_notice(), "preview": "1"})
    html = page.content.decode()
    assert page.status_code == 200 and f"{FAR}年的安排（预览，尚未导入）" in html
    saturday = parse_holiday_notice(_far_notice()).workdays[0].isoformat()
    assert f'data-date="{FAR}-02-10" data-working="0"' in html and f'data-date="{saturday}" data-working="1"' in html
    assert not HolidayNotice.objects.filter(year=FAR).exists()
    done = client.post(url, {"text": _far_notice(), "import": "1"})
    assert done.status_code == 302 and done["Location"].endswith(f"?year={FAR}")
    assert HolidayNotice.objects.get(year=FAR).imported_by == personas["lead"]
    shown = client.get(done["Location"]).content.decode()
    assert f'data-date="{FAR}-02-10" data-working="0"' in shown


def test_the_page_shows_why_a_text_is_refused_and_keeps_it(client_for):
    text = _far_notice().replace("共7天", "共6天")
    html = client_for("admin").post(reverse("org:holiday_notice"), {"text": text, "preview": "1"}).content.decode()
    assert "写明共 6 天" in html and "共6天" in html  # the message, and the text typed kept in the box
    assert not HolidayNotice.objects.filter(year=FAR).exists()


def test_the_calendar_page_refuses_a_nonsense_year_quietly(client_for):
    assert client_for("admin").get(reverse("org:workday_list"), {"year": "²"}).status_code == 200


# --- Warnings and readiness ----------------------------------------------------------------------------------------


def test_next_years_gap_is_warned_from_1_october(db):
    far = FAR - 1  # neither FAR - 1 nor FAR is known
    assert [g.year for g in calendar_gaps(date(far, 9, 30))] == [far]
    assert [g.year for g in calendar_gaps(date(far, 10, 1))] == [far, far + 1]
    assert calendar_gaps(date(2026, 9, 30)) == []  # the package knows 2026


def test_home_page_warns_admin_and_lead_with_a_link_to_the_import(client_for, personas, monkeypatch):
    from jianguan.reports import views

    monkeypatch.setattr(views.timezone, "localdate", lambda: date(FAR - 1, 12, 5))
    for name in ["admin", "lead"]:
        html = client_for(name).get("/").content.decode()
        assert f"{FAR}年的法定节假日安排尚未收录" in html and reverse("org:holiday_notice") in html
    for name in ["edu_officer", "leader", "institution"]:
        assert "尚未收录" not in client_for(name).get("/").content.decode()


def test_healthz_answers_and_readyz_reports_each_check(client_for, monkeypatch):
    client = client_for("anonymous")
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json()
    assert set(ready.json()["checks"]) == {"database", "migrations", "cache", "storage", "calendar"}
    from jianguan import views

    monkeypatch.setattr(views.timezone, "localdate", lambda: date(FAR - 1, 12, 5))
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
    calendar = ready.json()["checks"]["calendar"]
    assert calendar["ok"] is False and f"{FAR - 1}、{FAR}" in calendar["detail"]


# --- Data told as of a day: the demo and the benchmarks never need a guessed year ------------------------------------


def test_the_demo_is_told_up_to_the_last_day_its_deadlines_can_be_counted(personas):
    from jianguan.demo.loader import demo_day

    services.holiday_notice_import(actor=personas["admin"], text=_far_notice())
    assert demo_day(date(FAR, 6, 1)) == date(FAR, 6, 1)
    # Late in December, next year's holidays unknown: the history stops 31 days before the year ends.
    assert demo_day(date(FAR, 12, 28)) == date(FAR, 11, 30)
    assert demo_day(date(FAR + 2, 3, 1)) == date(FAR, 11, 30)  # two years without a notice: still the last such day
    with pytest.raises(workdays.UnknownCalendarYear):
        demo_day(date(FAR + 5, 3, 1))  # nothing in the last few years is covered
