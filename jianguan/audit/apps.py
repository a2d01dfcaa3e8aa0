from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jianguan.audit"
    verbose_name = "审计"
