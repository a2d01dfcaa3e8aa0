from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "jianguan.documents"
    verbose_name = "执法文书"
