"""The rows of the tables read, checked cell by cell (pandera, model/schemas.py) and typed:
one pass per group of tables that map the same columns, for each batch of files read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from batchaudit.ingest.convert import convert
from batchaudit.ingest.detect import Detection
from batchaudit.ingest.quality import cell_problems
from batchaudit.ingest.raw import RawTable, as_text
from batchaudit.model.fields import FILE, LINE, SHAPE, SHEET, Kind
from batchaudit.model.findings import InputFile
from batchaudit.model.schemas import Parsed, failures
from batchaudit.model.tables import Problem
from batchaudit.model.values import as_codes, joined_rows

TABLE = "_table"  # which table of a validation group a row came from


@dataclass
class ReadTable:
    """One table of one file after detection, and after `validate` its auditable rows."""

    raw: RawTable
    detection: Detection
    input: InputFile
    missing: set[str]
    problems: list[Problem]


@dataclass(frozen=True)
class Validated:
    """The auditable rows of a group of tables, typed; `TABLE` says which table (its index
    in the list given to `validate`) each row came from; `first` is the group's first."""

    kind: Kind
    frame: pd.DataFrame
    first: int


def validate(read: list[ReadTable]) -> list[Validated]:
    """Check every cell, one pandera pass per group of tables that map the same columns
    (the pages of one API export are one group). Problems go to the table of their row."""
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for number, table in enumerate(read):
        groups[(table.detection.kind, *table.detection.columns.items())].append(number)
    validated = []
    for numbers in groups.values():
        detection = read[numbers[0]].detection
        frame = _canonical([read[n] for n in numbers], numbers)
        for number in numbers:  # the rows are the group's now: each table lets go of its own
            read[number].raw.rows = read[number].raw.rows.iloc[:0]
        parsed = Parsed()
        failed = failures(frame, detection.kind, parsed)
        found, unusable_rows = cell_problems(frame, failed, detection)
        owner = frame[TABLE].to_numpy()
        for row, problem in found:
            read[owner[row]].problems.append(problem)
        typed = convert(frame, detection.kind, parsed)
        typed[TABLE] = owner
        # Dropping nothing still copies every column: only drop when there is something to.
        kept = typed.drop(index=unusable_rows) if unusable_rows else typed
        validated.append(Validated(detection.kind, kept, numbers[0]))
    return validated


def in_file_order(
    checked: list[tuple[list[ReadTable], list[Validated]]], read: list[ReadTable]
) -> list[Validated]:
    """The groups validated batch by batch (`validate` numbers the tables of its batch), with
    the tables' numbers in `read`, in the order of their first table. A group the batches
    split comes back in parts, which load.py joins as it joins the groups of one kind: the
    rows are the same whichever file was read first."""
    position = {id(table): number for number, table in enumerate(read)}
    numbered = []
    for tables, validated in checked:
        numbers = np.array([position[id(table)] for table in tables], dtype=np.int64)
        for group in validated:
            group.frame[TABLE] = numbers[group.frame[TABLE].to_numpy(dtype=np.int64)]
            numbered.append(Validated(group.kind, group.frame, int(numbers[group.first])))
    return sorted(numbered, key=lambda group: group.first)


def _canonical(group: list[ReadTable], numbers: list[int]) -> pd.DataFrame:
    """The group's rows as canonical text, each with its file, sheet, position and table."""
    columns = group[0].detection.columns
    # Only lab results are read as codes: the files of other kinds are joined as they are.
    coded = group[0].detection.kind is Kind.LAB_RESULTS
    cells = _selected(group, list(columns), joined_rows if coded else _concatenated)
    text = as_text(cells).rename(columns=columns)
    if coded and not all(table.raw.coded for table in group):
        text = as_codes(text)  # not all parsed as codes by Arrow (small or odd files, JSON)
    sizes = [len(t.raw.rows) for t in group]
    origin: dict[Hashable, object] = {
        FILE: _per_row([str(t.raw.path) for t in group], sizes),
        SHEET: _per_row([t.raw.sheet for t in group], sizes),
        SHAPE: _per_row([t.detection.shape.name for t in group], sizes),
        LINE: np.concatenate([t.raw.positions for t in group]).astype(np.int64, copy=False),
        TABLE: np.repeat(np.asarray(numbers, dtype=np.int64), sizes),
    }
    # One frame of the columns as they are: a column set into a frame is copied.
    every: dict[Hashable, object] = {**dict(text.items()), **origin}
    return pd.DataFrame(every, index=text.index, copy=False)


def _per_row(values: list[str], sizes: list[int]) -> pd.Categorical:
    """Each row's table's value: a category (a file's path is not stored once per row),
    repeated straight from the tables' sizes."""
    codes, distinct_values = pd.factorize(pd.Series(values, dtype="str"))
    repeated = np.repeat(codes.astype(np.int32), sizes)
    return pd.Categorical.from_codes(repeated, categories=distinct_values, validate=False)


def _concatenated(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


def _selected(
    group: list[ReadTable], columns: list[str], joined: Callable[[list[pd.DataFrame]], pd.DataFrame]
) -> pd.DataFrame:
    """The mapped columns of the group's rows, in order, tables `joined`. Tables with one
    header (a folder of small files) are joined first and selected once: selecting per table
    costs more than a one-row table's reading."""
    by_header: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for number, table in enumerate(group):
        by_header[tuple(table.raw.rows.columns)].append(number)
    if len(by_header) == len(group):
        selected = [t.raw.rows[columns] for t in group]
        return selected[0] if len(selected) == 1 else joined(selected)
    parts: list[pd.DataFrame] = []
    order: list[int] = []
    for numbers in by_header.values():
        rows = [group[n].raw.rows for n in numbers]
        together = rows[0] if len(rows) == 1 else joined(rows)
        parts.append(together[columns])
        order.extend(np.repeat(numbers, [len(r) for r in rows]).tolist())
    cells = joined(parts)
    # Back to the order of the group's tables (a stable sort keeps each table's row order).
    return cells.take(np.argsort(np.asarray(order), kind="stable")).reset_index(drop=True)
