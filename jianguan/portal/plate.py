"""The QR code that opens an institution's public page, and the A5 plate for its door (门牌公示码).

The code holds the page's absolute address: JIANGUAN_PUBLIC_BASE_URL when set (the address parents reach, which is
not always the one staff use on the intranet), else the address of the request that asked for it. The plate shows
only facts that do not go stale (name, kind, credit code, address); status, licences and inspections are read live
when the code is scanned."""

from __future__ import annotations

import base64
import io

import segno
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from jianguan.org.choices import RegionLevel
from jianguan.org.models import Region
from jianguan.registry.models import Institution


def page_url(request: HttpRequest, institution: Institution) -> str:
    path = reverse("portal:institution", args=[institution.pk])
    if base := settings.JIANGUAN_PUBLIC_BASE_URL.rstrip("/"):
        return base + path
    return request.build_absolute_uri(path)


def qr(url: str) -> segno.QRCode:
    # Level M survives a scuffed or partly covered print; the version follows the URL's length.
    return segno.make_qr(url, error="m", boost_error=True)


def qr_svg(url: str) -> bytes:
    out = io.BytesIO()
    qr(url).save(out, kind="svg", scale=8, border=4, xmldecl=True, svgns=True, title=url)
    return out.getvalue()


def qr_png(url: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    qr(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def district_name() -> str:
    region = Region.objects.filter(level=RegionLevel.DISTRICT, is_active=True).order_by("pk").first()
    return region.name if region else ""


def plate_pdf(institution: Institution, url: str) -> bytes:
    """A5 portrait, the QR code 90 mm wide in the middle, the CJK font embedded."""
    from weasyprint import HTML  # loads pango; only documents need it

    svg = base64.b64encode(qr_svg(url)).decode()
    html = render_to_string(
        "portal/plate.html",
        {
            "inst": institution,
            "url": url,
            "qr": f"data:image/svg+xml;base64,{svg}",
            "district": district_name(),
            "today": timezone.localdate(),
            "font_family": settings.JIANGUAN_DOCUMENT_FONT,
        },
    )
    return HTML(string=html).write_pdf()
