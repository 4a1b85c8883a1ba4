"""A v2 page read by Arrow's JSON parser, when its records are as plain as its first.

Decoding a page into Python objects and making columns of them (`api_columns.plain_columns`)
costs 0.65 s for 100,000 packages; Arrow reads the same page into columns in 0.4 s. But
Arrow guesses a type for every field, and would read "2026-01-05" as a timestamp, whose
text is not what the file says. So the types are given, as the first record has them: text
stays text. Arrow refuses a record whose field holds another kind of value than the first
record's (a number where it had text, an object), a field the first record lacks makes the
types differ from those given, and any such page is read the other way: the columns are
the same either way (tests/test_api_page.py reads pages both ways). Fields that are null in
the first record are read as text, which is what the other way makes of them too.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.json as pa_json  # type: ignore[import-untyped]

from batchaudit.ingest.json_depth import depth

# `{"Data": [` at the start, the way the API writes a page; the first record follows.
_PAGE_START = re.compile(rb'\s*\{\s*"Data"\s*:\s*\[\s*(?=\{)')
# The first record is looked for in this much of the file (a Metrc record is under 4 kB).
_FIRST_RECORD_BYTES = 1 << 16
# Records nested deeper (a Metrc record nests two levels: `Item`) are read the other way.
_NESTED = 4


def arrow_page(data: bytes | memoryview) -> tuple[pa.StructArray, dict[str, Any]] | None:
    """The page's records as one struct array, and its other fields; None where the page
    does not start with its records, or its records are not all as plain as its first."""
    start = _PAGE_START.match(data)
    if start is None:
        return None
    first = _first_record(bytes(data[start.end() : start.end() + _FIRST_RECORD_BYTES]))
    kind = _struct_of(first) if first is not None and depth(first) <= _NESTED else None
    if kind is None:
        return None
    schema = pa.schema([("Data", pa.list_(kind))])
    options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
    try:
        table = pa_json.read_json(
            pa.BufferReader(data),
            read_options=pa_json.ReadOptions(use_threads=False, block_size=len(data) + 1),
            parse_options=options,
        )
    except (pa.ArrowException, ValueError):  # another kind of value, or no JSON
        return None
    # One document, no field the first record lacks (Arrow would have guessed its type).
    if table.num_rows != 1 or table.schema.field("Data").type != schema.field("Data").type:
        return None
    records = table.column("Data").chunk(0).values
    others = table.drop_columns(["Data"]).to_pylist()[0]
    if records.null_count or not _finite(records) or not plain_paging(others):
        return None
    return records, others


def _first_record(head: bytes) -> dict[str, Any] | None:
    text = head.decode("utf-8", errors="replace")  # what follows the record may be cut
    try:
        record, _ = json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError):  # cut short (a long record), or no JSON
        return None
    return record if isinstance(record, dict) else None


def _struct_of(record: dict[str, Any]) -> pa.DataType | None:
    """The record's fields as Arrow types, in order: None for a field that is an array (or
    a record without fields), which Arrow's reading does not make columns of."""
    fields = []
    for name, value in record.items():
        kind = _KINDS.get(type(value)) if not isinstance(value, dict) else _struct_of(value)
        if kind is None:
            return None
        fields.append(pa.field(name, kind))
    return pa.struct(fields) if fields else None


_KINDS = {
    str: pa.string(),
    type(None): pa.string(),
    bool: pa.bool_(),
    int: pa.int64(),
    float: pa.float64(),
}


def _finite(records: pa.StructArray) -> bool:
    """No NaN or infinity, which Arrow reads and JSON has not (the other way says so)."""
    for column in records.flatten():
        if pa.types.is_struct(column.type) and not _finite(column):
            return False
        finite = (
            pc.all(pc.is_finite(column), min_count=0) if pa.types.is_floating(column.type) else None
        )
        if finite is not None and not finite.as_py():
            return False
    return True


def plain_paging(fields: dict[str, Any]) -> bool:
    """Paging fields of text, integers, flags or nulls only (no nesting to measure, and no
    float, which orjson may have rounded from an integer of over 64 bits)."""
    return all(isinstance(value, str | int | bool) or value is None for value in fields.values())
