from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jianguan.registry"
    verbose_name = "机构名录"
