"""Accounts: each role needs its scope; only the administrator manages accounts; scoping limits what users see."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jianguan.accounts import services
from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.audit.models import AuditEvent
from jianguan.registry.models import Institution
from tests.support.district import PASSWORD


@pytest.mark.parametrize(
    "role,extra,field",
    [
        (Role.DEPARTMENT_OFFICER, {}, "department"),
        (Role.STREET_OFFICER, {}, "streets"),
        (Role.INSTITUTION, {}, "institution"),
    ],
)
def test_roles_need_their_scope(personas, role, extra, field):
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            actor=personas["admin"], username="new1", name="新人", role=role, password=PASSWORD, **extra
        )
    assert field in exc.value.message_dict
    assert not User.objects.filter(username="new1").exists()


def test_weak_password_is_refused(personas):
    with pytest.raises(ValidationError):
        services.user_create(actor=personas["admin"], username="new2", name="新人", role=Role.LEADER, password="123456")


def test_only_admin_creates_users(personas):
    for name in ["lead", "street_a", "institution", "leader"]:
        with pytest.raises(PermissionDenied):
            services.user_create(actor=personas[name], username="x", name="x", role=Role.LEADER, password=PASSWORD)


def test_admin_cannot_lock_themselves_out(personas):
    with pytest.raises(ValidationError):
        services.user_update(actor=personas["admin"], user=personas["admin"], is_active=False)


def test_user_create_through_the_page(client_for, district):
    response = client_for("admin").post(
        "/accounts/users/new/",
        {
            "username": "street_new",
            "name": "新街道员",
            "role": Role.STREET_OFFICER,
            "streets": [district.streets["b"].pk],
            "password": "Fresh#Pass2026",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="street_new")
    assert list(user.streets.all()) == [district.streets["b"]]
    event = AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).get()
    assert "password" not in event.after


def test_user_page_shows_scope_errors_in_chinese(client_for):
    response = client_for("admin").post(
        "/accounts/users/new/",
        {"username": "inst_new", "name": "机构", "role": Role.INSTITUTION, "password": "Fresh#Pass2026"},
    )
    assert "机构用户必须指定所属机构。" in response.content.decode()


@pytest.mark.parametrize(
    "persona_name,visible",
    [
        ("admin", {"a", "b"}),
        ("lead", {"a", "b"}),
        ("leader", {"a", "b"}),
        ("legal", {"a", "b"}),
        ("edu_officer", {"a", "b"}),
        ("street_a", {"a"}),
        ("street_b", {"b"}),
        ("institution", {"a"}),
        ("anonymous", set()),
    ],
)
def test_institution_scope(district, persona_name, visible):
    user = district.users[persona_name]
    seen = set(Institution.objects.visible_to(user).values_list("pk", flat=True))
    assert seen == {district.institutions[k].pk for k in visible}
    for key, inst in district.institutions.items():
        if key not in visible:
            with pytest.raises(Http404):
                get_visible_or_404(Institution.objects.all(), user, pk=inst.pk)


def test_deactivated_user_sees_nothing(personas, district):
    services.user_update(actor=personas["admin"], user=personas["lead"], is_active=False)
    lead = User.objects.get(pk=personas["lead"].pk)
    assert not Institution.objects.visible_to(lead).exists()


def test_home_page_counts_are_real(client_for, district):
    html = client_for("street_a").get("/").content.decode()
    assert "可见机构" in html and "甲街道" in html
    inst_html = client_for("institution").get("/").content.decode()
    assert "甲街道培训学校" in inst_html and "乙街道小饭桌" not in inst_html
