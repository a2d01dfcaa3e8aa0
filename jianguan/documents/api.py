"""Issued documents over the API: number, kind, hashes and download links, within the caller's scope."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from jianguan.accounts.scoping import get_visible_or_404
from jianguan.documents.choices import DocumentKind
from jianguan.documents.models import Document
from jianguan.lib.api import UPDATED_SINCE_HELP, PageOut, changed_since, choice_filter, page, responses

router = Router(tags=["documents"])


class DocumentOut(Schema):
    id: int
    kind: str
    number: str
    title: str
    department_id: int
    institution_id: int | None
    source_type: str
    source_id: str
    issued_at: datetime
    regenerated_at: datetime | None
    pdf_sha256: str
    docx_sha256: str
    pdf_url: str
    docx_url: str
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class DocumentPage(PageOut):
    items: list[DocumentOut]


def document_out(document: Document) -> dict:
    return {
        **{f: getattr(document, f) for f in DocumentOut.model_fields if not f.endswith("_url")},
        "department_id": document.department_id,
        "institution_id": document.institution_id,
        "pdf_url": reverse("documents:download", args=[document.pk, "pdf"]),
        "docx_url": reverse("documents:download", args=[document.pk, "docx"]),
    }


@router.get("", response=responses(DocumentPage), summary="文书列表（权限范围内）")
def document_list(
    request: HttpRequest,
    kind: choice_filter(DocumentKind.choices) | None = None,  # type: ignore[valid-type]
    institution_id: int | None = Query(None, ge=1, le=2_147_483_647),
    updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    limit: int = Query(50, ge=1, le=200),
) -> dict:
    qs = Document.objects.visible_to(request.user)
    if kind:
        qs = qs.filter(kind=kind)
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    qs = changed_since(qs, updated_since)
    return {**page(request, qs.count(), offset, limit), "items": [document_out(d) for d in qs[offset : offset + limit]]}


@router.get("/{document_id}", response=responses(DocumentOut), summary="文书详情（文号、SHA-256、下载地址）")
def document_detail(request: HttpRequest, document_id: int) -> dict:
    return document_out(get_visible_or_404(Document.objects.all(), request.user, pk=document_id))
