"""Read a delimited text export (CSV, TSV, "Unicode Text") into a table of strings,
remembering each row's line.

Everything is read as text (`dtype=str`, no NA guessing) so that "NA", "0012" and blank stay
what they were; conversion happens in one place, `model/values.py`. A large lab-results file
is parsed into codes of that text (categories: each distinct text once; see
`text_columns.Reading`).
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import threading
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]

from batchaudit.ingest.errors import InputError
from batchaudit.ingest.raw import BadLine, RawTable
from batchaudit.ingest.salvage import (
    Cleaned,
    broken_header,
    cleaned,
    looks_binary,
    nul_rows,
    open_quote_line_start,
    swallowing_rows,
    truncated_at,
    utf16_without_bom,
)
from batchaudit.ingest.text_columns import Wanted, codes_where_repeated, columns_wanted, in_pandas

_DELIMITERS = (",", ";", "\t")
_SKIPPED_LINE = re.compile(r"Skipping line (\d+): (.*)")
_SNIFF_BYTES = 8192
_NUMPY_CHECKED_BYTES = 1 << 20  # a file this large is checked for ASCII by numpy (`_ascii`)
_SMALL_BYTES = 1 << 16
# Each column comes in one piece per block: every later selection of rows costs a step per
# piece, so not Arrow's default of 1 MB (a 1.45 GB lab file in 1,381 pieces; selecting its
# rows took seven times as long as in 87). But a block of 16 MB parses slower than one of
# 4 MB (per-package pulls of 532 MB: 1.04-1.15 s against 0.81-0.83 s on two threads).
_BLOCK_BYTES = 4 << 20
# Arrow parses on one pool of threads, one per processor, taking blocks in the order they
# were queued: a 1.45 GB lab file's 345 blocks queued a packages file read beside it behind
# them (at 10^6 packages, 130 MB parsed in 3.2-3.4 s, against 0.7-0.8 s on its own thread),
# and its validation waited. A file under this size is parsed on the thread reading it.
_POOLED_BYTES = 256 << 20
# pandas keeps text as large_string: read as that, so no column is cast on the way over.
_TEXT_TYPES = {pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan)}
# A file read as codes: each column its distinct texts and a code per cell (categories).
_CODED = pa.dictionary(pa.int32(), pa.large_string())
_CUT = (
    "the file ends inside the quoted value that starts on this line, so it was probably "
    "cut short (the rows above it are audited)"
)
_UNREADABLE = (
    "{path} cannot be read as a table: its quotes and delimiters do not make rows; "
    "export it from Metrc again."
)


def read_text_table(path: Path, data: bytes, wanted: Wanted | None = None) -> RawTable:
    """The file's rows as text. With `wanted`, the fast path parses only the columns it
    names (the others are never made text), when the titles are plain to see, and as codes
    of text where it says so (a small file, or one the careful reader reads, is text: its
    group of files is made codes at once, validation.py)."""
    encoding = _encoding(path, data)
    data, parse_as = _parseable(data, encoding)
    clean = cleaned(path, data)
    head = clean.data[:_SNIFF_BYTES].decode(parse_as, errors="replace").split("\n", 1)[0]
    first_line = head.replace("\r", "\n").split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    width = len(next(csv.reader([first_line], delimiter=delimiter)))
    small = _small_table(path, clean, (parse_as, delimiter), width, encoding)
    if small is not None:
        return small
    titled = columns_wanted(first_line, delimiter, wanted)
    # Without a quote or a carriage return no value can hold a line break: every line is a
    # row (or an irregular one), so the lines need no counting.
    quoted = b'"' in clean.data  # one look for a quote, kept: the file may be 1.5 GB
    lines_are_rows = not quoted and b"\r" not in clean.data
    counted = None if lines_are_rows else _count_lines(clean.data)
    # `_encoding` read a UTF-8 file whole (ASCII, or decoded) and UTF-16 is written anew:
    # only after a UTF-8 byte-order mark is the text unchecked, for Arrow to check it.
    checked = encoding != "utf-8-sig"
    dialect = (clean.data, parse_as, delimiter, counted, width, quoted, checked)
    fast = functools.partial(_read_simple_file, *dialect, coded=bool(titled and titled.coded))
    some = titled and titled.positions
    cells = fast(some or None)
    if cells is not None and titled and some and not _read_as_titled(cells, titled.titles):
        cells = fast(None)  # a title or a blank row to look at whole
    parsed_fast = cells is not None
    bad_lines: list[BadLine] = []
    cut_at = None
    physical_lines = len(cells) if cells is not None and counted is None else counted
    if cells is None:
        cells, bad_lines, cut_at = _read_any_file(path, clean.data, parse_as, delimiter)
    if physical_lines is None:
        physical_lines = _count_lines(clean.data)
    if titled and len(cells.columns) < width:
        header = titled.titles
    else:
        header = [str(title).strip() for title in cells.iloc[0]] if len(cells) else []
    rows = cells.iloc[1:].reset_index(drop=True)
    rows.columns = pd.Index([header[position] for position in _positions(cells)])
    all_lines = _row_lines(cells, [bad.line for bad in bad_lines], physical_lines)
    blank = _blank_rows(rows)
    broken_header(path, head, len(header), int((~blank).sum()), len(bad_lines))
    if cut_at:
        bad_lines.append(BadLine(cut_at, "EOF inside string", _CUT))
    rows, lines, bad_lines = _damaged_rows_left_out(rows, all_lines[1:], blank, clean, bad_lines)
    above = clean.lines_above
    bad_lines = [replace(bad, line=bad.line + above) for bad in bad_lines]
    table = RawTable(path, header, rows, lines + above, "", encoding, delimiter, bad_lines)
    table.header_position = 1 + above
    table.coded = bool(titled and titled.coded) and parsed_fast
    return table


def _small_table(
    path: Path, clean: Cleaned, dialect: tuple[str, str], width: int, encoding: str
) -> RawTable | None:
    """A small file that needs no salvage (no blank lines above, no NUL, no quote left open
    at the end), read by the csv module; None for any other."""
    tiny = len(clean.data) <= _SMALL_BYTES
    if not tiny or clean.lines_above or len(clean.nul_lines) or _quote_left_open(clean.data):
        return None
    line_count = _count_lines(clean.data)
    return _read_small_file(path, clean.data, dialect, line_count, width, encoding)


def _parseable(data: bytes, encoding: str) -> tuple[bytes, str]:
    """UTF-16 as UTF-8 and without byte-order marks, so one parser path reads every file."""
    if encoding.startswith("utf-16"):
        return data.decode(encoding, errors="replace").lstrip("\ufeff").encode("utf-8"), "utf-8"
    if encoding == "utf-8-sig":
        return data[len(codecs.BOM_UTF8) :], "utf-8"
    return data, encoding


def _damaged_rows_left_out(
    rows: pd.DataFrame, lines: np.ndarray, blank: np.ndarray, clean: Cleaned, bad: list[BadLine]
) -> tuple[pd.DataFrame, np.ndarray, list[BadLine]]:
    """Rows without blank ones, and without those a NUL byte or an open quote damaged
    (each of those becomes a bad line)."""
    nul, nul_bad = nul_rows(lines, clean.nul_lines)
    swallowing, swallowing_bad = (
        swallowing_rows(rows, lines)
        if rows.shape[1] and _has_line_breaks(lines)
        else (np.zeros(len(rows), dtype=bool), [])
    )
    dropped = blank | nul | swallowing
    if dropped.any():
        rows, lines = rows.loc[~dropped].reset_index(drop=True), lines[~dropped]
    return rows, lines, sorted([*bad, *nul_bad, *swallowing_bad], key=lambda b: b.line)


def _has_line_breaks(lines: np.ndarray) -> bool:
    """Does some row span more than one line (a value holds a line break)? Lines only grow,
    so a gap shows in the span, without a difference per row."""
    return bool(len(lines) > 1 and lines[-1] - lines[0] != len(lines) - 1)


def _read_small_file(
    path: Path,
    data: bytes,
    dialect: tuple[str, str],
    physical_lines: int,
    width: int,
    file_encoding: str,
) -> RawTable | None:
    """A small UTF-8 file in which every line is one row, parsed by the csv module and made
    a frame once: a folder of one-row exports would otherwise pay a dozen frame operations
    per file. None when the file is not that simple."""
    encoding, delimiter = dialect
    if encoding not in ("utf-8", "utf-8-sig"):
        return None
    try:
        records = list(csv.reader(io.StringIO(data.decode(encoding)), delimiter=delimiter))
    except (csv.Error, UnicodeDecodeError):
        return None
    if len(records) != physical_lines or any(len(record) != width for record in records):
        return None
    header = [title.strip() for title in records[0]]
    kept = [record for record in records[1:] if any(record)]  # rows of blank cells dropped
    lines = np.arange(2, len(records) + 1, dtype=np.int64)
    lines = lines[[any(record) for record in records[1:]]] if len(kept) < len(lines) else lines
    # Cells stay Python text until the tables of one header are joined (load._selected) and
    # made Arrow text once: a frame of Arrow text per one-row file cost a millisecond each.
    rows = pd.DataFrame(kept, columns=range(width), dtype=object)
    rows.columns = pd.Index(header, dtype=object)
    return RawTable(path, header, rows, lines, "", file_encoding, delimiter, [])


def _read_simple_file(
    data: bytes,
    encoding: str,
    delimiter: str,
    physical_lines: int | None,
    width: int,
    quoted: bool,
    utf8_checked: bool,
    include: list[int] | None,
    coded: bool = False,
) -> pd.DataFrame | None:
    """The fast path (pyarrow, multi-threaded) for the common file in which every line is one
    row (`physical_lines`, or None when no value can hold a line break). None when the file
    is not that simple: then line numbers need the careful reader. Arrow checks each value
    is UTF-8 unless the whole file is known to be (`utf8_checked`). Only the columns at
    `include` are made text, if given; the frame's columns are their positions. `coded`:
    each column as codes of its distinct texts (categories), not text."""
    # An odd number of quotes leaves one open: pyarrow would close it at the end of the file
    # without a word, where the careful reader says where it opens.
    if encoding not in ("utf-8", "utf-8-sig") or (quoted and _quote_left_open(data)):
        return None
    irregular: list[object] = []
    cell_type = _CODED if coded else pa.large_string()

    def note_irregular_row(row: object) -> str:
        irregular.append(row)
        return "skip"

    try:
        table = pa_csv.read_csv(
            pa.BufferReader(data),  # the bytes themselves: a file object hands out copies
            read_options=pa_csv.ReadOptions(
                autogenerate_column_names=True,
                use_threads=len(data) >= _POOLED_BYTES,
                block_size=_BLOCK_BYTES,
            ),
            # A blank line is an irregular row, not one to pass over: its line must count.
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                invalid_row_handler=note_irregular_row,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": cell_type for i in range(width)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=not utf8_checked,
                include_columns=[f"f{position}" for position in include or []],
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    if irregular or (physical_lines is not None and table.num_rows != physical_lines):
        return None
    if coded:
        table = codes_where_repeated(table)
    frame = in_pandas(table, _TEXT_TYPES[pa.large_string()])
    return frame.set_axis(include or range(frame.shape[1]), axis=1)


def _positions(cells: pd.DataFrame) -> list[int]:
    """The positions in the file of the columns read (they label the columns)."""
    return [int(position) for position in cells.columns.to_numpy(dtype=np.int64)]


def _read_as_titled(cells: pd.DataFrame, titles: list[str]) -> bool:
    """Whether the columns read hold the titles they were read for, and no row is blank in
    all of them (it may not be blank in the others: a blank row is left out)."""
    read_titles = [str(title).strip() for title in cells.iloc[0]]
    if read_titles != [titles[position] for position in _positions(cells)]:
        return False
    return not _blank_rows(cells.iloc[1:]).any()


def _read_any_file(
    path: Path, data: bytes, encoding: str, delimiter: str
) -> tuple[pd.DataFrame, list[BadLine], int | None]:
    """pandas' C parser: any encoding, blank lines, quoted line breaks, malformed rows. A
    file that ends inside quotes is read up to the line where they open (its number is
    the third value)."""
    try:
        return (*_parsed(data, encoding, delimiter), None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError) as error:
        start = open_quote_line_start(data) if truncated_at(error) is not None else 0
        if start <= 0:  # not a cut, or cut in the titles: nothing to salvage
            raise InputError(_UNREADABLE.format(path=path)) from error
    try:
        return (*_parsed(data[:start], encoding, delimiter), data.count(b"\n", 0, start) + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError) as error:
        raise InputError(_UNREADABLE.format(path=path)) from error


# The warnings filters are the process's: files read side by side record one at a time.
_RECORDING_WARNINGS = threading.Lock()


def _parsed(data: bytes, encoding: str, delimiter: str) -> tuple[pd.DataFrame, list[BadLine]]:
    with _RECORDING_WARNINGS, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # header=None: the first line sets the width, so a longer row is reported as a bad
        # line (pandas would otherwise turn a wider first row into an index, silently).
        cells = pd.read_csv(
            io.BytesIO(data),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            on_bad_lines="warn",
            engine="c",
            encoding=encoding,
            encoding_errors="replace",
        )
    return cells, _bad_lines(caught)


def _encoding(path: Path, data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:_SNIFF_BYTES]
    without_bom = utf16_without_bom(sample)
    if without_bom:
        return without_bom
    if looks_binary(sample):
        raise InputError(
            f"{path} is a binary file, not a text export; export the grid from Metrc again "
            "and save it as CSV."
        )
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if _ascii(data):  # ASCII is UTF-8, and the check copies nothing
        return "utf-8"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" as Windows-1252.
        return "cp1252"
    return "utf-8"


def _ascii(data: bytes) -> bool:
    """No byte over 0x7F. numpy's maximum is twice as quick as `bytes.isascii` on a large
    file (532 MB: 0.06 s against 0.12 s) and lets go of the interpreter lock while it looks,
    for the files read beside."""
    if len(data) < _NUMPY_CHECKED_BYTES:
        return data.isascii()
    return bool(np.frombuffer(data, dtype=np.uint8).max() < 0x80)


def _quote_left_open(data: bytes) -> bool:
    """An odd number of quotes (counted only when there is one: looking is much quicker)."""
    return b'"' in data and data.count(b'"') % 2 == 1


def _count_lines(data: bytes) -> int:
    count = data.count(b"\n")
    return count if data.endswith(b"\n") else count + 1


def _blank_rows(rows: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty (checked only where the first cell is)."""
    if rows.columns.empty:
        return np.zeros(len(rows), dtype=bool)
    candidates = (rows.iloc[:, 0] == "").to_numpy(copy=True)
    if candidates.any():
        candidates[candidates] = (rows.loc[candidates] == "").all(axis=1).to_numpy()
    return candidates


def _bad_lines(caught: list[warnings.WarningMessage]) -> list[BadLine]:
    return [
        BadLine(int(match.group(1)), match.group(2).strip())
        for warning in caught
        for match in _SKIPPED_LINE.finditer(str(warning.message))
    ]


def _row_lines(rows: pd.DataFrame, skipped: list[int], physical_lines: int) -> np.ndarray:
    """Line of each row (the header is row 0): its position, plus the newlines quoted inside
    earlier rows, plus the lines the parser skipped before it."""
    lines = 1 + np.arange(len(rows), dtype=np.int64)
    if len(rows) + len(skipped) != physical_lines:  # some field holds a line break
        embedded = np.zeros(len(rows), dtype=np.int64)
        for column in rows.columns:
            embedded += rows[column].str.count("\n").to_numpy(dtype=np.int64)
        lines[1:] += np.cumsum(embedded)[:-1]
    for line in sorted(skipped):
        lines[lines >= line] += 1
    return lines
