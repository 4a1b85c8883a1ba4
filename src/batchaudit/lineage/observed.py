"""What a package's Lab Results tab is seen to hold, beyond what lineage derives.

A per-package lab pull (`/labtests/v2/results?packageId=X`) returns X's whole tab, each row
under X's `PackageId` while its tested package (`SourcePackageLabel`) is the package that
was tested. Those rows are X's *observed* tab: for a received package they include results
of the supplier's packages, which no export of the receiver holds. The tab the rules check
is the union of the derived tab (`tabs.py`) and the observed rows, each test event once.

Results the lab has not released (`ResultReleased` false) do not show on any tab; they are
kept aside and counted per package so that the evidence can name them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from batchaudit.lineage.lab_results import EVENT_FIELDS, event_keys
from batchaudit.lineage.tabs import tested_in_tabs
from batchaudit.model.fields import FILE, LINE
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np, pd = lazy("numpy"), lazy("pandas")

TAB_COLUMNS = ["tab_rows", "tab_events", "tab_tested_packages"]


def released_only(lab_results: pd.DataFrame | None) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """(the rows a Lab Results tab shows, the rows of results the lab has not released)."""
    if lab_results is None or "result_released" not in lab_results:
        return lab_results, pd.DataFrame()
    held = (lab_results["result_released"] == False).to_numpy(dtype=bool, na_value=False)  # noqa: E712
    if not held.any():
        return lab_results, lab_results.iloc[:0]
    return lab_results.loc[~held].reset_index(drop=True), lab_results.loc[held]


def with_observed_tabs(
    packages: pd.DataFrame, tabs: pd.DataFrame, events: pd.DataFrame, lab: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tab sizes of packages with pulled rows, as the union of derived and observed;
    adds `tab_rows_observed_only` (rows of events only the pulls show). Also gives the
    pulled events (`pulled_events`), which the rules read as the observed tabs."""
    packages["tab_rows_observed_only"] = np.zeros(len(packages), dtype=np.int64)
    pulled = pulled_events(lab, packages)
    if pulled.empty:
        return packages, pulled
    seen = pulled["package"].unique()
    derived = tabs.loc[tabs["package"].isin(seen)].merge(
        events[["tested", "tested_tag", "event", "rows"]], on="tested"
    )
    union = pd.concat(
        [
            derived[["package", "event", "tested_tag", "rows"]].assign(observed_only=0),
            pulled.assign(observed_only=pulled["rows"]),
        ],
        ignore_index=True,
    ).drop_duplicates(["package", "event"], keep="first")
    sizes = union.groupby("package").agg(
        tab_rows=("rows", "sum"),
        tab_events=("event", "size"),
        tab_tested_packages=("tested_tag", "nunique"),
        tab_rows_observed_only=("observed_only", "sum"),
    )
    for column in [*TAB_COLUMNS, "tab_rows_observed_only"]:
        values = packages[column].to_numpy(np.int64).copy()
        values[sizes.index.to_numpy()] = sizes[column].to_numpy(np.int64)
        packages[column] = values
    return packages, pulled


def pulled_events(lab: pd.DataFrame | None, packages: pd.DataFrame) -> pd.DataFrame:
    """One row per (package pulled for, test event): its tested package's tag and its rows,
    for rows whose PackageId is a loaded package's Id."""
    empty = pd.DataFrame(columns=["package", "event", "tested_tag", "rows"])
    if lab is None or lab.empty:
        return empty
    # Only the columns used are taken, of the packages' seventy and the lab rows' twenty:
    # taking every column was a third of this step's time for 10^5 packages' pulls.
    ids = packages.loc[packages["package_id"] != "", ["package_id"]].drop_duplicates()
    # Each distinct PackageId looked up once (the rows repeat them).
    id_code, distinct_ids = pd.factorize(lab["package_id"])
    found = pd.Index(ids["package_id"]).get_indexer(distinct_ids)
    pulled_for = np.where(id_code >= 0, found[id_code], -1)
    placed = pulled_for >= 0
    if not placed.any():
        return empty
    rows = lab.loc[placed, [*EVENT_FIELDS, "tested_package", "test_type"]]
    codes = ids.index.to_numpy(np.int64)[pulled_for[placed]]
    given = rows["tested_package"].to_numpy(dtype=object)
    # A row without a label is the pulled package's own result.
    tested_tag = np.where(given != "", given, packages["tag"].to_numpy(dtype=object)[codes])
    pulled = pd.DataFrame(
        {"package": codes, "tested_tag": tested_tag, "test_type": rows["test_type"].to_numpy()}
    )
    pulled["event"] = event_keys(rows.reset_index(drop=True), pulled["tested_tag"])
    per_event = pulled.groupby(["package", "event"], sort=False).agg(
        tested_tag=("tested_tag", "first"), rows=("test_type", "nunique")
    )
    return per_event.reset_index()


def unreleased_in_tabs(
    packages: pd.DataFrame, links: pd.DataFrame, unreleased: pd.DataFrame
) -> np.ndarray:
    """Per package, the rows of unreleased results of the packages its tab would show them
    for (the same inheritance as released results)."""
    counts = np.zeros(len(packages), dtype=np.int64)
    if unreleased.empty:
        return counts
    tested = pd.Index(packages["tag"]).get_indexer(unreleased["tested_package"])
    per_tested = pd.Series(tested[tested >= 0]).value_counts()
    if per_tested.empty:
        return counts
    batch = packages["production_batch"].to_numpy(dtype=bool)
    held = tested_in_tabs(links, batch, np.sort(per_tested.index.to_numpy(np.int64)))
    by_package = held["tested"].map(per_tested).groupby(held["package"]).sum()
    counts[by_package.index.to_numpy()] = by_package.to_numpy(np.int64)
    return counts


def unplaced_pulls(lab: pd.DataFrame | None, packages: pd.DataFrame) -> pd.DataFrame:
    """The rows that name a tested package but carry a PackageId no loaded package has: the
    tabs they were pulled for cannot be placed (a web-grid export has no Id column)."""
    if lab is None or lab.empty:
        return pd.DataFrame(columns=["package_id", "file", "line"])
    ids = packages.loc[packages["package_id"] != "", "package_id"]
    unplaced = (
        (lab["package_id"] != "") & (lab["tested_package"] != "") & ~lab["package_id"].isin(ids)
    ).to_numpy()
    return lab.loc[unplaced, ["package_id", FILE, LINE]]
