"""Helpers for the staff tests: valid ID numbers and a staff record made through the service."""

from __future__ import annotations

from datetime import date
from typing import Any

from stdnum.cn import ric


def id_number(seq: int, birth: str = "19900101") -> str:
    """A valid 居民身份证号码 (朝阳区, born `birth`), distinct for each seq (0–999)."""
    body = f"110105{birth}{seq:03d}0"
    return body[:-1] + ric.calc_check_digit(body)


def add_staff(district: Any, *, seq: int = 1, institution: str = "a", actor: str = "admin", **fields: Any) -> Any:
    from jianguan.staff.services import staff_create

    values = {"name": f"人员{seq}", "role": "teacher", "start_date": date(2025, 9, 1), **fields}
    return staff_create(
        actor=district.users[actor], institution=district.institutions[institution], id_number=id_number(seq),
        **values,
    )  # fmt: skip
