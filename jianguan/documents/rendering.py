"""Rendering a DocumentContent as PDF (WeasyPrint, A4, the CJK font embedded) and as DOCX (python-docx).

Two layouts. Enforcement documents (笔录, 通知书, 意见书) follow the 执法文书 forms of SAMR and the education
authorities: black only, the issuing body, the document's name as its title, the number at the top right; the issuing
bodies and the date at the lower right where the seals go; a 笔录 repeats its signature lines at the foot of every page.
The work briefing (style "official") follows GB/T 9704-2012: a 156 × 225 mm text block (top margin 37 mm, left 28 mm),
the issuing body in red above a red rule, the number under it. Both: A4, the title centred in bold, the recipient
flush left, body text in 3号 (16 pt) with 28 pt lines. The font family is a setting (JIANGUAN_DOCUMENT_FONT); Debian's fonts-noto-cjk
provides the default, and WeasyPrint embeds the subset it uses.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from docx import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from jianguan.documents.content import DocumentContent

RED = RGBColor(0xC0, 0x00, 0x00)


def font_family() -> str:
    return settings.JIANGUAN_DOCUMENT_FONT


def render_html(content: DocumentContent) -> str:
    # A CSS string inside <style>: backslash, quote and angle brackets escaped the CSS way (HTML escaping does not
    # apply in a style element).
    page_signatures = mark_safe(  # noqa: S308 (escaped for CSS here)
        "".join(f"\\{ord(c):x} " if c in '\\"<>&' else c for c in content.page_signatures.replace("\n", " "))
    )
    return render_to_string(
        "documents/document.html",
        {"doc": content, "font_family": font_family(), "page_signatures_css": page_signatures},
    )


def render_pdf(content: DocumentContent) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango, which only document rendering needs

    return HTML(string=render_html(content)).write_pdf()


def _set_font(run, size_pt: float, bold: bool = False, color: RGBColor | None = None) -> None:  # type: ignore[no-untyped-def]
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.name = font_family()
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font_family())
    if color is not None:
        run.font.color.rgb = color


def _paragraph(doc, text: str, size: float = 16, bold: bool = False, align=None, color=None, indent: bool = False):  # type: ignore[no-untyped-def]
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    p.paragraph_format.line_spacing = Pt(28)
    p.paragraph_format.space_after = Pt(0)
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    _set_font(p.add_run(text), size, bold, color)
    return p


def render_docx(content: DocumentContent) -> bytes:
    doc = DocxDocument()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    if content.style == "official":
        _paragraph(doc, content.issuer, 22, True, WD_ALIGN_PARAGRAPH.CENTER, RED)
        _paragraph(doc, content.number, 16, False, WD_ALIGN_PARAGRAPH.CENTER)
        _paragraph(doc, "", 8)
        _paragraph(doc, content.title, 22, True, WD_ALIGN_PARAGRAPH.CENTER)
    else:
        section.top_margin, section.bottom_margin = Mm(25), Mm(30)
        section.right_margin = Mm(25)
        _paragraph(doc, content.issuer, 18, True, WD_ALIGN_PARAGRAPH.CENTER)
        _paragraph(doc, content.title, 22, True, WD_ALIGN_PARAGRAPH.CENTER)
        _paragraph(doc, content.number, 14, False, WD_ALIGN_PARAGRAPH.RIGHT)
    if content.page_signatures:
        _set_font(section.footer.paragraphs[0].add_run(content.page_signatures), 11)
    if content.recipient:
        _paragraph(doc, content.recipient + "：")
    for part in content.sections:
        if part.heading:
            _paragraph(doc, part.heading, 16, True)
        for label, value in part.fields:
            _paragraph(doc, f"{label}：{value}")
        for text in part.paragraphs:
            _paragraph(doc, text, indent=True)
        if part.table is not None:
            table = doc.add_table(rows=1, cols=len(part.table.headers))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(table.rows[0].cells, part.table.headers, strict=True):
                _set_font(cell.paragraphs[0].add_run(text), 12, True)
            for row in part.table.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    _set_font(cell.paragraphs[0].add_run(text), 12)
    _paragraph(doc, "", 16)
    if content.sealed_by:
        _paragraph(doc, "　　".join(f"{body}（印章）" for body in content.sealed_by), align=WD_ALIGN_PARAGRAPH.RIGHT)
    if content.date_text:
        _paragraph(doc, content.date_text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for label, name in content.signatures:
        _paragraph(doc, f"{label}：{name}")
    for image in content.drawn_signatures:
        doc.add_picture(io.BytesIO(image.data), height=Mm(15))
        _paragraph(doc, f"{image.label} {image.caption}", 12)
    if content.footer:
        _paragraph(doc, content.footer, 12)
    if content.photos:
        doc.add_page_break()
        _paragraph(doc, content.photos_heading, 22, True, WD_ALIGN_PARAGRAPH.CENTER)
        _paragraph(doc, f"{content.number}　共 {len(content.photos)} 张", 12)
        for photo in content.photos:
            doc.add_picture(io.BytesIO(photo.data), width=Mm(140))
            _paragraph(doc, f"{photo.label}　{photo.caption}", 12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
