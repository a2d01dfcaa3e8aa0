from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.lib.creditcode import django_validator as credit_code_validator
from jianguan.lib.textnorm import clean_text
from jianguan.lib.validators import TEXT_MAX_LENGTH, validate_plain_text
from jianguan.registry.choices import (
    InstitutionKind,
    InstitutionSubKind,
    LicenceKind,
    LicenceStatus,
    OperatingStatus,
)
from jianguan.registry.search import name_latin

phone_validator = RegexValidator(r"^[0-9+\-() ]{7,20}$", _("请输入有效的电话号码，如 13800138000 或 0571-88888888。"))


def pinyin_initials(text: str) -> str:
    """北京新东方学校 → bjxdfxx; letters and digits kept, everything else dropped."""
    letters = lazy_pinyin(clean_text(text), style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return "".join(ch for ch in "".join(letters).lower() if ch.isascii() and ch.isalnum())


class InstitutionQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        if scope.district_wide or scope.role == Role.DEPARTMENT_OFFICER:
            # A department supervises its categories at every institution of the district.
            return None
        if scope.role == Role.STREET_OFFICER:
            return Q(street_id__in=scope.street_ids)
        if scope.role == Role.INSTITUTION and scope.institution_id:
            return Q(pk=scope.institution_id)
        return Q(pk__in=[])


class Institution(models.Model):
    """A training institution, meal-care site or after-school care site in the district registry (名录库)."""

    name = models.CharField(_("机构名称"), max_length=100, validators=[validate_plain_text])
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[credit_code_validator],
        help_text=_("未登记的场所可以为空。"),
    )
    kind = models.CharField(_("机构类型"), max_length=20, choices=InstitutionKind.choices)
    sub_kind = models.CharField(_("细分类型"), max_length=20, choices=InstitutionSubKind.choices, blank=True)
    street = models.ForeignKey(
        "org.Region", verbose_name=_("所属街道/乡镇"), on_delete=models.PROTECT, related_name="institutions"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True, validators=[validate_plain_text])
    legal_representative = models.CharField(
        _("法定代表人"), max_length=50, blank=True, validators=[validate_plain_text]
    )
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True, validators=[validate_plain_text])
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[phone_validator])
    capacity = models.PositiveIntegerField(_("容纳人数"), null=True, blank=True, validators=[MaxValueValidator(100000)])
    floor_area = models.DecimalField(
        _("场地面积（㎡）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1000000)],
    )
    floors = models.CharField(_("所在楼层"), max_length=30, blank=True, validators=[validate_plain_text])
    status = models.CharField(
        _("经营状态"), max_length=20, choices=OperatingStatus.choices, default=OperatingStatus.NORMAL
    )
    notes = models.TextField(_("备注"), blank=True, max_length=TEXT_MAX_LENGTH, validators=[validate_plain_text])
    pinyin_initials = models.CharField(_("拼音首字母"), max_length=100, blank=True, editable=False, db_index=True)
    # The name's Latin letters and digits ("ABC英语" → "abc"), empty for most names: letters are searched here.
    name_latin = models.CharField(_("名称中的字母数字"), max_length=100, blank=True, editable=False, db_index=True)
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)
    # Derived from the licences and the licence requirements, kept in step by the registry services
    # (services.refresh_licence_cover), so that the licence filter and its counts read two indexed columns instead of
    # a subquery per required licence kind. Whether a licence has run out is still decided at query time, against the
    # day asked about: see selectors.licence_state_q.
    licence_missing = models.BooleanField(_("缺少必备证照"), default=False, editable=False)
    licence_cover_until = models.DateField(
        _("必备证照有效至"), null=True, blank=True, editable=False, help_text=_("为空表示长期有效或无必备证照。")
    )

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["street_id", "name"]
        indexes = [
            models.Index(fields=["street", "kind", "status"]),
            models.Index(fields=["name"]),
            # Duplicate-name checks narrow by street and pinyin initials (selectors.same_name_in_street).
            models.Index(fields=["street", "pinyin_initials"]),
            models.Index(fields=["licence_missing", "licence_cover_until"]),
            # The dashboard's institutions by kind × status, counted from the index alone.
            models.Index(fields=["kind", "status"]),
        ]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.set_search_fields()
        super().save(*args, **kwargs)

    def set_search_fields(self) -> None:
        """A derived search column, kept in step with the name by save() and by the bulk services."""
        self.pinyin_initials = pinyin_initials(self.name)[:100]
        self.name_latin = name_latin(self.name)


class InstitutionStatusChange(models.Model):
    """One change of an institution's operating status, with its reason (停止招生, 停业整顿, 取缔 …)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=20, choices=OperatingStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=OperatingStatus.choices)
    reason = models.TextField(_("原因"), validators=[validate_plain_text])
    effective_date = models.DateField(_("生效日期"))
    # The decision it rests on (required for the sanctions of DECISION_STATUSES): a document of this platform, or
    # another authority's or a court's decision entered with its issuer, number and date.
    basis_document = models.ForeignKey(
        "documents.Document", verbose_name=_("决定文书"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    basis_authority = models.CharField(_("作出决定的机关"), max_length=60, blank=True, validators=[validate_plain_text])
    basis_number = models.CharField(_("决定文号"), max_length=60, blank=True, validators=[validate_plain_text])
    basis_date = models.DateField(_("决定日期"), null=True, blank=True)
    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("经营状态变更")
        verbose_name_plural = _("经营状态变更")

    def __str__(self) -> str:
        return f"{self.institution}: {self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def basis(self) -> str:
        """依据: 测试区教育局 测教罚决〔2026〕1号（2026-11-02）, or empty."""
        if not self.basis_number:
            return ""
        day = f"（{self.basis_date:%Y-%m-%d}）" if self.basis_date else ""
        return f"{self.basis_authority} {self.basis_number}{day}".strip()


class LicenceQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        q = Institution.objects.scope_q(scope)
        if q is None:
            return None
        return Q(institution__in=Institution.objects.filter(q))


def licence_upload_to(instance: Licence, filename: str) -> str:
    # The service names the file by its SHA-256 and the extension of its detected type; the uploader's name is
    # never used for storage.
    return f"licences/{instance.institution_id}/{timezone.now():%Y%m}/{filename}"


class Licence(models.Model):
    """A licence or registration an institution holds, with its validity."""

    # A licence is part of its institution's record: its changes move the institution's updated_at (audit.freshness).
    CHANGES_PARENT = "institution"

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="licences")
    kind = models.CharField(_("证照类型"), max_length=20, choices=LicenceKind.choices)
    number = models.CharField(_("证照编号"), max_length=60, validators=[validate_plain_text])
    issuer = models.CharField(_("发证机关"), max_length=100, blank=True, validators=[validate_plain_text])
    issue_date = models.DateField(_("发证日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("长期有效的留空。"))
    # Stored under a name the server chooses (its SHA-256), checked by content (lib/images), served through the
    # scoped view registry:licence_scan and verified against scan_sha256 (lib/storedfiles).
    scan = models.FileField(_("扫描件"), upload_to=licence_upload_to, blank=True)
    scan_sha256 = models.CharField(_("扫描件 SHA-256"), max_length=64, blank=True, editable=False)
    scan_content_type = models.CharField(_("扫描件类型"), max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = LicenceQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-valid_until"]
        indexes = [models.Index(fields=["valid_until"])]
        verbose_name = _("证照")
        verbose_name_plural = _("证照")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def status_on(self, day: date | None = None) -> str:
        day = day or timezone.localdate()
        if self.valid_until is None:
            return LicenceStatus.VALID
        if self.valid_until < day:
            return LicenceStatus.EXPIRED
        if self.valid_until <= day + timedelta(days=settings.JIANGUAN_LICENCE_EXPIRING_DAYS):
            return LicenceStatus.EXPIRING
        return LicenceStatus.VALID

    @property
    def status(self) -> str:
        return self.status_on()


class LicenceRequirement(models.Model):
    """What an institution kind must hold: one row per required licence kind (admins edit them)."""

    institution_kind = models.CharField(_("机构类型"), max_length=20, choices=InstitutionKind.choices)
    licence_kind = models.CharField(_("须持证照"), max_length=20, choices=LicenceKind.choices)

    class Meta:
        ordering = ["institution_kind", "licence_kind"]
        constraints = [
            models.UniqueConstraint(fields=["institution_kind", "licence_kind"], name="licence_requirement_unique")
        ]
        verbose_name = _("证照要求")
        verbose_name_plural = _("证照要求")

    def __str__(self) -> str:
        return f"{self.get_institution_kind_display()} → {self.get_licence_kind_display()}"
