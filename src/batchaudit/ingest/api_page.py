"""A v2 page read by Arrow's JSON parser, when its records are as plain as its first.

With `titles` (the titles the detected shape reads, load.py), Arrow makes columns of those
fields only, nested ones (`Item.Name`) included, and passes over the others, whatever they
hold: Metrc's own records carry arrays (`Item.ProductImages`) and unit fields that are null
in one record and numbers in the next, which no column is made of (`mapped_page`).

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
from collections.abc import Callable, Collection
from typing import Any, NamedTuple

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from batchaudit.ingest.json_depth import depth
from batchaudit.ingest.shapes import header_key
from batchaudit.support.json_document import read_document

# `{"Data": [` at the start, the way the API writes a page; the first record follows.
_PAGE_START = re.compile(rb'\s*\{\s*"Data"\s*:\s*\[\s*(?=\{)')
# The first record is looked for in this much of the file (a Metrc record is under 4 kB).
_FIRST_RECORD_BYTES = 1 << 16
# Records nested deeper (a Metrc record nests two levels: `Item`) are read the other way.
_NESTED = 4


# What says which titles of a header a shape reads (every title it maps, present or not).
Titles = Callable[[list[str]], Collection[str] | None]


BOM = b"\xef\xbb\xbf"


def looks_like_json(data: bytes) -> bool:
    start = data[:64].lstrip(BOM + b" \t\r\n")
    return start[:1] in (b"{", b"[")


def without_bom(data: bytes) -> bytes | memoryview:
    """The bytes after a UTF-8 byte-order mark (without a copy), or all of them."""
    return memoryview(data)[3:] if data.startswith(BOM) else data


class ArrowPage(NamedTuple):
    records: pa.StructArray
    others: dict[str, Any]  # the paging fields
    header: list[str] | None = None  # every field of the records, where not every one is read
    levels: int = 0  # how deep the first record nests, where not every field is read


class ParsedAhead(NamedTuple):
    """What `arrow_page` made of a file, parsed before it was read (ingest/read_ahead.py)."""

    page: ArrowPage | None


def arrow_page(data: bytes | memoryview, titles: Titles | None = None) -> ArrowPage | None:
    """The page's records as one struct array, and its other fields; None where the page
    does not start with its records, or its records are not all as plain as its first."""
    start = _PAGE_START.match(data)
    if start is None:
        return None
    head = _head_records(bytes(data[start.end() : start.end() + _FIRST_RECORD_BYTES]))
    first = head[0] if head else None
    if first is None or depth(first) > _NESTED:
        return None
    read = titles(flat_keys(first)) if titles is not None else None
    if read is not None:
        return mapped_page(data, head, read)
    kind = _struct_of(first)
    if kind is None:
        return None
    schema = pa.schema([("Data", pa.list_(kind))])
    table = read_document(data, schema, "infer")
    # One document, no field the first record lacks (Arrow would have guessed its type).
    if (
        table is None
        or table.num_rows != 1
        or table.schema.field("Data").type != schema.field("Data").type
    ):
        return None
    records = table.column("Data").chunk(0).values
    others = table.drop_columns(["Data"]).to_pylist()[0]
    if records.null_count or not _finite(records) or not plain_paging(others):
        return None
    return ArrowPage(records, others)


def mapped_page(
    data: bytes | memoryview, head: list[dict[str, Any]], titles: Collection[str]
) -> ArrowPage | None:
    """The fields named by `titles` of every record, typed as the first records of the page
    type them (text where they are null), the others passed over. A field read that the
    first record lacks is looked for in every record and kept where some record fills it
    (a record saved without its nulls); None, for the other way, where a record holds
    another kind of value than the first records, an array or an object in a field read."""
    if any("." in name for name in head[0]):  # a field named as a flattened one would be
        return None
    header = flat_keys(head[0])
    present = {header_key(key) for key in header}
    wanted = {header_key(title) for title in titles}
    read = [key for key in header if header_key(key) in wanted]
    absent = sorted({t for t in titles if header_key(t) not in present and t.count(".") < 2})
    kinds = _kinds(head, read)
    if kinds is None:
        return None
    kinds.update(dict.fromkeys(absent, pa.string()))
    schema = pa.schema([("Data", pa.list_(_nested(kinds))), *_PAGING])
    table = read_document(data, schema, "ignore")
    if table is None:  # another kind of value, or no JSON
        return None
    records = table.column("Data").chunk(0).values if table.num_rows == 1 else None
    if records is None or records.null_count or not _finite(records):
        return None
    records, filled = _without_empty(records, absent)
    others = table.drop_columns(["Data"]).to_pylist()[0]
    return ArrowPage(records, others, header + filled, depth(head[0]))


# The paging fields, read as the integers they are (a page with others is read the other way).
_PAGING = [
    (name, pa.int64())
    for name in ("Total", "TotalRecords", "PageSize", "RecordsOnPage", "Page", "CurrentPage")
] + [("TotalPages", pa.int64())]


def flat_keys(record: dict[str, Any]) -> list[str]:
    """The record's fields as the columns they become: an object's fields as `Item.Name`."""
    keys = []
    for name, value in record.items():
        if isinstance(value, dict):
            keys += [f"{name}.{inner}" for inner in flat_keys(value)]
        else:
            keys.append(name)
    return keys


def _kinds(head: list[dict[str, Any]], keys: list[str]) -> dict[str, pa.DataType] | None:
    """Each field's Arrow type, as the first records hold it (text where all are null);
    None where one holds an array or an object, or kinds no one type holds."""
    kinds = {}
    for key in keys:
        seen = {type(value) for value in (_at(record, key) for record in head)} - {type(None)}
        if seen == {int, float}:
            seen = {float}
        if len(seen) > 1 or seen - _KINDS.keys():
            return None
        kinds[key] = _KINDS[seen.pop()] if seen else pa.string()
    return kinds


def _at(record: dict[str, Any], key: str) -> Any:
    """A record's value at a flattened key (`Item.Name`), None where it has none."""
    value: Any = record
    for part in key.split(".") if key not in record else [key]:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _nested(kinds: dict[str, pa.DataType]) -> pa.StructType:
    """`Item.Name` keys as a struct `Item` with a field `Name`, in the order met."""
    fields: dict[str, Any] = {}
    for key, kind in kinds.items():
        outer, _, inner = key.partition(".")
        if inner:
            fields.setdefault(outer, {})[inner] = kind
        else:
            fields[key] = kind
    return pa.struct(
        [
            pa.field(name, _nested(kind) if isinstance(kind, dict) else kind)
            for name, kind in fields.items()
        ]
    )


def _without_empty(records: pa.StructArray, keys: list[str]) -> tuple[pa.StructArray, list[str]]:
    """The records without the columns of `keys` that no record fills, and the keys kept."""
    if not keys:
        return records, []
    table = pa.Table.from_struct_array(records)
    while any(pa.types.is_struct(column.type) for column in table.columns):
        table = table.flatten()
    empty = [key for key in keys if table.column(key).null_count == len(table)]
    kept = [name for name in table.column_names if name not in empty]
    if not empty:
        return records, keys
    flat = table.select(kept)
    return _restructured(flat), [key for key in keys if key not in empty]


def _restructured(table: pa.Table) -> pa.StructArray:
    """Flat `Item.Name` columns as records again (columns_of flattens them once more)."""
    outer: dict[str, Any] = {}
    for name in table.column_names:
        head, _, inner = name.partition(".")
        if inner:
            outer.setdefault(head, {})[inner] = table.column(name).combine_chunks()
        else:
            outer[name] = table.column(name).combine_chunks()
    arrays = [
        pa.StructArray.from_arrays(list(value.values()), list(value))
        if isinstance(value, dict)
        else value
        for value in outer.values()
    ]
    return pa.StructArray.from_arrays(arrays, list(outer))


def _head_records(head: bytes) -> list[dict[str, Any]]:
    """The whole records at the start of the page (the first one, at least, if it is whole)."""
    text = head.decode("utf-8", errors="replace")  # what follows the records may be cut
    decoder, records, at = json.JSONDecoder(), [], 0
    while True:
        try:
            record, at = decoder.raw_decode(text, at)
        except (ValueError, RecursionError):  # cut short (a long record), or no JSON
            break
        if not isinstance(record, dict):
            break
        records.append(record)
        at = _NEXT_RECORD.match(text, at).end()  # type: ignore[union-attr]
    return records


_NEXT_RECORD = re.compile(r"\s*,?\s*")


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
