from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "jianguan.ledger"
    verbose_name = "整改台账"

    def ready(self) -> None:
        from jianguan.documents.models import register_source
        from jianguan.ledger import receivers  # noqa: F401 — connects to the inspections' signals
        from jianguan.ledger.models import Attachment, Recheck
        from jianguan.lib import storedfiles

        register_source(Recheck)  # its 整改复查意见书 is seen by whoever may see the ledger item
        storedfiles.register(Attachment)
