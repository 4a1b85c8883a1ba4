"""Check an `.xlsx` against the limits before python-calamine opens it.

Calamine allocates a sheet's whole range up front (one cell at XFD1048576 asks for 549 GB
and aborts the process) and inflates every member it reads, so a 2 KB workbook or a 2 MB
zip bomb could end the run. Here the zip is read with the standard library, in bounded
chunks: members counted, each one inflated with its ratio and the total watched, and the
rows and columns every sheet's cells use measured. Only then does calamine see the file.

The sheet's declared `<dimension>` is not used: calamine sizes a sheet by its cells (a
dimension of A1:XFD1048576 over six cells reads in a few kilobytes), and a tool that
declares too much should not cost the user a readable file.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from batchaudit.ingest.errors import InputError
from batchaudit.ingest.limits import MIB, Limits, over_limit

_CHUNK = 1 * MIB
_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
# Patterns that start with a literal, which the regex engine finds fast: 0.7 s for the 74 MB
# sheet of 50,000 packages. They may match more than cell references (text holding `r="9"`),
# which only makes the measured extent larger, never smaller.
# Cell references (`r="XFD1048576"`) and row numbers (`r="7"`), in two passes: the few
# distinct column letters and the row digits, since a pass that pairs them costs four times.
_COLUMNS = re.compile(rb'r="([A-Z]{1,7})\d')
_ROWS = re.compile(rb'r="[A-Z]{0,7}(\d{1,12})"')
_REFERENCE_BYTES = 32  # the longest reference the patterns read: r="AAAAAAA999999999999"


@dataclass
class _Extent:
    rows: int = 0
    columns: int = 0

    def add(self, columns: set[bytes], rows: set[bytes]) -> None:
        self.rows = max(self.rows, *map(int, rows), 0)
        self.columns = max(self.columns, *map(column_number, columns), 0)

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def column_number(letters: bytes) -> int:
    """`A` -> 1, `Z` -> 26, `AA` -> 27, `XFD` -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def check_workbook(path: Path, data: bytes, limits: Limits) -> int:
    """The cells of the workbook's sheets if it is within the limits, else InputError.
    An old `.xls` (not a zip; at most 65,536 rows by 256 columns) has only the size limit."""
    if not data.startswith(b"PK"):
        return 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > limits.zip_members:
                what = f"is a workbook of {len(members):,} files inside"
                raise over_limit(path, what, "zip_members", limits)
            inflated, cells = 0, 0
            for member in members:
                extent = _Extent() if _SHEET.fullmatch(member.filename) else None
                inflated += _inflate(path, archive, member, extent, limits, inflated)
                cells += _checked_cells(path, member.filename, extent, limits)
    # A damaged zip fails in many ways: bad headers, bad deflate data (zlib.error), seeks
    # before the start (ValueError), encrypted members (RuntimeError), unknown methods.
    except (zipfile.BadZipFile, zlib.error, ValueError, RuntimeError, EOFError, OSError) as error:
        raise InputError(
            f"{path} is not a readable Excel workbook ({error}); it may be truncated or "
            "password-protected: open it in Excel, save it again and retry."
        ) from error
    return cells


def _inflate(
    path: Path,
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    extent: _Extent | None,
    limits: Limits,
    inflated_before: int,
) -> int:
    """Inflate one member chunk by chunk, stopping at the first limit it passes."""
    allowed_by_ratio = max(member.compress_size, 1) * limits.workbook_ratio
    size, tail = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > allowed_by_ratio:
                ratio = limits.workbook_ratio
                what = f"holds {member.filename}, which inflates more than {ratio}-fold"
                raise over_limit(path, what, "workbook_ratio", limits)
            if inflated_before + size > limits.workbook_size:
                raise over_limit(path, "inflates to more bytes", "workbook_size", limits)
            if extent is not None:
                tail = _measure(extent, tail + chunk)
    return size


def _measure(extent: _Extent, text: bytes) -> bytes:
    """Widen `extent` by the cell references in `text`; its last bytes are returned to be
    read again with the next chunk, so that a reference cut in two is read whole."""
    extent.add(set(_COLUMNS.findall(text)), set(_ROWS.findall(text)))
    return text[-_REFERENCE_BYTES:]


def _checked_cells(path: Path, name: str, extent: _Extent | None, limits: Limits) -> int:
    if extent is None:
        return 0
    if extent.cells > limits.sheet_cells:
        what = f"has a sheet ({name}) of {extent.rows:,} rows by {extent.columns:,} columns"
        raise over_limit(path, what, "sheet_cells", limits)
    return extent.cells
