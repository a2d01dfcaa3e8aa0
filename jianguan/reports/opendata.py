"""Open data: institutions, inspections and violations with public fields only, in a LIVES-like layout (Yelp's Local
Inspector Value-Entry Specification: businesses / inspections / violations, joined by business_id), as a zip.

businesses.csv   business_id, name, credit_code, kind, street, address, status, licence_state
inspections.csv  business_id, inspection_id, date (YYYYMMDD), type, categories, problems, rectified
violations.csv   business_id, inspection_id, date (YYYYMMDD), code, category, description, severity, rectified,
                 rectified_date (YYYYMMDD or empty)
penalties.csv    business_id, number, date (YYYYMMDD), violation, penalty, authority, published (YYYYMMDD),
                 display_until (YYYYMMDD): the 行政处罚信息公示 shown on the portal that day

Public fields only, as on the portal: no phones, persons, notes or officers; a violation's description is the
checklist's standard wording (the officer's free text may name people), or the category for problems outside the
checklist. CSV in UTF-8 with a byte-order mark (Excel opens Chinese text correctly), comma-separated, RFC 4180 quoting,
with formulas defused. The file is built at most once a day and cached in MEDIA_ROOT/opendata/."""

from __future__ import annotations

import csv
import io
import os
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from jianguan.checklists.choices import Severity
from jianguan.inspections.choices import InspectionKind, InspectionStatus
from jianguan.inspections.models import Finding, Inspection
from jianguan.lib.excel import csv_safe
from jianguan.org.choices import CheckCategory
from jianguan.registry.choices import InstitutionKind, LicenceStatus, OperatingStatus
from jianguan.registry.models import Institution
from jianguan.registry.selectors import annotate_licence_state

BUSINESSES = ["business_id", "name", "credit_code", "kind", "street", "address", "status", "licence_state"]
INSPECTIONS = ["business_id", "inspection_id", "date", "type", "categories", "problems", "rectified"]
VIOLATIONS = [
    "business_id", "inspection_id", "date", "code", "category", "description", "severity", "rectified",
    "rectified_date",
]  # fmt: skip
PENALTIES = [
    "business_id", "number", "date", "violation", "penalty", "authority", "published", "display_until",
]  # fmt: skip
README = """校外培训机构监管开放数据（LIVES 格式）
生成日期：{day}

businesses.csv   机构：business_id, name, credit_code, kind, street, address, status, licence_state
inspections.csv  检查：business_id, inspection_id, date(YYYYMMDD), type, categories, problems, rectified
violations.csv   问题：business_id, inspection_id, date(YYYYMMDD), code, category, description, severity, rectified,
                 rectified_date(YYYYMMDD)
penalties.csv    行政处罚信息公示：business_id, number, date(YYYYMMDD), violation, penalty, authority,
                 published(YYYYMMDD), display_until(YYYYMMDD)（当日在公示期内的决定摘要）

仅含公开字段（不含电话、联系人、法定代表人、备注、执法人员、投诉人）。编码 UTF-8（带 BOM），逗号分隔。
问题描述为检查表的标准表述；检查表以外的问题只给出类别。rectified：1 已整改（当场整改或复查销号），0 未整改。
"""


def _day(value) -> str:  # type: ignore[no-untyped-def]
    return timezone.localtime(value).strftime("%Y%m%d") if value else ""


def _csv(headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(headers)
    for n, row in enumerate(rows, start=1):
        writer.writerow([csv_safe(v) for v in row])
        if n % 2000 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _businesses(today: date) -> Iterator[list]:
    kinds = {k: str(v) for k, v in InstitutionKind.choices}
    statuses = {k: str(v) for k, v in OperatingStatus.choices}
    licence = {k: str(v) for k, v in LicenceStatus.choices}
    rows = annotate_licence_state(Institution.objects.order_by("pk"), today).values_list(
        "pk", "name", "credit_code", "kind", "street__name", "address", "status", "licence_state"
    )
    for pk, name, code, kind, street, address, status, state in rows.iterator(chunk_size=2000):
        yield [pk, name, code or "", kinds.get(kind, kind), street, address, statuses.get(status, status),
               licence.get(state, state)]  # fmt: skip


def _completed() -> Iterable[Inspection]:
    return Inspection.objects.filter(status=InspectionStatus.COMPLETED)


def _inspections() -> Iterator[list]:
    kinds = {k: str(v) for k, v in InspectionKind.choices}
    categories = {k: str(v) for k, v in CheckCategory.choices}
    checked = {
        version: sorted({c for c in cats if c}, key=list(CheckCategory.values).index)
        for version, cats in _categories_by_version().items()
    }
    rows = (
        _completed()
        .annotate(
            problems=Count("findings"),
            rectified=Count(
                "findings", filter=Q(findings__fixed_on_site=True) | Q(findings__ledger_item__status="closed")
            ),
        )
        .order_by("pk")
        .values_list("institution_id", "pk", "completed_at", "kind", "checklist_version_id", "problems", "rectified")
    )
    for inst, pk, completed_at, kind, version, problems, rectified in rows.iterator(chunk_size=2000):
        cats = "、".join(categories[c] for c in checked.get(version, []))
        yield [inst, pk, _day(completed_at), kinds.get(kind, kind), cats, problems, rectified]


def _categories_by_version() -> dict[int, set[str]]:
    from jianguan.checklists.models import ChecklistItem

    result: dict[int, set[str]] = {}
    for version, category in ChecklistItem.objects.values_list("version_id", "category").distinct():
        result.setdefault(version, set()).add(category)
    return result


def _violations() -> Iterator[list]:
    categories = {k: str(v) for k, v in CheckCategory.choices}
    severities = {k: str(v) for k, v in Severity.choices}
    rows = (
        Finding.objects.filter(inspection__status=InspectionStatus.COMPLETED)
        .order_by("pk")
        .values_list(
            "inspection__institution_id", "inspection_id", "inspection__completed_at", "item_id", "category",
            "item__text", "severity", "fixed_on_site", "ledger_item__status", "ledger_item__closed_on",
        )
    )  # fmt: skip
    for inst, inspection, completed_at, item, category, text, severity, on_site, status, closed_on in rows.iterator(
        chunk_size=2000
    ):
        rectified = bool(on_site or status == "closed")
        closed = _day(completed_at) if on_site else (closed_on.strftime("%Y%m%d") if closed_on else "")
        yield [
            inst, inspection, _day(completed_at), f"{category}.{item}" if item else category,
            categories.get(category, category), text or categories.get(category, category),
            severities.get(severity, severity), int(rectified), closed if rectified else "",
        ]  # fmt: skip


def _penalties(today: date) -> Iterator[list]:
    """The decisions shown on the portal today: their public summary only (as /public/penalties/)."""
    from jianguan.enforcement.models import Publication

    for p in Publication.objects.shown_on(today).select_related("case").order_by("decided_on", "pk"):
        yield [
            p.case.institution_id, p.number, p.decided_on.strftime("%Y%m%d"), p.violation, p.penalty, p.authority,
            p.published_on.strftime("%Y%m%d"), p.display_until.strftime("%Y%m%d"),
        ]  # fmt: skip


def write_zip(path: Path, today: date) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(day=today.isoformat()))
        for name, headers, rows in (
            ("businesses.csv", BUSINESSES, _businesses(today)),
            ("inspections.csv", INSPECTIONS, _inspections()),
            ("violations.csv", VIOLATIONS, _violations()),
            ("penalties.csv", PENALTIES, _penalties(today)),
        ):
            with archive.open(name, "w") as member:
                for chunk in _csv(headers, rows):
                    member.write(chunk)


BUILD_LOCK_SECONDS = 300


def open_data_zip(today: date | None = None) -> Path:
    """Today's file, built on first request (written under a temporary name, then renamed: readers never see half
    a file). One process builds it under a lock in the shared cache (Redis with several workers); the others wait
    for it, and build it themselves only if it has not appeared when the lock runs out."""
    today = today or timezone.localdate()
    folder = Path(settings.MEDIA_ROOT) / "opendata"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"jianguan-open-data-{today:%Y%m%d}.zip"
    lock = f"opendata:build:{today:%Y%m%d}"
    if not target.exists() and not cache.add(lock, 1, timeout=BUILD_LOCK_SECONDS):
        deadline = time.monotonic() + BUILD_LOCK_SECONDS
        while not target.exists() and time.monotonic() < deadline and cache.get(lock) is not None:
            time.sleep(0.5)
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
        os.close(fd)
        try:
            write_zip(Path(tmp), today)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        for old in folder.glob("jianguan-open-data-*.zip"):
            if old != target:
                old.unlink(missing_ok=True)
        cache.delete(lock)
    return target
