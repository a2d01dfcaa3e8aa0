"""Two-step sign-in: required of admins and lead coordinators, optional for others, audited, guessing bounded."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jianguan.accounts import twofactor
from jianguan.accounts.models import LoginAttempt, TwoFactor
from jianguan.audit.models import AuditEvent
from tests.support.district import PASSWORD, persona_client

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:login_verify")


def _password(client: Client, username: str, next_url: str = ""):  # type: ignore[no-untyped-def]
    return client.post(LOGIN + (f"?next={next_url}" if next_url else ""), {"username": username, "password": PASSWORD})


def _enrol(user) -> str:  # type: ignore[no-untyped-def]
    secret = twofactor.new_secret()
    twofactor.two_factor_confirm(actor=user, secret=secret, code=pyotp.TOTP(secret).at(time.time() - 30))
    return secret


def test_a_lead_without_it_sets_it_up_at_sign_in_and_keeps_recovery_codes(personas):
    client = Client()
    response = _password(client, "p_lead")
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert client.get("/").status_code == 302  # not signed in yet
    page = client.get(VERIFY).content.decode()
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert 'src="data:image/svg+xml' in page
    wrong = client.post(VERIFY, {"code": "000000"}).content.decode()
    assert "验证码不正确" in wrong
    done = client.post(VERIFY, {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/").status_code == 200
    lead = personas["lead"]
    assert TwoFactor.objects.get(user=lead).secret == secret
    assert AuditEvent.objects.filter(action="two_factor.enable", object_id=str(lead.pk)).exists()
    assert AuditEvent.objects.filter(action="auth.login", object_id=str(lead.pk)).exists()


def test_with_it_the_code_completes_the_sign_in_once_and_follows_next(personas):
    secret = _enrol(personas["admin"])
    client = Client()
    assert _password(client, "p_admin", "/audit/")["Location"] == VERIFY
    code = pyotp.TOTP(secret).now()
    done = client.post(VERIFY, {"code": code})
    assert done.status_code == 302 and done["Location"] == "/audit/"
    again = Client()
    _password(again, "p_admin")
    refused = again.post(VERIFY, {"code": code})  # the same code a second time
    assert refused.status_code == 200 and "已用过" in refused.content.decode()


def test_a_recovery_code_works_once(personas):
    user = personas["lead"]
    secret = twofactor.new_secret()
    codes = twofactor.two_factor_confirm(actor=user, secret=secret, code=pyotp.TOTP(secret).at(time.time() - 30))
    for expected in (302, 200):
        client = Client()
        _password(client, "p_lead")
        assert client.post(VERIFY, {"code": codes[0].upper()}).status_code == expected
    assert AuditEvent.objects.filter(action="two_factor.recovery_used").count() == 1
    assert len(TwoFactor.objects.get(user=user).recovery_hashes) == 9


def test_guessing_codes_is_bounded_by_the_lockout_even_with_the_right_password(personas, settings):
    settings.LOGIN_LOCKOUT_USER_FAILURES = 5
    secret = _enrol(personas["admin"])
    for _ in range(5):
        client = Client()
        assert _password(client, "p_admin")["Location"] == VERIFY  # the right password, each time
        client.post(VERIFY, {"code": "123456"})
    # No success was recorded in between, so the five wrong codes lock the account: not even the right code helps.
    assert LoginAttempt.objects.filter(username="p_admin", succeeded=False).count() == 5
    client = Client()
    response = _password(client, "p_admin")
    assert response.status_code == 200 and "锁定" in response.content.decode()
    assert client.post(VERIFY, {"code": pyotp.TOTP(secret).now()}).status_code == 302  # back to the login page
    assert client.get("/").status_code == 302


def test_an_officer_may_turn_it_on_and_off_and_a_lead_may_not_turn_it_off(personas):
    officer = personas["edu_officer"]
    client = persona_client(officer)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    client.post(reverse("accounts:two_factor"), {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    assert twofactor.enabled_for(officer)
    assert _password(Client(), "p_edu_officer")["Location"] == VERIFY  # now two steps for them too
    client.post(reverse("accounts:two_factor"), {"action": "disable"})
    assert not twofactor.enabled_for(officer)
    lead = personas["lead"]
    _enrol(lead)
    with pytest.raises(ValidationError, match="必须使用两步验证"):
        twofactor.two_factor_disable(actor=lead, user=lead)


def test_an_administrator_resets_it_for_a_lost_phone(personas, client_for):
    lead = personas["lead"]
    _enrol(lead)
    response = client_for("admin").post(reverse("accounts:user_two_factor_reset", kwargs={"pk": lead.pk}))
    assert response.status_code == 302 and not twofactor.enabled_for(lead)
    assert AuditEvent.objects.filter(action="two_factor.reset", object_id=str(lead.pk)).get().actor == personas["admin"]
    assert client_for("lead").post(reverse("accounts:user_two_factor_reset", kwargs={"pk": lead.pk})).status_code == 403


def test_the_second_step_expires(personas, monkeypatch):
    _enrol(personas["admin"])
    client = Client()
    _password(client, "p_admin")
    session = client.session
    session["jianguan_2fa_pending"]["at"] -= 301
    session.save()
    assert client.get(VERIFY)["Location"] == LOGIN
    assert Client().get(VERIFY)["Location"] == LOGIN  # nothing pending at all
