from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role, TokenRevocation
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.lib.validators import validate_plain_text


class UserQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        # Only administrators manage accounts; everyone else sees their own.
        return None if scope.role == Role.ADMIN else Q(pk=scope.user_id)


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A platform account with one role and the scope that role works in."""

    name = models.CharField(_("姓名"), max_length=50, validators=[validate_plain_text])
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    streets = models.ManyToManyField("org.Region", verbose_name=_("负责街道/乡镇"), blank=True, related_name="users")
    institution = models.ForeignKey(
        "registry.Institution",
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # 部门负责人: approves 立案 and makes the penalty decision for the department's cases (行政处罚法 第五十七条).
    is_department_head = models.BooleanField(
        _("部门负责人"), default=False, help_text=_("批准立案、延长办案期限、作出行政处罚决定和结案。")
    )

    objects = ScopedUserManager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def scope(self) -> Scope:
        return Scope.for_user(self)

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles


class OfficerProfile(models.Model):
    """An officer's enforcement certificate (执法证), needed to inspect (行政处罚法 第42条)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="officer_profile")
    certificate_number = models.CharField(_("执法证号"), max_length=30, unique=True)
    certificate_valid_until = models.DateField(_("执法证有效期至"))
    issued_by = models.CharField(_("发证机关"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("执法人员信息")
        verbose_name_plural = _("执法人员信息")

    def __str__(self) -> str:
        return f"{self.user} {self.certificate_number}"

    def certificate_valid_on(self, day: date | None = None) -> bool:
        return self.certificate_valid_until >= (day or timezone.localdate())


class OfficerConflictQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        # District-wide roles (who make and check the draws) see every declaration; an officer their own.
        return None if scope.district_wide else Q(user_id=scope.user_id)


class OfficerConflict(models.Model):
    """A relationship (关联关系) an officer declared with an institution: the 双随机 draw never sends them there.
    Ended, not deleted, when it no longer holds, so a past draw can still be explained."""

    user = models.ForeignKey(User, verbose_name=_("执法人员"), on_delete=models.CASCADE, related_name="conflicts")
    institution = models.ForeignKey(
        "registry.Institution", verbose_name=_("机构"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("关联关系"), max_length=200, validators=[validate_plain_text])
    declared_at = models.DateTimeField(_("申报时间"), default=timezone.now)
    declared_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    objects = OfficerConflictQuerySet.as_manager()

    class Meta:
        verbose_name = _("关联关系")
        verbose_name_plural = _("关联关系")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution"], condition=Q(ended_at=None), name="officer_conflict_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.institution}"


class ApiTokenQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        # Tokens are personal: even an administrator sees only their own.
        return Q(user_id=scope.user_id)


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=60, validators=[validate_plain_text])
    prefix = models.CharField(_("前缀"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    # Empty: never expires (the owner chose so); otherwise the token stops working at this time.
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    read_only = models.BooleanField(_("只读"), default=False, help_text=_("只读令牌只能查询，不能提交或修改。"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("吊销原因"), max_length=20, choices=TokenRevocation.choices, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        """Not revoked and not expired: the token still opens the API."""
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class TwoFactor(models.Model):
    """A user's second sign-in step: a TOTP secret (RFC 6238, any authenticator app) confirmed by a first code, and
    single-use recovery codes kept only as SHA-256 hashes. A code's time step is remembered, so none is used twice."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    recovery_hashes = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("两步验证")
        verbose_name_plural = _("两步验证")

    def __str__(self) -> str:
        return f"{self.user} ({'on' if self.confirmed_at else 'pending'})"


class LoginGate(models.Model):
    """One row per account name tried. A sign-in locks it while the lockout is checked, the password verified and
    the attempt recorded, so concurrent attempts on one account queue and each sees the failures before it: under
    any concurrency at most JIANGUAN_LOCKOUT_USER_FAILURES passwords are tried."""

    username = models.CharField(max_length=150, unique=True)

    def __str__(self) -> str:
        return self.username


class LoginAttempt(models.Model):
    """A login attempt, kept to lock an account or a client IP after repeated failures."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    succeeded = models.BooleanField()
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {self.ip} {'成功' if self.succeeded else '失败'}"
