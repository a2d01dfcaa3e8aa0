"""What the inspection's documents say, as DocumentContent for documents.rendering: the joint 现场检查笔录 (the on-site
record) and the orders (责令整改通知书, 责令停止…通知书, 当场责令改正通知书) of each competent department. Fields after
../shared/docs/domain.md: the record's head (institution, the person present, inspectors with certificate numbers,
the recorder, time, place, certificates shown, the recusal question as answered), body (what was found) and tail
(signatures, or 拒绝签字 with a witness; "核对无误" only when the party signed); the order's number, party, each
problem with the rule broken, the provision the order rests on and the remedy with its date, the consequence, the
复议 body and the court with their limits, the officers, the issuing bodies' seals and the receipt."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from jianguan.checklists.choices import REFERRED_REMEDIES, Remedy
from jianguan.documents.content import DocumentContent, Image, Section, Table, chinese_date
from jianguan.inspections.models import Finding, Inspection, InspectionOfficer
from jianguan.org.models import Department

RECORD_RIGHTS = "执法人员{shown}向当事人出示执法证件，表明身份，告知当事人依法享有陈述、申辩和申请回避的权利。"
RECUSAL_QUESTION = "问：你是否申请执法人员回避？"
PAGE_SIGNATURES = "检查人员（签名）：________________　　当事人（签名）：________________"
OUTCOME_TEXT = {"pass": "合格", "fail": "不合格", "na": "不适用"}


def _local(value) -> str:  # type: ignore[no-untyped-def]
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{chinese_date(local.date())} {local:%H:%M}"


def _team(officers: Iterable[InspectionOfficer]) -> str:
    return "；".join(f"{o.user.name}（{o.department.name}，执法证号 {o.certificate_number}）" for o in officers)


def _signature(inspection: Inspection) -> str:
    if inspection.signature_refused:
        return f"拒绝签字（见证人：{inspection.witness_name}）"
    return inspection.representative_name


def _departments(officers: Iterable[InspectionOfficer]) -> list[Department]:
    return list({o.department_id: o.department for o in officers}.values())


def _recusal_answer(inspection: Inspection) -> str:
    if inspection.recusal_requested is None:
        return "答：（未记录）"  # an inspection completed before the question was on the form
    if inspection.recusal_requested:
        return f"答：申请回避。{inspection.recusal_note}"
    return "答：不申请回避。"


def _record_footer(inspection: Inspection, photos: int) -> str:
    if inspection.signature_refused:
        checked = f"当事人拒绝签字，见证人{inspection.witness_name}在场见证。"
    else:
        checked = "以上笔录经当事人核对无误。"
    return checked + (f"附现场照片 {photos} 张。" if photos else "")


def record_content(inspection: Inspection, number: str) -> DocumentContent:
    institution = inspection.institution
    results = {r.item_id: r for r in inspection.results.all()}
    rows = []
    for item in inspection.checklist_version.items.all():
        result = results.get(item.pk)
        outcome = OUTCOME_TEXT.get(result.outcome, "") if result else "未检查"
        if result and result.fixed_on_site:
            outcome += "（当场整改）"
        rows.append([str(item.order), item.get_category_display(), item.text, outcome, result.note if result else ""])
    officers = list(inspection.officers.select_related("user", "department"))
    photos = _photos(inspection)
    findings = list(inspection.findings.all())
    found = [
        f"{n}. 【{f.get_category_display()}】{f.description}" + ("（已当场整改）" if f.fixed_on_site else "")
        for n, f in enumerate(findings, start=1)
    ] or ["未发现问题。"]
    present = (
        f"拒绝签字（见证人：{inspection.witness_name}）"
        if inspection.signature_refused
        else inspection.representative_name
    )
    return DocumentContent(
        issuer="、".join(d.name for d in _departments(officers)) or inspection.lead_department.name,
        title="现场检查笔录",
        number=number,
        sections=[
            Section(
                fields=[
                    ("检查对象", institution.name),
                    ("统一社会信用代码", institution.credit_code or "无（未登记）"),
                    ("地址", institution.address or "—"),
                    ("法定代表人/负责人", institution.legal_representative or "—"),
                    ("在场负责人", present or "—"),
                    ("检查时间", f"{_local(inspection.started_at)} 至 {_local(inspection.completed_at)}"),
                    ("检查地点", inspection.place or institution.address or "—"),
                    ("检查人员", _team(officers)),
                    ("记录人", inspection.recorder.name if inspection.recorder_id else "—"),
                    (
                        "检查依据",
                        f"{inspection.checklist_version.checklist.name}（第 {inspection.checklist_version.number} 版）",
                    ),
                ]
            ),
            Section(
                paragraphs=[
                    RECORD_RIGHTS.format(shown="已" if inspection.certificates_shown is not False else "未"),
                    RECUSAL_QUESTION,
                    _recusal_answer(inspection),
                ]
            ),
            Section(
                heading="检查情况",
                paragraphs=[inspection.summary] if inspection.summary else [],
                table=Table(["序号", "类别", "检查内容", "结果", "说明"], rows, widths=[8, 13, 45, 16, 18]),
            ),
            Section(heading="发现的问题", paragraphs=found),
        ],
        signatures=[
            ("检查人员（签名）", "、".join(o.user.name for o in officers)),
            ("当事人/现场负责人（签名）", _signature(inspection)),
        ],  # fmt: skip
        date=timezone.localtime(inspection.completed_at).date() if inspection.completed_at else None,
        footer=_record_footer(inspection, len(photos)),
        drawn_signatures=_drawn(inspection),
        photos=photos,
        page_signatures=PAGE_SIGNATURES,
    )


def _drawn(inspection: Inspection) -> list[Image]:
    """The signatures drawn on the screen, each under its role and name."""
    return [
        Image(s.file.open("rb").read(), "image/png", s.get_role_display(), s.name) for s in inspection.signatures.all()
    ]


PHOTO_LONG_SIDE = 1200  # in the document; the stored original keeps its full size and hash


def _photos(inspection: Inspection) -> list[Image]:
    """Every photo of the inspection, numbered, each with when it was taken (or uploaded), the first 12 characters
    of its SHA-256 (the stored original's) and what it proves: a checklist item or a problem."""
    from PIL import Image as Pillow

    images = []
    evidence = inspection.evidence.select_related("item_result__item", "finding").order_by("uploaded_at", "pk")
    for n, photo in enumerate(evidence, start=1):
        with photo.file.open("rb") as f, Pillow.open(f) as picture:
            picture = picture.convert("RGB")
            picture.thumbnail((PHOTO_LONG_SIDE, PHOTO_LONG_SIDE))
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=80)
        when = _local(photo.taken_at) + "（拍摄）" if photo.taken_at else _local(photo.uploaded_at) + "（上传）"
        if photo.item_result_id:
            proves = f"检查项 {photo.item_result.item.order}. {photo.item_result.item.text}"
        elif photo.finding_id:
            proves = f"问题：{photo.finding.description}"
        else:
            proves = photo.caption or "现场"
        caption = f"{when}　SHA-256 {photo.sha256[:12]}　证明：{proves}"
        images.append(Image(out.getvalue(), "image/jpeg", f"照片{n}", caption))
    return images


def review_body(department: Department) -> str:
    """Where the party applies for 行政复议 against this department's order."""
    return department.review_body or settings.JIANGUAN_REVIEW_BODY or f"{_district()}人民政府"


def court() -> str:
    return settings.JIANGUAN_COURT or f"{_district()}人民法院"


def _district() -> str:
    from jianguan.org.choices import RegionLevel
    from jianguan.org.models import Region

    district = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("pk").first()
    return district.name if district else "本区"


def remedies_text(departments: list[Department], what: str = "通知") -> str:
    """The party's remedies against an order (or a decision: `what`), with the named bodies and both time limits
    (行政复议法 第二十条: sixty days; 行政诉讼法 第四十六条: six months)."""
    bodies = list(dict.fromkeys(review_body(d) for d in departments))
    return (
        f"如不服本{what}，可以自收到本{what}书之日起六十日内向{'或'.join(bodies)}申请行政复议，"
        f"也可以自收到本{what}书之日起六个月内依法向{court()}提起行政诉讼。"
    )


def _deadline_text(f: Finding) -> str:
    if f.remedy == Remedy.DEADLINE:
        return f"限期改正：{chinese_date(f.deadline)}前" if f.deadline else "限期改正"
    if f.remedy in REFERRED_REMEDIES or not f.deadline:
        return f"{f.get_remedy_display()}（立即执行）"
    return f"{f.get_remedy_display()}（立即执行，{chinese_date(f.deadline)}前书面报告）"


def _consequences(findings: list[Finding]) -> str:
    provisions = [f"第{n}项，{f.penalty_basis}" for n, f in enumerate(findings, start=1) if f.penalty_basis]
    if not provisions:
        return "逾期不改正的，将依法予以处理。"
    return "违法行为的法律后果：" + "；".join(provisions) + "。"


def _receipt(inspection: Inspection, issued_on: date) -> list[tuple[str, str]]:
    """签收: the party's name and the date received on the spot, or the service record when it refused."""
    if inspection.signature_refused:
        return [
            (
                "送达情况",
                f"当事人拒绝签收。执法人员于{chinese_date(issued_on)}在检查现场送达，"
                f"由见证人{inspection.witness_name}见证，将本通知书留置送达。",
            )
        ]
    return [("当事人签收", inspection.representative_name), ("签收日期", chinese_date(issued_on))]


def _issuers(order: Any) -> str:
    return "、".join(d.name for d in order.departments)


def _order_content(
    inspection: Inspection,
    order: Any,
    number: str,
    issued_on: date,
    *,
    title: str,
    found: str,
    table: Table,
    paragraphs: list[str],
) -> DocumentContent:
    """What every order of an inspection carries around its own table and wording: the issuing departments, the
    party, when and by whom it was inspected, the remedies against the order, the team's officers (and who issued
    it afterwards, if so), the receipt or service record, and each issuing department's seal."""
    inspected = chinese_date(timezone.localtime(inspection.started_at).date())
    return DocumentContent(
        issuer=_issuers(order),
        title=title,
        number=number,
        recipient=inspection.institution.name,
        sections=[
            Section(paragraphs=[f"{inspected}，{_issuers(order)}执法人员{found}"]),
            Section(table=table),
            Section(paragraphs=[*paragraphs, remedies_text(order.departments)]),
            Section(fields=[("执法人员", _team(_all_officers(inspection))), *_issuer(order)]),
        ],
        # Issued afterwards from the record: the party signs for it when it is delivered.
        signatures=_receipt(inspection, issued_on) if not order.issuer else [("当事人签收", ""), ("签收日期", "")],
        seals=[d.name for d in order.departments],
        date=issued_on,
    )


def notice_content(inspection: Inspection, order: Any, number: str, issued_on: date) -> DocumentContent:
    """责令整改通知书 (or 责令停止…通知书) for one order of services.planned_orders: each problem with the rule broken,
    the provision the order rests on, the remedy and its date; what happens when it is ignored; where to appeal;
    the officers and their certificates; the receipt."""
    findings = order.findings
    joint = len(order.departments) > 1
    rows = []
    for n, f in enumerate(findings, start=1):
        problem = f.description + (f"。改正要求：{f.requirement}" if f.requirement else "")
        row = [str(n), problem, f.legal_basis or "—", f.order_basis or "—", _deadline_text(f)]
        rows.append(row[:2] + [f.department.name] + row[2:] if joint else row)
    headers = ["序号", "问题及改正要求", "违反的规定", "责令改正的依据", "改正方式及期限"]
    widths = [7, 35, 20, 20, 18]
    if joint:
        headers, widths = headers[:2] + ["主管部门"] + headers[2:], [6, 28, 13, 18, 18, 17]
    if order.kind == "stop_order":
        title = findings[0].get_remedy_display() + "通知书"
        referred = any(f.remedy in REFERRED_REMEDIES for f in findings)
        order_text = "现责令你单位自收到本通知书之日起立即停止上述违法行为，并按改正要求妥善处理（含退还所收费用）" + (
            "。你单位的违法行为将依法立案查处。"
            if referred
            else "，于上表所列日期前将执行情况书面报告我单位，并接受复查。"
        )
    else:
        title = "责令整改通知书"
        order_text = (
            "现责令你单位按上表所列方式和期限改正：立即改正的，自收到本通知书之日起改正，并于所列日期前书面报告改正情况；"
            "限期改正的，于所列日期前改正完毕并书面报告。我单位将进行复查。"
        )
    return _order_content(
        inspection, order, number, issued_on, title=title,
        found=f"对你单位（地址：{inspection.institution.address or '—'}）进行检查，发现你单位存在下列问题（见现场检查笔录）：",
        table=Table(headers, rows, widths=widths), paragraphs=[order_text, _consequences(findings)],
    )  # fmt: skip


def _issuer(order: Any) -> list[tuple[str, str]]:
    """An order issued afterwards by its department's officer, from the record: who issued it."""
    user = order.issuer
    if user is None:
        return []
    profile = getattr(user, "officer_profile", None)
    number = profile.certificate_number if profile else "—"
    return [("制发人员", f"{user.name}（{user.department.name}，执法证号 {number}），依据现场检查笔录制发")]


def _all_officers(inspection: Inspection) -> list[InspectionOfficer]:
    """The joint team that inspected (at least two certified officers, 第四十二条), each with their department and
    certificate; the order goes out only where the competent department had one of them (services.planned_orders)."""
    return list(inspection.officers.select_related("user", "department"))


def on_spot_content(inspection: Inspection, order: Any, number: str) -> DocumentContent:
    """当场责令改正通知书: problems the officers ordered corrected during the inspection and saw corrected."""
    rows = [
        [str(n), f.description, f.legal_basis or "—", f.order_basis or "—", "已当场改正"]
        for n, f in enumerate(order.findings, start=1)
    ]
    headers = ["序号", "问题", "违反的规定", "责令改正的依据", "改正情况"]
    return _order_content(
        inspection, order, number, timezone.localtime(inspection.completed_at).date(), title="当场责令改正通知书",
        found="对你单位进行检查，发现下列问题，当场责令你单位改正，你单位已当场改正（见现场检查笔录及现场照片）：",
        table=Table(headers, rows, widths=[7, 35, 20, 20, 18]),
        paragraphs=["请你单位保持整改成果，今后检查中发现同类问题的，将依法从重处理。"],
    )  # fmt: skip
