"""The demo district's registry: six institutions of the speech's first pages with their licences, then the
institutions and licences of `demo_data`, all dated relative to the demo's day, and a story of its status orders
(each on its effective day). Called by the demo loader (`jianguan.demo.loader`); idempotent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jianguan.org.models import Region
from jianguan.registry import demo_data
from jianguan.registry import services as registry_services
from jianguan.registry.choices import InstitutionKind
from jianguan.registry.models import Institution

INSTITUTIONS = [
    ("青岚启航教育培训学校", "91440300MA5H0HLK5U", InstitutionKind.ACADEMIC, "330199001", "城东街道文昌路 18 号 3 楼"),
    ("青岚星语艺术培训中心", "91133100MA0D8N1J7G", InstitutionKind.NON_ACADEMIC, "330199002", "城西街道和平路 66 号"),
    ("城东阳光小饭桌", None, InstitutionKind.MEAL_CARE, "330199001", "城东街道育才巷 5 号 1 楼"),
    ("南湖快乐托管班", None, InstitutionKind.AFTER_SCHOOL, "330199003", "南湖街道湖滨小区 12 幢 101 室"),
    ("北苑跃动体育培训", None, InstitutionKind.NON_ACADEMIC, "330199004", "北苑街道体育馆东侧 2 号"),
    ("青山镇晨曦托管中心", None, InstitutionKind.AFTER_SCHOOL, "330199101", "青山镇中心街 101 号"),
]

# Licences of the six institutions above (issue date, valid-until as ISO dates relative to 2026-11-26).
ORIGINAL_LICENCES = {
    "青岚启航教育培训学校": [
        ("school_permit", "教民133019910000101号", "青岚区教育局", "2023-08-01", "2028-07-31"),
        ("legal_entity", "91440300MA5H0HLK5U", "青岚区市场监督管理局", "2023-06-15", "2033-06-14"),
    ],
    "青岚星语艺术培训中心": [
        ("school_permit", "文艺培133019920000102号", "青岚区文化和广电旅游体育局", "2024-03-01", "2029-02-28"),
        ("legal_entity", "91133100MA0D8N1J7G", "青岚区市场监督管理局", "2024-01-10", "2034-01-09"),
    ],
    "城东阳光小饭桌": [("legal_entity", "个体工商户 330199600123456", "青岚区市场监督管理局", "2022-09-01", None)],
    "南湖快乐托管班": [("legal_entity", "个体工商户 330199600223344", "青岚区市场监督管理局", "2023-02-20", None)],
    "北苑跃动体育培训": [
        ("legal_entity", "个体工商户 330199600334455", "青岚区市场监督管理局", "2021-05-10", None),
        ("school_permit", "体培133019940000103号", "青岚区文化和广电旅游体育局", "2021-12-01", "2026-12-10"),
    ],
    "青山镇晨曦托管中心": [("legal_entity", "个体工商户 330199600445566", "青岚区市场监督管理局", "2024-04-01", None)],
}


def load_demo_registry(*, actor: Any, regions: dict[str, Region], today: date) -> int:
    """The institutions that are missing, with their licences and status orders; returns how many were created."""
    created = 0
    shift = today - demo_data.REFERENCE_DATE
    for name, code, kind, street, address in INSTITUTIONS:
        lookup = {"credit_code": code} if code else {"name": name, "street": regions[street]}
        if not Institution.objects.filter(**lookup).exists():
            institution = registry_services.institution_create(
                actor=actor, name=name, credit_code=code, kind=kind, street=regions[street], address=address
            )
            for kind_, number, issuer, issued, until in ORIGINAL_LICENCES.get(name, []):
                registry_services.licence_save(
                    actor=actor,
                    institution=institution,
                    kind=kind_,
                    number=number,
                    issuer=issuer,
                    issue_date=date.fromisoformat(issued) + shift,
                    valid_until=date.fromisoformat(until) + shift if until else None,
                )
            created += 1
    return created + _load_registry(admin=actor, regions=regions, today=today)


def _load_registry(*, admin: Any, regions: dict[str, Region], today: date) -> int:
    """The registry's demo institutions with their licences, dated relative to `today`."""
    shift = today - demo_data.REFERENCE_DATE

    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) + shift if text else None

    created = 0
    for row in demo_data.INSTITUTIONS:
        street = regions[row["street_code"]]
        lookup = {"credit_code": row["credit_code"]} if row["credit_code"] else {"name": row["name"], "street": street}
        institution = Institution.objects.filter(**lookup).first()
        if institution is None:
            fields = {
                k: row[k]
                for k in (
                    "name", "credit_code", "kind", "sub_kind", "address", "legal_representative", "contact_person",
                    "contact_phone", "capacity", "floor_area", "floors", "notes",
                )
            }  # fmt: skip
            institution = registry_services.institution_create(
                actor=admin, street=street, status=row["status"], **fields
            )
            for lic in row["licences"]:
                registry_services.licence_save(
                    actor=admin,
                    institution=institution,
                    kind=lic["kind"],
                    number=lic["number"],
                    issuer=lic["issuer"],
                    issue_date=day(lic["issue_date"]),
                    valid_until=day(lic["valid_until"]),
                )
            created += 1
    return created
