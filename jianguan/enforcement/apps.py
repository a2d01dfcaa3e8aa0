from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "jianguan.enforcement"
    verbose_name = _("行政处罚案件")

    def ready(self) -> None:
        from jianguan.documents.models import register_source
        from jianguan.enforcement import (
            receivers,  # noqa: F401 — a ledger referral opens its case
            reminders,  # noqa: F401 — connects to notifications.reminders.collect
        )
        from jianguan.enforcement.models import CaseStep

        register_source(CaseStep)  # a case's documents: whoever sees the step (the party only what is addressed to it)
