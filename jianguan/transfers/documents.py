"""What a transfer's letters say: the 案件移送函 and the 协助调查函, one DocumentContent each, rendered to PDF and DOCX
by `documents` under the sending department's number. The legal basis is quoted from the texts as checked in the
LawRefBook/Laws mirror (行政处罚法 2021 第十七条、第二十六条、第二十七条; 国务院令第310号 第三条; 市场监督管理行政处罚程序
规定 第十七条 for a market regulator as the sender)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from jianguan.documents.content import DocumentContent, Section, chinese_date
from jianguan.org.choices import DepartmentKind
from jianguan.transfers.choices import TransferKind

COMPETENCE = "《中华人民共和国行政处罚法》第十七条“行政处罚由具有行政处罚权的行政机关在法定职权范围内实施”"
SAMR_TRANSFER = (
    "《市场监督管理行政处罚程序规定》第十七条第一款“市场监督管理部门发现立案查处的案件属于其他行政管理部门管辖的，"
    "应当及时依法移送其他有关部门”"
)
CRIME = (
    "《中华人民共和国行政处罚法》第二十七条第一款“违法行为涉嫌犯罪的，行政机关应当及时将案件移送司法机关，依法追究刑事"
    "责任”和《行政执法机关移送涉嫌犯罪案件的规定》第三条"
)
ASSISTANCE = (
    "《中华人民共和国行政处罚法》第二十六条“行政机关因实施行政处罚的需要，可以向有关机关提出协助请求。协助事项属于被请求"
    "机关职权范围内的，应当依法予以协助”"
)


def legal_basis(transfer: Any) -> str:
    """The provisions the letter rests on, as the letter quotes them."""
    if transfer.kind == TransferKind.ASSISTANCE:
        return ASSISTANCE
    if transfer.suspected_crime:
        return CRIME
    sender = transfer.sender_department
    if sender is not None and sender.kind == DepartmentKind.MARKET_REGULATION:
        return f"{COMPETENCE}和{SAMR_TRANSFER}"
    return COMPETENCE


def _sentence(text: str) -> str:
    text = (text or "").strip().rstrip("。；;.，, ")
    return f"{text}。" if text else ""


def _links(transfer: Any) -> list[tuple[str, str]]:
    """What the letter is about, as the receiver needs it: the institution's public particulars and the numbers of the
    records it comes from (never a complainant's identity)."""
    fields: list[tuple[str, str]] = []
    institution = transfer.institution
    if institution is not None:
        fields.append(("当事人（机构）", institution.name))
        if institution.address:
            fields.append(("地址", institution.address))
        if institution.credit_code:
            fields.append(("统一社会信用代码", institution.credit_code))
    if transfer.category:
        fields.append(("问题类别", str(transfer.get_category_display())))
    sources = []
    if transfer.ledger_item_id:
        sources.append(f"整改台账事项（{transfer.ledger_item.found_on:%Y-%m-%d} 检查发现）")
    if transfer.complaint_id:
        sources.append(f"投诉举报 {transfer.complaint.number or transfer.complaint_id}")
    if transfer.case_id:
        sources.append(f"行政处罚案件（{transfer.case.department.name}）")
    if sources:
        fields.append(("来源", "；".join(sources)))
    return fields


def transfer_letter(transfer: Any, number: str) -> DocumentContent:
    """案件移送函 (or, for a suspected crime, the same letter to the public security organ under 国务院令第310号)."""
    receiver = transfer.receiver_department.name
    due = chinese_date(transfer.reply_due)
    days = settings.JIANGUAN_TRANSFER_REPLY_WORKING_DAYS
    if transfer.suspected_crime:
        opening = (
            f"我单位在依法查处违法行为过程中，发现{transfer.subject}，违法事实涉嫌构成犯罪，依法需要追究刑事责任。"
        )
        ask = "现将案件移送你单位依法审查，请在回执上签字，并将立案或者不予立案的决定书面告知我单位。"
    else:
        opening = f"我单位在工作中发现{transfer.subject}，该事项依法属于你单位职权范围。"
        ask = "现将案件线索及有关材料移送你单位依法处理。"
    body = [
        opening,
        f"依据{legal_basis(transfer)}的规定，{ask}",
        f"请于收到本函之日起 {days} 个工作日内（{due}前）告知是否接收；不予接收的，请说明理由。"
        "接收后请将处理结果反馈我单位。",
    ]
    return _content(transfer, number, "案件移送函", receiver, body, "移送事项")


def assistance_letter(transfer: Any, number: str) -> DocumentContent:
    """协助调查函: the matters to be investigated, and the provision that obliges the receiver within its powers."""
    receiver = transfer.receiver.name
    due = chinese_date(transfer.reply_due)
    body = [
        f"我单位因实施行政处罚的需要，在办理{transfer.subject}过程中，需要你单位协助调查有关事项。",
        f"依据{ASSISTANCE}的规定，请你单位对下列事项予以协助，并于 {due}前答复是否予以协助；"
        "协助事项不属于你单位职权范围的，请说明理由。协助调查完成后请将结果函告我单位。",
    ]
    return _content(transfer, number, "协助调查函", receiver, body, "协助调查事项")


def _content(
    transfer: Any, number: str, title: str, receiver: str, body: list[str], request_label: str
) -> DocumentContent:
    sender = transfer.sender_department.name
    fields = [*_links(transfer), ("基本情况", _sentence(transfer.facts))]
    if transfer.request:
        fields.append((request_label, _sentence(transfer.request)))
    contact = transfer.created_by
    fields.append(("联系人", f"{contact.name}{'（' + contact.phone + '）' if contact.phone else ''}"))
    return DocumentContent(
        issuer=sender, title=title, number=number, recipient=receiver,
        sections=[Section(paragraphs=body), Section(fields=fields)],
        seal_text=sender, date=timezone.localtime(transfer.sent_at).date(),
    )  # fmt: skip


BUILDERS = {TransferKind.TRANSFER: transfer_letter, TransferKind.ASSISTANCE: assistance_letter}
