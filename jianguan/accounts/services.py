"""Writes for accounts: users and their scope, officer certificates, passwords, API tokens, login attempts."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role, TokenRevocation
from jianguan.accounts.models import ApiToken, LoginAttempt, LoginGate, OfficerConflict, OfficerProfile, User
from jianguan.accounts.permissions import may_use_api_tokens, require
from jianguan.audit.services import audit_record, changed, snapshot

USER_AUDIT_EXCLUDE = ("password", "last_login")
TOKEN_PREFIX = "jg_"


def _validate_scope(user: User, street_ids: list[int]) -> None:
    """Each role needs the scope it works in, and nothing that belongs to another role."""
    errors: dict[str, str] = {}
    if user.role == Role.DEPARTMENT_OFFICER and not user.department_id:
        errors["department"] = _("部门执法人员必须指定所属部门。")
    if user.role == Role.STREET_OFFICER and not street_ids:
        errors["streets"] = _("街道/乡镇工作人员必须指定至少一个街道或乡镇。")
    if user.role == Role.INSTITUTION and not user.institution_id:
        errors["institution"] = _("机构用户必须指定所属机构。")
    if user.role != Role.INSTITUTION and user.institution_id:
        errors["institution"] = _("只有机构用户可以关联机构。")
    if user.is_department_head and user.role != Role.DEPARTMENT_OFFICER:
        errors["is_department_head"] = _("只有部门执法人员可以设为部门负责人。")
    if errors:
        raise ValidationError(errors)


def _user_snapshot(user: User) -> dict[str, Any]:
    return snapshot(user, exclude=USER_AUDIT_EXCLUDE)


@transaction.atomic
def user_create(
    *, actor: Any, username: str, name: str, role: str, password: str, streets: list[Any] | None = None, **fields: Any
) -> User:
    """Create an account with its role and scope; the password must pass Django's validators."""
    require(actor, "users.manage")
    user = User(username=username.strip(), name=name.strip(), role=role, **fields)
    street_ids = [s.pk for s in streets or []]
    user.set_unusable_password()
    user.full_clean()
    _validate_scope(user, street_ids)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.streets.set(street_ids)
    audit_record(actor=actor, action="user.create", obj=user, after=_user_snapshot(user))
    return user


@transaction.atomic
def user_bootstrap_admin(*, username: str, name: str, password: str) -> User:
    """Create the first platform administrator (from a command, before anyone can sign in)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("该用户名已存在。")})
    user = User(username=username.strip(), name=name.strip(), role=Role.ADMIN)
    user.set_unusable_password()
    user.full_clean()
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(actor=None, action="user.bootstrap_admin", obj=user, after=_user_snapshot(user))
    return user


@transaction.atomic
def user_update(*, actor: Any, user: User, streets: list[Any] | None = None, **fields: Any) -> User:
    """Change an account's name, role, scope or active flag."""
    require(actor, "users.manage")
    if user.pk == getattr(actor, "pk", None) and (
        fields.get("is_active") is False or fields.get("role", user.role) != user.role
    ):
        raise ValidationError(_("不能停用自己的账户或更改自己的角色。"))
    before = _user_snapshot(user)
    for name, value in fields.items():
        setattr(user, name, value)
    street_ids = [s.pk for s in streets] if streets is not None else list(user.streets.values_list("pk", flat=True))
    user.full_clean()
    _validate_scope(user, street_ids)
    user.save()
    user.streets.set(street_ids if user.role == Role.STREET_OFFICER else [])
    old, new = changed(before, _user_snapshot(user))
    audit_record(actor=actor, action="user.update", obj=user, before=old, after=new)
    if not user.is_active or before.get("role") != user.role:
        # A token acts with its owner's rights: it must not outlive the account or carry the old role's reach.
        _revoke_all_tokens(actor=actor, user=user, reason=TokenRevocation.DEACTIVATED)
    return user


@transaction.atomic
def contact_set(*, actor: Any, email: str, phone: str) -> User:
    """A person's own e-mail address and mobile number, where notifications go (the administrator sets the rest)."""
    from jianguan.registry.models import phone_validator

    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录。"))
    user = User.objects.select_for_update().get(pk=actor.pk)
    before = {"email": user.email, "phone": user.phone}
    user.email, user.phone = (email or "").strip(), (phone or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name not in ("email", "phone")])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if user.phone:
        try:
            phone_validator(user.phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.save(update_fields=["email", "phone"])
    old, new = changed(before, {"email": user.email, "phone": user.phone})
    if new:
        audit_record(actor=actor, action="user.contact", obj=user, before=old, after=new)
    actor.email, actor.phone = user.email, user.phone
    return user


@transaction.atomic
def user_password_reset(*, actor: Any, user: User, password: str) -> None:
    """An administrator sets a new password for someone who forgot theirs."""
    require(actor, "users.manage")
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="user.password_reset", obj=user)
    _revoke_all_tokens(actor=actor, user=user, reason=TokenRevocation.PASSWORD_RESET)


@transaction.atomic
def user_password_change(*, actor: User, old_password: str, new_password: str) -> None:
    """A user changes their own password."""
    if not actor.check_password(old_password):
        raise ValidationError({"old_password": _("原密码不正确。")})
    validate_password(new_password, actor)
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    audit_record(actor=actor, action="user.password_change", obj=actor)
    _revoke_all_tokens(actor=actor, user=actor, reason=TokenRevocation.PASSWORD_CHANGE)


@transaction.atomic
def officer_profile_set(
    *, actor: Any, user: User, certificate_number: str, certificate_valid_until: date, issued_by: str = ""
) -> OfficerProfile:
    """Record or renew an officer's enforcement certificate."""
    require(actor, "users.manage")
    profile = OfficerProfile.objects.filter(user=user).first() or OfficerProfile(user=user)
    before = snapshot(profile) if profile.pk else {}
    profile.certificate_number = certificate_number.strip()
    profile.certificate_valid_until = certificate_valid_until
    profile.issued_by = issued_by.strip()
    profile.full_clean()
    profile.save()
    old, new = changed(before, snapshot(profile))
    audit_record(actor=actor, action="officer_profile.set", obj=profile, object_label=str(user), before=old, after=new)
    return profile


def _may_declare_for(actor: Any, user: User) -> bool:
    return actor.is_active and (actor.role == Role.ADMIN or actor.pk == user.pk)


@transaction.atomic
def officer_conflict_declare(*, actor: Any, user: User, institution: Any, reason: str) -> OfficerConflict:
    """An officer declares a relationship with an institution (or the administrator records it for them)."""
    if not _may_declare_for(actor, user):
        raise PermissionDenied(_("只能申报本人的关联关系。"))
    if not hasattr(user, "officer_profile"):
        raise ValidationError(_("只有持执法证的执法人员申报关联关系。"))
    if OfficerConflict.objects.filter(user=user, institution=institution, ended_at=None).exists():
        raise ValidationError(_("已申报与该机构的关联关系。"))
    conflict = OfficerConflict(user=user, institution=institution, reason=(reason or "").strip(), declared_by=actor)
    conflict.full_clean()
    conflict.save()
    audit_record(
        actor=actor, action="officer_conflict.declare", obj=conflict, object_label=str(user),
        after={"institution": institution.pk, "reason": conflict.reason}, institution=institution,
    )  # fmt: skip
    return conflict


@transaction.atomic
def officer_conflict_end(*, actor: Any, conflict: OfficerConflict) -> OfficerConflict:
    """The relationship no longer holds: ended, kept for the draws it explained."""
    conflict = OfficerConflict.objects.select_for_update().get(pk=conflict.pk)
    if not _may_declare_for(actor, conflict.user):
        raise PermissionDenied(_("只能解除本人的关联关系。"))
    if conflict.ended_at:
        raise ValidationError(_("该关联关系已解除。"))
    conflict.ended_at = timezone.now()
    conflict.save(update_fields=["ended_at"])
    audit_record(
        actor=actor, action="officer_conflict.end", obj=conflict, object_label=str(conflict.user),
        after={"institution": conflict.institution_id}, institution=conflict.institution,
    )  # fmt: skip
    return conflict


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# How long a new token may live, in days (0: it does not expire); the first is the default of the form.
TOKEN_LIFETIMES = (180, 30, 90, 365, 0)


@transaction.atomic
def api_token_create(
    *, actor: User, name: str, days: int | None = None, read_only: bool = False, through_token: bool = False
) -> tuple[ApiToken, str]:
    """Create a personal API token, valid for ``days`` (default JIANGUAN_API_TOKEN_DAYS; 0 never expires). The raw
    token is returned once and never stored. Only a signed-in person creates tokens: a token cannot mint another."""
    if through_token:
        raise PermissionDenied(_("API 令牌不能创建新的令牌，请登录后在“API 令牌”页面创建。"))
    if not actor.is_authenticated or not actor.role:
        raise ValidationError(_("该账户不能创建 API 令牌。"))
    if not may_use_api_tokens(actor):
        raise PermissionDenied(_("本平台未开放机构账户使用 API 令牌。"))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌用途。")})
    days = settings.JIANGUAN_API_TOKEN_DAYS if days is None else days
    if days not in TOKEN_LIFETIMES and days != settings.JIANGUAN_API_TOKEN_DAYS:
        raise ValidationError({"days": _("有效期只能选 30、90、180、365 天或不过期。")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=actor,
        name=name,
        prefix=raw[:10],
        token_hash=_token_hash(raw),
        read_only=read_only,
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    token.full_clean()
    token.save()
    audit_record(actor=actor, action="api_token.create", obj=token, after=snapshot(token, exclude=("token_hash",)))
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens; it stops working at once."""
    if token.user_id != actor.pk:
        raise ValidationError(_("只能吊销自己的令牌。"))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_reason = TokenRevocation.OWNER
        token.save(update_fields=["revoked_at", "revoked_reason"])
        audit_record(actor=actor, action="api_token.revoke", obj=token)
    return token


def _revoke_all_tokens(*, actor: Any, user: User, reason: str) -> int:
    """Revoke every token of ``user`` still in force (in the caller's transaction); one audit event names them."""
    live = ApiToken.objects.filter(user=user, revoked_at=None)
    ids = list(live.values_list("pk", flat=True))
    if ids:
        ApiToken.objects.filter(pk__in=ids).update(revoked_at=timezone.now(), revoked_reason=reason)
        audit_record(actor=actor, action="api_token.revoke_all", obj=user, after={"tokens": ids, "reason": reason})
    return len(ids)


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The token in force behind a raw token (its owner active), or None. Touches last_used_at at most once a
    minute."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=_token_hash(raw), revoked_at=None).first()
    if token is None or token.is_expired or not token.user.is_active or not may_use_api_tokens(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- login lockout -------------------------------------------------------------------------------------------------


def _recent_failures(**lookup: Any) -> int:
    since = timezone.now() - settings.LOGIN_LOCKOUT_WINDOW
    last_success = (
        LoginAttempt.objects.filter(succeeded=True, at__gte=since, **lookup)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    failures = LoginAttempt.objects.filter(succeeded=False, at__gte=last_success or since, **lookup)
    return failures.count()


def login_is_locked(*, username: str, ip: str | None) -> bool:
    """Whether this account name or this client IP has failed too often within the lockout window."""
    username = username.strip().lower()
    if username and _recent_failures(username=username) >= settings.LOGIN_LOCKOUT_USER_FAILURES:
        return True
    return bool(ip) and _recent_failures(ip=ip) >= settings.LOGIN_LOCKOUT_IP_FAILURES


LOGIN_LOCKED = "locked"
LOGIN_INVALID = "invalid"


@dataclass(frozen=True)
class SecondStep:
    """The password was right; the sign-in completes only with a code (accounts/twofactor.py)."""

    user: User


def login_gate_enter(key: str) -> None:
    """Lock the account name's gate row for the rest of the caller's transaction (created on first use): attempts on
    one account queue here, so each sees every failure recorded before it."""
    try:
        with transaction.atomic():
            LoginGate.objects.get_or_create(username=key)
    except IntegrityError:  # created by a concurrent attempt a moment ago
        pass
    LoginGate.objects.select_for_update().get(username=key)


def login_check(*, request: Any, username: str, password: str, ip: str | None) -> User | SecondStep | str:
    """Sign-in under the account's gate: LOGIN_LOCKED (the password was not even tried), LOGIN_INVALID, SecondStep
    (a code is still needed: nothing recorded as a success yet), or the user.
    The lock is checked before the password, and the failure recorded before the gate opens for the next attempt."""
    from django.contrib.auth import authenticate

    key = username.strip().lower()[:150]
    with transaction.atomic():
        login_gate_enter(key)
        if login_is_locked(username=key, ip=ip):
            return LOGIN_LOCKED
        user = authenticate(request, username=username, password=password)
        if user is None or not getattr(user, "role", ""):
            login_attempt_record(username=key, ip=ip, user=None)
            return LOGIN_INVALID
        from jianguan.accounts import twofactor

        if twofactor.required_for(user) or twofactor.enabled_for(user):
            # Not a success yet: were it recorded, it would reset the failure count and let codes be guessed
            # between right passwords.
            return SecondStep(user)
        login_attempt_record(username=key, ip=ip, user=user)
        return user


@transaction.atomic
def login_attempt_record(*, username: str, ip: str | None, user: User | None) -> None:
    """Record a login attempt (user is None when it failed) and audit it."""
    username = username.strip().lower()[:150]
    LoginAttempt.objects.create(username=username, ip=ip, succeeded=user is not None)
    if user is not None:
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
        audit_record(actor=user, action="auth.login", obj=user)
    else:
        audit_record(actor=None, action="auth.login_failed", object_type="accounts.user", object_label=username)


@transaction.atomic
def logout_record(*, user: User) -> None:
    audit_record(actor=user, action="auth.logout", obj=user)
