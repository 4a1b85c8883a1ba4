"""Grouping by integer keys, whole-frame: text as codes (Arrow's dictionary encoding hashes
millions of strings several times faster than pandas' factorize of the same column), and
values listed per key (what `groupby(key)[column].agg(list)` gives, without a Python call
per group, which costs seconds at 100,000 groups)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, TypeVar, cast

from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]
else:
    np, pd = lazy("numpy"), lazy("pandas")
    pa, pc = lazy("pyarrow"), lazy("pyarrow.compute")


def text_codes(column: pd.Series | pa.Array) -> tuple[np.ndarray, Any]:
    """(each value's code, the distinct values as an Arrow array): codes in order of first
    appearance, -1 for a missing value. A column read as codes (categories) keeps its own:
    Arrow numbers a file's texts as they first appear, and its distinct values may hold a
    text no row has (the column's title)."""
    texts = column if isinstance(column, pa.Array) else pa.array(column, from_pandas=True)
    encoded = pc.dictionary_encode(texts)
    if isinstance(encoded, pa.ChunkedArray):  # the chunks share one dictionary
        encoded = encoded.combine_chunks()
    codes = np.asarray(encoded.indices.fill_null(-1)).astype(np.int64)
    return codes, encoded.dictionary


Column = TypeVar("Column", "pd.Series", "pd.api.extensions.ExtensionArray")


def decoded(column: Column) -> Column:
    """Lab-result text (a Series or an array) as text, where it was read as codes
    (categories): for steps that set or join texts of their own among it."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return cast(Column, column.astype("str"))
    return column


def positions_in(texts: pd.Series | pa.Array, known: pd.Series) -> np.ndarray:
    """The position of each text among the `known` texts (the first, if repeated), -1 where
    absent or missing: looked up once per distinct text."""
    code, distinct = text_codes(texts)
    found = distinct_positions_in(distinct, known)
    positions = np.full(len(code), -1, dtype=np.int64)
    present = code >= 0
    positions[present] = found[code[present]]
    return positions


def distinct_positions_in(distinct: Any, known: pd.Series) -> np.ndarray:
    """The position of each of the `distinct` texts (an Arrow array) among the `known` texts
    (the first, if repeated), -1 where absent; the hash set is built of the fewer."""
    value_set = pa.array(known, from_pandas=True)
    if isinstance(value_set, pa.ChunkedArray):
        value_set = value_set.combine_chunks()
    value_set = value_set.cast(distinct.type)
    if len(distinct) > len(value_set):
        found: np.ndarray = np.asarray(
            pc.index_in(distinct, value_set=value_set).fill_null(-1), np.int64
        )
        return found
    # Each known text's place among the distinct texts, turned around.
    at = np.asarray(pc.index_in(value_set, value_set=distinct).fill_null(-1), np.int64)
    where = np.flatnonzero(at >= 0)
    first = np.full(len(distinct), len(value_set), dtype=np.int64)
    np.minimum.at(first, at[where], where)
    turned: np.ndarray = np.where(first < len(value_set), first, -1)
    return turned


def lists_by(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, list[list[Any]]]:
    """(the distinct keys ascending, each one's values in their order in `values`): slices of
    one Python list, not one small array per key."""
    order = np.argsort(keys, kind="stable")
    keys = np.asarray(keys)[order]
    listed = np.asarray(values, dtype=object)[order].tolist()
    starts = np.flatnonzero(np.r_[len(keys) > 0, keys[1:] != keys[:-1]])
    bounds = [*starts.tolist(), len(keys)]
    return keys[starts], [listed[begin:end] for begin, end in itertools.pairwise(bounds)]
