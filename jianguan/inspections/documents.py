"""What the inspection's two documents say: 现场检查笔录 (the on-site record) and 责令整改通知书 (the rectification
order), as DocumentContent for documents.rendering. Fields after ../shared/docs/domain.md: the record's head
(institution, inspectors with certificate numbers, time, place, certificates shown), body (what was found) and tail
(signatures, or 拒绝签字 with a witness); the order's number, party, problems, rules broken, deadlines, requirements,
issuing body and date."""

from __future__ import annotations

import io
from datetime import date

from django.utils import timezone

from jianguan.documents.content import DocumentContent, Image, Section, Table, chinese_date
from jianguan.inspections.models import Finding, Inspection

RECORD_RIGHTS = (
    "执法人员已向当事人出示执法证件，表明身份，告知当事人依法享有陈述、申辩和申请回避的权利。当事人不申请回避。"
)
NOTICE_REQUIREMENT = (
    "现责令你单位按下列期限改正，整改完成后将整改情况书面报告我单位，并接受复查。逾期不改正的，将依法予以处理。"
)
NOTICE_REMEDY = (
    "如不服本通知，可以自收到本通知书之日起六十日内依法申请行政复议，或者六个月内依法向人民法院提起行政诉讼。"
)
OUTCOME_TEXT = {"pass": "合格", "fail": "不合格", "na": "不适用"}


def _local(value) -> str:  # type: ignore[no-untyped-def]
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{chinese_date(local.date())} {local:%H:%M}"


def _team(inspection: Inspection) -> str:
    return "；".join(
        f"{o.user.name}（{o.department.name}，执法证号 {o.certificate_number}）"
        for o in inspection.officers.select_related("user", "department")
    )


def _signature(inspection: Inspection) -> str:
    if inspection.signature_refused:
        return f"拒绝签字（见证人：{inspection.witness_name}）"
    return inspection.representative_name


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
    findings = list(inspection.findings.all())
    found = [
        f"{n}. 【{f.get_category_display()}】{f.description}" + ("（已当场整改）" if f.fixed_on_site else "")
        for n, f in enumerate(findings, start=1)
    ] or ["未发现问题。"]
    return DocumentContent(
        issuer=inspection.lead_department.name,
        title="现场检查笔录",
        number=number,
        sections=[
            Section(
                fields=[
                    ("检查对象", institution.name),
                    ("统一社会信用代码", institution.credit_code or "无（未登记）"),
                    ("地址", institution.address or "—"),
                    ("法定代表人/负责人", institution.legal_representative or "—"),
                    ("检查时间", f"{_local(inspection.started_at)} 至 {_local(inspection.completed_at)}"),
                    ("检查地点", inspection.place or institution.address or "—"),
                    ("检查人员", _team(inspection)),
                    (
                        "检查依据",
                        f"{inspection.checklist_version.checklist.name}（第 {inspection.checklist_version.number} 版）",
                    ),
                ]
            ),
            Section(paragraphs=[RECORD_RIGHTS]),
            Section(
                heading="检查情况",
                paragraphs=[inspection.summary] if inspection.summary else [],
                table=Table(["序号", "类别", "检查内容", "结果", "说明"], rows, widths=[8, 13, 45, 16, 18]),
            ),
            Section(heading="发现的问题", paragraphs=found),
        ],
        signatures=[
            ("检查人员（签名）", "、".join(o.user.name for o in inspection.officers.select_related("user"))),
            ("当事人/现场负责人（签名）", _signature(inspection)),
        ],  # fmt: skip
        date=timezone.localtime(inspection.completed_at).date() if inspection.completed_at else None,
        footer="本笔录经当事人核对无误。共 1 份，附现场照片。",
        drawn_signatures=_drawn(inspection),
        photos=_photos(inspection),
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


def notice_content(inspection: Inspection, findings: list[Finding], number: str, issued_on: date) -> DocumentContent:
    rows = []
    for n, f in enumerate(findings, start=1):
        deadline = "立即改正" if f.period_days <= 1 else f"{chinese_date(f.deadline)}前" if f.deadline else ""
        rows.append([str(n), f.get_category_display(), f.description, f.legal_basis or "—", deadline])
    return DocumentContent(
        issuer=inspection.lead_department.name,
        title="责令整改通知书",
        number=number,
        recipient=inspection.institution.name,
        sections=[
            Section(
                paragraphs=[
                    f"{chinese_date(timezone.localtime(inspection.started_at).date())}，我单位会同有关部门对你单位进行了检查，"
                    f"发现存在下列问题（见现场检查笔录）：",
                ]
            ),
            Section(table=Table(["序号", "类别", "问题", "违反的规定", "整改期限"], rows, widths=[8, 12, 36, 26, 18])),
            Section(paragraphs=[NOTICE_REQUIREMENT, NOTICE_REMEDY]),
        ],
        signatures=[("当事人签收", _signature(inspection))],
        seal_text=inspection.lead_department.name,
        date=issued_on,
    )
