from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from jianguan.accounts import services
from jianguan.accounts.models import ApiToken, OfficerProfile
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.lib.api import UPDATED_SINCE_HELP, PlainText, changed_since, responses

router = Router(tags=["account"])


class ScopeOut(Schema):
    district_wide: bool
    department_id: int | None
    department: str | None
    street_ids: list[int]
    streets: list[str]
    institution_id: int | None
    institution: str | None


class CertificateOut(Schema):
    number: str
    valid_until: date
    valid: bool


class MeOut(Schema):
    id: int
    username: str
    name: str
    roles: list[str]
    role_labels: list[str]
    scope: ScopeOut
    certificate: CertificateOut | None


@router.get("/me", response=responses(MeOut), summary="当前用户的角色与权限范围")
def me(request: HttpRequest) -> dict:
    user = request.user
    scope = user.scope
    streets = list(user.streets.filter(pk__in=scope.street_ids).order_by("code")) if scope.street_ids else []
    profile = OfficerProfile.objects.filter(user=user).first()
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "roles": [user.role],
        "role_labels": [user.get_role_display()],
        "scope": {
            "district_wide": scope.district_wide,
            "department_id": user.department_id,
            "department": user.department.name if user.department_id else None,
            "street_ids": [s.pk for s in streets],
            "streets": [s.name for s in streets],
            "institution_id": scope.institution_id,
            "institution": user.institution.name if scope.institution_id else None,
        },
        "certificate": {
            "number": profile.certificate_number,
            "valid_until": profile.certificate_valid_until,
            "valid": profile.certificate_valid_on(),
        }
        if profile
        else None,
    }


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    read_only: bool
    revoked_at: datetime | None
    revoked_reason: str
    updated_at: datetime = Field(..., description="最后变动时间（该记录或其组成部分的任何变动）")


class TokenIn(Schema):
    # The bounds are checked below, after PlainText, so that every refusal comes with a Chinese message.
    name: PlainText = Field(json_schema_extra=lambda schema: schema.update(minLength=1, maxLength=60, pattern=r"\S"))
    days: Literal[30, 90, 180, 365, 0] | None = Field(
        None, description="有效天数：30、90、180、365，0 表示不过期；不填为平台默认（JIANGUAN_API_TOKEN_DAYS，180）"
    )
    read_only: bool = False

    @field_validator("name")
    @classmethod
    def _name_length(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("请填写令牌用途。")
        if len(value) > 60:
            raise ValueError("令牌用途不能超过 60 个字。")
        return value


class TokenCreatedOut(TokenOut):
    token: str


@router.get("/tokens", response=responses(list[TokenOut]), summary="我的 API 令牌")
def token_list(
    request: HttpRequest, updated_since: datetime | None = Query(None, description=UPDATED_SINCE_HELP)
) -> list[ApiToken]:
    return list(changed_since(ApiToken.objects.visible_to(request.user), updated_since))


@router.post("/tokens", response=responses(TokenCreatedOut, 201), summary="创建 API 令牌（令牌只返回这一次）")
def token_create(request: HttpRequest, payload: TokenIn) -> Status:
    token, raw = services.api_token_create(
        actor=request.user,
        name=payload.name,
        days=payload.days,
        read_only=payload.read_only,
        through_token=getattr(request, "api_token", None) is not None,
    )
    data = TokenOut.from_orm(token).model_dump()
    return Status(201, {**data, "token": raw})


@router.delete("/tokens/{token_id}", response=responses(TokenOut), summary="吊销 API 令牌")
def token_revoke(request: HttpRequest, token_id: int) -> ApiToken:
    token = get_visible_or_404(ApiToken.objects.all(), request.user, pk=token_id)
    return services.api_token_revoke(actor=request.user, token=token)
