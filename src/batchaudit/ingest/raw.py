"""What every reader produces: a table of text cells and where each row is in its file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class BadLine:
    line: int
    problem: str


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
    """A table found in a file: its header, its rows as text, and each row's position.

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


def text_frame(records: list[list[object]], header: list[str]) -> pd.DataFrame:
    """Typed cells -> a frame of text, column by column."""
    columns = list(zip(*records, strict=True)) if records else [() for _ in header]
    return pd.DataFrame(
        {
            position: pd.Series([cell_text(v) for v in column], dtype="str")
            for position, column in enumerate(columns)
        }
    ).set_axis(header, axis=1)
