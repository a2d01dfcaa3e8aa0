"""The 移送/协查 button on the institution, complaint and case pages opens the transfer form about that record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.district import persona_client

pytestmark = pytest.mark.django_db


def test_the_institution_complaint_and_case_pages_open_a_transfer_about_them(district):
    from jianguan.enforcement.services import case_open

    new = reverse("transfers:transfer_new")
    fire = persona_client(district.users["fire_officer"])
    a = district.institutions["a"]
    assert f"{new}?institution={a.pk}" in fire.get(reverse("registry:institution_detail", args=[a.pk])).content.decode()
    complaint = district.complaints["a"]  # assigned to the fire brigade, fire_officer handling it
    page = fire.get(reverse("complaints:complaint_detail", args=[complaint.pk])).content.decode()
    assert f"{new}?complaint={complaint.pk}" in page
    case = case_open(actor=district.users["edu_officer"], department=district.departments["edu"], institution=a,
                     clue="线索")  # fmt: skip
    edu = persona_client(district.users["edu_officer"])
    assert f"{new}?case={case.pk}" in edu.get(reverse("enforcement:case_detail", args=[case.pk])).content.decode()
    # Those who send nothing see no button: the leader reads the institution's page only.
    leader = persona_client(district.users["leader"]).get(reverse("registry:institution_detail", args=[a.pk]))
    assert 'data-testid="transfer-new"' not in leader.content.decode()
    # The form opened from the link names the record.
    assert fire.get(f"{new}?institution={a.pk}").status_code == 200
