"""移送 / 协查 between units (a department or a street office) and the subscriptions that fill each unit's feed of
shared information. A transfer keeps its thread (TransferStep: every step and message, in order); the feed itself is
derived from the records where things happened (feed.py), so nothing is copied here."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.lib.validators import validate_plain_text
from jianguan.org.choices import CheckCategory
from jianguan.transfers.choices import TransferAction, TransferKind, TransferStatus


def unit_q(scope: Scope, department_field: str, street_field: str) -> Q:
    """Rows whose unit (a department or a street) is one of the scope's own units. A department officer without a
    department, or a street officer without streets, has none (never `field=None`, which would match NULL)."""
    q = Q(pk__in=[])
    if scope.role in (Role.DEPARTMENT_OFFICER, Role.LEAD) and scope.department_id is not None:
        q |= Q(**{f"{department_field}_id": scope.department_id})
    if scope.role == Role.STREET_OFFICER and scope.street_ids:
        q |= Q(**{f"{street_field}_id__in": scope.street_ids})
    return q


class TransferQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        """District-wide roles see every transfer; a department or a street the ones it sent or received. Institutions
        never: a transfer is an internal matter between authorities."""
        if scope.district_wide:
            return None
        return unit_q(scope, "sender_department", "sender_street") | unit_q(
            scope, "receiver_department", "receiver_street"
        )


class Transfer(models.Model):
    """One 移送 or 协查 from a unit to another, its reply deadline (working days, counted when sent) and its answer."""

    kind = models.CharField(_("类型"), max_length=12, choices=TransferKind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=TransferStatus.choices, default=TransferStatus.SENT)
    # The sending unit and the receiving unit: each is a department or a street office (exactly one of the pair).
    sender_department = models.ForeignKey(
        "org.Department", verbose_name=_("移送部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sender_street = models.ForeignKey(
        "org.Region", verbose_name=_("移送街道/乡镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiver_department = models.ForeignKey(
        "org.Department", verbose_name=_("接收部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiver_street = models.ForeignKey(
        "org.Region", verbose_name=_("接收街道/乡镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What it is about (all optional).
    institution = models.ForeignKey(
        "registry.Institution", verbose_name=_("机构"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="transfers",
    )  # fmt: skip
    ledger_item = models.ForeignKey(
        "ledger.LedgerItem", verbose_name=_("整改事项"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="transfers",
    )  # fmt: skip
    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("投诉举报"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="transfers",
    )  # fmt: skip
    case = models.ForeignKey(
        "enforcement.Case", verbose_name=_("行政处罚案件"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="transfers",
    )  # fmt: skip
    category = models.CharField(_("问题类别"), max_length=20, choices=CheckCategory.choices, blank=True)
    subject = models.CharField(_("事由"), max_length=120, validators=[validate_plain_text])
    facts = models.TextField(_("基本情况"), max_length=2000, validators=[validate_plain_text])
    request = models.TextField(
        _("移送或协查事项"), max_length=1000, blank=True, validators=[validate_plain_text],
        help_text=_("协查：请对方协助查明的事项；移送：请对方依法处理的事项。"),
    )  # fmt: skip
    # 行政处罚法 第二十七条 / 国务院令第310号 第三条: a suspected crime goes to the public security organ.
    suspected_crime = models.BooleanField(_("涉嫌犯罪"), default=False)
    letter_number = models.CharField(_("函号"), max_length=60, blank=True)
    sent_at = models.DateTimeField(_("发出时间"), default=timezone.now)
    reply_due = models.DateField(_("答复期限"))
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    refusal_reason = models.TextField(_("不予接收理由"), max_length=1000, blank=True, validators=[validate_plain_text])
    result = models.TextField(_("处理结果"), max_length=2000, blank=True, validators=[validate_plain_text])
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "reply_due"], name="transfer_status_due"),
            models.Index(fields=["receiver_department", "status"], name="transfer_receiver_dept"),
            models.Index(fields=["sender_department", "status"], name="transfer_sender_dept"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sender_department__isnull=True) ^ Q(sender_street__isnull=True), name="transfer_one_sender"
            ),
            models.CheckConstraint(
                condition=Q(receiver_department__isnull=True) ^ Q(receiver_street__isnull=True),
                name="transfer_one_receiver",
            ),
        ]
        verbose_name = _("移送协查")
        verbose_name_plural = _("移送协查")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.subject}"

    @property
    def sender(self) -> object:
        return self.sender_department or self.sender_street

    @property
    def receiver(self) -> object:
        return self.receiver_department or self.receiver_street

    def is_overdue(self, today: object) -> bool:
        """Not answered (neither accepted nor refused) by its reply deadline."""
        return self.status == TransferStatus.SENT and self.reply_due < today  # type: ignore[operator]


class TransferStepQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        if scope.district_wide:
            return None
        return Q(transfer__in=Transfer.objects.filter(Transfer.objects.scope_q(scope) or Q()))


class TransferStep(models.Model):
    """One entry of a transfer's thread, as it happened: a step (sent, accepted, refused, result, withdrawn) or a
    message between the two sides."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("环节"), max_length=12, choices=TransferAction.choices)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_status = models.CharField(max_length=12, choices=TransferStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=TransferStatus.choices)
    note = models.TextField(_("内容"), max_length=2000, blank=True, validators=[validate_plain_text])

    objects = TransferStepQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("移送协查记录")
        verbose_name_plural = _("移送协查记录")

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.get_action_display()}"


class SubscriptionQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        """A unit's subscriptions are its own; the district-wide roles see them all (to read any unit's feed)."""
        if scope.district_wide:
            return None
        return unit_q(scope, "department", "street")


class Subscription(models.Model):
    """What a unit wants to hear about: event kinds and filters (check categories, institution kinds, streets). A
    department is shown its competence categories district-wide; a street office everything in its own street."""

    department = models.ForeignKey(
        "org.Department", verbose_name=_("订阅部门"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="subscriptions",
    )  # fmt: skip
    street = models.ForeignKey(
        "org.Region", verbose_name=_("订阅街道/乡镇"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=60, validators=[validate_plain_text])
    events = models.JSONField(_("订阅事项"), default=list)
    categories = models.JSONField(_("问题类别"), default=list, blank=True)
    institution_kinds = models.JSONField(_("机构类型"), default=list, blank=True)
    streets = models.ManyToManyField("org.Region", verbose_name=_("街道/乡镇"), blank=True, related_name="+")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=True) ^ Q(street__isnull=True), name="subscription_one_unit"
            ),
        ]
        verbose_name = _("信息订阅")
        verbose_name_plural = _("信息订阅")

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self) -> object:
        return self.department or self.street
