from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "jianguan.staff"
    verbose_name = _("从业人员")

    def ready(self) -> None:
        from jianguan.lib.protected import check_field_key

        checks.register(check_field_key, checks.Tags.security, deploy=True)
