"""The rectification ledger (整改台账): one item per finding, tracked to a verified close-out (销号)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.ledger.choices import (
    Action,
    ExtensionStatus,
    GuidanceMethod,
    ItemStatus,
    ReferralStatus,
)
from jianguan.lib.storedfiles import StoredFile
from jianguan.lib.validators import validate_plain_text
from jianguan.org.choices import CheckCategory


class LedgerItemQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        if scope.district_wide:
            return None
        if scope.role == Role.DEPARTMENT_OFFICER:
            return Q(department_id=scope.department_id) | Q(officer_id=scope.user_id)
        if scope.role == Role.STREET_OFFICER:
            return Q(institution__street_id__in=scope.street_ids)
        if scope.role == Role.INSTITUTION and scope.institution_id:
            return Q(institution_id=scope.institution_id)
        return Q(pk__in=[])


class LedgerItem(models.Model):
    """One problem to be rectified. Overdue is not stored: an open item whose deadline has passed."""

    finding = models.OneToOneField("inspections.Finding", on_delete=models.PROTECT, related_name="ledger_item")
    inspection = models.ForeignKey("inspections.Inspection", on_delete=models.PROTECT, related_name="ledger_items")
    campaign = models.ForeignKey(
        "inspections.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_items"
    )
    institution = models.ForeignKey(
        "registry.Institution", verbose_name=_("机构"), on_delete=models.PROTECT, related_name="ledger_items"
    )
    # The institution's street, kept equal to it (set when the item is made, moved with the institution by
    # receivers.py): the dashboard groups and filters the ledger by street without joining the registry.
    street = models.ForeignKey(
        "org.Region", verbose_name=_("街道/乡镇"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    category = models.CharField(_("问题类别"), max_length=20, choices=CheckCategory.choices)
    description = models.TextField(_("问题描述"))
    measure = models.TextField(_("整改措施"), validators=[validate_plain_text])
    responsible_person = models.CharField(_("整改责任人"), max_length=50, blank=True, validators=[validate_plain_text])
    responsible_phone = models.CharField(_("责任人电话"), max_length=20, blank=True)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("监管部门"), on_delete=models.PROTECT, related_name="ledger_items"
    )
    officer = models.ForeignKey(
        "accounts.User", verbose_name=_("监管人员"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="supervised_items",
    )  # fmt: skip
    # The day the problem was found: the inspection's completion day (local time), stored because the dashboard's
    # trends and the ledger's found-from/to filter group and range over it (an inspection is frozen once completed).
    found_on = models.DateField(_("发现日期"))
    deadline = models.DateField(_("整改时限"))
    status = models.CharField(_("整改状态"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("建账时间"), default=timezone.now)
    # Bumped by every transition: a form or API call that acted on an older version gets a conflict, not a silent
    # overwrite.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = LedgerItemQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["category", "status"]),
            # The dashboard's trends count problems per day found and per day closed from these indexes alone.
            models.Index(fields=["found_on"]),
            models.Index(fields=["closed_on"]),
            # Repeated problems (alerts): one category at one institution from several inspections, grouped in the
            # index's order without a sort.
            models.Index(fields=["category", "institution", "inspection", "found_on"]),
        ]
        verbose_name = _("台账事项")
        verbose_name_plural = _("整改台账")

    def __str__(self) -> str:
        return f"{self.institution}：{self.description[:30]}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("ledger:item_detail", args=[self.pk])


class ItemEvent(models.Model):
    """The item's history: every transition with who, when, why (and, for deadline changes, the old deadline)."""

    item = models.ForeignKey(LedgerItem, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=12, choices=ItemStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ItemStatus.choices)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")

    def __str__(self) -> str:
        return f"{self.item_id} {self.get_action_display()}"


class RecheckQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        """A recheck (and its 复查意见书) is seen by whoever may see its ledger item."""
        q = LedgerItem.objects.scope_q(scope)
        return None if q is None else Q(item__in=LedgerItem.objects.filter(q))


class Recheck(models.Model):
    """复查: the supervising department's (or the lead coordinator's) check of the rectification."""

    item = models.ForeignKey(LedgerItem, on_delete=models.PROTECT, related_name="rechecks")
    checked_on = models.DateField(_("复查日期"))
    officers = models.ManyToManyField("accounts.User", verbose_name=_("复查人员"), related_name="+")
    passed = models.BooleanField(_("复查通过"))
    note = models.TextField(_("复查情况"), validators=[validate_plain_text])
    new_deadline = models.DateField(_("新的整改时限"), null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = RecheckQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("复查")
        verbose_name_plural = _("复查")

    def __str__(self) -> str:
        return f"{self.item_id} {self.checked_on}"


class ExtensionRequest(models.Model):
    """延期: asked by the institution, decided by the supervising officer; the old deadline stays on record."""

    item = models.ForeignKey(LedgerItem, on_delete=models.PROTECT, related_name="extensions")
    old_deadline = models.DateField(_("原整改时限"))
    requested_deadline = models.DateField(_("申请延至"))
    granted_deadline = models.DateField(_("批准延至"), null=True, blank=True)  # at most the requested one
    reason = models.TextField(_("申请理由"), validators=[validate_plain_text])
    status = models.CharField(
        _("审批状态"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True, validators=[validate_plain_text])

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")

    def __str__(self) -> str:
        return f"{self.item_id} → {self.requested_deadline}"


class Guidance(models.Model):
    """整改指导: advice given to the institution by an officer or a specialist."""

    item = models.ForeignKey(LedgerItem, on_delete=models.PROTECT, related_name="guidance")
    adviser = models.CharField(_("指导人"), max_length=50, validators=[validate_plain_text])
    given_on = models.DateField(_("指导日期"))
    method = models.CharField(_("指导方式"), max_length=10, choices=GuidanceMethod.choices)
    advice = models.TextField(_("指导内容"), validators=[validate_plain_text])
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["given_on", "pk"]
        verbose_name = _("整改指导")
        verbose_name_plural = _("整改指导")

    def __str__(self) -> str:
        return f"{self.item_id} {self.adviser}"


class Referral(models.Model):
    """移交处罚: an escalated item waiting for the enforcement capability to open a case (立案)."""

    item = models.OneToOneField(LedgerItem, on_delete=models.PROTECT, related_name="referral")
    reason = models.TextField(_("移交理由"), validators=[validate_plain_text])
    status = models.CharField(_("状态"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.AWAITING)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("移交时间"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("移交处罚")
        verbose_name_plural = _("移交处罚")

    def __str__(self) -> str:
        return f"{self.item} {self.get_status_display()}"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    return f"ledger/{instance.item_id}/{instance.sha256[:2]}/{filename}"


class Attachment(StoredFile):
    """A photo or PDF attached to a submission, a recheck or a guidance record (or a 当场整改 item's evidence)."""

    item = models.ForeignKey(LedgerItem, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(ItemEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_upload_to)
    name = models.CharField(_("文件名"), max_length=120)
    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name
