"""The offending rows of a rule as its `describe` reads them, one at a time: the columns it
reads converted to Python values column by column (`python_values`), not row by row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np, pd = lazy("numpy"), lazy("pandas")


class Record(dict[str, Any]):
    """An offending row as `describe` reads it: a column left out of the conversion is
    converted whole the first time a row asks for it, and kept in `fetched`, which the rows
    of one rule share (fetching one value from the frame for each row that asks costs a
    pandas lookup a row: 20 s for 220,000 rows). Slotted: one is made per finding."""

    __slots__ = ("fetched", "frame", "position")

    def __init__(
        self,
        record: Iterable[tuple[str, Any]],
        frame: pd.DataFrame | None,
        position: int,
        fetched: dict[str, list[Any]] | None = None,
    ) -> None:
        super().__init__(record)
        self.frame, self.position = frame, position
        self.fetched = fetched if fetched is not None else {}

    def __missing__(self, key: str) -> Any:
        column = self.fetched.get(key)
        if column is None:
            if self.frame is None or key not in self.frame.columns:
                raise KeyError(key)
            column = self.fetched[key] = python_values(self.frame[key])
        return column[self.position]

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


class FirstRow(Record):
    """The first offending row: the keys `describe` reads are noted."""

    def __init__(self, record: dict[str, Any]) -> None:
        super().__init__(record.items(), None, 0)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def python_values(column: pd.Series) -> list[Any]:
    """A column as the Python values `DataFrame.to_dict("records")` gives, converted column
    by column: numbers as int, float and bool, missing values of nullable columns as None."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iufb":
        return column.to_numpy().tolist()
    if isinstance(dtype, np.dtype) and dtype.kind in "mM":
        return list(column)  # Timestamps and Timedeltas, as rows give them
    if isinstance(dtype, pd.StringDtype):
        values = column.array.tolist()
    elif isinstance(dtype, np.dtype):  # objects: taken out whole, not one lookup a row
        values = column.to_numpy().tolist()
    else:
        values = list(column.array)
    # Text, lists and dicts (most values) are taken as they are, without a call each.
    return [value if value.__class__ in _AS_IS else _native(value) for value in values]


_AS_IS = frozenset({str, list, dict})


def _native(value: Any) -> Any:
    """A numpy scalar as its Python value, pd.NA as None (pandas' `maybe_box_native`)."""
    if isinstance(value, str | list | dict):
        return value
    if pd.api.types.is_float(value):
        return float(value)
    if pd.api.types.is_integer(value):
        return int(value)
    if pd.api.types.is_bool(value):
        return bool(value)
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    if isinstance(value, np.timedelta64):
        return pd.Timedelta(value)
    return None if value is pd.NA else value


def per_row(frame: pd.DataFrame, items: list[Any]) -> pd.Series:
    """A column of Python objects (lists, dicts) aligned with `frame`'s rows."""
    return pd.Series(items, index=frame.index, dtype="object")
