from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "jianguan.ledger"
    verbose_name = "整改台账"

    def ready(self) -> None:
        from jianguan.ledger import receivers  # noqa: F401 — connects to the inspections' signals
