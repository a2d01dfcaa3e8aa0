"""Penalty cases (行政处罚案件): a case from its clue to 结案, its investigators, evidence, the party's statements and
every step taken (the step is what a document is issued for)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.enforcement.choices import (
    PARTY_STATUSES,
    CaseAction,
    CaseOutcome,
    CaseSource,
    CaseStatus,
    EvidenceKind,
    PenaltyType,
    ServiceMethod,
)
from jianguan.lib.validators import validate_plain_text

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class CaseQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        """District-wide roles see every case; a department its own; the party its cases from the 事先告知书 on
        (an investigation is not disclosed to the party). Streets are not given case files."""
        if scope.district_wide:
            return None
        if scope.role == Role.DEPARTMENT_OFFICER:
            return Q(department_id=scope.department_id)
        if scope.role == Role.INSTITUTION:
            return Q(institution_id=scope.institution_id, status__in=PARTY_STATUSES)
        return Q(pk__in=[])


class Case(models.Model):
    department = models.ForeignKey(
        "org.Department", verbose_name=_("办案部门"), on_delete=models.PROTECT, related_name="cases"
    )
    institution = models.ForeignKey(
        "registry.Institution", verbose_name=_("当事人"), on_delete=models.PROTECT, related_name="cases"
    )
    party_name = models.CharField(_("当事人名称"), max_length=120, validators=[validate_plain_text])
    party_address = models.CharField(_("当事人地址"), max_length=200, blank=True, validators=[validate_plain_text])
    source = models.CharField(_("案件来源"), max_length=12, choices=CaseSource.choices)
    referral = models.OneToOneField(
        "ledger.Referral", verbose_name=_("移交"), null=True, blank=True, on_delete=models.PROTECT, related_name="case"
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("投诉举报"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases",
    )  # fmt: skip
    clue = models.TextField(_("案件线索"), max_length=2000, validators=[validate_plain_text])
    clue_on = models.DateField(_("发现线索或收到材料之日"))
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.CLUE)
    version = models.PositiveIntegerField(default=1)

    # 立案
    facts = models.TextField(_("涉嫌违法事实"), max_length=4000, blank=True, validators=[validate_plain_text])
    provision = models.CharField(_("处罚依据"), max_length=30, blank=True)
    filed_on = models.DateField(_("立案日期"), null=True, blank=True)
    filed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("批准立案"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extension_days = models.PositiveSmallIntegerField(_("已批准延长（日）"), default=0)
    # 先行登记保存 (行政处罚法 第五十六条): approved by the head; decided within 7 working days.
    preserved_on = models.DateField(_("先行登记保存日期"), null=True, blank=True)
    preserved_items = models.TextField(
        _("先行登记保存的证据"), max_length=2000, blank=True, validators=[validate_plain_text]
    )
    preservation_decided_on = models.DateField(_("先行登记保存处理日期"), null=True, blank=True)

    # 调查终结: the proposal
    outcome = models.CharField(_("处理意见"), max_length=20, choices=CaseOutcome.choices, blank=True)
    serious = models.BooleanField(_("情节复杂或者重大违法行为（集体讨论）"), default=False)
    illegal_gains = models.DecimalField(_("违法所得（元）"), null=True, blank=True, **MONEY)
    proposed_penalties = models.JSONField(_("拟处罚种类"), default=list, blank=True)
    proposed_fine = models.DecimalField(_("拟罚款（元）"), null=True, blank=True, **MONEY)
    legal_review_required = models.BooleanField(_("须法制审核"), default=False)
    legal_review_passed = models.BooleanField(_("法制审核已通过"), default=False)
    hearing_right = models.BooleanField(_("告知听证权利"), default=False)

    # 告知, 陈述申辩, 听证
    notice_served_on = models.DateField(_("告知书送达日期"), null=True, blank=True)
    rights_waived = models.BooleanField(_("当事人明确放弃陈述申辩和听证"), default=False)
    hearing_requested_on = models.DateField(_("申请听证日期"), null=True, blank=True)
    hearing_noticed_on = models.DateField(_("听证通知日期"), null=True, blank=True)
    hearing_on = models.DateField(_("听证日期"), null=True, blank=True)
    hearing_place = models.CharField(_("听证地点"), max_length=120, blank=True, validators=[validate_plain_text])
    hearing_presider = models.ForeignKey(
        "accounts.User", verbose_name=_("听证主持人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # 决定, 送达, 执行
    penalties = models.JSONField(_("处罚种类"), default=list, blank=True)
    fine = models.DecimalField(_("罚款（元）"), null=True, blank=True, **MONEY)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    served_on = models.DateField(_("决定书送达日期"), null=True, blank=True)
    service_method = models.CharField(_("送达方式"), max_length=12, choices=ServiceMethod.choices, blank=True)
    paid = models.DecimalField(_("已缴纳（元）"), default=Decimal(0), **MONEY)
    # 第六十六条第二款: 暂缓或者分期缴纳 on the party's application and the department's approval.
    fine_deferred_to = models.DateField(_("批准延期（分期）缴清至"), null=True, blank=True)
    paid_on = models.DateField(_("缴清日期"), null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)

    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("行政处罚案件")
        verbose_name_plural = _("行政处罚案件")
        indexes = [models.Index(fields=["status", "department"], name="case_status_department")]

    def __str__(self) -> str:
        return f"{self.party_name}（{self.get_status_display()}）"

    @property
    def proposed_penalties_text(self) -> str:
        return penalty_summary(self.proposed_penalties, self.proposed_fine)

    @property
    def penalties_text(self) -> str:
        return penalty_summary(self.penalties, self.fine)


def penalty_summary(types: list[str], fine: Decimal | None) -> str:
    """责令停止举办、罚款 96,000.00 元: the penalties in the order of 53号令 第五条, the fine with its amount."""
    return "、".join(
        f"罚款 {fine:,.2f} 元" if p == PenaltyType.FINE and fine else str(PenaltyType(p).label) for p in types
    )


class CaseOfficer(models.Model):
    """An investigator (办案人员) of a case, with what was said about recusal (行政处罚法 第四十三条)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="officers")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="case_roles")
    certificate_number = models.CharField(_("执法证号"), max_length=30)
    recusal = models.CharField(
        _("回避情况"), max_length=200, default="无应当回避的情形，当事人未申请回避", validators=[validate_plain_text]
    )

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_officer_unique")]
        verbose_name = _("办案人员")
        verbose_name_plural = _("办案人员")

    def __str__(self) -> str:
        return f"{self.user} {self.certificate_number}"


class CaseStepQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        """Whoever sees the case sees its steps; the party only those addressed to it (its notices and decisions,
        its own statements), never the file's internal papers."""
        if scope.district_wide:
            return None
        visible = Case.objects.filter(Case.objects.scope_q(scope) or Q())
        q = Q(case__in=visible)
        if scope.role == Role.INSTITUTION:
            q &= Q(for_party=True)
        return q


class CaseStep(models.Model):
    """One step of a case, as it happened: who, when, from which state to which, what was said. The case's documents
    are issued for its steps."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("环节"), max_length=20, choices=CaseAction.choices)
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    note = models.TextField(_("说明"), max_length=4000, blank=True, validators=[validate_plain_text])
    data = models.JSONField(default=dict, blank=True)
    for_party = models.BooleanField(_("当事人可见"), default=False)

    objects = CaseStepQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("办案环节")
        verbose_name_plural = _("办案环节")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_action_display()}"


class Evidence(models.Model):
    """An entry of the evidence list (证据清单)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("证据种类"), max_length=12, choices=EvidenceKind.choices)
    title = models.CharField(_("证据名称"), max_length=120, validators=[validate_plain_text])
    description = models.TextField(_("证明内容"), max_length=2000, blank=True, validators=[validate_plain_text])
    collected_on = models.DateField(_("取证日期"))
    collected_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["collected_on", "pk"]
        verbose_name = _("证据")
        verbose_name_plural = _("证据")

    def __str__(self) -> str:
        return self.title


class Statement(models.Model):
    """The party's 陈述申辩 (submitted online by the institution, or recorded by an investigator from paper or
    words) and the department's answer after 复核 (行政处罚法 第四十五条)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="statements")
    text = models.TextField(_("陈述申辩意见"), max_length=4000, validators=[validate_plain_text])
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    answer = models.TextField(_("复核意见"), max_length=4000, blank=True, validators=[validate_plain_text])
    accepted = models.BooleanField(_("采纳"), null=True, blank=True)
    answered_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("陈述申辩")
        verbose_name_plural = _("陈述申辩")

    def __str__(self) -> str:
        return f"{self.case_id} {self.submitted_at:%Y-%m-%d}"


class PublicationQuerySet(models.QuerySet):
    def shown_on(self, day: date) -> PublicationQuerySet:
        """Shown to the public on `day`: published, within its display period, neither withdrawn nor repaired."""
        return self.filter(
            published_on__lte=day, display_until__gte=day, withdrawn_on__isnull=True, repaired_on__isnull=True
        )


class Publication(models.Model):
    """行政处罚信息公示: a decision's public summary (the document's number, the party, the violation, the penalty,
    the department and the date; 市场监督管理行政处罚信息公示规定 第四条 as the model), shown on the portal from
    the day the decision is served until its display period ends, it is withdrawn (the decision changed or revoked)
    or credit repair ends it early. Public fields only: nothing else of the case is published."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="publication")
    number = models.CharField(_("决定书文号"), max_length=60)
    party_name = models.CharField(_("当事人"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    violation = models.CharField(_("违法行为类型"), max_length=200)
    penalty = models.CharField(_("处罚内容"), max_length=200)
    authority = models.CharField(_("作出决定的机关"), max_length=60)
    decided_on = models.DateField(_("决定日期"))
    published_on = models.DateField(_("公示日期"))
    display_until = models.DateField(_("公示截止日期"))
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回理由"), max_length=200, blank=True, validators=[validate_plain_text])
    repair_requested_on = models.DateField(_("申请信用修复日期"), null=True, blank=True)
    repair_request = models.TextField(_("信用修复申请"), max_length=2000, blank=True, validators=[validate_plain_text])
    repaired_on = models.DateField(_("信用修复日期"), null=True, blank=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("行政处罚信息公示")
        verbose_name_plural = _("行政处罚信息公示")
        indexes = [models.Index(fields=["display_until", "published_on"], name="publication_window")]

    def __str__(self) -> str:
        return self.number
