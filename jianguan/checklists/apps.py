from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "jianguan.checklists"
    verbose_name = "检查表"
