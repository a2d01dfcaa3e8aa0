from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jianguan.registry"
    verbose_name = "机构名录"

    def ready(self) -> None:
        from jianguan.lib import storedfiles
        from jianguan.registry.models import Licence

        storedfiles.register(Licence, "scan", "scan_sha256")
