"""The case pages: the list with its clocks, the case page's forms for whoever may act, the party's own view."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jianguan.enforcement.choices import CaseStatus
from jianguan.enforcement.models import Case
from jianguan.enforcement.tests.conftest import LIGHT, drive
from tests.support.district import persona_client

pytestmark = pytest.mark.django_db


def _detail(case: Case) -> str:
    return reverse("enforcement:case_detail", args=[case.pk])


def _action(case: Case, action: str) -> str:
    return reverse("enforcement:case_action", args=[case.pk, action])


def test_the_list_shows_each_case_with_its_running_clock(district, people):
    drive(district, people, "investigating")
    page = persona_client(district.users["lead"]).get(reverse("enforcement:case_list")).content.decode()
    assert "甲街道培训学校" in page and "作出处罚决定期限" in page and "调查取证" in page
    assert persona_client(district.users["street_a"]).get(reverse("enforcement:case_list")).status_code == 403


def test_an_officer_opens_a_case_from_the_registry_and_proposes_it(district, people):
    client = persona_client(people.edu)
    url = reverse("enforcement:case_new", args=[district.institutions["a"].pk])
    response = client.post(url, {"clue": "家长举报夜间授课。",
                                 "clue_on": timezone.localdate().isoformat()})  # fmt: skip
    case = Case.objects.get(clue="家长举报夜间授课。")
    assert response.status_code == 302 and case.department == district.departments["edu"]
    page = client.get(_detail(case)).content.decode()
    assert 'data-testid="action-propose_filing"' in page and "立案决定期限" in page
    response = client.post(_action(case, "propose_filing"), {
        "propose_filing-version": case.version, "propose_filing-facts": "夜间开展学科类培训。",
        "propose_filing-provision": "xwpx_18", "propose_filing-investigators": [people.edu.pk, people.edu2.pk],
    })  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.FILING_PENDING and case.officers.count() == 2


def test_a_refused_form_comes_back_with_the_reason_and_nothing_changes(district, people):
    case = drive(district, people, "clue")
    response = persona_client(people.edu).post(_action(case, "propose_filing"), {
        "propose_filing-version": case.version, "propose_filing-facts": "事实", "propose_filing-provision": "xwpx_18",
        "propose_filing-investigators": [people.edu.pk],
    })  # fmt: skip
    assert response.status_code == 400 and "不得少于两人" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.CLUE


def test_a_stale_page_is_told_and_nothing_changes(district, people):
    case = drive(district, people, "filing_pending")
    client = persona_client(people.head)
    response = client.post(_action(case, "approve_filing"), {"approve_filing-version": case.version - 1})
    assert response.status_code == 302
    assert "刷新" in client.get(_detail(case)).content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.FILING_PENDING


def test_the_wrong_person_is_refused_before_the_form_is_read(district, people):
    case = drive(district, people, "filing_pending")
    assert persona_client(people.edu).post(_action(case, "approve_filing"), {}).status_code == 403
    assert persona_client(district.users["legal"]).post(_action(case, "approve_filing"), {}).status_code == 403
    assert persona_client(district.users["fire_officer"]).post(_action(case, "approve_filing"), {}).status_code == 404


def test_the_party_submits_a_statement_and_sees_only_what_is_addressed_to_it(district, people):
    case = drive(district, people, "notified", LIGHT, days_ago=0)
    client = persona_client(district.users["institution"])
    page = client.get(_detail(case)).content.decode()
    assert "行政处罚事先告知书" in page and "立案审批表" not in page and "群众举报" not in page
    assert 'data-testid="action-statement"' in page and 'data-testid="action-waive"' in page
    response = client.post(_action(case, "statement"), {"statement-version": case.version,
                                                        "statement-text": "我们已停止培训并退费。"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(_detail(case)).content.decode()
    assert "我们已停止培训并退费。" in page and "待复核" in page
    # The investigators answer it on their page.
    officer_page = persona_client(people.edu).get(_detail(case)).content.decode()
    assert 'data-testid="action-answer"' in officer_page


def test_the_legal_reviewers_queue_lists_cases_waiting_for_review(district, people):
    drive(district, people, "legal_review")
    client = persona_client(district.users["legal"])
    page = client.get(reverse("enforcement:case_list"), {"status": "legal_review"}).content.decode()
    assert "甲街道培训学校" in page
    case = Case.objects.get(status=CaseStatus.LEGAL_REVIEW)
    page = client.get(_detail(case)).content.decode()
    assert 'data-testid="action-review_pass"' in page and 'data-testid="action-review_return"' in page
    assert "案件调查终结报告" in page  # the file the reviewer reviews


def test_the_list_shows_the_queues_and_its_queries_do_not_grow_with_rows(district, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = persona_client(district.users["legal"])
    drive(district, people, "legal_review")
    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("enforcement:case_list")).content.decode()
    assert 'data-testid="queues"' in page and "待法制审核" in page
    for _n in range(3):
        drive(district, people, "investigating")
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("enforcement:case_list"))
    assert len(four) == len(one)
