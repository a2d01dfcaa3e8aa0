from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jianguan.audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from jianguan.audit import freshness, hooks

        hooks.listen(freshness.touch)
