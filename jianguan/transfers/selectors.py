"""Reads for 移送 / 协查: the scoped list with one filter for the page and the API, overdue replies, the thread and the
letters a user may open."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope
from jianguan.documents.models import Document
from jianguan.transfers.choices import Direction, TransferKind, TransferStatus
from jianguan.transfers.models import Transfer, TransferStep, unit_q


def overdue_q(today: date) -> Q:
    """Not answered (neither accepted nor refused) and past the reply deadline: derived, never stored."""
    return Q(status=TransferStatus.SENT, reply_due__lt=today)


def transfers_for(user: Any) -> QuerySet[Transfer]:
    """The list: what the user may see, with what each row shows (one query for any number of rows)."""
    return Transfer.objects.visible_to(user).select_related(
        "sender_department", "sender_street", "receiver_department", "receiver_street", "institution"
    )


def own_scope(user: Any) -> Scope:
    """The user's own unit as a scope (the lead coordinator, district-wide for reading, acts for their department)."""
    scope = Scope.for_user(user)
    if scope.role == Role.LEAD and user.department_id is not None:
        return Scope(role=Role.LEAD, department_id=user.department_id, user_id=user.pk)
    return scope


def filtered(
    queryset: QuerySet[Transfer],
    user: Any,
    today: date,
    *,
    kind: str = "",
    status: str = "",
    overdue: bool = False,
    direction: str = "",
) -> QuerySet[Transfer]:
    """The one filter of the page and the API. Values are checked by the caller's parser (choice_param / the API's
    enums), so anything here is already one of the choices."""
    if kind:
        queryset = queryset.filter(kind=TransferKind(kind))
    if status:
        queryset = queryset.filter(status=TransferStatus(status))
    if overdue:
        queryset = queryset.filter(overdue_q(today))
    if direction:
        scope = own_scope(user)
        if direction == Direction.SENT:
            queryset = queryset.filter(unit_q(scope, "sender_department", "sender_street"))
        else:
            queryset = queryset.filter(unit_q(scope, "receiver_department", "receiver_street"))
    return queryset


def counts(user: Any, today: date) -> dict[str, int]:
    """For the list's tabs and the home page: waiting for the user's unit to answer, and overdue (one query)."""
    scope = own_scope(user)
    mine = unit_q(scope, "receiver_department", "receiver_street")
    return Transfer.objects.visible_to(user).aggregate(
        waiting=Count("pk", filter=mine & Q(status=TransferStatus.SENT)),
        overdue=Count("pk", filter=overdue_q(today)),
    )


def thread(user: Any, transfer: Transfer) -> list[TransferStep]:
    return list(TransferStep.objects.visible_to(user).filter(transfer=transfer).select_related("actor"))


def letters(user: Any, transfer: Transfer) -> list[Document]:
    """The transfer's letters the user may open (whoever sees the transfer)."""
    return list(
        Document.objects.visible_to(user)
        .filter(source_type="transfers.transfer", source_id=str(transfer.pk))
        .order_by("issued_at", "pk")
    )
