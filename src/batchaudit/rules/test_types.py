"""Lab-result rows' test types as integer codes, shared by the rules that compare test types
(LT002, PB003): the codes test_events made (the rows' categories), read once per audit, and
grouping by integers rather than by strings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage.build import Lineage
else:
    np, pd = lazy("numpy"), lazy("pandas")


@dataclass(frozen=True)
class TestTypes:
    """`code[i]` is the test type of `lineage.lab_rows` row i (-1: none), `names[code]` its
    text and `rank[code]` its place in the order of the texts."""

    code: np.ndarray
    names: np.ndarray
    rank: np.ndarray


def test_types(lineage: Lineage) -> TestTypes:
    """The lab rows' test types as codes, computed once per lineage."""
    shared = lineage.derived.get("test_types")
    if not isinstance(shared, TestTypes):
        column = lineage.lab_rows["test_type"]
        if isinstance(column.dtype, pd.CategoricalDtype):  # as test_events leaves them
            code, names = column.cat.codes.to_numpy(), column.cat.categories
        else:
            code, names = pd.factorize(column)
        rank = np.empty(len(names), dtype=np.int64)
        rank[np.asarray(names.argsort(), dtype=np.int64)] = np.arange(len(names))
        shared = TestTypes(np.asarray(code, dtype=np.int64), names.to_numpy(object), rank)
        lineage.derived["test_types"] = shared
    return shared
