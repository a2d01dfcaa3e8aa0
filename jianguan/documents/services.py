"""Writes for official documents: taking a number, issuing a document and regenerating it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone

from jianguan.audit.services import audit_record
from jianguan.documents.choices import DEFAULT_KIND_CODES, DocumentKind
from jianguan.documents.content import DocumentContent
from jianguan.documents.models import Document, NumberSequence
from jianguan.documents.rendering import render_docx, render_pdf
from jianguan.org.models import Department


def kind_code(kind: str) -> str:
    """文种代字 of a document kind (责改, 检录 …), settings first."""
    overrides = getattr(settings, "JIANGUAN_DOCUMENT_KIND_CODES", {}) or {}
    return overrides.get(kind) or DEFAULT_KIND_CODES[DocumentKind(kind)]


def format_number(department: Department, kind: str, year: int, serial: int) -> str:
    """X教责改〔2026〕12号: department short name, kind code, the year in 六角括号, the serial without leading zeros."""
    return f"{department.short_name}{kind_code(kind)}〔{year}〕{serial}号"


def number_take(*, department: Department, kind: str, year: int) -> tuple[int, str]:
    """The next serial and number for the department, kind and year. Must run in the transaction that stores the
    document: the sequence row stays locked until it commits (so concurrent requests queue and get consecutive
    numbers), and a rollback gives the number back (so there are no gaps)."""
    if not connection.in_atomic_block:
        raise RuntimeError("number_take must run inside the transaction that stores the document")
    # get_or_create with select_for_update: the first number of a year inserts the row; a concurrent first insert
    # fails on the unique constraint and get_or_create then waits for and locks the winner's row.
    sequence, _created = NumberSequence.objects.select_for_update().get_or_create(
        department=department, kind=kind, year=year
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number, format_number(department, kind, year, sequence.last_number)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def document_issue(
    *,
    actor: Any,
    kind: str,
    department: Department,
    source: models.Model,
    institution: Any,
    build: Callable[[str], DocumentContent],
    issued_at: datetime | None = None,
) -> Document:
    """Issue the document of this kind for `source` (an inspection, a recheck …) by `department`, or regenerate it if
    it exists.

    `build(number)` returns the content with that number in it. The caller's service checks who may issue; this
    one numbers, renders PDF and DOCX, stores them with their SHA-256 and audits, all in the caller's transaction.
    A regenerated document keeps its number, department and year. `issued_at` is when it was handed over, for a
    record entered afterwards (补录); its year is the number's year.
    """
    source_type, source_id = source._meta.label_lower, str(source.pk)
    document = (
        Document.objects.select_for_update()
        .filter(source_type=source_type, source_id=source_id, kind=kind, department=department)
        .first()
    )
    creating = document is None
    if creating:
        issued_at = issued_at or timezone.now()
        year = timezone.localtime(issued_at).year
        serial, number = number_take(department=department, kind=kind, year=year)
        document = Document(
            kind=kind,
            department=department,
            year=year,
            serial=serial,
            number=number,
            institution_id=getattr(institution, "pk", institution),
            source_type=source_type,
            source_id=source_id,
            issued_by=actor if getattr(actor, "pk", None) else None,
            issued_at=issued_at,
        )
    content = build(document.number)
    pdf, docx = render_pdf(content), render_docx(content)
    before = None if creating else {"pdf_sha256": document.pdf_sha256, "docx_sha256": document.docx_sha256}
    document.title = content.title
    # Each version gets its own file name (by content hash) and earlier versions stay on disk: a rolled-back
    # regeneration never touches the files the committed row points to, and every hash in the audit trail keeps
    # its file.
    stem = f"{document.kind}-{document.year}-{document.serial}"
    for field, data in (("pdf", pdf), ("docx", docx)):
        digest = _sha256(data)
        getattr(document, field).save(f"{stem}-{digest[:12]}.{field}", ContentFile(data), save=False)
        setattr(document, f"{field}_sha256", digest)
    if not creating:
        document.regenerated_at = timezone.now()
    document.save()
    audit_record(
        actor=actor,
        action="document.issue" if creating else "document.regenerate",
        obj=document,
        before=before,
        after={"number": document.number, "pdf_sha256": document.pdf_sha256, "docx_sha256": document.docx_sha256},
        institution=document.institution_id,
    )
    return document
