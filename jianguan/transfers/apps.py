from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "jianguan.transfers"
    verbose_name = _("移送协查与信息共享")

    def ready(self) -> None:
        from jianguan.documents.models import register_source
        from jianguan.transfers import reminders  # noqa: F401 — connects to notifications.reminders.collect
        from jianguan.transfers.models import Transfer

        register_source(Transfer)  # a transfer's letters: whoever sees the transfer (both units, district-wide roles)
