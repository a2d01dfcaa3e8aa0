"""Two-step sign-in: after the password, a TOTP code from an authenticator app (or a single-use recovery code).

Required of the roles in JIANGUAN_2FA_ROLES (platform admins and lead coordinators by default); anyone else may turn it
on. Every change is audited. A wrong code counts as a failed sign-in under the account's gate (services.login_check
and LoginGate), so the lockout bounds code guessing exactly as it bounds password guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import pyotp
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.models import TwoFactor, User
from jianguan.accounts.permissions import require
from jianguan.audit.services import audit_record

RECOVERY_CODES = 10
# One step before and after the current 30 s: a phone clock a little off still works.
VALID_WINDOW = 1


def required_for(user: Any) -> bool:
    return getattr(user, "role", "") in settings.JIANGUAN_2FA_ROLES


def enabled_for(user: Any) -> bool:
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def _new_recovery_codes() -> list[str]:
    return [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]


def new_secret() -> str:
    """A secret to show as a QR code; nothing is stored until its first code confirms it (the view keeps it in the
    session meanwhile)."""
    return pyotp.random_base32()


def provisioning_uri_for(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=settings.JIANGUAN_2FA_ISSUER)


@transaction.atomic
def two_factor_confirm(*, actor: User, secret: str, code: str) -> list[str]:
    """Turn two-step sign-in on with ``secret`` once a first code from it is right; returns the recovery codes,
    shown this once. An earlier set-up of the account is replaced."""
    candidate = TwoFactor(user=actor, secret=secret)
    step = _valid_step(candidate, code)
    if step is None:
        raise ValidationError({"code": _("验证码不正确，请核对手机上当前显示的 6 位数字（注意手机时间准确）。")})
    codes = _new_recovery_codes()
    TwoFactor.objects.filter(user=actor).delete()
    TwoFactor.objects.create(
        user=actor, secret=secret, confirmed_at=timezone.now(), last_step=step,
        recovery_hashes=[_hash(c) for c in codes],
    )  # fmt: skip
    audit_record(actor=actor, action="two_factor.enable", obj=actor)
    return codes


def _valid_step(two_factor: TwoFactor, code: str) -> int | None:
    """The time step the code belongs to, if it is valid and newer than the last one used."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(two_factor.secret)
    now = timezone.now()
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        at = now.timestamp() + offset * totp.interval
        step = int(at // totp.interval)
        if step > two_factor.last_step and hmac.compare_digest(totp.at(at), code):
            return step
    return None


def two_factor_verify(*, user: User, code: str, ip: str | None) -> bool:
    """The sign-in's second step under the account's gate: a TOTP code or a recovery code (used up). A wrong one
    is a failed sign-in (it counts toward the lockout); a right one completes the sign-in record."""
    from jianguan.accounts.services import login_attempt_record, login_gate_enter, login_is_locked

    key = user.username.strip().lower()[:150]
    with transaction.atomic():
        login_gate_enter(key)
        if login_is_locked(username=key, ip=ip):
            raise PermissionDenied(_("登录失败次数过多，已暂时锁定，请稍后再试。"))
        two_factor = TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if two_factor is None:
            return False
        step = _valid_step(two_factor, code)
        if step is not None:
            two_factor.last_step = step
            two_factor.save(update_fields=["last_step"])
        else:
            hashed = _hash(code)
            if hashed not in two_factor.recovery_hashes:
                login_attempt_record(username=key, ip=ip, user=None)
                return False
            two_factor.recovery_hashes = [h for h in two_factor.recovery_hashes if h != hashed]
            two_factor.save(update_fields=["recovery_hashes"])
            audit_record(
                actor=user, action="two_factor.recovery_used", obj=user,
                after={"left": len(two_factor.recovery_hashes)},
            )  # fmt: skip
        login_attempt_record(username=key, ip=ip, user=user)
        return True


@transaction.atomic
def two_factor_new_recovery_codes(*, actor: User) -> list[str]:
    two_factor = TwoFactor.objects.select_for_update().filter(user=actor, confirmed_at__isnull=False).first()
    if two_factor is None:
        raise ValidationError(_("尚未启用两步验证。"))
    codes = _new_recovery_codes()
    two_factor.recovery_hashes = [_hash(c) for c in codes]
    two_factor.save(update_fields=["recovery_hashes"])
    audit_record(actor=actor, action="two_factor.recovery_codes", obj=actor)
    return codes


@transaction.atomic
def two_factor_disable(*, actor: User, user: User) -> None:
    """Turn it off: oneself where one's role does not require it, or an administrator for someone who lost their
    phone (who then enrols again at the next sign-in, where the role requires it)."""
    if actor.pk != user.pk:
        require(actor, "users.manage")
    elif required_for(user):
        raise ValidationError(_("您的角色必须使用两步验证，不能关闭；更换手机请先在新手机上重新绑定。"))
    deleted, _rows = TwoFactor.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=actor, action="two_factor.disable" if actor.pk == user.pk else "two_factor.reset", obj=user)
