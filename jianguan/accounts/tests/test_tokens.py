"""API tokens: minted only by a signed-in person, expiring, optionally read-only, and revoked with the password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from jianguan.accounts import services
from jianguan.accounts.models import ApiToken
from jianguan.audit.models import AuditEvent


def _bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_token_cannot_mint_another_token(personas):
    _token, raw = services.api_token_create(actor=personas["lead"], name="对接")
    response = _bearer(raw).post("/api/v1/tokens", data={"name": "再来一个"}, content_type="application/json")
    assert response.status_code == 403 and "不能创建新的令牌" in response.json()["message"]
    assert ApiToken.objects.filter(user=personas["lead"]).count() == 1
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=personas["lead"], name="x", through_token=True)


def test_the_signed_in_session_mints_with_the_default_expiry_shown(client_for, personas, settings):
    response = client_for("lead").post("/api/v1/tokens", data={"name": "对接"}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + timedelta(days=settings.JIANGUAN_API_TOKEN_DAYS))) < timedelta(minutes=1)
    assert body["read_only"] is False
    html = client_for("lead").get("/accounts/tokens/").content.decode()
    assert timezone.localtime(expires).strftime("%Y-%m-%d") in html


def test_an_expired_token_no_longer_opens_the_api(personas):
    token, raw = services.api_token_create(actor=personas["lead"], name="对接", days=30)
    assert _bearer(raw).get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _bearer(raw).get("/api/v1/me").status_code == 401
    _never, raw_never = services.api_token_create(actor=personas["lead"], name="长期", days=0)
    assert _never.expires_at is None and _bearer(raw_never).get("/api/v1/me").status_code == 200


def test_a_read_only_token_reads_but_never_writes(personas, district):
    _token, raw = services.api_token_create(actor=personas["lead"], name="报表", read_only=True)
    client = _bearer(raw)
    assert client.get("/api/v1/institutions").status_code == 200
    response = client.post(
        "/api/v1/institutions",
        data={"name": "只读令牌新建的机构", "kind": "other", "street_id": district.streets["a"].pk, "address": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403 and "只读令牌" in response.json()["message"]
    assert client.delete(f"/api/v1/tokens/{_token.pk}").status_code == 403


@pytest.mark.parametrize("how", ["password_change", "password_reset", "deactivated", "role_change"])
def test_tokens_die_with_the_password_or_the_account(personas, how):
    user = personas["edu_officer"]
    tokens = [services.api_token_create(actor=user, name=f"t{n}") for n in range(2)]
    if how == "password_change":
        user.set_password("Old#password-2026")
        user.save()
        services.user_password_change(actor=user, old_password="Old#password-2026", new_password="New#password-2026")
    elif how == "password_reset":
        services.user_password_reset(actor=personas["admin"], user=user, password="Reset#password-2026")
    elif how == "deactivated":
        services.user_update(actor=personas["admin"], user=user, is_active=False)
    else:
        services.user_update(actor=personas["admin"], user=user, role="leader", department=None)
    for token, raw in tokens:
        token.refresh_from_db()
        assert token.revoked_at is not None and token.revoked_reason == ("deactivated" if how == "role_change" else how)
        assert _bearer(raw).get("/api/v1/me").status_code == 401
    event = AuditEvent.objects.filter(action="api_token.revoke_all", object_id=str(user.pk)).get()
    assert sorted(event.after["tokens"]) == sorted(t.pk for t, _ in tokens)


def test_institution_tokens_only_where_the_deployment_enables_them(district, client_for, settings):
    from jianguan.accounts.services import api_token_authenticate, api_token_create

    head = district.users["institution"]
    page = client_for("institution").get("/").content.decode()
    assert "/accounts/tokens/" not in page  # no API-token menu for an institution …
    assert client_for("institution").get("/accounts/tokens/").status_code == 403
    with pytest.raises(PermissionDenied):
        api_token_create(actor=head, name="自有系统")
    settings.JIANGUAN_INSTITUTION_API_TOKENS = True  # … unless enabled
    assert "/accounts/tokens/" in client_for("institution").get("/").content.decode()
    _token, raw = api_token_create(actor=head, name="自有系统")
    assert api_token_authenticate(raw) is not None
    settings.JIANGUAN_INSTITUTION_API_TOKENS = False  # switched off again: the tokens it made stop working
    assert api_token_authenticate(raw) is None
    assert "/accounts/tokens/" in client_for("edu_officer").get("/").content.decode()  # staff always
