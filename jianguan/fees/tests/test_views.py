"""预收费 pages: the institution's account and charges, the staff's read pages, who may and who may not, and the
account number never shown in full on any page to anyone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jianguan.fees.models import FeeAccount, FeeRecord
from jianguan.lib.protected import unseal

from .conftest import ACCOUNT_NUMBER

SIGNED_IN = ["admin", "lead", "edu_officer", "fire_officer", "street_a", "street_b", "legal", "leader", "institution"]


def _pages(district, record):  # type: ignore[no-untyped-def]
    pk = district.institutions["a"].pk
    return [
        reverse("fees:record_list"), reverse("fees:institution", args=[pk]), reverse("fees:account_edit", args=[pk]),
        reverse("fees:record_edit", args=[record.pk]), reverse("registry:institution_detail", args=[pk]),
        reverse("courses:institution", args=[pk]), reverse("registry:institution_export_csv"),
    ]  # fmt: skip


@pytest.mark.parametrize("who", SIGNED_IN)
def test_account_number_is_never_shown_in_full(district, client_for, account, record, who):
    client = client_for(who)
    for url in _pages(district, record):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert ACCOUNT_NUMBER.encode() not in body, url
        assert b"6222020200" not in body, url
    if who != "street_b":
        html = client.get(reverse("fees:institution", args=[district.institutions["a"].pk])).content.decode()
        assert "**** **** 3445" in html


def test_a_refused_account_form_does_not_echo_the_number(district, client_for):
    response = client_for("institution").post(
        reverse("fees:account_edit", args=[district.institutions["a"].pk]),
        {"version": "0", "kind": "supervision", "bank": "", "account_number": ACCOUNT_NUMBER},
    )
    assert response.status_code == 400
    assert ACCOUNT_NUMBER not in response.content.decode()
    assert not FeeAccount.objects.exists()


def test_institution_records_its_account_and_a_charge(district, client_for):
    client = client_for("institution")
    pk = district.institutions["a"].pk
    response = client.post(reverse("fees:account_edit", args=[pk]), {
        "version": "0", "kind": "supervision", "bank": "中国银行测试支行", "account_number": "6217 0000 1111 2222",
        "agreement_date": "2026-01-05",
    })  # fmt: skip
    assert response.status_code == 302
    assert unseal(FeeAccount.objects.get().account_sealed) == "6217000011112222"
    response = client.post(reverse("fees:record_new", args=[pk]), {
        "student_name": "李小红", "course_name": "书法", "hours": "10", "amount": "800", "period_start": "2026-01-05",
        "period_end": "2026-02-28", "paid_on": "2026-01-05", "into_supervised_account": "on",
    })  # fmt: skip
    assert response.status_code == 302
    record = FeeRecord.objects.get()
    assert record.student_masked == "李**"
    html = client.get(reverse("fees:institution", args=[pk])).content.decode()
    assert "李**" in html and "李小红" not in html and "**** **** 2222" in html


def test_a_bad_charge_comes_back_on_the_page_with_nothing_saved(district, client_for):
    response = client_for("institution").post(reverse("fees:record_new", args=[district.institutions["a"].pk]), {
        "student_name": "王\x00五", "hours": "-1", "amount": "x", "period_start": "2026-03-01",
        "period_end": "2026-01-01", "paid_on": "2026-13-01",
    })  # fmt: skip
    assert response.status_code in (400,)
    assert not FeeRecord.objects.exists()


def test_stale_account_form_is_refused(district, client_for, account):
    client = client_for("lead")
    url = reverse("fees:account_edit", args=[district.institutions["a"].pk])
    data = {"version": "1", "kind": "deposit", "deposit_amount": "100000"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "deposit_amount": "5"}, follow=True)
    assert "已被他人修改" in response.content.decode()
    assert FeeAccount.objects.get().deposit_amount == 100000


def test_readers_see_charges_without_buttons_and_street_b_gets_404(district, client_for, record):
    url = reverse("fees:institution", args=[district.institutions["a"].pk])
    html = client_for("fire_officer").get(url).content.decode()
    assert "张**" in html
    assert reverse("fees:record_edit", args=[record.pk]) not in html
    assert 'data-testid="record-form"' not in html
    assert client_for("street_b").get(url).status_code == 404


def test_district_list_is_scoped_and_filtered(district, client_for, record):
    from jianguan.fees.services import fee_record_create

    from .conftest import record_fields

    fee_record_create(
        actor=district.users["admin"], institution=district.institutions["b"],
        **record_fields(student_name="赵六", course_name="午托", into_supervised_account=False, contract_number="B-1"),
    )  # fmt: skip
    url = reverse("fees:record_list")
    lead = client_for("lead").get(url).content.decode()
    assert "少儿美术" in lead and "午托" in lead
    assert "共 2 笔" in lead
    assert "少儿美术" not in client_for("street_b").get(url).content.decode()
    assert "午托" not in client_for("institution").get(url).content.decode()
    only_outside = client_for("lead").get(url, {"into_account": "0"}).content.decode()
    assert "午托" in only_outside and "少儿美术" not in only_outside
    assert "午托" not in client_for("lead").get(url, {"q": "HT-2026"}).content.decode()
    assert "少儿美术" not in client_for("lead").get(url, {"paid_from": "2026-03-01"}).content.decode()
    assert client_for("lead").get(url, {"paid_from": "2026-02-30"}).status_code == 400
    assert client_for("lead").get(url, {"into_account": "maybe"}).status_code == 400


def test_correct_and_remove_a_charge(district, client_for, record):
    client = client_for("institution")
    response = client.post(reverse("fees:record_edit", args=[record.pk]), {
        "student_name": "", "course_name": "少儿美术", "hours": "30", "amount": "2700", "period_start": "2026-03-01",
        "period_end": "2026-05-31", "paid_on": "2026-02-25", "contract_number": "HT-2026-001",
        "into_supervised_account": "on",
    })  # fmt: skip
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.hours == 30 and record.student_masked == "张**"
    client.post(reverse("fees:record_delete", args=[record.pk]))
    assert not FeeRecord.objects.exists()


def test_a_correction_from_a_stale_page_says_so_and_saves_nothing(district, client_for, record):
    form = {
        "student_name": "", "course_name": "少儿美术", "hours": "30", "amount": "2700", "period_start": "2026-03-01",
        "period_end": "2026-05-31", "paid_on": "2026-02-25", "contract_number": "HT-2026-001",
        "into_supervised_account": "on", "version": str(record.version),
    }  # fmt: skip
    assert client_for("lead").post(reverse("fees:record_edit", args=[record.pk]), form).status_code == 302
    stale = client_for("institution").post(reverse("fees:record_edit", args=[record.pk]), {**form, "amount": "1"})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    record.refresh_from_db()
    assert record.amount == 2700


def test_institution_cannot_open_another_institutions_charge(district, client_for):
    from jianguan.fees.services import fee_record_create

    from .conftest import record_fields

    other = fee_record_create(actor=district.users["admin"], institution=district.institutions["b"], **record_fields())
    client = client_for("institution")
    assert client.get(reverse("fees:record_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("fees:record_delete", args=[other.pk])).status_code == 404
    assert client.get(reverse("fees:institution", args=[district.institutions["b"].pk])).status_code == 404
    assert FeeRecord.objects.filter(pk=other.pk).exists()


def test_the_lists_query_count_does_not_grow_with_rows(district, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jianguan.fees.services import fee_record_create

    from .conftest import record_fields

    def count(url: str) -> int:
        client = client_for("lead")
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for _i in range(n):
            fee_record_create(
                actor=district.users["admin"], institution=district.institutions["a"],
                **record_fields(contract_number=f"Q-{FeeRecord.objects.count()}"),
            )  # fmt: skip

    add(1)
    urls = [reverse("fees:record_list"), reverse("fees:institution", args=[district.institutions["a"].pk])]
    few = [count(u) for u in urls]
    add(6)
    assert [count(u) for u in urls] == few
