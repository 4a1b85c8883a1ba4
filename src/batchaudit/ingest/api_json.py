"""Read Metrc API JSON: a v1 array of records, a v2 page
`{"Data": [...], "Page", "TotalPages", "Total", ...}`, or one bare record (what
`/packages/v2/{id}` and `/packages/v2/{label}` return). Nested objects (`Item`) are flattened
as `Item.Name`. Positions are record numbers (1 for the first record of the file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from batchaudit.fields import Kind
from batchaudit.ingest.errors import InputError
from batchaudit.ingest.limits import DEFAULT_LIMITS, Limits, over_limit
from batchaudit.ingest.raw import Page, RawTable
from batchaudit.ingest.shapes import METRC_API_LAB_RESULTS

_STEPS = np.zeros(256, dtype=np.int8)
_STEPS[[ord("["), ord("{")]] = 1
_STEPS[[ord("]"), ord("}")]] = -1
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


def looks_like_json(data: bytes) -> bool:
    start = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return start[:1] in (b"{", b"[")


def read_api_json(
    path: Path, data: bytes, expected: Kind | None = None, limits: Limits = DEFAULT_LIMITS
) -> RawTable:
    """The records of a v1 array or v2 page. An empty lab-results export (given as such)
    is a real answer, nothing tested; an empty one of unknown kind cannot be read."""
    depth = nesting_depth(data)
    if depth > limits.json_depth:
        what = f"nests arrays and objects {depth:,} levels deep"
        raise over_limit(path, what, "json_depth", limits)
    try:
        # NaN and Infinity are not JSON numbers: kept as text, they become DQ002 findings.
        document = json.loads(data.decode("utf-8-sig"), parse_constant=str)
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
    records, page = _records(path, document)
    if not records and expected is Kind.LAB_RESULTS:
        header = [titles[0] for titles in METRC_API_LAB_RESULTS.titles.values()]
        empty = pd.DataFrame(columns=header, dtype="str")
        return RawTable(
            path, header, empty, np.zeros(0, dtype=np.int64), page=page, header_position=None
        )
    if not records:
        raise InputError(f"{path} holds no records; check the API call that wrote it.")
    if not all(isinstance(record, dict) for record in records):
        raise InputError(f"{path} is JSON but its records are not objects with field names.")
    flat = pd.json_normalize(records, sep=".")
    header = [str(column) for column in flat.columns]
    rows = flat.set_axis(header, axis=1)
    positions = np.arange(1, len(rows) + 1, dtype=np.int64)
    return RawTable(
        path, header, rows, positions, encoding="utf-8", page=page, header_position=None
    )


def nesting_depth(data: bytes) -> int:
    """How deep arrays and objects nest, counted without parsing, so that a hostile file
    cannot exhaust the parser's recursion: brackets inside strings are set aside."""
    codes = np.frombuffer(data, dtype=np.uint8)
    brackets = np.flatnonzero(_STEPS[codes])
    quotes_before = np.searchsorted(_string_quotes(codes), brackets)
    steps = _STEPS[codes[brackets[quotes_before % 2 == 0]]]
    return int(np.cumsum(steps, dtype=np.int64).max(initial=0))


def _string_quotes(codes: np.ndarray) -> np.ndarray:
    """Positions of the quotes that open or close strings: not those escaped by an odd run
    of backslashes."""
    quotes = np.flatnonzero(codes == _QUOTE)
    after_backslash = quotes[(quotes > 0) & (codes[quotes - 1] == _BACKSLASH)]
    if not len(after_backslash):
        return quotes
    backslashes = np.flatnonzero(codes == _BACKSLASH)
    run_starts = backslashes[np.concatenate(([True], np.diff(backslashes) != 1))]
    starts = run_starts[np.searchsorted(run_starts, after_backslash - 1, side="right") - 1]
    escaped = after_backslash[(after_backslash - starts) % 2 == 1]
    return np.setdiff1d(quotes, escaped, assume_unique=True)


def _records(path: Path, document: Any) -> tuple[list[Any], Page | None]:
    if isinstance(document, list):
        return document, None
    if isinstance(document, dict) and isinstance(document.get("Data"), list):
        records = document["Data"]
        page = Page(
            number=_integer(document, "Page", "CurrentPage"),
            total_pages=_integer(document, "TotalPages"),
            total_records=_integer(document, "Total", "TotalRecords"),
            records_on_page=_integer(document, "RecordsOnPage"),
            records=len(records),
        )
        return records, page
    if isinstance(document, dict) and _RECORD_KEYS & document.keys():
        return [document], None
    raise InputError(
        f"{path} is JSON but neither a list of records nor a Metrc API page with 'Data'; "
        "save the API response as it came."
    )


# Fields that make a bare JSON object one record: a package (by id or label) or a lab result.
_RECORD_KEYS = {"Id", "Label", "PackageLabel", "TestTypeName", "LabTestResultId"}


def _integer(document: dict[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = document.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None
