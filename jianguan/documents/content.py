"""What an official document says, independent of its format: PDF and DOCX are both rendered from one DocumentContent,
so the two files of a document never say different things."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

HANZI_DIGITS = "〇一二三四五六七八九"


def chinese_date(day: date, style: str = "arabic") -> str:
    """2026年11月26日 (GB/T 9704-2012: 成文日期 in Arabic numerals) or 二〇二六年十一月二十六日 (style="hanzi", the
    older 1999 rule many offices still print)."""
    if style != "hanzi":
        return f"{day.year}年{day.month}月{day.day}日"

    def small(n: int) -> str:
        tens, ones = divmod(n, 10)
        if tens == 0:
            return HANZI_DIGITS[ones]
        return ("" if tens == 1 else HANZI_DIGITS[tens]) + "十" + (HANZI_DIGITS[ones] if ones else "")

    year = "".join(HANZI_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{small(day.month)}月{small(day.day)}日"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[int] = field(default_factory=list)  # relative column widths


@dataclass
class Section:
    """A heading (optional) followed by paragraphs and/or a table, or label–value lines (字段: 内容)."""

    heading: str = ""
    paragraphs: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    table: Table | None = None


@dataclass
class Image:
    """A picture in a document: a signature drawn on the screen (beside its signer) or a numbered photo on the
    appended 现场照片 pages (with the caption that ties it to the record)."""

    data: bytes
    content_type: str  # image/png or image/jpeg
    label: str = ""  # the signer's role, or the photo's number
    caption: str = ""  # the signer's name, or the photo's time, hash prefix and the item it proves

    @property
    def data_uri(self) -> str:
        import base64

        return f"data:{self.content_type};base64,{base64.b64encode(self.data).decode()}"


@dataclass
class DocumentContent:
    issuer: str  # 发文机关 (the body that issues and seals it)
    title: str  # 责令整改通知书
    number: str  # X教责改〔2026〕12号
    recipient: str = ""  # 主送: the party (当事人), followed by a colon
    sections: list[Section] = field(default_factory=list)
    signatures: list[tuple[str, str]] = field(default_factory=list)  # (label, name or "拒绝签字（见证人：…）")
    seal_text: str = ""  # the issuing body as printed above the date, where the seal goes
    date: date | None = None
    date_style: str = ""  # "arabic" or "hanzi"; empty: the JIANGUAN_DOCUMENT_DATE_STYLE setting
    footer: str = ""  # 抄送 / 本文书一式两份 … (small print at the end)
    drawn_signatures: list[Image] = field(default_factory=list)  # printed under the signature lines
    photos: list[Image] = field(default_factory=list)  # appended as 现场照片 pages, numbered
    photos_heading: str = "现场照片"
    # "enforcement": the 执法文书 forms (black; the issuing body, the document's name as title, the number at the top
    # right); "official": a 公文 after GB/T 9704 (the issuing body in red over a red rule), for the work briefing.
    style: str = "enforcement"
    seals: list[str] = field(default_factory=list)  # several issuing bodies (a joint notice): each signs and seals
    page_signatures: str = ""  # printed at the foot of every page (the 笔录's signature lines)

    @property
    def sealed_by(self) -> list[str]:
        return self.seals or ([self.seal_text] if self.seal_text else [])

    @property
    def date_text(self) -> str:
        from django.conf import settings

        style = self.date_style or settings.JIANGUAN_DOCUMENT_DATE_STYLE
        return chinese_date(self.date, style) if self.date else ""
