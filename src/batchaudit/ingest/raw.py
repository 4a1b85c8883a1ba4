"""What every reader produces: a table of text cells and where each row is in its file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from batchaudit.model.values import TEXT


@dataclass(frozen=True)
class BadLine:
    line: int
    problem: str
    reason: str = ""  # what is wrong with the row, when it is not that it does not fit


@dataclass(frozen=True)
class Page:
    """Paging fields of one Metrc API v2 page document."""

    number: int | None
    total_pages: int | None
    total_records: int | None
    records_on_page: int | None
    records: int


@dataclass
class RawTable:
    """A table found in a file: its header, its rows as read (text from a text file, typed
    cells from a workbook or JSON; `as_text` makes them text), and each row's position.

    Positions are line numbers in a text file (the header is line 1), row numbers in a
    spreadsheet, record numbers in a JSON export."""

    path: Path
    header: list[str]
    rows: pd.DataFrame
    positions: np.ndarray
    sheet: str = ""
    encoding: str = ""
    delimiter: str = ""
    bad_lines: list[BadLine] = field(default_factory=list)
    page: Page | None = None
    header_position: int | None = 1  # where the column titles are; JSON has none
    coded: bool = False  # its texts are codes where they repeat (text_columns.Reading)

    @property
    def name(self) -> str:
        return f"{self.path} [{self.sheet}]" if self.sheet else str(self.path)


def cell_text(value: object) -> str:
    """A typed cell (from a workbook or JSON) as the text a CSV export would hold."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(cell_text(item) for item in value)
    return str(value)


def as_text(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells as the text a CSV export would hold. Columns that already hold only text (all
    of a CSV, most of a workbook or JSON export) convert whole; the others cell by cell."""
    text = {}
    for position in range(cells.shape[1]):
        column = cells.iloc[:, position]
        if isinstance(column.dtype, pd.StringDtype):  # text already; JSON nulls are blanks
            text[position] = column.fillna("") if column.hasnans else column
        elif isinstance(column.dtype, pd.CategoricalDtype):  # text as codes (text_columns)
            text[position] = column
        elif pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
            text[position] = column.fillna("").astype("str")
        elif (plain := _flags_or_numbers_as_text(column.to_numpy())) is not None:
            text[position] = pd.Series(pd.array(plain, dtype=TEXT), index=cells.index, copy=False)
        else:
            text[position] = pd.Series(column.map(cell_text), index=cells.index, dtype=TEXT)
    frame = pd.DataFrame(text, index=cells.index, copy=False)
    return frame.set_axis(cells.columns, axis=1)


_EXACT_INTEGERS = 2.0**53  # beyond, a float's integer is written digit by digit in Python
# Between these, Arrow writes a fraction as `repr` does (the shortest text that reads back
# the same, without an exponent: checked on 54 million values); outside, numpy writes it.
_PLAIN_FRACTIONS = (1e-4, 1e10)


def _flags_or_numbers_as_text(values: np.ndarray) -> pa.Array | None:
    """A whole column of flags or numbers (JSON's true, 12, 3035.88) as `cell_text` writes
    each of them, written by Arrow (numpy's text took 0.4-0.9 s a column at 10^6 rows);
    None for any other column, which goes cell by cell."""
    text = pa.large_string()
    if values.dtype.kind == "b":
        return pc.if_else(pa.array(values), "True", "False").cast(text)
    if values.dtype.kind in "iu":
        return pa.array(values).cast(text)
    if values.dtype.kind != "f":
        return None
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(values) & (values == np.trunc(values))
        size = np.abs(values)
    if (size[whole] >= _EXACT_INTEGERS).any():
        return None
    low, high = _PLAIN_FRACTIONS
    written = pc.if_else(
        pa.array(whole),
        pa.array(np.where(whole, values, 0).astype(np.int64)).cast(text),
        pa.array(values).cast(text),
    )
    other = ~whole & ~np.isnan(values) & ~((size >= low) & (size < high))
    if other.any():  # exponents and infinities, as numpy (and repr) write them
        written = pc.replace_with_mask(
            written, pa.array(other), pa.array(values[other].astype(str), text)
        )
    return pc.if_else(pa.array(np.isnan(values)), pa.scalar("", text), written)
