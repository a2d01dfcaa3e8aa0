from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "jianguan.meetings"
    verbose_name = _("联席会议")

    def ready(self) -> None:
        from jianguan.documents.models import register_source
        from jianguan.meetings import reminders  # noqa: F401 — connects to notifications.reminders.collect
        from jianguan.meetings.models import MeetingSession

        register_source(MeetingSession)  # the minutes: whoever may see the session (the meeting's members)
