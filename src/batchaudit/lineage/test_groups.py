"""Each package's test group, from the pack, which lists categories or category types and the
group each belongs to. The rules compare a package's group with its sources' (PB002: a
production batch within one group; PB003: another group without one) through the columns
added here: category_key, group_key, category_known, group and group_tested."""

from __future__ import annotations

from typing import TYPE_CHECKING

from batchaudit.model.packs import Pack, category_keys
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np, pd = lazy("numpy"), lazy("pandas")


def with_test_groups(packages: pd.DataFrame, pack: Pack) -> pd.DataFrame:
    """Each package's test group from the pack, which lists categories or category types:
    worked out once per distinct (category, grouping field) pair, of which a state's million
    packages have a few hundred."""
    fields = list(dict.fromkeys(["category", pack.group_by]))
    pair, first = _distinct_rows(packages, fields)
    kinds = _groups_of(packages[fields].iloc[first].reset_index(drop=True), pack)
    for column in kinds.columns:
        packages[column] = kinds[column].array.take(pair)
    return packages


def _groups_of(kinds: pd.DataFrame, pack: Pack) -> pd.DataFrame:
    table = pack.category_table().set_index("category_key")
    groups = pd.DataFrame(index=kinds.index)
    groups["category_key"] = category_keys(kinds["category"])
    listed = category_keys(kinds[pack.group_by])
    known = listed.isin(table.index)
    groups["group_key"] = listed
    groups["category_known"] = known
    group = listed.map(table["group"])
    if pack.production_batch_required_on == "category-change":
        # Every change of category needs a production batch: each category is its own group.
        group = group + ": " + groups["category_key"]
    # What the pack does not list is a group of its own (per category, even where the category
    # type is blank), not known to need tests.
    unknown = "unknown: " + kinds[pack.group_by] + " / " + groups["category_key"]
    if pack.group_by == "category":
        unknown = "unknown: " + kinds["category"]
    groups["group"] = group.where(known, unknown)
    groups["group_tested"] = listed.map(table["tested"]).where(known, False).astype(bool)
    return groups


def _distinct_rows(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(each row's code among the distinct rows of `columns`, the first row of each code);
    a missing value is a value like any other."""
    code = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        values, distinct = pd.factorize(frame[column], use_na_sentinel=False)
        code = code * max(len(distinct), 1) + values
    code, distinct_codes = pd.factorize(code)
    first = np.full(len(distinct_codes), len(code), dtype=np.int64)
    np.minimum.at(first, code, np.arange(len(code)))
    return np.asarray(code, dtype=np.int64), first
