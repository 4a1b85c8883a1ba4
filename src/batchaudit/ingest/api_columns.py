"""API JSON records as columns, built by Arrow in one pass over the parsed records.

Records whose fields each hold one kind of plain value (text, a flag, a number, null) or
an object of such fields, the shape of every Metrc response, become Arrow columns with no
pandas objects in between: the nested `Item` object becomes `Item.Name` columns where its
key was, text stays Arrow text, flags and integers are written as text by Arrow, and
fractional numbers stay floats for `as_text`. Anything else (arrays, a field that is a
number in one record and text in another, an integer past 64 bits) is no table of this
shape: `plain_columns` says None, and the caller reads the records field by field
(api_json.flattened).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

_TEXT_TYPES = {pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan)}
# A float this large may be an integer of over 64 bits that orjson read as a float, where
# the json module keeps every digit: such a file is read the json module's way.
_ROUNDED_INTEGERS = 2.0**64
_EXACT_FLOATS = 2**53  # integers a float holds exactly


def plain_columns(records: list[dict[str, Any]]) -> tuple[pd.DataFrame, int] | None:
    """The records as a table of `Item.Name` columns, and how deep they nest (1 for flat
    records, 2 with `Item`), or None if they are not plain records (module docstring)."""
    try:
        fields = pa.array(records)  # one struct: every key of any record, in order met
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return None  # a record that is no object, or a field of mixed kinds
    return columns_of(fields)


def columns_of(fields: pa.Array) -> tuple[pd.DataFrame, int] | None:
    """`plain_columns` of records already in Arrow (a struct array, one item a record)."""
    levels = _levels(fields.type)
    if not pa.types.is_struct(fields.type) or levels is None or fields.null_count:
        return None  # records that are plain values, or null, are no objects either
    table = pa.Table.from_struct_array(fields)
    while any(pa.types.is_struct(column.type) for column in table.columns):
        table = table.flatten()  # one level at a time; an empty object leaves no column
    names = table.column_names
    if len(set(names)) != len(names) or not all(map(_exact, table.columns)):
        return None
    frame: pd.DataFrame = _written(table).to_pandas(types_mapper=_TEXT_TYPES.get, split_blocks=True)
    return frame, levels


def _levels(kind: pa.DataType) -> int | None:
    """How deep a struct of plain fields nests, or None if anything in it is not plain."""
    if not pa.types.is_struct(kind):
        return 0 if any(test(kind) for test in _PLAIN) else None
    inner = [_levels(kind.field(number).type) for number in range(kind.num_fields)]
    if None in inner:
        return None
    return 1 + max((level for level in inner if level is not None), default=0)


_PLAIN = (
    pa.types.is_string,
    pa.types.is_large_string,
    pa.types.is_boolean,
    pa.types.is_integer,
    pa.types.is_floating,
    pa.types.is_null,
)


def _exact(column: pa.ChunkedArray) -> bool:
    if not pa.types.is_floating(column.type) or column.null_count == len(column):
        return True
    largest = pc.max(pc.abs(column)).as_py()
    return bool(largest < _ROUNDED_INTEGERS)


def _written(table: pa.Table) -> pa.Table:
    """The columns as `as_text` takes them: text (nulls as blanks), with flags and
    integers written as `cell_text` writes them; fractional numbers stay floats (and
    integers beside nulls become floats in pandas, as the field-by-field reading has them)."""
    columns = [
        pc.if_else(column, "True", "False") if pa.types.is_boolean(column.type) else column
        for column in table.columns
    ]
    kinds = [
        column.type
        if pa.types.is_floating(column.type)
        or (pa.types.is_integer(column.type) and not _written_exactly(column))
        else pa.large_string()
        for column in columns
    ]
    written = pa.table(columns, names=table.column_names).cast(
        pa.schema(list(zip(table.column_names, kinds, strict=True)))
    )
    # Nulls are blanks in text, filled here by Arrow rather than cell by cell in pandas.
    return pa.table(
        [pc.fill_null(c, "") if pa.types.is_large_string(c.type) else c for c in written.columns],
        names=written.column_names,
    )


def _written_exactly(integers: pa.ChunkedArray) -> bool:
    """Whether the field-by-field reading writes every integer's digits: integers beside
    nulls it holds as floats, whose digits past 2**53 are not the integer's."""
    if not integers.null_count:
        return True
    extremes = pc.min_max(integers).values()
    return all(value is None or abs(value.as_py()) < _EXACT_FLOATS for value in extremes)
