from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "jianguan.portal"
    verbose_name = "公众查询"
