from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "jianguan.reports"
    verbose_name = "统计"
