from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "jianguan.complaints"
    verbose_name = _("投诉举报")

    def ready(self) -> None:
        from jianguan.complaints import reminders  # noqa: F401 — connects to notifications.reminders.collect
        from jianguan.complaints.models import ComplaintPhoto
        from jianguan.lib import storedfiles

        storedfiles.register(ComplaintPhoto)
