from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from jianguan.accounts.scoping import get_visible_or_404
from jianguan.documents.models import Document
from jianguan.lib.storedfiles import verified_response

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@login_required
def document_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The PDF or DOCX of a document the user may see (the institution's scope); named by its number."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    document = get_visible_or_404(Document.objects.all(), request.user, pk=pk)
    name = f"{document.get_kind_display()}-{document.number}.{fmt}"
    return verified_response(
        getattr(document, fmt),
        getattr(document, f"{fmt}_sha256"),
        content_type=CONTENT_TYPES[fmt],
        filename=name,
        as_attachment=True,
    )
