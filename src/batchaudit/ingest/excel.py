"""Read an Excel workbook (Metrc's native export) with python-calamine.

Each sheet whose header (found even below title rows) is a packages or lab-results header
becomes a table; other sheets are listed as skipped. Positions are the sheet's row numbers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import python_calamine

from batchaudit.ingest.detect import detect
from batchaudit.ingest.errors import InputError
from batchaudit.ingest.raw import RawTable, cell_text
from batchaudit.model.fields import Kind

# How far down a sheet the column titles may sit below title rows.
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class Workbook:
    tables: list[RawTable]
    skipped_sheets: list[str]


def read_workbook(path: Path, data: bytes, expected: Kind | None) -> Workbook:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [(name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
                  for name in workbook.sheet_names]  # fmt: skip
    except (python_calamine.CalamineError, OSError, ValueError) as error:
        raise InputError(
            f"{path} is not a readable Excel workbook ({error}); it may be truncated or "
            "password-protected: open it in Excel, save it again and retry."
        ) from error
    tables, skipped, reasons = [], [], []
    for name, rows in sheets:
        # A sheet of column titles and no rows is a valid, empty export (nothing on hold).
        table, reason = _sheet_table(path, name, rows, expected)
        if table is not None:
            tables.append(table)
            continue
        skipped.append(f"{name!r} (no export header)")
        if reason:
            reasons.append(reason)
    if not tables:
        if reasons:  # a sheet looked like an export: say what was wrong with it
            raise InputError(reasons[0])
        raise InputError(
            f"{path} has no sheet with the column titles of a packages or lab-results "
            f"export (sheets: {', '.join(skipped)}); export the Packages grid again."
        )
    return Workbook(tables, skipped)


def _sheet_table(
    path: Path, sheet: str, rows: list[list[Any]], expected: Kind | None
) -> tuple[RawTable | None, str | None]:
    """The sheet's table, or None and why no header fit (when a row looked like one)."""
    header_at, reason = _header_row(path, rows, expected)
    if header_at is None:
        return None, reason
    header = [cell_text(title).strip() for title in rows[header_at]]
    body = rows[header_at + 1 :]
    frame = pd.DataFrame(body, columns=range(len(header)), dtype=object).set_axis(header, axis=1)
    positions = np.arange(header_at + 2, header_at + 2 + len(body), dtype=np.int64)
    empty = frame.isna() | (frame == "")
    blank = empty.all(axis=1).to_numpy() if len(frame) else np.zeros(0, dtype=bool)
    rows_kept = frame.loc[~blank].reset_index(drop=True)
    table = RawTable(
        path, header, rows_kept, positions[~blank], sheet, header_position=header_at + 1
    )
    return table, None


def _header_row(
    path: Path, rows: list[list[Any]], expected: Kind | None
) -> tuple[int | None, str | None]:
    """The first row that is an export header, else None and the sentence of the first row
    that is an export header of the wrong kind or with clashing columns."""
    reason = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        titles = [cell_text(cell).strip() for cell in row]
        if not any(titles):
            continue
        try:
            detect(path, titles, expected)
        except InputError as error:
            if reason is None and _is_export_header(path, titles):
                reason = str(error)
            continue
        return index, None
    return None, reason


def _is_export_header(path: Path, titles: list[str]) -> bool:
    """Would the row be an export header if the kind and clashes were set aside?"""
    try:
        detect(path, titles)
    except InputError as error:
        return "two columns" in str(error)
    return True
