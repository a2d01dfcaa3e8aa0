from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "jianguan.risk"
    verbose_name = "风险评级"

    def ready(self) -> None:
        from django.core import checks

        from jianguan.risk import receivers  # noqa: F401 — the rating follows the records it is computed from
        from jianguan.risk.scoring import check_settings

        checks.register(check_settings)
