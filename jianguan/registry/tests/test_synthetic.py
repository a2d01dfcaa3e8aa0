"""The synthetic-data generator used by `make bench`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jianguan.lib.creditcode import is_valid
from jianguan.registry.models import Institution, Licence
from jianguan.registry.synthetic import synthetic_count


def test_generate_synthetic_creates_valid_rows_and_refuses_to_repeat(district, capsys):
    call_command("generate_synthetic", "--institutions", "60", "--seed", "3")
    assert synthetic_count() == 60
    codes = list(Institution.objects.exclude(credit_code=None).values_list("credit_code", flat=True))
    assert codes and all(is_valid(c) for c in codes) and len(codes) == len(set(codes))
    assert Licence.objects.filter(institution__notes__contains="合成测试数据").exists()
    assert all(i.pinyin_initials for i in Institution.objects.all()[:20])
    with pytest.raises((CommandError, SystemExit)):
        call_command("generate_synthetic", "--institutions", "10")
    call_command("generate_synthetic", "--institutions", "10", "--append", "--seed", "4")
    assert synthetic_count() == 70
