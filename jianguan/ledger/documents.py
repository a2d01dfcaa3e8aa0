"""整改复查意见书 (recheck opinion): what the recheck found, for the institution, numbered like the other documents."""

from __future__ import annotations

from django.utils import timezone

from jianguan.documents.content import DocumentContent, Section, chinese_date
from jianguan.ledger.models import Recheck


def _certificate(user) -> str:  # type: ignore[no-untyped-def]
    profile = getattr(user, "officer_profile", None)
    return profile.certificate_number if profile else "—"


def recheck_content(record: Recheck, number: str) -> DocumentContent:
    item = record.item
    officers = (
        "、".join(
            f"{u.name}（{u.department.name if u.department_id else ''}，执法证号 {_certificate(u)}）"
            for u in record.officers.select_related("department", "officer_profile")
        )
        or record.recorded_by.name
    )
    if record.passed:
        conclusion = "经复查，该问题已整改到位，予以销号。"
    elif record.new_deadline:
        conclusion = f"经复查，该问题未整改到位。请于{chinese_date(record.new_deadline)}前继续整改，逾期未改正的，将依法予以处理。"
    else:
        conclusion = f"经复查，该问题未整改到位。请于原定期限{chinese_date(item.deadline)}前继续整改，逾期未改正的，将依法予以处理。"
    return DocumentContent(
        issuer=item.department.name,
        title="整改复查意见书",
        number=number,
        recipient=item.institution.name,
        sections=[
            Section(
                fields=[
                    ("检查时间", chinese_date(timezone.localtime(item.inspection.completed_at).date())),
                    ("问题类别", item.get_category_display()),
                    ("问题描述", item.description),
                    ("整改措施", item.measure),
                    ("整改时限", chinese_date(item.deadline)),
                    ("复查日期", chinese_date(record.checked_on)),
                    ("复查人员", officers),
                ]
            ),
            Section(heading="复查情况", paragraphs=[record.note]),
            Section(heading="复查意见", paragraphs=[conclusion]),
        ],
        seal_text=item.department.name,
        date=record.checked_on,
    )
