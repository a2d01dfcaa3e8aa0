from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "jianguan.alerts"
    verbose_name = "预警"
