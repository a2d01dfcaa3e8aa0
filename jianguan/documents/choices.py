from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    INSPECTION_RECORD = "inspection_record", _("现场检查笔录")
    RECTIFICATION_NOTICE = "rectification_notice", _("责令整改通知书")
    RECHECK_OPINION = "recheck_opinion", _("整改复查意见书")
    STOP_ORDER = "stop_order", _("责令停止通知书")
    ON_SPOT_ORDER = "on_spot_order", _("当场责令改正通知书")
    # Penalty cases (enforcement)
    FILING_APPROVAL = "filing_approval", _("立案审批表")
    NO_FILING = "no_filing", _("不予立案审批表")
    PRESERVATION_NOTICE = "preservation_notice", _("先行登记保存证据通知书")
    PRESERVATION_DECISION = "preservation_decision", _("先行登记保存证据处理决定书")
    INVESTIGATION_REPORT = "investigation_report", _("案件调查终结报告")
    LEGAL_REVIEW = "legal_review", _("法制审核意见书")
    DISCUSSION = "discussion", _("集体讨论记录")
    PENALTY_NOTICE = "penalty_notice", _("行政处罚事先告知书")
    HEARING_NOTICE = "hearing_notice", _("听证通知书")
    HEARING_RECORD = "hearing_record", _("听证笔录")
    PENALTY_DECISION = "penalty_decision", _("行政处罚决定书")
    NO_PENALTY_DECISION = "no_penalty_decision", _("不予行政处罚决定书")
    SERVICE_RECEIPT = "service_receipt", _("送达回证")
    CLOSING_REPORT = "closing_report", _("结案报告")
    # Working together (transfers, meetings)
    TRANSFER_LETTER = "transfer_letter", _("案件移送函")
    ASSISTANCE_LETTER = "assistance_letter", _("协助调查函")
    MEETING_MINUTES = "meeting_minutes", _("会议纪要")


# 文种代字: the part of a document number after the department's short name (X教 + 责改 + 〔2026〕12号).
# JIANGUAN_DOCUMENT_KIND_CODES in the settings overrides any of them.
DEFAULT_KIND_CODES = {
    DocumentKind.INSPECTION_RECORD: "检录",
    DocumentKind.RECTIFICATION_NOTICE: "责改",
    DocumentKind.RECHECK_OPINION: "复查",
    DocumentKind.STOP_ORDER: "责停",
    DocumentKind.ON_SPOT_ORDER: "当改",
    DocumentKind.FILING_APPROVAL: "立",
    DocumentKind.NO_FILING: "不立",
    DocumentKind.PRESERVATION_NOTICE: "登存",
    DocumentKind.PRESERVATION_DECISION: "登处",
    DocumentKind.INVESTIGATION_REPORT: "调终",
    DocumentKind.LEGAL_REVIEW: "法审",
    DocumentKind.DISCUSSION: "讨",
    DocumentKind.PENALTY_NOTICE: "罚告",
    DocumentKind.HEARING_NOTICE: "听通",
    DocumentKind.HEARING_RECORD: "听录",
    DocumentKind.PENALTY_DECISION: "罚决",
    DocumentKind.NO_PENALTY_DECISION: "不罚",
    DocumentKind.SERVICE_RECEIPT: "送",
    DocumentKind.CLOSING_REPORT: "结",
    DocumentKind.TRANSFER_LETTER: "移",
    DocumentKind.ASSISTANCE_LETTER: "协查",
    DocumentKind.MEETING_MINUTES: "纪要",
}
