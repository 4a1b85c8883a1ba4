"""Which columns of a delimited text export are read, and how: the titles a reader is told
to read (`Reading`), as far as the first line plainly shows them (`columns_wanted`), as
codes where their texts repeat (`codes_where_repeated`), and into pandas (`in_pandas`)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from batchaudit.model.values import categories_of, repeated


@dataclass(frozen=True)
class Reading:
    """What batchaudit reads of a file, given its titles: the columns (the others are never
    made text), and whether as codes. Lab results repeat their texts on every row (a test
    type, a date, a flag; per-package pulls every result under each package that inherits
    it): read as codes, each distinct text is held once, and a cell costs four bytes. Per-
    package pulls of 21.7 million rows held 8.3 GB of text, 1.9 GB as codes."""

    columns: Collection[str]
    coded: bool = False


# Given a file's titles, what batchaudit reads of it (None: every column, as text).
Wanted = Callable[[list[str]], Reading | None]


@dataclass(frozen=True)
class Titled:
    """What is read of a file whose first line is plainly its titles: the positions of the
    columns wanted (None: every column), and whether as codes."""

    titles: list[str]
    positions: list[int] | None
    coded: bool


def columns_wanted(first_line: str, delimiter: str, wanted: Wanted | None) -> Titled | None:
    """The titles, the positions of the wanted ones when some column is not wanted, and
    whether as codes, when the first line is plainly the titles (no quotes, each title
    once)."""
    if wanted is None or '"' in first_line:
        return None
    titles = [title.strip() for title in first_line.split(delimiter)]
    reading = wanted(titles)
    if reading is None or len(set(titles)) != len(titles):
        return None
    positions = [position for position, title in enumerate(titles) if title in reading.columns]
    some = 0 < len(positions) < len(titles)
    return Titled(titles, positions if some else None, reading.coded)


def codes_where_repeated(table: pa.Table) -> pa.Table:
    """The columns parsed as codes, as text where their texts mostly differ (`repeated`,
    told by the texts of each block read: a text in two blocks counts twice)."""
    columns = [
        column
        if repeated(sum(len(chunk.dictionary) for chunk in column.chunks), len(column))
        else column.cast(pa.large_string())
        for column in table.columns
    ]
    return pa.table(columns, names=table.column_names)


def in_pandas(table: pa.Table, text: pd.api.extensions.ExtensionDtype) -> pd.DataFrame:
    """The table in pandas: text as the dtype `text`, codes as categories of text
    (`categories_of`)."""
    if not any(pa.types.is_dictionary(column.type) for column in table.columns):
        frame: pd.DataFrame = table.to_pandas(types_mapper={pa.large_string(): text}.get)
        return frame
    columns = [
        pd.Series(categories_of(column))
        if pa.types.is_dictionary(column.type)
        else pd.Series(pd.array(column, dtype=text), copy=False)
        for column in table.columns
    ]
    return pd.concat(columns, axis=1, keys=table.column_names)
