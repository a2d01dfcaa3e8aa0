"""The district's 限制从业 list: entered from a served penalty decision of this platform or from another authority's
or a court's decision; lifted with a reason, never deleted; only the supervisors read and keep it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jianguan.audit.models import AuditEvent
from jianguan.staff import services
from jianguan.staff.models import BarredPerson
from jianguan.staff.selectors import barred_in_force, barred_visible, restrict_cases
from jianguan.staff.tests.support import id_number

pytestmark = pytest.mark.django_db

COURT = {"basis_authority": "测试区人民法院", "basis_number": "（2026）测0101刑初12号", "basis_date": date(2026, 3, 2)}


def _add(district, actor="lead", **fields):  # type: ignore[no-untyped-def]
    values = {"name": "钱某", "id_number": id_number(31), "reason": "猥亵儿童罪，判决禁止从事教育培训职业", **COURT,
              **fields}  # fmt: skip
    return services.barred_add(actor=district.users[actor], **values)


@pytest.mark.parametrize("persona", ["lead", "edu_officer", "fire_officer"])
def test_the_supervisors_enter_a_courts_decision(district, persona):
    person = _add(district, actor=persona)
    assert person.start_date == COURT["basis_date"] and person.end_date is None and person.case is None
    assert person.id_number() == id_number(31) and person.created_by == district.users[persona]
    assert barred_in_force().filter(pk=person.pk).exists()


@pytest.mark.parametrize("persona", ["admin", "leader", "legal", "street_a", "institution"])
def test_others_may_not_enter_or_lift(district, persona):
    with pytest.raises(PermissionDenied):
        _add(district, actor=persona)
    person = _add(district)
    with pytest.raises(PermissionDenied):
        services.barred_lift(actor=district.users[persona], person=person, reason="撤销")
    person.refresh_from_db()
    assert person.lifted_at is None


def test_the_list_is_read_by_the_supervisors_only(district, personas):
    person = _add(district)
    for name in ["admin", "lead", "edu_officer", "fire_officer", "legal", "leader"]:
        assert list(barred_visible(personas[name])) == [person]
    for name in ["street_a", "street_b", "institution"]:
        assert not barred_visible(personas[name]).exists()


def test_an_entry_needs_its_basis_and_a_valid_id_number(district):
    with pytest.raises(ValidationError) as exc:
        _add(district, basis_number="")
    assert "basis_number" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _add(district, basis_date=None)
    assert "basis_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _add(district, id_number="1101\x0005199001010017")
    assert "id_number" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _add(district, end_date=date(2020, 1, 1))
    _add(district)
    with pytest.raises(ValidationError) as exc:
        _add(district)  # the same person on the same decision twice
    assert "同一决定" in exc.value.message_dict["id_number"][0]
    assert BarredPerson.objects.count() == 1


def test_lifting_keeps_the_entry_with_its_reason_and_is_audited(district):
    person = _add(district)
    services.barred_lift(actor=district.users["edu_officer"], person=person, reason="再审改判")
    person.refresh_from_db()
    assert person.lifted_at is not None and person.lifted_reason == "再审改判"
    assert BarredPerson.objects.filter(pk=person.pk).exists()
    assert not barred_in_force().filter(pk=person.pk).exists()
    with pytest.raises(services.StaffConflict):
        services.barred_lift(actor=district.users["lead"], person=person, reason="又一次")
    with pytest.raises(ValidationError):
        services.barred_lift(actor=district.users["lead"], person=_add(district, basis_number="另一号"), reason=" ")
    events = AuditEvent.objects.filter(object_type="staff.barredperson").order_by("seq")
    assert [e.action for e in events] == ["barred.add", "barred.lift", "barred.add"]
    dump = json.dumps([[e.before, e.after] for e in events], ensure_ascii=False)
    assert id_number(31) not in dump and id_number(31)[-4:] in dump


def test_an_entry_ends_on_its_end_date(district):
    person = _add(district, start_date=date(2020, 1, 1), end_date=date(2021, 1, 1))
    assert not barred_in_force().filter(pk=person.pk).exists()
    assert barred_in_force(date(2020, 6, 1)).filter(pk=person.pk).exists()


def test_an_entry_from_a_served_decision_takes_its_basis_from_the_decision(district, people):
    from jianguan.enforcement.models import Case
    from jianguan.enforcement.services import decision_document
    from jianguan.enforcement.tests.conftest import drive

    case = drive(district, people, "served")
    with pytest.raises(ValidationError) as exc:  # 责令停止举办 and a fine: no 限制从业
        _add(district, actor="edu_officer", case=case)
    assert "限制从业" in exc.value.message_dict["case"][0]
    assert restrict_cases(district.users["edu_officer"]) == []
    # No provision of the catalogue orders 限制从业 yet: the decision is given one as a provision adding it would.
    Case.objects.filter(pk=case.pk).update(penalties=[*case.penalties, "restrict"])
    case.refresh_from_db()
    assert restrict_cases(district.users["edu_officer"]) == [case]
    assert restrict_cases(district.users["fire_officer"]) == []  # another department's case
    with pytest.raises(PermissionDenied):
        _add(district, actor="fire_officer", case=case)
    person = _add(district, actor="edu_officer", case=case, basis_number="被忽略", basis_authority="被忽略")
    document = decision_document(case)
    assert person.case == case and person.basis_number == document.number
    assert person.basis_authority == district.departments["edu"].name
    assert person.basis_date == case.decided_on and person.start_date == case.served_on
    event = AuditEvent.objects.get(action="barred.add", object_id=str(person.pk))
    assert event.institution_id == case.institution_id


def test_a_case_not_yet_served_cannot_be_cited(district, people):
    from jianguan.enforcement.models import Case
    from jianguan.enforcement.tests.conftest import drive

    case = drive(district, people, "decided")
    Case.objects.filter(pk=case.pk).update(penalties=["restrict"])
    case.refresh_from_db()
    with pytest.raises(ValidationError):
        _add(district, actor="edu_officer", case=case)


# ------------------------------------------------------------------------------------------------- pages


@pytest.mark.parametrize("persona, full", [("lead", True), ("edu_officer", True), ("admin", False),
                                           ("legal", False), ("leader", False)])  # fmt: skip
def test_the_list_page_shows_full_numbers_only_with_the_need(client_for, district, persona, full):
    _add(district)
    html = client_for(persona).get(reverse("staff:barred_list")).content.decode()
    assert "钱某" in html
    assert (id_number(31) in html) is full
    assert id_number(31)[-4:] in html


def test_entering_and_lifting_from_the_pages(client_for, district):
    client = client_for("lead")
    response = client.post(
        reverse("staff:barred_create"),
        {"name": "孙某", "id_number": id_number(32), "reason": "判决禁止从业", "basis_authority": "测试区人民法院",
         "basis_number": "（2026）测刑初3号", "basis_date": "2026-04-01", "end_date": "2031-04-01"},
    )  # fmt: skip
    assert response.status_code == 302
    person = BarredPerson.objects.get(name="孙某")
    assert person.end_date == date(2031, 4, 1)
    response = client.post(
        reverse("staff:barred_create"), {"name": "缺依据", "id_number": id_number(33), "reason": "x"}
    )
    assert response.status_code == 200 and "请填写此项" in response.content.decode()
    response = client.post(reverse("staff:barred_lift", args=[person.pk]), {"reason": "判决撤销"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.lifted_reason == "判决撤销" and person.lifted_at <= timezone.now()
    lifted = client.get(reverse("staff:barred_list"), {"show": "lifted"}).content.decode()
    assert "孙某" in lifted
    assert "孙某" not in client.get(reverse("staff:barred_list")).content.decode()
