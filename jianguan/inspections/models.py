"""Campaigns (专项行动), joint inspections (联合检查) with their teams, item results, findings and photo evidence."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.checklists.choices import Severity
from jianguan.checklists.models import OrderTerms
from jianguan.inspections.choices import (
    CampaignMethod,
    CampaignStatus,
    InspectionKind,
    InspectionStatus,
    Outcome,
    SignerRole,
)
from jianguan.lib.storedfiles import StoredFile
from jianguan.lib.validators import validate_plain_text
from jianguan.org.choices import CheckCategory


class CampaignQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        if scope.district_wide:
            return None
        if scope.role == Role.DEPARTMENT_OFFICER:
            return Q(lead_department_id=scope.department_id) | Q(departments__id=scope.department_id)
        if scope.role == Role.STREET_OFFICER:
            # A campaign over the whole district (no streets chosen) or over one of theirs.
            return Q(streets__isnull=True) | Q(streets__id__in=scope.street_ids)
        return Q(pk__in=[])

    def visible_to(self, user):  # type: ignore[no-untyped-def]
        return super().visible_to(user).distinct()


class Campaign(models.Model):
    """A special action (专项行动): a scope of institutions, the departments that inspect together, the checklists."""

    name = models.CharField(_("行动名称"), max_length=100, validators=[validate_plain_text])
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    previous = models.ForeignKey(
        "self", verbose_name=_("上一轮"), null=True, blank=True, on_delete=models.PROTECT, related_name="next_rounds"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED)
    method = models.CharField(_("方式"), max_length=10, choices=CampaignMethod.choices, default=CampaignMethod.FULL)
    lead_department = models.ForeignKey(
        "org.Department", verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="led_campaigns"
    )
    departments = models.ManyToManyField(
        "org.Department", verbose_name=_("参与部门"), related_name="campaigns", blank=True
    )
    streets = models.ManyToManyField(
        "org.Region", verbose_name=_("范围：街道/乡镇"), related_name="campaigns", blank=True,
        help_text=_("不选表示全区。"),
    )  # fmt: skip
    institution_kinds = models.JSONField(
        _("范围：机构类型"), default=list, blank=True, help_text=_("为空表示所有类型。")
    )
    checklists = models.ManyToManyField(
        "checklists.Checklist", verbose_name=_("检查表"), related_name="campaigns", blank=True
    )
    description = models.TextField(_("工作要求"), blank=True, validators=[validate_plain_text])
    joint_notice = models.BooleanField(
        _("联合通知书"),
        default=False,
        help_text=_(
            "勾选：一次检查发现的问题列入一份联合责令整改通知书，逐项写明主管部门，各制发部门署名盖章；"
            "不勾选：每个主管部门就其职权内的问题各制发一份通知书。"
        ),
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("创建人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")

    def __str__(self) -> str:
        return self.name if self.round == 1 else f"{self.name}（第{self.round}轮）"


class CampaignTarget(models.Model):
    """An institution on a campaign's target list (generated from the scope, then edited)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    institution = models.ForeignKey("registry.Institution", on_delete=models.PROTECT, related_name="campaign_targets")
    added_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "institution"], name="campaign_target_unique")]
        verbose_name = _("检查对象")
        verbose_name_plural = _("检查对象")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.institution}"


class InspectionQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:

        if scope.district_wide:
            return None
        if scope.role == Role.DEPARTMENT_OFFICER:
            # Their team's inspections, those their department takes part in (as lead or on the team), and those
            # with a finding their department supervises.
            return (
                Q(officers__user_id=scope.user_id)
                | Q(lead_department_id=scope.department_id)
                | Q(officers__department_id=scope.department_id)
                | Q(findings__department_id=scope.department_id)
            )
        if scope.role == Role.STREET_OFFICER:
            return Q(institution__street_id__in=scope.street_ids)
        if scope.role == Role.INSTITUTION and scope.institution_id:
            return Q(institution_id=scope.institution_id, status=InspectionStatus.COMPLETED)
        return Q(pk__in=[])

    def visible_to(self, user):  # type: ignore[no-untyped-def]
        qs = super().visible_to(user)
        scope = Scope.for_user(user)
        # The department officer's condition joins to-many tables: one row per inspection again.
        return qs.distinct() if scope.role == Role.DEPARTMENT_OFFICER else qs


class Inspection(models.Model):
    """One visit by a team of certified officers to one institution: planned → in progress → completed (frozen), or
    cancelled with a reason."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("专项行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    institution = models.ForeignKey(
        "registry.Institution", verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="inspections"
    )
    kind = models.CharField(
        _("检查类型"), max_length=10, choices=InspectionKind.choices, default=InspectionKind.CAMPAIGN
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    checklist_version = models.ForeignKey(
        "checklists.ChecklistVersion",
        verbose_name=_("检查表版本"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    lead_department = models.ForeignKey(
        "org.Department", verbose_name=_("主办部门"), on_delete=models.PROTECT, related_name="inspections",
        help_text=_("制发现场检查笔录和责令整改通知书的部门。"),
    )  # fmt: skip
    scheduled_at = models.DateTimeField(_("计划检查时间"))
    # 补录: an inspection already held, entered afterwards from its paper record (the only way to plan one whose time
    # has passed); shown on its page and in the audit.
    backfilled = models.BooleanField(_("补录"), default=False)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    place = models.CharField(_("检查地点"), max_length=200, blank=True, validators=[validate_plain_text])
    summary = models.TextField(_("检查情况"), blank=True, validators=[validate_plain_text])
    representative_name = models.CharField(
        _("机构负责人/现场负责人"), max_length=50, blank=True, validators=[validate_plain_text]
    )
    signature_refused = models.BooleanField(_("拒绝签字"), default=False)
    witness_name = models.CharField(_("见证人"), max_length=50, blank=True, validators=[validate_plain_text])
    # The record's head as it happened (行政处罚法 第四十二、四十三条): certificates shown, the party asked whether it
    # applies for recusal and what it answered, who wrote the record.
    certificates_shown = models.BooleanField(_("已出示执法证件"), null=True, blank=True)
    recusal_requested = models.BooleanField(_("当事人申请回避"), null=True, blank=True)
    recusal_note = models.CharField(_("回避申请及处理"), max_length=200, blank=True, validators=[validate_plain_text])
    recorder = models.ForeignKey(
        "accounts.User", verbose_name=_("记录人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 教育部令第53号: what makes an unlicensed site 擅自举办 (all three) rather than 变相 training; recorded on the form
    # when a licence item fails.
    fixed_site = models.BooleanField(_("有固定培训场所"), null=True, blank=True)
    two_or_more_staff = models.BooleanField(_("有两名以上培训人员"), null=True, blank=True)
    organised_teaching = models.BooleanField(_("有组织地开展培训"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True, validators=[validate_plain_text])
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("创建人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "scheduled_at"]),
            # Campaign coverage: the institutions a campaign's completed inspections reached, read from the index.
            models.Index(fields=["campaign", "status", "institution"]),
        ]
        verbose_name = _("检查")
        verbose_name_plural = _("检查")

    def __str__(self) -> str:
        return f"{self.institution} {timezone.localtime(self.scheduled_at):%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("inspections:inspection_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)


class InspectionOfficer(models.Model):
    """A team member, with the certificate and department they had when assigned (kept for the record)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="officers")
    user = models.ForeignKey("accounts.User", verbose_name=_("执法人员"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+")
    certificate_number = models.CharField(_("执法证号"), max_length=30)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["inspection", "user"], name="inspection_officer_unique")]
        verbose_name = _("检查组成员")
        verbose_name_plural = _("检查组成员")

    def __str__(self) -> str:
        return f"{self.user} {self.certificate_number}"


class ItemResult(models.Model):
    """The result of one checklist item at one inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey("checklists.ChecklistItem", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("结果"), max_length=4, choices=Outcome.choices)
    # Every officer's note on the item (ItemNote), joined for the record: one note as written, several each with
    # its author.
    note = models.CharField(_("说明"), max_length=1200, blank=True, validators=[validate_plain_text])
    fixed_on_site = models.BooleanField(_("当场整改"), default=False)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    # Raised by every write: a write that saw an older version and would change the outcome is refused (409).
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["item__order"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="item_result_unique")]
        verbose_name = _("检查项结果")
        verbose_name_plural = _("检查项结果")

    def __str__(self) -> str:
        return f"{self.item} {self.get_outcome_display()}"


class ItemNote(models.Model):
    """One officer's note on one item: two officers on one item each keep their own words."""

    result = models.ForeignKey(ItemResult, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("说明"), max_length=500, validators=[validate_plain_text])
    written_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["written_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["result", "author"], name="item_note_one_per_author")]
        verbose_name = _("检查项说明")
        verbose_name_plural = _("检查项说明")

    def __str__(self) -> str:
        return self.text


class SyncKey(models.Model):
    """The idempotency key of a write sent from the on-site form (its offline queue may send it again): the first
    write is recorded, a replay answers with what it recorded."""

    key = models.CharField(max_length=64, unique=True)
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("同步编号")
        verbose_name_plural = _("同步编号")

    def __str__(self) -> str:
        return self.key


class Finding(OrderTerms):
    """A problem found: from a failed checklist item (when the inspection is completed) or entered ad hoc. Its order
    terms (remedy, 依据, 改正要求, consequence) are the item's on the day; its department is the competent one."""

    # A finding is part of its inspection's record: its changes move the inspection's updated_at (audit.freshness).
    CHANGES_PARENT = "inspection"

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    item = models.ForeignKey(
        "checklists.ChecklistItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("问题类别"), max_length=20, choices=CheckCategory.choices)
    description = models.TextField(_("问题描述"), validators=[validate_plain_text])
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    legal_basis = models.CharField(_("违反的规定"), max_length=300, blank=True, validators=[validate_plain_text])
    department = models.ForeignKey(
        "org.Department", verbose_name=_("主管部门"), on_delete=models.PROTECT, related_name="findings"
    )
    period_days = models.PositiveSmallIntegerField(_("整改期限（工作日）"), default=10)
    fixed_on_site = models.BooleanField(_("当场整改"), default=False)
    deadline = models.DateField(
        _("整改期限"), null=True, blank=True, help_text=_("责令整改通知书制发之日起按工作日计算。")
    )
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["inspection", "pk"]
        verbose_name = _("问题")
        verbose_name_plural = _("问题")

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{self.description[:40]}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.inspection_id}/{instance.sha256[:2]}/{filename}"


class Evidence(StoredFile):
    """A photo taken on site, validated by its content, stored under its SHA-256, with its own capture time."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="evidence")
    item_result = models.ForeignKey(
        ItemResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    file = models.FileField(_("照片"), upload_to=evidence_upload_to)
    thumbnail = models.FileField(_("缩略图"), upload_to=evidence_upload_to)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    caption = models.CharField(_("说明"), max_length=200, blank=True, validators=[validate_plain_text])

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self) -> str:
        return f"{self.inspection} {self.sha256[:12]}"


def signature_upload_to(instance: Signature, filename: str) -> str:
    return f"signatures/{instance.inspection_id}/{filename}"


class Signature(StoredFile):
    """A signature drawn on the screen at the end of the inspection (an officer's, the party's or the witness's),
    kept as a PNG under its SHA-256 and printed on the 现场检查笔录."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(_("签名人"), max_length=10, choices=SignerRole.choices)
    name = models.CharField(_("姓名"), max_length=50, validators=[validate_plain_text])
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("签名"), upload_to=signature_upload_to)
    signed_at = models.DateTimeField(_("签名时间"), default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("签名")
        verbose_name_plural = _("签名")

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class Amendment(models.Model):
    """A correction to a completed inspection: what changed and why (the inspection itself stays frozen)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="amendments")
    reason = models.TextField(_("更正原因"), validators=[validate_plain_text])
    changes = models.JSONField(_("更正内容"))
    actor = models.ForeignKey("accounts.User", verbose_name=_("更正人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("更正时间"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("更正记录")
        verbose_name_plural = _("更正记录")

    def __str__(self) -> str:
        return f"{self.inspection} {self.at:%Y-%m-%d}"
