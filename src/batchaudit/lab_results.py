"""Lab-result rows -> test events, each recorded against the package that was tested.

Exports repeat an event's rows under every package that inherited it (the API is queried
per package); those repeats describe one event and are counted once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from batchaudit.fields import FILE, LINE
from batchaudit.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np, pd = lazy("numpy"), lazy("pandas")

EVENT_COLUMNS = ["tested", "tested_tag", "event", "rows", "date", "passed", "lab"]


def test_events(
    lab_results: pd.DataFrame | None, packages: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(deduplicated rows with `tested` code and `event` key, one row per event)."""
    if lab_results is None or lab_results.empty:
        rows = pd.DataFrame(
            columns=[
                "tested",
                "tested_tag",
                "event",
                "test_type",
                "test_passed",
                "counts",
                FILE,
                LINE,
            ]
        )
        return rows, pd.DataFrame(columns=EVENT_COLUMNS)
    rows = _first_listings(lab_results)
    rows["tested_tag"] = _tested_tags(rows, packages)
    rows["tested"] = _codes_of(rows["tested_tag"], packages["tag"])
    rows["event"] = event_keys(rows, rows["tested_tag"])
    # With a result id on every row, each event is "id:" + its id and _first_listings has
    # already kept one row per (id, test type): only rows without an id can repeat.
    if (rows["lab_test_result_id"] == "").to_numpy().any():
        repeated = rows.duplicated(["event", "test_type"]).to_numpy()
        if repeated.any():  # else the rows stay as they are: no copy of every column
            rows = rows.loc[~repeated].reset_index(drop=True)
    revoked = rows["revoked_date"].notna() | rows["detail_revoked_date"].notna()
    # Revoked and informational-only rows are shown in the tab but are not compliance results.
    rows["counts"] = ~revoked & ~rows["informational_only"].to_numpy(dtype=bool, na_value=False)
    return rows, _events(rows)


def _events(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per test event of a loaded package, ordered by tested package and event key.
    Grouped by one integer key (tested package, then the event's place in text order): a
    tested package has one tag, so this is the order of (tested, tested_tag, event)."""
    rows = rows.loc[((rows["tested"] != -1) & rows["event"].notna()).to_numpy()]
    event_code, event_texts = pd.factorize(rows["event"])
    rank = np.empty(len(event_texts), dtype=np.int64)
    rank[np.asarray(event_texts.argsort(), dtype=np.int64)] = np.arange(len(event_texts))
    key = rows["tested"].to_numpy(np.int64) * max(len(event_texts), 1) + rank[event_code]
    lab = rows["lab_name"].where(rows["lab_name"] != "", rows["lab_license"])
    outcome = rows["test_passed"].astype("float")  # 1 passed, 0 failed, NaN not stated
    events = (
        rows.assign(key=key, lab=lab, row_outcome=outcome)
        .groupby("key", sort=True)
        .agg(
            tested=("tested", "first"),
            tested_tag=("tested_tag", "first"),
            event=("event", "first"),
            rows=("test_type", "size"),
            date=("test_performed_date", "first"),
            passed=("overall_passed", "first"),
            rows_passed=("row_outcome", "min"),
            lab=("lab", "first"),
        )
        .reset_index(drop=True)
    )
    # Without OverallPassed, an event passed when every row that states an outcome passed.
    from_rows = events["rows_passed"].map({1.0: True, 0.0: False}).astype("boolean")
    events["passed"] = events["passed"].astype("boolean").fillna(from_rows)
    return events.drop(columns="rows_passed")


def _codes_of(tags: pd.Series, known: pd.Series) -> np.ndarray:
    """The position of each tag among the `known` (unique) tags, -1 where absent: looked up
    once per distinct tag (lab rows repeat the tested package's tag)."""
    code, distinct_tags = pd.factorize(tags)
    found = pd.Index(known).get_indexer(distinct_tags)
    return np.where(code >= 0, found[code], -1)


def event_keys(rows: pd.DataFrame, tested_tags: pd.Series) -> pd.Series:
    """Each row's test event: its result id, or without one the tested package, lab and
    test date."""
    keys = "id:" + rows["lab_test_result_id"]
    no_id = (rows["lab_test_result_id"] == "").to_numpy()
    if no_id.any():
        visits = rows.loc[no_id]
        tested_on = visits["test_performed_date"].dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("")
        tags = tested_tags.to_numpy()[no_id]
        keys = keys.where(~no_id, tags + "|" + visits["lab_license"] + "|" + tested_on)
    return keys


def _first_listings(lab_results: pd.DataFrame) -> pd.DataFrame:
    """The rows without the repeats of a result's line (same result id and test type) that
    per-package pulls list under every inheriting package: at 100,000 packages pulls hold
    four rows for each one kept, and everything after this works on the kept ones only.
    Rows without a result id are told apart later, by tested package, lab and date."""
    with_id = (lab_results["lab_test_result_id"] != "").to_numpy()
    repeated = with_id & lab_results.duplicated(["lab_test_result_id", "test_type"]).to_numpy()
    # Only the fields events, rules and trace read (product names and levels are not taken
    # along); a selection is a shallow copy: columns added below do not reach the loaded table.
    used = lab_results[_USED_FIELDS]
    if not repeated.any():
        return used
    kept: pd.DataFrame = used.loc[~repeated].reset_index(drop=True)
    return kept


# What test events, the rules and `trace` read of a lab-result row.
_USED_FIELDS = [
    "lab_test_result_id",
    "test_type",
    "tested_package",
    "package_id",
    "test_performed_date",
    "lab_license",
    "lab_name",
    "revoked_date",
    "detail_revoked_date",
    "informational_only",
    "test_passed",
    "overall_passed",
    FILE,
    LINE,
]


def _tested_tags(rows: pd.DataFrame, packages: pd.DataFrame) -> pd.Series:
    """SourcePackageLabel, or where it is blank the package whose Id the rows were pulled for."""
    tested = rows["tested_package"]
    blank = (tested == "").to_numpy()
    if not blank.any():
        given: pd.Series = tested.astype("str")
        return given
    by_id = packages.loc[packages["package_id"] != ""].drop_duplicates("package_id")
    from_id = rows["package_id"].map(by_id.set_index("package_id")["tag"])
    return tested.where(~blank, from_id).fillna("").astype("str")


def passed_label(passed: object) -> str:
    if passed is None or passed is pd.NA or (isinstance(passed, float) and np.isnan(passed)):
        return "not stated"
    return "passed" if bool(passed) else "failed"
