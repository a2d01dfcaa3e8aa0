"""The work briefing (工作简报) of a campaign on a day, written from campaign_statistics: the narrative a staff member
types by hand today, and the tables by category and street with the overdue list. PDF and DOCX come from one
DocumentContent (documents/rendering.py), so the two files never differ, and every number is the statistics' own."""

from __future__ import annotations

from datetime import date

from jianguan.documents.content import DocumentContent, Section, Table, chinese_date
from jianguan.inspections.models import Campaign
from jianguan.reports.statistics import CampaignStats, campaign_statistics


def _percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def narrative(stats: CampaignStats) -> list[str]:
    day = f"{stats.as_of.month}月{stats.as_of.day}日"
    found = "，".join(f"{c.label}方面{c.institutions}家（{c.findings}个）" for c in stats.categories)
    fixed = "，".join(f"{c.label}方面{c.rectified_institutions}家" for c in stats.categories)
    first = (
        f"截至{day}，{stats.campaign}共检查培训点{stats.inspected}家（检查对象{stats.targets}家），"
        f"其中{stats.with_problems}家存在问题，共发现问题{stats.findings}个"
    )
    first += f"，其中{found}。" if found else "。"
    second = f"已完成整改{stats.rectified_findings}个，整改率{_percent(stats.rectified_findings, stats.findings)}" + (
        f"：{fixed}已整改到位。" if fixed else "。"
    )
    third = (
        f"逾期未整改问题{stats.overdue_findings}个，涉及{len({r.institution for r in stats.overdue})}家，"
        "已列入督办，详见附表。"
        if stats.overdue_findings
        else "目前没有逾期未整改的问题。"
    )
    return [first, second, third]


def briefing_content(campaign: Campaign, as_of: date | None = None) -> DocumentContent:
    stats = campaign_statistics(campaign, as_of)
    issuer = campaign.lead_department.name if campaign.lead_department_id else ""
    categories = Table(
        headers=["问题类别", "问题家数", "问题个数", "已整改家数", "已整改个数", "逾期个数"],
        rows=[
            [c.label, str(c.institutions), str(c.findings), str(c.rectified_institutions), str(c.rectified_findings),
             str(c.overdue_findings)]
            for c in stats.categories
        ]
        + [["合计", str(stats.with_problems), str(stats.findings), "", str(stats.rectified_findings),
            str(stats.overdue_findings)]],
        widths=[22, 15, 15, 16, 16, 16],
    )  # fmt: skip
    streets = Table(
        headers=["街道/乡镇", "检查家数", "问题家数", "问题个数", "已整改个数", "整改率"],
        rows=[
            [s.street, str(s.inspected), str(s.with_problems), str(s.findings), str(s.rectified_findings),
             _percent(s.rectified_findings, s.findings)]
            for s in stats.streets
        ],
        widths=[22, 14, 14, 14, 18, 18],
    )  # fmt: skip
    overdue = Section(heading="四、逾期未整改问题")
    if stats.overdue:
        overdue.table = Table(
            headers=["机构", "街道/乡镇", "类别", "问题", "整改时限", "监管部门"],
            rows=[
                [r.institution, r.street, r.category, r.description, f"{r.deadline:%Y-%m-%d}", r.department]
                for r in stats.overdue
            ],  # fmt: skip
            widths=[17, 10, 10, 29, 18, 16],
        )
    else:
        overdue.paragraphs = ["无。"]
    return DocumentContent(
        style="official",
        issuer=issuer,
        title="工作简报",
        number=f"{stats.campaign} · 截至{chinese_date(stats.as_of)}",
        sections=[
            Section(heading="一、总体情况", paragraphs=narrative(stats)),
            Section(heading="二、分类别情况", table=categories),
            Section(heading="三、分街道情况", table=streets),
            overdue,
        ],
        seal_text=issuer,
        date=stats.as_of,
        footer="说明：问题按机构（家）和问题（个）分别统计；当场整改或已复查销号的问题计为已整改。",
    )
