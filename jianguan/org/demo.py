"""The demo district's own part (青岚区): its streets and townships, departments and the responsibility matrix.

Called by the demo loader (`jianguan.demo.loader.load_demo`, at the top of the import graph) with the acting
administrator; idempotent: each record is looked up by its natural key first.
"""

from __future__ import annotations

from typing import Any

from jianguan.org import services as org_services
from jianguan.org.choices import CheckCategory, DepartmentKind, RegionLevel
from jianguan.org.models import Department, Region, Responsibility

DISTRICT = ("330199", "青岚区")
STREETS = [
    ("330199001", "城东街道", RegionLevel.STREET),
    ("330199002", "城西街道", RegionLevel.STREET),
    ("330199003", "南湖街道", RegionLevel.STREET),
    ("330199004", "北苑街道", RegionLevel.STREET),
    ("330199101", "青山镇", RegionLevel.TOWNSHIP),
    ("330199201", "白石乡", RegionLevel.TOWNSHIP),
    ("330199005", "文昌街道", RegionLevel.STREET),  # the registry's demo data (registry/demo_data.py) uses these two
    ("330199102", "溪口镇", RegionLevel.TOWNSHIP),
]
DEPARTMENTS = [
    ("青岚区教育局", "青教", DepartmentKind.EDUCATION),
    ("青岚区公安分局", "青公", DepartmentKind.PUBLIC_SECURITY),
    ("青岚区市场监督管理局", "青市监", DepartmentKind.MARKET_REGULATION),
    ("青岚区消防救援大队", "青消", DepartmentKind.FIRE),
    ("青岚区卫生健康局", "青卫健", DepartmentKind.HEALTH),
    ("青岚区文化和旅游局", "青文旅", DepartmentKind.CULTURE_TOURISM),
    ("青岚区体育局", "青体", DepartmentKind.SPORTS),
    ("青岚区住房和城乡建设局", "青住建", DepartmentKind.HOUSING),
    ("青岚区民政局", "青民政", DepartmentKind.CIVIL_AFFAIRS),
    ("青岚区公安分局城东派出所", "青公城东", DepartmentKind.POLICE_STATION),
]
# The responsibility matrix: (institution kind or "" for every kind, category, item code or "") -> (lead short name,
# supporting short names). The all-kinds rows give each category its competent department; the item rows split off
# what another department's law covers (a business licence, price display, a food licence); the kind rows say where
# a kind differs (here: 小饭桌 as a whole led by market regulation, 托管班 with civil affairs beside education).
MATRIX: dict[tuple[str, str, str], tuple[str, list[str]]] = {
    ("", CheckCategory.QUALIFICATION, ""): ("青教", ["青市监", "青公"]),
    ("", CheckCategory.QUALIFICATION, "business_licence"): ("青市监", ["青教"]),
    ("", CheckCategory.QUALIFICATION, "disguised_academic"): ("青教", ["青市监", "青公"]),
    ("non_academic", CheckCategory.QUALIFICATION, ""): ("青教", ["青文旅", "青体", "青市监"]),
    ("meal_care", CheckCategory.QUALIFICATION, ""): ("青市监", ["青教"]),
    ("after_school", CheckCategory.QUALIFICATION, ""): ("青教", ["青民政", "青市监"]),
    ("", CheckCategory.TEACHING, ""): ("青教", []),
    ("", CheckCategory.FOOD_SAFETY, ""): ("青市监", ["青卫健", "青教"]),
    ("", CheckCategory.FIRE_SAFETY, ""): ("青消", ["青公城东", "青住建"]),
    ("", CheckCategory.FEES, ""): ("青教", ["青市监"]),
    ("", CheckCategory.FEES, "price_display"): ("青市监", ["青教"]),
    ("", CheckCategory.STAFF, ""): ("青教", ["青公", "青卫健"]),
    ("", CheckCategory.PREMISES, ""): ("青教", ["青住建", "青消"]),
    ("", CheckCategory.ADVERTISING, ""): ("青市监", ["青教"]),
}


def load_demo_org(*, actor: Any) -> dict[str, int]:
    """Streets, departments and the matrix that are missing; returns how many of each were created."""
    created = {"regions": 0, "departments": 0, "responsibilities": 0}
    district = Region.objects.filter(code=DISTRICT[0]).first()
    if district is None:
        district = org_services.region_save(
            actor=actor, code=DISTRICT[0], name=DISTRICT[1], level=RegionLevel.DISTRICT, parent=None, is_active=True
        )
        created["regions"] += 1
    for code, name, level in STREETS:
        if not Region.objects.filter(code=code).exists():
            org_services.region_save(actor=actor, code=code, name=name, level=level, parent=district, is_active=True)
            created["regions"] += 1
    for name, short, kind in DEPARTMENTS:
        if not Department.objects.filter(short_name=short).exists():
            org_services.department_save(actor=actor, name=name, short_name=short, kind=kind, is_active=True)
            created["departments"] += 1
    departments = {d.short_name: d for d in Department.objects.all()}
    for (kind, category, code), (lead, supporting) in MATRIX.items():
        if not Responsibility.objects.filter(institution_kind=kind, category=category, item_code=code).exists():
            org_services.responsibility_set(
                actor=actor,
                institution_kind=kind,
                category=category,
                item_code=code,
                lead=departments[lead],
                supporting=[departments[s] for s in supporting],
            )
            created["responsibilities"] += 1
    return created
