from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "jianguan.fees"
    verbose_name = _("预收费监管")
