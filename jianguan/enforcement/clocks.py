"""A case's statutory clocks, computed from its dates and never typed by hand (行政处罚法 第八十五条: only the 2/3/5/7-day
periods are working days; the 15-, 60- and 90-day ones are calendar days).

The start day is not counted (民事诉讼法 第八十五条 and SAMR rule 第八十条: 期间开始的日不计算在内). For the party's own
periods (the fine's 15 days) a last day that is not a working day moves to the next working day, as those rules say;
the department's own limits (90 days to decide) are not moved: the warning comes earlier, never later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jianguan.lib.workdays import UnknownCalendarYear, add_working_days, is_working_day

HEARING_REQUEST_WORKING_DAYS = 5  # 第六十四条第一项: 告知后五日内提出
STATEMENT_WORKING_DAYS = 5  # the same period for 陈述申辩 (SAMR rule 第五十七条第二款 as the model)
HEARING_NOTICE_WORKING_DAYS = 7  # 第六十四条第二项: 举行听证的七日前通知
SERVICE_WORKING_DAYS = 7  # 第六十一条第一款: 七日内送达
PRESERVATION_WORKING_DAYS = 7  # 第五十六条: 先行登记保存，应当在七日内及时作出处理决定
FINE_DAYS = 15  # 第六十七条第三款: 收到决定书之日起十五日内缴纳
SURCHARGE_RATE = Decimal("0.03")  # 第七十二条第一款第一项: 每日按罚款数额的百分之三加处罚款，不得超出罚款的数额


def filing_due(clue_on: date) -> date:
    return add_working_days(clue_on, settings.JIANGUAN_CASE_FILING_WORKING_DAYS)


def decision_due(filed_on: date, extension_days: int = 0) -> date:
    return filed_on + timedelta(days=settings.JIANGUAN_CASE_DECISION_DAYS + extension_days)


def party_reply_due(notice_served_on: date) -> date:
    """The last day for the party's 陈述申辩 and hearing request (5 working days after the notice was served)."""
    return add_working_days(notice_served_on, HEARING_REQUEST_WORKING_DAYS)


def earliest_hearing(noticed_on: date) -> date:
    """The first day a hearing may be held when its notice goes out on `noticed_on` (seven working days between)."""
    return add_working_days(noticed_on, HEARING_NOTICE_WORKING_DAYS)


def preservation_due(preserved_on: date) -> date:
    return add_working_days(preserved_on, PRESERVATION_WORKING_DAYS)


def service_due(decided_on: date) -> date:
    return add_working_days(decided_on, SERVICE_WORKING_DAYS)


def fine_due(served_on: date) -> date:
    """The last day to pay: 15 calendar days after service; a last day off work moves to the next working day."""
    day = served_on + timedelta(days=FINE_DAYS)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def case_fine_due(case: Any) -> date:
    """The fine's last day: 15 days after service, or the day an approved deferral (暂缓或者分期) runs to."""
    return case.fine_deferred_to or fine_due(case.served_on)


def surcharge(fine: Decimal, due: date, on: date) -> Decimal:
    """加处罚款 owed on `on` for a fine unpaid since `due`: 3% of the fine a day after the due day, never above the
    fine."""
    late_days = (on - due).days
    if late_days <= 0 or fine <= 0:
        return Decimal("0.00")
    owed = (fine * SURCHARGE_RATE * late_days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return min(owed, fine)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it has no such day: 31 August + 6 months = 28 Feb)."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def display_until(published_on: date, penalties: list[str], fine: Decimal | None) -> date:
    """The last day a decision is shown (信息公示规定 第十三条 as the model): 3 months for 通报批评 or a small fine
    alone, 3 years otherwise."""
    light = (
        set(penalties) <= {"criticism", "fine", "warning"} and (fine or 0) <= settings.JIANGUAN_PENALTY_SMALL_FINE_YUAN
    )
    return add_months(published_on, 3 if light else 36)


@dataclass(frozen=True)
class Clock:
    code: str  # filing, decision, reply, service, fine
    label: str
    due: date
    days_left: int  # calendar days from today (negative: overdue)
    warn_days: int

    @property
    def state(self) -> str:
        if self.days_left < 0:
            return "overdue"
        return "soon" if self.days_left <= self.warn_days else "ok"


def clocks(case: Any, today: date) -> list[Clock]:
    """The clocks running for the case today (a clock whose year the calendar does not know yet is left out: the
    page says so through `unknown_years`)."""
    from jianguan.enforcement.choices import DECISION_CLOCK_STATUSES, CaseStatus

    warn = settings.JIANGUAN_CASE_WARN_DAYS
    found: list[Clock] = []

    def add(code: str, label: Any, due: Any) -> None:
        try:
            day = due()
        except UnknownCalendarYear:
            return
        found.append(Clock(code, str(label), day, (day - today).days, warn))

    if case.status in (CaseStatus.CLUE, CaseStatus.FILING_PENDING):
        add("filing", _("立案决定期限"), lambda: filing_due(case.clue_on))
    if case.status in DECISION_CLOCK_STATUSES and case.filed_on:
        add("decision", _("作出处罚决定期限"), lambda: decision_due(case.filed_on, case.extension_days))
    if case.status == CaseStatus.NOTIFIED and case.notice_served_on and not case.rights_waived:
        add("reply", _("陈述申辩、申请听证期限"), lambda: party_reply_due(case.notice_served_on))
    if case.status == CaseStatus.DECIDED and case.decided_on:
        add("service", _("决定书送达期限"), lambda: service_due(case.decided_on))
    if case.preserved_on and not case.preservation_decided_on:
        add("preservation", _("先行登记保存处理期限（逾期自动解除）"), lambda: preservation_due(case.preserved_on))
    if case.status == CaseStatus.SERVED and case.served_on and case.fine and case.paid_on is None:
        add("fine", _("罚款缴纳期限"), lambda: case_fine_due(case))
    return found
