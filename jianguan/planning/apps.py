from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "jianguan.planning"
    verbose_name = _("年度方案与双随机抽查")

    def ready(self) -> None:
        from jianguan.inspections.services import TEAM_RULES
        from jianguan.planning.services import drawn_team_rule

        if drawn_team_rule not in TEAM_RULES:
            TEAM_RULES.append(drawn_team_rule)  # a 双随机 campaign's inspection goes out with the drawn team
