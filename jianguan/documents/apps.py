from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "jianguan.documents"
    verbose_name = "执法文书"

    def ready(self) -> None:
        from jianguan.documents.models import Document
        from jianguan.lib import storedfiles

        storedfiles.register(Document, "pdf", "pdf_sha256")
        storedfiles.register(Document, "docx", "docx_sha256")
