"""A rule's offending rows as its `describe` reads them: a column that the first row does not
read (a branch the first finding did not take) is converted once, whole, when a later row
asks for it, and every row gets its own value. Asked for row by row from the frame, it cost
a pandas lookup per finding: 20 s of a million-package audit with 220,000 such findings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from batchaudit.model.findings import Severity
from batchaudit.rules import base, offending_rows
from batchaudit.rules.base import Description, Rule

ROWS = 1000


class DiscontinuedSaysWhen(Rule):
    """A package that says when it was discontinued (a rule made up for this test).

    **Checks** Fires on every row it is given.

    **Why** To read a column only on the rows that need it.

    **Example** 1A4...0001 (discontinued 2026-01-05).

    **Fix** Nothing: it only exists in this test.
    """

    code = "LT008"
    name = "discontinued-says-when"
    severity = Severity.NOTE

    def __init__(self, offending: pd.DataFrame) -> None:
        self.offending = offending

    def evaluate(self, lineage: Any, pack: Any) -> pd.DataFrame:
        return self.offending

    def describe(self, row: dict[str, Any]) -> Description:
        when = f" on {row['when']}" if row["discontinued"] else ""
        return Description(f"Package {row['tag']} was made{when}.", {})


def offending() -> pd.DataFrame:
    """The first row not discontinued (so `when` is not read for it), the others alternately."""
    numbers = range(ROWS)
    return pd.DataFrame(
        {
            "tag": [f"T{n}" for n in numbers],
            "file": "packages.csv",
            "line": [n + 2 for n in numbers],
            "discontinued": [n % 2 == 1 for n in numbers],
            "when": pd.array([f"2026-01-{n % 28 + 1:02d}" for n in numbers], dtype="string"),
        }
    )


def test_a_column_the_first_row_does_not_read_is_converted_once_and_right_per_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    converted: list[str] = []
    original = offending_rows.python_values

    def counted(column: pd.Series) -> list[Any]:
        converted.append(str(column.name))
        return original(column)

    monkeypatch.setattr(offending_rows, "python_values", counted)
    monkeypatch.setattr(base, "python_values", counted)
    rule = DiscontinuedSaysWhen(offending())
    found = rule.findings(lineage=None, pack=None)  # type: ignore[arg-type]
    assert [f.message for f in found[:4]] == [
        "Package T0 was made.",
        "Package T1 was made on 2026-01-02.",
        "Package T2 was made.",
        "Package T3 was made on 2026-01-04.",
    ]
    assert (
        found[-1].message == f"Package T{ROWS - 1} was made on 2026-01-{(ROWS - 1) % 28 + 1:02d}."
    )
    assert converted.count("when") == 1  # once, whole; not once per row that reads it


def test_every_kind_of_column_gives_the_values_a_row_of_the_frame_would() -> None:
    """Text, numbers, flags, dates, nullable values, and object columns that hold lists,
    dicts, numpy scalars and missing values: each as `to_dict("records")` gives it."""
    frame = pd.DataFrame(
        {
            "text": pd.array(["a", None, "c", "d"], dtype="str"),
            "count": [1, 2, 3, 4],
            "share": [0.5, float("nan"), 1.5, 2.0],
            "flag": [True, False, True, False],
            "day": pd.to_datetime(["2026-01-05", None, "2026-02-01", "2026-03-01"]),
            "rows": pd.array([1, None, 3, 4], dtype="Int64"),
            "sources": pd.Series([[{"tag": "T1"}], [], {"a": 1}, None], dtype=object),
            "mixed": pd.Series([np.int64(7), np.float64(2.5), np.bool_(True), pd.NA], dtype=object),
        }
    )
    rows = frame.to_dict("records")
    for column in frame.columns:
        values = offending_rows.python_values(frame[column])
        expected = [row[column] for row in rows]
        assert [type(value) for value in values] == [type(value) for value in expected], column
        assert all(
            value == wanted or (value != value and wanted != wanted)  # NaN and NaT
            for value, wanted in zip(values, expected, strict=True)
        ), column
