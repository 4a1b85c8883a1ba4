"""What is wrong in the files themselves, as data: missing columns, unreadable cells, broken
lines (conflicting duplicates are found where records merge: merge.py). The data-quality
rules word them (rules/data_quality.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from batchaudit.ingest.detect import Detection
from batchaudit.ingest.raw import BadLine, RawTable
from batchaudit.model.fields import FILE, LINE, SHEET
from batchaudit.model.findings import Source
from batchaudit.model.schemas import NOT_BLANK
from batchaudit.model.tables import MissingField, UnfitLine, UnreadableCell


def cell_problems(
    frame: pd.DataFrame, failed: pd.DataFrame, detection: Detection
) -> tuple[list[tuple[int, UnreadableCell]], list[int]]:
    """Each failed cell, located by its own row's file, sheet and line (a frame may hold many
    page files of one export), and the rows that cannot be audited."""
    problems: list[tuple[int, UnreadableCell]] = []
    unusable: set[int] = set()
    failed = failed.loc[failed["check"] != "missing"]
    bad_tag_rows = set(failed.loc[failed["field"] == "tag", "row"].dropna().astype(int))
    # One problem per cell: a blank tag fails both "required" and the tag check.
    failed = failed.drop_duplicates(["field", "row"])
    # Where each failed row is, taken for those rows only (not every row of a large file).
    at = failed["row"].astype(int).to_numpy()
    located = [c for c in (FILE, SHEET, LINE, "tag") if c in frame]
    files, sheets, lines, *tags = (
        column.to_numpy() for _, column in frame[located].iloc[at].items()
    )
    for number, (field, check, value, row) in enumerate(failed.itertuples(index=False, name=None)):
        row = int(row)
        left_out = field in NOT_BLANK[detection.kind] or field == "tag"
        if left_out:
            unusable.add(row)
        shown = None if not tags or row in bad_tag_rows else str(tags[0][number]).strip()
        sheet = str(sheets[number]) or None
        source = Source(str(files[number]), int(lines[number]), detection.title(field), sheet)
        problems.append(
            (row, UnreadableCell(source, field, check, str(value), shown or None, left_out))
        )
    return problems, sorted(unusable)


def missing_column_problems(
    raw: RawTable, detection: Detection, fields: list[str]
) -> list[MissingField]:
    """Each needed field that a table's header lacks, located at the header."""
    return [
        MissingField(
            Source(str(raw.path), raw.header_position, detection.title(f), raw.sheet or None),
            f,
            str(detection.kind),
            detection.shape.name,
            detection.shape.instead,
        )
        for f in fields
    ]


def bad_line_problems(path: str, bad_lines: list[BadLine], columns: int) -> list[UnfitLine]:
    return [
        UnfitLine(Source(path, bad.line), bad.problem, columns, bad.reason) for bad in bad_lines
    ]


def unreleased_per_table(frame: pd.DataFrame, table: str) -> dict[int, int]:
    """Per table (its number in `table`), the rows of results the lab has not released
    (`ResultReleased` false): on no results tab, they are counted apart from the rows used."""
    if "result_released" not in frame:
        return {}
    held = (frame["result_released"] == False).to_numpy(dtype=bool, na_value=False)  # noqa: E712
    numbers, counts = np.unique(frame[table].to_numpy()[held], return_counts=True)
    return dict(zip(numbers.tolist(), counts.tolist(), strict=True))
