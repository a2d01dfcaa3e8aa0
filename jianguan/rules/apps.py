from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "jianguan.rules"
    verbose_name = _("行业规则检查")

    def ready(self) -> None:
        from jianguan.rules.limits import check_settings

        checks.register(check_settings)
