from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district: its loader calls every app's own demo part, so it sits at the top of the import graph."""

    name = "jianguan.demo"
    verbose_name = "演示数据"
