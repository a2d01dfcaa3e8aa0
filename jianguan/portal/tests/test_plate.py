"""The QR code opens the institution's public page; the A5 plate embeds the CJK font and a code that still decodes
once printed (rendered to an image)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
import zxingcpp
from django.core.cache import cache
from django.test import Client
from PIL import Image

from jianguan.portal import plate


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_qr_code_decodes_to_the_page_url(district):
    inst = district.institutions["a"]
    response = Client().get(f"/public/institutions/{inst.pk}/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml") and b"<script" not in response.content
    url = f"http://testserver/public/institutions/{inst.pk}/"
    assert _decode(Image.open(io.BytesIO(plate.qr_png(url)))) == [url]
    # The SVG served is the same code: its title carries the URL it encodes.
    assert url.encode() in response.content


def test_the_public_base_url_setting_wins(district, settings):
    settings.JIANGUAN_PUBLIC_BASE_URL = "https://jg.example.gov.cn/"
    inst = district.institutions["a"]
    body = Client().get(f"/public/institutions/{inst.pk}/qr.svg").content
    assert f"https://jg.example.gov.cn/public/institutions/{inst.pk}/".encode() in body


@pytest.mark.skipif(not shutil.which("pdftoppm") or not shutil.which("pdffonts"), reason="poppler-utils is missing")
def test_the_a5_plate_prints_a_code_that_decodes(district, tmp_path):
    inst = district.institutions["a"]
    response = Client().get(f"/public/institutions/{inst.pk}/plate.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "plate.pdf"
    pdf.write_bytes(response.content)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and "yes" in fonts  # embedded
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\n", info) and "419.528 x 595.276" in info  # one A5 page, in points
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert inst.name in text and "扫码" in text
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    url = f"http://testserver/public/institutions/{inst.pk}/"
    assert _decode(Image.open(tmp_path / "page.png")) == [url]


def test_no_personal_data_on_the_plate(district):
    from jianguan.registry.models import Institution

    inst = district.institutions["a"]
    Institution.objects.filter(pk=inst.pk).update(contact_phone="13912345678", legal_representative="法人秘密")
    html = plate.render_to_string(
        "portal/plate.html", {"inst": Institution.objects.get(pk=inst.pk), "url": "u", "qr": "", "today": None}
    )
    assert "13912345678" not in html and "法人秘密" not in html


def test_unknown_institution_and_rate_limit(district, settings):
    client = Client()
    assert client.get("/public/institutions/999999/qr.svg").status_code == 404
    assert client.get("/public/institutions/999999/plate.pdf").status_code == 404
    cache.clear()
    settings.JIANGUAN_PUBLIC_RATE_LIMIT = 1
    inst = district.institutions["a"]
    assert client.get(f"/public/institutions/{inst.pk}/qr.svg").status_code == 200
    assert client.get(f"/public/institutions/{inst.pk}/plate.pdf").status_code == 429
