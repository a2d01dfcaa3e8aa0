from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "jianguan.staff"
    verbose_name = _("从业人员")
