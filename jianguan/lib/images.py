"""Photos uploaded as evidence: checked by their content (never by name or declared type), size-limited, hashed, with
their own capture time read from EXIF, and a small JPEG thumbnail."""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
THUMBNAIL_SIZE = (480, 480)
EXIF_DATETIME_ORIGINAL = 0x9003
EXIF_IFD = 0x8769


@dataclass
class Photo:
    data: bytes
    sha256: str
    content_type: str
    extension: str
    width: int
    height: int
    taken_at: datetime | None


_STRICT = threading.Lock()


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Pillow's truncation check on for this decode: WeasyPrint turns ImageFile.LOAD_TRUNCATED_IMAGES on for the
    whole process when it is imported, and a truncated upload would then decode "successfully" with grey rows."""
    with _STRICT:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def read_photo(upload: Any) -> Photo:
    """Validate an uploaded photo and describe it; raises ValidationError with a Chinese reason."""
    limit = settings.JIANGUAN_PHOTO_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(_("照片不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("照片不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)})
    if not data:
        raise ValidationError(_("照片是空文件。"))
    max_pixels = settings.JIANGUAN_IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                # Refused from the header, before a byte is decoded: a small file can declare a huge canvas.
                if width * height > max_pixels:
                    raise ValidationError(
                        _("照片像素过大（%(mp).0f 百万像素，上限 %(max).0f 百万），请用手机相机正常拍摄或缩小后再传。")
                        % {"mp": width * height / 1e6, "max": max_pixels / 1e6}
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image, _strict_decoding():
                image.load()  # decodes every byte: a truncated file fails here
                exif = image.getexif()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("照片像素过大（上限 %(max).0f 百万像素），请用手机相机正常拍摄或缩小后再传。") % {"max": max_pixels / 1e6}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning) as exc:
        raise ValidationError(_("文件不是有效的照片（只接受 JPEG、PNG、WebP 图片，或文件已损坏）。")) from exc
    if fmt not in FORMATS or not _complete(fmt, data):
        raise ValidationError(_("文件不是有效的照片（只接受 JPEG、PNG、WebP 图片，或文件已损坏）。"))
    content_type = FORMATS[fmt]
    return Photo(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=content_type,
        extension=EXTENSIONS[content_type],
        width=width,
        height=height,
        taken_at=_taken_at(exif),
    )


def _complete(fmt: str, data: bytes) -> bool:
    """Whether the file ends where its format says it ends. Pillow's own truncation check cannot be relied on:
    WeasyPrint sets the process-wide ImageFile.LOAD_TRUNCATED_IMAGES = True when it is imported."""
    if fmt == "JPEG":
        return data.rstrip(b"\x00").endswith(b"\xff\xd9")  # EOI marker (some cameras pad with zeros)
    if fmt == "PNG":
        return data.endswith(b"IEND\xaeB`\x82")  # the IEND chunk and its CRC
    if fmt == "WEBP":
        return len(data) >= 12 and int.from_bytes(data[4:8], "little") + 8 == len(data)  # RIFF size
    return False


def _taken_at(exif: Image.Exif) -> datetime | None:
    """The camera's DateTimeOriginal (local time, as phones record it), or None."""
    raw = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(0x0132)  # DateTime as a fallback
    if not raw:
        return None
    try:
        naive = datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return timezone.make_aware(naive)


def thumbnail(data: bytes) -> bytes:
    """A JPEG at most 480 px on its long side, turned upright as the camera held it. Reduced first (a JPEG is decoded
    at a fraction of its size), turned after: never a second full-size copy in memory."""
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail(THUMBNAIL_SIZE)
        small = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        small.convert("RGB").save(out, "JPEG", quality=80)
        return out.getvalue()


def read_photo_or_pdf(upload: Any) -> Photo:
    """A photo (as read_photo) or a PDF (a scanned certificate, a receipt): PDFs are recognised by their header and
    trailer, size-limited like photos; width, height and capture time are 0/None for them."""
    limit = settings.JIANGUAN_PHOTO_MAX_BYTES
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        return read_photo(upload)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("文件不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)})
    if b"%%EOF" not in data[-1024:]:
        raise ValidationError(_("PDF 文件不完整或已损坏。"))
    return Photo(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        content_type="application/pdf",
        extension="pdf",
        width=0,
        height=0,
        taken_at=None,
    )
