"""One record per package. The rows of one tag from several files (grid tabs exported at
different times, the same export as CSV, Excel and API JSON, two API endpoints or pulls)
merge field by field.

Which record is current: the newest by `LastModified` (Metrc stamps every API record), else
the one from the file given last; a record without `LastModified` counts as older than one
with it. A field the kept record's file lacks comes from the newest record that carries it,
and a field its response carries without owning it (`Shape.owns`: a transfer's shipped
quantity) from the newest record whose response owns it. How the records differ, and which
differences are conflicts (DQ003) or changes between API records (DQ007), is
differences.py's."""

from __future__ import annotations

import numpy as np
import pandas as pd

from batchaudit.ingest.differences import Problems, Records, differences
from batchaudit.model.fields import FIELDS, PACKAGE_FIELDS, SHAPE, Kind


def merge_packages(packages: pd.DataFrame, records: Records) -> tuple[pd.DataFrame, Problems]:
    """One row per tag, at the position of its kept record, and what its records' differences
    are (module docstring). `packages` are typed rows in the order their files were given.
    Adds `batch_flag_known`: some record of the package has the Production Batch field."""
    carried = records.carried
    repeated = packages["tag"].duplicated(keep=False).to_numpy()
    if not repeated.any():
        return packages.assign(batch_flag_known=carried["production_batch"].to_numpy()), []
    ranked = _by_precedence(packages)
    kept = ranked.drop_duplicates("tag", keep="last").index
    merged = packages.loc[np.sort(kept)].copy()
    # The repeated tags' rows in order of precedence (by label: rows left out in validation
    # leave gaps in the index, so it holds no positions).
    rows = ranked.loc[ranked["tag"].duplicated(keep=False).to_numpy()]
    for field in PACKAGE_FIELDS:
        _fill_from_other_records(merged, rows, carried, field)
        _fill_from_other_records(merged, rows, records.owned, field)
    flag_known = carried["production_batch"].groupby(packages["tag"]).any()
    merged["batch_flag_known"] = merged["tag"].map(flag_known).to_numpy(dtype=bool)
    # A package read from several shapes is worded as its richest one (API over grid).
    richest = packages.assign(_fields=carried.sum(axis=1)).sort_values("_fields", kind="stable")
    shape = richest.drop_duplicates("tag", keep="last").set_index("tag")[SHAPE]
    merged[SHAPE] = merged["tag"].map(shape).to_numpy()
    problems = differences(packages.loc[repeated], records, ranked)
    return merged.reset_index(drop=True), problems


def _by_precedence(packages: pd.DataFrame) -> pd.DataFrame:
    """The rows, the record that wins last: newest `LastModified`, then the file given last."""
    # As integers NaT is the smallest value: a record without LastModified is the oldest.
    modified = packages["last_modified"].to_numpy(dtype="datetime64[us]").view(np.int64)
    order = np.lexsort((np.arange(len(packages)), modified))
    return packages.iloc[order]


def _fill_from_other_records(
    merged: pd.DataFrame, rows: pd.DataFrame, has: pd.DataFrame, field: str
) -> None:
    """Where the kept record's file has not `field` (by the mask `has`: carried, or owned),
    take it from the newest record whose file has it."""
    lacking = ~has.loc[merged.index, field].to_numpy()
    if not lacking.any():
        return
    donors = rows.loc[has.loc[rows.index, field].to_numpy()]
    newest = donors.drop_duplicates("tag", keep="last").set_index("tag")[field]
    targets = merged.index[lacking & merged["tag"].isin(newest.index).to_numpy()]
    if len(targets):
        merged.loc[targets, field] = merged.loc[targets, "tag"].map(newest).to_numpy()


def fields_per_row(fields: list[set[str]], numbers: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """Per row and package field, whether the row's table has it among `fields` (one set per
    table): looked up by table number, not searched."""
    return pd.DataFrame(
        {
            name: np.array([name in each for each in fields], dtype=bool)[numbers]
            for name in FIELDS[Kind.PACKAGES]
        },
        index=index,
    )
