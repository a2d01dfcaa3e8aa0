"""Finding an institution from what a person types — one definition for the registry list, the planning form's
institution field and the public search.

* Chinese text matches a part of the name (and, in the registry, of the address): "启航" finds 青岚启航教育培训学校.
* Latin letters and digits match the pinyin initials ("qlj") or the credit code by prefix, through their B-tree
  indexes (a range, not a LIKE the database cannot index), and the Latin part of names ("ABC英语" → "abc") through
  `name_latin`, which is empty for most names and indexed, so no query of letters scans the whole registry.
* When nothing matches, `similar` offers the names closest to what was typed (a wrong or missing character: "青岚启航
  教育培训学院" → 青岚启航教育培训学校), by the share of the text's two-character pieces the name contains; the same SQL
  on SQLite and PostgreSQL, one scan, used only when the exact search found nothing.
"""

from __future__ import annotations

import math
import re
from functools import reduce
from operator import add

from django.db.models import Case, CharField, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length

from jianguan.lib.creditcode import normalize as normalize_credit_code

_LATIN = re.compile(r"[0-9a-z]+")
# The characters a name's pieces are taken from: CJK ideographs, Latin letters and digits (punctuation and spaces
# separate them).
_WORD = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]+")
MAX_PIECES = 16
SIMILAR_SHARE = 0.5  # a suggestion contains at least half of the text's pieces (and at least two)


def name_latin(name: str) -> str:
    """The Latin letters and digits of a name, lower-cased, runs separated by spaces ("" for most Chinese names)."""
    return " ".join(_LATIN.findall((name or "").lower()))[:100]


def _prefix(field: str, prefix: str) -> Q:
    """`field` starts with `prefix` (ASCII), as an index range narrowed to the exact prefix."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper, f"{field}__startswith": prefix})


def text_q(text: str, *, address: bool = False, code_min: int = 1) -> Q:
    """The condition for a typed text (already stripped): see the module's description. `address` also searches the
    address with Chinese text; `code_min` is the shortest credit-code prefix looked for."""
    lowered = text.lower()
    if not lowered.isascii():
        condition = Q(name__icontains=text)
        return condition | Q(address__icontains=text) if address else condition
    condition = Q(pk__in=[])
    if _LATIN.fullmatch(lowered.replace(" ", "")):
        condition |= Q(name_latin__gt="", name_latin__contains=lowered)
    if lowered.isalnum():
        condition |= _prefix("pinyin_initials", lowered)
    code = normalize_credit_code(text)
    if code.isalnum() and len(code) >= code_min:
        condition |= _prefix("credit_code", code)
    return condition


def by_name(text: str) -> tuple:
    """The order "by name" for the results of `text_q(text)`. Latin text is answered from the pinyin, credit-code and
    Latin-name indexes, and its matches are few: they are sorted as found (by the name as an expression, which the
    planner cannot serve by walking the name index — it would otherwise read the whole registry in name order looking
    for the first twenty). Chinese text scans the names anyway, and reading them in index order stops at the page."""
    if text.strip().isascii():
        return (
            Func(F("name"), Value(""), template="(%(expressions)s)", arg_joiner=" || ", output_field=CharField()),
            "pk",
        )
    return ("name", "pk")


def pieces(text: str) -> list[str]:
    """The distinct two-character pieces of a text's words (a one-character word is its own piece), in order."""
    found: list[str] = []
    for word in _WORD.findall((text or "").lower()):
        grams = [word] if len(word) == 1 else [word[i : i + 2] for i in range(len(word) - 1)]
        found += [g for g in grams if g not in found]
    return found[:MAX_PIECES]


def similar(queryset: QuerySet, text: str, limit: int = 5) -> list:
    """Up to `limit` institutions of `queryset` whose names are closest to `text` (most pieces in common, then the
    shortest name); none when the text has fewer than three pieces (a short text is searched exactly)."""
    grams = pieces(text)
    if len(grams) < 3:
        return []
    score = reduce(
        add,
        [Case(When(name__contains=g, then=Value(1)), default=Value(0), output_field=IntegerField()) for g in grams],
    )
    need = max(2, math.ceil(len(grams) * SIMILAR_SHARE))
    return list(
        queryset.annotate(similarity=score)
        .filter(similarity__gte=need)
        .order_by("-similarity", Length("name"), "pk")[:limit]
    )
