"""Complaints from the public (投诉举报). The reporter's identity lives on the complaint only; it is never copied into
the history, the audit trail, notifications or exports, and only the lead coordinator and the named handler read it
(selectors.may_see_reporter)."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.complaints.choices import (
    ComplaintAction,
    ComplaintCategory,
    ComplaintKind,
    ComplaintResult,
    ComplaintStatus,
)
from jianguan.lib.storedfiles import StoredFile
from jianguan.lib.validators import validate_plain_text


class ComplaintQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        """District-wide roles see every complaint; a department or a street sees what was assigned to it; an
        institution never sees complaints (it would learn who complained)."""
        if scope.district_wide:
            return None
        if scope.role == Role.DEPARTMENT_OFFICER:
            return Q(assigned_department_id=scope.department_id) | Q(handler_id=scope.user_id)
        if scope.role == Role.STREET_OFFICER:
            return Q(assigned_street_id__in=scope.street_ids) | Q(handler_id=scope.user_id)
        return Q(pk__in=[])


class Complaint(models.Model):
    number = models.CharField(_("编号"), max_length=20, unique=True, null=True, blank=True)
    tracking_hash = models.CharField(max_length=64, unique=True, editable=False)
    # What the complaint is about: a registry entry, or a name and address as typed (an unregistered site).
    institution = models.ForeignKey(
        "registry.Institution", verbose_name=_("机构"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaints",
    )  # fmt: skip
    typed_name = models.CharField(
        _("机构名称（投诉人填写）"), max_length=100, blank=True, validators=[validate_plain_text]
    )
    typed_address = models.CharField(
        _("地址（投诉人填写）"), max_length=200, blank=True, validators=[validate_plain_text]
    )
    street = models.ForeignKey(
        "org.Region", verbose_name=_("街道/乡镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        _("投诉或举报"), max_length=10, choices=ComplaintKind.choices, default=ComplaintKind.REPORT,
        help_text=_("投诉：本人与机构之间的权益争议（如退费）；举报：机构的违法违规行为。"),
    )  # fmt: skip
    category = models.CharField(_("投诉类别"), max_length=20, choices=ComplaintCategory.choices)
    content = models.TextField(_("投诉内容"), max_length=2000, validators=[validate_plain_text])
    # The reporter. Blank when anonymous.
    anonymous = models.BooleanField(_("匿名"), default=False)
    reporter_name = models.CharField(_("投诉人姓名"), max_length=30, blank=True, validators=[validate_plain_text])
    reporter_phone = models.CharField(_("投诉人电话"), max_length=20, blank=True)
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    # Assignment: to a department or a street, with a named handler (承办人) and a deadline.
    assigned_department = models.ForeignKey(
        "org.Department", verbose_name=_("承办部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_street = models.ForeignKey(
        "org.Region", verbose_name=_("承办街道/乡镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handler = models.ForeignKey(
        "accounts.User", verbose_name=_("承办人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    # What handling found and linked.
    inspection = models.ForeignKey(
        "inspections.Inspection", verbose_name=_("核查检查"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaints",
    )  # fmt: skip
    ledger_item = models.ForeignKey(
        "ledger.LedgerItem", verbose_name=_("整改事项"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaints",
    )  # fmt: skip
    # What the reporter reads.
    public_reply = models.TextField(_("答复内容"), blank=True, validators=[validate_plain_text])
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    result = models.CharField(_("核查结论"), max_length=20, choices=ComplaintResult.choices, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # A 举报 that led to a penalty case: the day the case was filed (立案), which a named reporter reads on the
    # tracking page (told at once: the rule allows five working days).
    case_filed_on = models.DateField(_("立案日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["assigned_department", "status"]),
            models.Index(fields=["assigned_street", "status"]),
        ]
        verbose_name = _("投诉举报")
        verbose_name_plural = _("投诉举报")

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def subject_name(self) -> str:
        return self.institution.name if self.institution_id else self.typed_name

    @property
    def unit_name(self) -> str:
        if self.assigned_department_id:
            return self.assigned_department.name
        return self.assigned_street.name if self.assigned_street_id else ""

    def is_overdue(self, today) -> bool:  # type: ignore[no-untyped-def]
        return self.status == ComplaintStatus.ASSIGNED and self.deadline is not None and self.deadline < today

    @property
    def accept_due(self) -> date | None:
        """The last day to decide whether to accept it (受理 or 不予受理): JIANGUAN_COMPLAINT_ACCEPT_WORKING_DAYS working
        days after the day it was received (None while that year's holidays are unknown)."""
        from django.conf import settings

        from jianguan.lib.workdays import UnknownCalendarYear, add_working_days

        try:
            received = timezone.localtime(self.received_at).date()
            return add_working_days(received, settings.JIANGUAN_COMPLAINT_ACCEPT_WORKING_DAYS)
        except UnknownCalendarYear:
            return None

    def acceptance_overdue(self, today: date) -> bool:
        due = self.accept_due
        return self.status == ComplaintStatus.RECEIVED and due is not None and due < today


def photo_upload_to(instance: ComplaintPhoto, filename: str) -> str:
    return f"complaints/{instance.complaint_id}/{instance.sha256[:2]}/{filename}"


class ComplaintPhoto(StoredFile):
    """A photo a reporter sent with a complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("照片"), upload_to=photo_upload_to)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("投诉照片")
        verbose_name_plural = _("投诉照片")

    def __str__(self) -> str:
        return f"{self.complaint_id}/{self.sha256[:12]}"


class ComplaintEvent(models.Model):
    """The complaint's history as staff read it. Never holds the reporter's identity."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=20, choices=ComplaintAction.choices)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_status = models.CharField(max_length=20, choices=ComplaintStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ComplaintStatus.choices, blank=True)
    note = models.TextField(_("说明"), blank=True, validators=[validate_plain_text])

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
