"""Uploaded photos: a huge canvas refused from its header, a truncated file refused whatever WeasyPrint set."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from jianguan.lib.images import read_photo, thumbnail


def _upload(data: bytes, name: str = "p.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "image/jpeg")


def _png_header(width: int, height: int) -> bytes:
    """A tiny PNG that declares a canvas of width × height (a decompression bomb's first bytes)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_canvas_over_the_pixel_limit_is_refused_before_decoding(settings):
    settings.JIANGUAN_IMAGE_MAX_PIXELS = 48_000_000
    started = time.monotonic()
    with pytest.raises(ValidationError, match="像素过大"):
        read_photo(_upload(_png_header(20_000, 20_000), "bomb.png"))  # Pillow's own bomb check fires first
    with pytest.raises(ValidationError, match="像素过大（64 百万像素，上限 48 百万）"):
        read_photo(_upload(_png_header(8_000, 8_000), "big.png"))  # under Pillow's, over the platform's
    assert time.monotonic() - started < 1


def test_a_truncated_image_is_refused_even_with_weasyprints_global_on():
    import weasyprint  # noqa: F401 — importing it turns LOAD_TRUNCATED_IMAGES on for the whole process

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    out = io.BytesIO()
    Image.effect_noise((640, 480), 60).convert("RGB").save(out, "PNG")
    whole = out.getvalue()
    # The image data cut short, the file still ending with a proper IEND chunk: only decoding every row finds it.
    idat = whole.index(b"IDAT") - 4
    length = struct.unpack(">I", whole[idat : idat + 4])[0]
    half = whole[idat + 8 : idat + 8 + length // 2]
    cut = whole[:idat] + struct.pack(">I", len(half)) + b"IDAT" + half
    cut += struct.pack(">I", zlib.crc32(b"IDAT" + half)) + whole[whole.index(b"IEND") - 4 :]
    assert read_photo(_upload(whole, "p.png")).width == 640
    with pytest.raises(ValidationError, match="不是有效的照片"):
        read_photo(_upload(cut, "cut.png"))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # WeasyPrint's setting is left as it was


def test_the_thumbnail_is_upright_and_small():
    out = io.BytesIO()
    image = Image.new("RGB", (1200, 600), (10, 20, 30))
    exif = image.getexif()
    exif[0x0112] = 6  # rotated 90° clockwise by the camera
    image.save(out, "JPEG", exif=exif)
    with Image.open(io.BytesIO(thumbnail(out.getvalue()))) as small:
        assert small.size == (240, 480)
