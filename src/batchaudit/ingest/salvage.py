"""Read what can be read of a damaged text export.

A damaged row costs that row, not the file: blank lines above the column titles are passed
over, UTF-16 without a byte-order mark is recognised, a NUL byte drops its row, and a
quote left open (one that takes in the next package, or one the file ends inside) is
named by its line. A header that the rows do not fit is one sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from batchaudit.ingest.errors import InputError
from batchaudit.ingest.raw import BadLine
from batchaudit.model.values import TAG_PATTERN

_SNIFF_BYTES = 8192
# Control bytes other than tab, line feed, form feed and carriage return.
_CONTROL = np.ones(256, dtype=bool)
_CONTROL[32:127] = _CONTROL[128:] = False
_CONTROL[[9, 10, 12, 13]] = False
_BINARY_SHARE = 0.05  # of the first 8 KB; one NUL or ESC in a text export is damage, not binary
_BLANK_LINES = re.compile(rb"(?:[ \t,;]*(?:\r\n|\n|\r))+")
# A line break inside a value followed by what starts a packages row: a tag as its first or
# second value (API exports put `Id` first), then a delimiter.
_SWALLOWED_ROW = rf"\n\s*(?:\"?[^\",;\t\n]*\"?[,;\t])?\s*\"?({TAG_PATTERN})\"?[,;\t]"
_EOF_IN_QUOTES = re.compile(r"EOF inside string starting at row (\d+)")


@dataclass(frozen=True)
class Cleaned:
    """Text bytes ready for the parser (UTF-8 when the file was UTF-16) and what was done."""

    data: bytes
    lines_above: int  # blank lines removed above the column titles
    nul_lines: np.ndarray  # lines (counted after those) that held a NUL byte


def utf16_without_bom(sample: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` when every other byte is zero, as in Excel's Unicode Text
    saved without its byte-order mark; None otherwise."""
    even, odd = np.frombuffer(sample[: len(sample) // 2 * 2], dtype=np.uint8).reshape(-1, 2).T
    if len(even) < 2:
        return None
    zero_even, zero_odd = (even == 0).mean(), (odd == 0).mean()
    if zero_odd > 0.3 and zero_even < 0.05:
        return "utf-16-le"
    if zero_even > 0.3 and zero_odd < 0.05:
        return "utf-16-be"
    return None


def looks_binary(sample: bytes) -> bool:
    codes = np.frombuffer(sample, dtype=np.uint8)
    return bool(len(codes)) and float(_CONTROL[codes].mean()) > _BINARY_SHARE


def cleaned(path: Path, data: bytes) -> Cleaned:
    """The file without NUL bytes and without blank lines above the titles, remembering
    which lines held a NUL."""
    data, nul_lines = _without_nul(data)
    blank = _BLANK_LINES.match(data)
    lines_above = blank.group().count(b"\n") if blank else 0
    if blank:
        data = data[blank.end() :]
    if blank_only(data):
        raise InputError(f"{path} holds only blank lines; export it from Metrc again.")
    return Cleaned(data, lines_above, nul_lines[nul_lines > lines_above] - lines_above)


def blank_only(data: bytes) -> bool:
    """Nothing but white space (checked without copying the data, as `strip` would)."""
    return not data or data.isspace()


def _without_nul(data: bytes) -> tuple[bytes, np.ndarray]:
    if b"\x00" not in data:  # a byte search; the usual file has none
        return data, np.zeros(0, dtype=np.int64)
    codes = np.frombuffer(data, dtype=np.uint8)
    nul_at = np.flatnonzero(codes == 0)
    breaks = np.flatnonzero(codes == ord("\n"))
    return data.replace(b"\x00", b""), np.unique(np.searchsorted(breaks, nul_at) + 1)


def truncated_at(error: Exception) -> int | None:
    """The record (0 = the titles) where the parser found the file ending inside quotes."""
    match = _EOF_IN_QUOTES.search(str(error))
    return int(match.group(1)) if match else None


def open_quote_line_start(data: bytes) -> int:
    """Where the line starts that holds the quote a cut file ends inside: its last quote
    (0 when that is on the first line)."""
    return data.rfind(b"\n", 0, data.rfind(b'"')) + 1


def broken_header(path: Path, first_line: str, titles: int, rows: int, bad: int) -> None:
    """One sentence, instead of a finding per row, when most rows do not fit the titles."""
    if bad == 0 or bad <= rows:
        return
    # A carriage return before the line feed is a Windows line end; one elsewhere is stray.
    stray = "\r" in first_line.rstrip("\r")
    how = " by a stray carriage return (a line break inside a title)" if stray else ""
    raise InputError(
        f"{path}, line 1: the column titles are broken{how}: the line holds {titles} "
        f"titles but {bad:,} of the {rows + bad:,} rows below do not fit them; fix the first "
        "line (or export the file again) and retry."
    )


def nul_rows(lines: np.ndarray, nul_lines: np.ndarray) -> tuple[np.ndarray, list[BadLine]]:
    """Rows (by their first line) that hold a NUL byte: a mask, and a bad line for each."""
    if not len(nul_lines) or not len(lines):
        return np.zeros(len(lines), dtype=bool), []
    owner = np.searchsorted(lines, nul_lines, side="right") - 1
    owner = np.unique(owner[owner >= 0])
    mask = np.zeros(len(lines), dtype=bool)
    mask[owner] = True
    reason = "the row holds a NUL (zero) byte, so it is damaged"
    return mask, [BadLine(int(lines[row]), "NUL byte", reason) for row in owner]


def swallowing_rows(rows: pd.DataFrame, lines: np.ndarray) -> tuple[np.ndarray, list[BadLine]]:
    """Rows with a value that runs on over a line holding another package's tag: a quote
    left open took that package in. A mask, and a bad line naming the package."""
    swallowed = pd.Series("", index=rows.index, dtype="str")
    for position in range(rows.shape[1]):
        found = rows.iloc[:, position].str.findall(_SWALLOWED_ROW).str.join(", ").fillna("")
        swallowed = swallowed.where(swallowed != "", found)
    mask = (swallowed != "").to_numpy()
    bad = [
        BadLine(int(line), "quote not closed", _took_in(tags))
        for line, tags in zip(lines[mask], swallowed[mask], strict=True)
    ]
    return mask, bad


def _took_in(tags: str) -> str:
    rows = (
        "the rows of packages {} below it were"
        if "," in tags
        else "the row of package {} below it was"
    )
    return (
        "a quote opened on this line is not closed where its value should end, so "
        f"{rows.format(tags)} read into this one"
    )
