"""The one scoping mechanism: every list, detail page, export and API object is limited through `visible_to`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.http import Http404

from jianguan.accounts.choices import DISTRICT_WIDE_ROLES, Role

if TYPE_CHECKING:
    from jianguan.accounts.models import User


@dataclass(frozen=True)
class Scope:
    """What a user may see: the whole district, or a department, some streets, or one institution."""

    role: str | None
    district_wide: bool = False
    department_id: int | None = None
    street_ids: frozenset[int] = field(default_factory=frozenset)
    institution_id: int | None = None
    user_id: int | None = None

    @classmethod
    def for_user(cls, user: Any) -> Scope:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active or not user.role:
            return cls(role=None)
        cached = getattr(user, "_jianguan_scope", None)
        if cached is not None:
            return cached
        scope = cls(
            role=user.role,
            district_wide=user.role in DISTRICT_WIDE_ROLES,
            department_id=user.department_id if user.role == Role.DEPARTMENT_OFFICER else None,
            street_ids=frozenset(user.streets.values_list("id", flat=True))
            if user.role == Role.STREET_OFFICER
            else frozenset(),
            institution_id=user.institution_id if user.role == Role.INSTITUTION else None,
            user_id=user.pk,
        )
        user._jianguan_scope = scope
        return scope

    @property
    def is_anonymous(self) -> bool:
        return self.role is None


class ScopedQuerySet(models.QuerySet):
    """A queryset whose model says, in `scope_q`, which rows a scope may see (None means all of them)."""

    def scope_q(self, scope: Scope) -> Q | None:
        raise ImproperlyConfigured(f"{self.model.__name__} must define scope_q")

    def visible_to(self, user: Any) -> ScopedQuerySet:
        scope = Scope.for_user(user)
        if scope.is_anonymous:
            return self.none()
        q = self.scope_q(scope)
        return self if q is None else self.filter(q)


M = TypeVar("M", bound=models.Model)


def get_visible_or_404(queryset: ScopedQuerySet, user: User | Any, **lookup: Any) -> Any:
    """One object the user may see; missing and forbidden look the same (404)."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
