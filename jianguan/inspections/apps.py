from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "jianguan.inspections"
    verbose_name = "联合检查"

    def ready(self) -> None:
        from jianguan.documents.models import register_source
        from jianguan.inspections.models import Evidence, Inspection, Signature
        from jianguan.lib import storedfiles

        register_source(Inspection)  # its 笔录 and 通知书 are seen by whoever may open the inspection
        storedfiles.register(Evidence)
        storedfiles.register(Signature)
