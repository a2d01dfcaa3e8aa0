from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    INSPECTION_RECORD = "inspection_record", _("现场检查笔录")
    RECTIFICATION_NOTICE = "rectification_notice", _("责令整改通知书")
    RECHECK_OPINION = "recheck_opinion", _("整改复查意见书")
    STOP_ORDER = "stop_order", _("责令停止通知书")
    ON_SPOT_ORDER = "on_spot_order", _("当场责令改正通知书")


# 文种代字: the part of a document number after the department's short name (X教 + 责改 + 〔2026〕12号).
# JIANGUAN_DOCUMENT_KIND_CODES in the settings overrides any of them.
DEFAULT_KIND_CODES = {
    DocumentKind.INSPECTION_RECORD: "检录",
    DocumentKind.RECTIFICATION_NOTICE: "责改",
    DocumentKind.RECHECK_OPINION: "复查",
    DocumentKind.STOP_ORDER: "责停",
    DocumentKind.ON_SPOT_ORDER: "当改",
}
