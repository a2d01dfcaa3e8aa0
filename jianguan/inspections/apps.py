from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "jianguan.inspections"
    verbose_name = "联合检查"
