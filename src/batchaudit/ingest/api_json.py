"""Read Metrc API JSON: a v1 array of records, a v2 page
`{"Data": [...], "Page", "TotalPages", "Total", ...}`, or one bare record (what
`/packages/v2/{id}` and `/packages/v2/{label}` return). Nested objects (`Item`) are flattened
as `Item.Name`. Positions are record numbers (1 for the first record of the file).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import orjson
import pandas as pd
from pandas.api.types import infer_dtype

from batchaudit.ingest.api_columns import columns_of, plain_columns
from batchaudit.ingest.api_page import (
    ParsedAhead,
    Titles,
    arrow_page,
    plain_paging,
    without_bom,
)
from batchaudit.ingest.errors import InputError
from batchaudit.ingest.json_depth import depth, nesting_depth
from batchaudit.ingest.limits import DEFAULT_LIMITS, Limits, over_limit
from batchaudit.ingest.raw import Page, RawTable
from batchaudit.ingest.shapes import METRC_API_LAB_RESULTS, METRC_API_PACKAGES
from batchaudit.model.fields import Kind
from batchaudit.support.collector import collection_paused

# Nesting flattened into columns at most (a Metrc record nests two levels: `Item.Name`).
_FOLLOWED = 64


def read_api_json(
    path: Path,
    data: bytes,
    expected: Kind | None = None,
    limits: Limits = DEFAULT_LIMITS,
    titles: Titles | None = None,
    ahead: ParsedAhead | None = None,
) -> RawTable:
    """The records of a v1 array or v2 page. An export of no records is a real answer
    (nothing on hold, nothing tested): read, with 0 rows (`_empty`).

    A file of plain records (api_columns.py) is parsed by orjson and made columns by
    Arrow; any other file (NaN literals, arrays, mixed fields, errors) is read again, field
    by field, by the json module, which says what is wrong in its own words. With `titles`
    (what the detected shape reads), a v2 page's other fields are passed over; `ahead`,
    what Arrow made of the page before it was read, is taken as it is."""
    paged = _arrow_table(path, data, limits, titles, ahead)
    if paged is not None:
        return paged
    with collection_paused():  # until the parsed records are let go of, not just parsed
        plain = _plain_table(path, data, limits)
    if plain is not None:
        return plain
    document = _parsed(path, data, limits)
    records, page = _records(path, document)
    if not records or not all(isinstance(record, dict) for record in records):
        _check_depth(path, depth(document), limits)
    if not records:
        return _empty(path, expected, page)
    if not all(isinstance(record, dict) for record in records):
        raise InputError(f"{path} is JSON but its records are not objects with field names.")
    try:
        flat, record_depth = flattened(records, min(limits.json_depth, _FOLLOWED))
    except UnicodeEncodeError as error:  # a half pair orjson never saw: it stopped earlier
        half = f"\\u{ord(error.object[error.start]):04x}"
        raise InputError(_HALF_PAIR.format(path=path, where=f"{half} in a value")) from error
    _check_depth(path, _document_depth(document, records, record_depth), limits)
    if record_depth > _FOLLOWED:
        _cannot_follow(path, _document_depth(document, records, record_depth))
    header = [str(column) for column in flat.columns]
    rows = flat.set_axis(header, axis=1)
    positions = np.arange(1, len(rows) + 1, dtype=np.int64)
    return RawTable(
        path, header, rows, positions, encoding="utf-8", page=page, header_position=None
    )


def _empty(path: Path, expected: Kind | None, page: Page | None) -> RawTable:
    """A response of no records (`[]`, a page with `Data: []`) is a valid, empty export:
    nothing on hold this month, nothing tested. Its records would have had the API's fields:
    of the kind it was given as, else the kind its file name says (lab results where it
    names a lab, a result or a test; packages otherwise)."""
    kind = expected or (Kind.LAB_RESULTS if _LAB_NAME.search(path.name) else Kind.PACKAGES)
    shape = METRC_API_LAB_RESULTS if kind is Kind.LAB_RESULTS else METRC_API_PACKAGES
    header = [titles[0] for titles in shape.titles.values()]
    empty = pd.DataFrame(columns=header, dtype="str")
    positions = np.zeros(0, dtype=np.int64)
    return RawTable(
        path, header, empty, positions, encoding="utf-8", page=page, header_position=None
    )


_LAB_NAME = re.compile(r"lab|result|test", re.IGNORECASE)

_HALF_PAIR = (
    "{path} holds an escaped character that is half of a pair ({where}), which no export "
    "has; download it from the API again."
)


def _plain_table(path: Path, data: bytes, limits: Limits) -> RawTable | None:
    """The file's records as Arrow columns, if orjson reads it and it is plain records in
    a v1 array, a v2 page of plain paging fields, or one bare record; else None."""
    try:
        document = orjson.loads(without_bom(data))
    except orjson.JSONDecodeError as error:
        if "surrogate in string" in error.msg:  # the json module reads these, pandas cannot
            where = f"line {error.lineno}, column {error.colno}: {error.msg}"
            raise InputError(_HALF_PAIR.format(path=path, where=where)) from error
        return None  # NaN literals, depth, truncation: the json module's to read or word
    if not isinstance(document, list | dict) or (
        isinstance(document, dict) and not _plain_page(document)
    ):
        return None
    records, page = _records(path, document)
    built = plain_columns(records) if records else None
    if built is None:
        return None
    rows, record_depth = built
    levels = _document_depth(document, records, record_depth)
    return _columns_table(path, rows, record_depth, levels, page, limits)


def _arrow_table(
    path: Path, data: bytes, limits: Limits, titles: Titles | None, ahead: ParsedAhead | None
) -> RawTable | None:
    """A v2 page whose records are as plain as its first, read by Arrow (api_page.py)."""
    read = ahead.page if ahead is not None else arrow_page(without_bom(data), titles)
    built = columns_of(read.records) if read is not None else None
    if read is None or built is None:
        return None
    rows, record_depth = built
    record_depth = max(record_depth, read.levels)
    # The page, its Data and its records (its paging fields are plain).
    levels = 2 + record_depth
    page = _page(read.others, len(rows))
    table = _columns_table(path, rows, record_depth, levels, page, limits)
    if read.header is not None:
        table.header = read.header
    return table


def _columns_table(
    path: Path,
    rows: pd.DataFrame,
    record_depth: int,
    levels: int,
    page: Page | None,
    limits: Limits,
) -> RawTable:
    """Plain records made columns, once the document's depth (`levels`) is within limits."""
    _check_depth(path, levels, limits)
    if record_depth > _FOLLOWED:
        _cannot_follow(path, levels)
    positions = np.arange(1, len(rows) + 1, dtype=np.int64)
    return RawTable(
        path, list(rows.columns), rows, positions, encoding="utf-8", page=page, header_position=None
    )


def _plain_page(document: dict[str, Any]) -> bool:
    """Whether a page's fields beside `Data` are plain (no nesting to measure) and hold no
    float, which orjson may have rounded from an integer of over 64 bits."""
    if not isinstance(document.get("Data"), list):
        return True  # one bare record: its fields are measured as records are
    return plain_paging({key: value for key, value in document.items() if key != "Data"})


def _parsed(path: Path, data: bytes, limits: Limits) -> Any:
    try:
        # NaN and Infinity are not JSON numbers: kept as text, they become DQ002 findings.
        with collection_paused():
            return json.loads(data.decode("utf-8-sig"), parse_constant=str)
    except RecursionError:
        # Deeper than the parser follows (about a thousand levels): counted without parsing.
        levels = nesting_depth(data)
        _check_depth(path, levels, limits)
        _cannot_follow(path, levels)
    except UnicodeDecodeError as error:
        raise InputError(f"{path} is not UTF-8 JSON; download it from the API again.") from error
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "it may be truncated: download it from the API again."
        ) from error
    except ValueError as error:  # Python reads no integer of over 4,300 digits
        raise InputError(
            f"{path} holds a number of thousands of digits, which no export has; download it "
            "from the API again."
        ) from error


def _cannot_follow(path: Path, levels: int) -> NoReturn:
    raise InputError(
        f"{path} nests arrays and objects {levels:,} levels deep, more than batchaudit "
        f"follows ({_FOLLOWED}); no Metrc export nests more than four."
    )


def _check_depth(path: Path, levels: int, limits: Limits) -> None:
    if levels > limits.json_depth:
        what = f"nests arrays and objects {levels:,} levels deep"
        raise over_limit(path, what, "json_depth", limits)


def flattened(records: list[dict[str, Any]], room: int) -> tuple[pd.DataFrame, int]:
    """The records as a table, nested objects flattened into `Item.Name` columns (where
    the object's key was), and how deep the records nest. Column by column: only columns
    that hold objects or arrays are looked into. Objects nested more than `room` levels
    are only measured (the file is over a limit)."""
    if room < 1:
        return pd.DataFrame(index=range(len(records))), max(map(depth, records), default=0)
    frame = pd.DataFrame.from_records(records)
    parts: list[pd.DataFrame | pd.Series] = []
    levels = 1
    for name in frame.columns:
        column = frame[name]
        # Text, numbers, flags and nulls: nothing nested (told without a look at each value).
        if column.dtype != object or infer_dtype(column, skipna=True) in _PLAIN:
            parts.append(column)
            continue
        objects = column.map(lambda value: isinstance(value, dict)).to_numpy(dtype=bool)
        arrays = column.map(lambda value: isinstance(value, list)).to_numpy(dtype=bool)
        if arrays.any():
            levels = max(levels, 1 + max(map(depth, column[arrays])))
        if not objects.any():
            parts.append(column)
            continue
        if not (objects | column.isna().to_numpy()).all():
            parts.append(column.where(~objects))  # records where it is a value, not an object
        inner, inner_levels = flattened(column[objects].tolist(), room - 1)
        levels = max(levels, 1 + inner_levels)
        inner = inner.set_axis(column.index[objects]).reindex(column.index)
        parts.append(inner.add_prefix(f"{name}."))
    if not parts:
        return frame, levels
    return pd.concat(parts, axis=1), levels


# What pandas infers of a column of plain JSON values only, never of objects or arrays.
_PLAIN = frozenset({"empty", "string", "boolean", "integer", "floating", "mixed-integer-float"})


def _document_depth(document: Any, records: list[dict[str, Any]], record_depth: int) -> int:
    """The depth of the whole document, its records' measured column by column."""
    if document is records:  # a v1 array
        return 1 + record_depth
    if isinstance(document, dict) and document.get("Data") is records:  # a v2 page
        others = [value for key, value in document.items() if key != "Data"]
        return 1 + max([1 + record_depth, *map(depth, others)])
    return record_depth  # one bare record


def _records(path: Path, document: Any) -> tuple[list[Any], Page | None]:
    if isinstance(document, list):
        return document, None
    if isinstance(document, dict) and isinstance(document.get("Data"), list):
        records = document["Data"]
        return records, _page(document, len(records))
    if isinstance(document, dict) and _RECORD_KEYS & document.keys():
        return [document], None
    raise InputError(
        f"{path} is JSON but neither a list of records nor a Metrc API page with 'Data'; "
        "save the API response as it came."
    )


def _page(document: dict[str, Any], records: int) -> Page:
    return Page(
        number=_integer(document, "Page", "CurrentPage"),
        total_pages=_integer(document, "TotalPages"),
        total_records=_integer(document, "Total", "TotalRecords"),
        records_on_page=_integer(document, "RecordsOnPage"),
        records=records,
    )


# Fields that make a bare JSON object one record: a package (by id or label) or a lab result.
_RECORD_KEYS = {"Id", "Label", "PackageLabel", "TestTypeName", "LabTestResultId"}


def _integer(document: dict[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = document.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None
