"""Bulk export through the API: every row of a query, streamed as CSV or NDJSON, in constant memory.

For systems that load the whole registry or ledger (a data centre's nightly copy): machine fields — codes, ids, ISO
8601 times — under their API names, not the pages' Chinese columns. The rows are read with a server-side cursor in
chunks while the answer is sent; CSV cells that a spreadsheet would run as a formula are defused (lib/excel.csv_safe).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from io import StringIO
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from jianguan.lib.excel import csv_safe

FORMATS = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson; charset=utf-8"}
CHUNK_ROWS = 2000
FLUSH_BYTES = 64_000


def _value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _csv(fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    for row in rows:
        writer.writerow(["" if v is None else csv_safe(_value(v)) for v in row])
        if buffer.tell() > FLUSH_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _ndjson(fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    lines: list[str] = []
    size = 0
    for row in rows:
        line = json.dumps(dict(zip(fields, row, strict=True)), cls=DjangoJSONEncoder, ensure_ascii=False)
        lines.append(line)
        size += len(line)
        if size > FLUSH_BYTES:
            yield "\n".join(lines) + "\n"
            lines, size = [], 0
    if lines:
        yield "\n".join(lines) + "\n"


def export_response(queryset: QuerySet[Any], fields: Sequence[str], fmt: str, name: str) -> StreamingHttpResponse:
    """The rows' `fields` (the API's names: each a model field or a lookup) as a streamed download."""
    rows = queryset.values_list(*fields).iterator(chunk_size=CHUNK_ROWS)
    body = _csv(fields, rows) if fmt == "csv" else _ndjson(fields, rows)
    response = StreamingHttpResponse(body, content_type=FORMATS[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


def export_responses() -> dict[str, Any]:
    """The OpenAPI `responses` of an export operation: CSV or NDJSON text."""
    text = {"schema": {"type": "string"}}
    return {
        "200": {
            "description": "每行一条记录（CSV 首行为字段名；NDJSON 每行一个 JSON 对象）",
            "content": dict.fromkeys(FORMATS.values(), text),
        }
    }
