from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jianguan.accounts.permissions import require
from jianguan.lib.api import UPDATED_SINCE_HELP, changed_since, responses
from jianguan.org.models import Department, Region
from jianguan.org.selectors import responsibility_matrix

router = Router(tags=["org"])


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class MatrixCellOut(Schema):
    institution_kind: str
    lead_department_ids: list[int]
    supporting_department_ids: list[int]
    inherited: bool
    problem: str


class MatrixRowOut(Schema):
    category: str
    item_code: str
    label: str
    lead_department_ids: list[int]  # the entry for every kind (kinds without their own follow it)
    supporting_department_ids: list[int]
    problem: str  # the first problem of any kind's cell: gap, overlap or police_station
    cells: list[MatrixCellOut]


@router.get("/regions", response=responses(list[RegionOut]), summary="区和街道/乡镇")
def region_list(
    request: HttpRequest, updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP)
) -> list[Region]:
    return list(changed_since(Region.objects.filter(is_active=True), updated_since))


@router.get("/departments", response=responses(list[DepartmentOut]), summary="部门")
def department_list(
    request: HttpRequest, updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP)
) -> list[Department]:
    return list(changed_since(Department.objects.filter(is_active=True), updated_since))


@router.get(
    "/responsibilities",
    response=responses(list[MatrixRowOut]),
    summary="职责分工矩阵：每个检查类别（及单列的检查项）对每类机构的牵头与配合部门，含空白与交叉",
)
def responsibility_list(request: HttpRequest) -> list[dict]:
    require(request.user, "responsibilities.view")
    return [
        {
            "category": row.category,
            "label": row.label,
            "item_code": row.item_code,
            "lead_department_ids": [d.pk for d in row.leads],
            "supporting_department_ids": [d.pk for d in row.supporting],
            "problem": row.problem,
            "cells": [
                {
                    "institution_kind": c.institution_kind,
                    "lead_department_ids": [d.pk for d in c.leads],
                    "supporting_department_ids": [d.pk for d in c.supporting],
                    "inherited": c.inherited,
                    "problem": c.problem,
                }
                for c in row.cells
            ],
        }
        for row in responsibility_matrix()
    ]
