"""Files the platform keeps as records (documents, evidence photos, attachments, complaint photos), each with the
SHA-256 recorded when it was stored: one registry of them, one verifier, and downloads that refuse a changed file.

Apps register their (model, file field, hash field) in their AppConfig.ready; nothing here imports an app.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import models
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger("jianguan.files")

CHUNK = 1024 * 1024


class StoredFile(models.Model):
    """What every file kept as a record has (abstract: no table of its own): a name the server chose (its SHA-256
    and the extension of its detected type), the type detected from its content, its size and SHA-256, and the
    capture time a photo carries. Subclasses add `file` (with their own folder) and what is theirs; apps register
    them (`register`) so `verify_audit --files` walks them, and serve them with `download`."""

    sha256 = models.CharField(gettext_lazy("SHA-256"), max_length=64)
    content_type = models.CharField(gettext_lazy("类型"), max_length=40)
    size = models.PositiveIntegerField(gettext_lazy("大小（字节）"))
    taken_at = models.DateTimeField(gettext_lazy("拍摄时间"), null=True, blank=True)

    class Meta:
        abstract = True

    def store(self, checked: Any) -> None:
        """Take a checked upload (lib.images.Photo: data, sha256, content_type, extension, taken_at); the file is
        written under the name the server chooses, and the row is left for the caller to save."""
        self.sha256, self.content_type = checked.sha256, checked.content_type
        self.size, self.taken_at = len(checked.data), checked.taken_at
        self.file.save(f"{checked.sha256}.{checked.extension}", ContentFile(checked.data), save=False)

    def download(self, *, filename: str = "", as_attachment: bool = False) -> HttpResponse:
        return verified_response(
            self.file, self.sha256, content_type=self.content_type, filename=filename, as_attachment=as_attachment
        )


@dataclass(frozen=True)
class StoredFileKind:
    model: type[models.Model]
    file_field: str
    hash_field: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.file_field}"


_KINDS: list[StoredFileKind] = []


def register(model: type[models.Model], file_field: str = "file", hash_field: str = "sha256") -> None:
    kind = StoredFileKind(model, file_field, hash_field)
    if kind not in _KINDS:
        _KINDS.append(kind)


def kinds() -> list[StoredFileKind]:
    return list(_KINDS)


def sha256_of(fieldfile: Any) -> str:
    """The SHA-256 of a stored file, read in chunks; raises OSError (FileNotFoundError) when it is gone."""
    digest = hashlib.sha256()
    with fieldfile.storage.open(fieldfile.name, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class FileProblem:
    kind: StoredFileKind
    pk: Any
    name: str
    problem: str  # "missing" or "changed"

    def __str__(self) -> str:
        what = _("文件缺失") if self.problem == "missing" else _("文件内容与登记的 SHA-256 不符")
        return f"{self.kind.label} #{self.pk} {self.name}：{what}"


def verify_all() -> Iterator[FileProblem]:
    """Every registered file against its recorded hash, kind by kind in primary-key order."""
    for kind in _KINDS:
        rows = kind.model.objects.exclude(**{kind.file_field: ""}).order_by("pk")
        for pk, name, expected in rows.values_list("pk", kind.file_field, kind.hash_field).iterator(chunk_size=500):
            fieldfile = getattr(kind.model(pk=pk, **{kind.file_field: name}), kind.file_field)
            try:
                actual = sha256_of(fieldfile)
            except OSError:
                yield FileProblem(kind, pk, name, "missing")
                continue
            if actual != expected:
                yield FileProblem(kind, pk, name, "changed")


def verified_response(
    fieldfile: Any, expected_sha256: str, *, content_type: str, filename: str = "", as_attachment: bool = False
) -> HttpResponse:
    """The file as a download, after checking it still has the hash recorded for it; a changed or missing file is
    refused (409, in Chinese) rather than served under a hash it no longer has."""
    try:
        actual = sha256_of(fieldfile)
    except OSError:
        actual = ""
    if actual != expected_sha256:
        logger.error("stored file %s does not match its recorded SHA-256 (%s)", fieldfile.name, actual or "missing")
        message = _("该文件已缺失或被改动，与登记时的 SHA-256 不符，已拒绝下载。请联系平台管理员从备份中恢复。")
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
    # An uploaded PDF is downloaded, never rendered in the platform's origin; whatever a file is, opened on its own it
    # runs in a sandbox with nothing allowed (a PDF's scripts, an SVG's, HTML sniffed from a "photo").
    response = FileResponse(
        fieldfile.storage.open(fieldfile.name, "rb"),
        as_attachment=as_attachment or content_type == "application/pdf",
        filename=filename or None,
    )
    response["Content-Type"] = content_type
    response["X-Content-SHA256"] = expected_sha256
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
