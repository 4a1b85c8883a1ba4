"""Lab-result rows -> test events, each recorded against the package that was tested.

Exports repeat an event's rows under every package that inherited it (the API is queried
per package); those repeats describe one event and are counted once.

A state's export holds millions of rows and a few hundred thousand events. Result ids, test
types and tested tags are dictionary-encoded once, by Arrow, and everything after works on
their integer codes: repeats are found and events grouped without hashing text again, and an
event's key is written once per event, not once per row.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from batchaudit.lineage.grouping import decoded, distinct_positions_in, positions_in, text_codes
from batchaudit.model.fields import FILE, LAB_SAMPLES_SHAPE, LINE, SHAPE
from batchaudit.support.lazy import lazy
from batchaudit.support.side_by_side import side_by_side

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]
else:
    np, pd = lazy("numpy"), lazy("pandas")
    pa, pc = lazy("pyarrow"), lazy("pyarrow.compute")

EVENT_COLUMNS = ["tested", "tested_tag", "event", "rows", "date", "passed", "lab"]
# What the rules and `trace` read of a lab-result row. `event` is the code of the row's test
# event: the same code, the same event (-1: none, where the result id itself is missing);
# `tested_tag` and `test_type` are categories; `loaded_row` is the row's position in the table
# given (LN003 takes the PackageIds of the few rows it names from there, not a copy of all).
ROW_COLUMNS = [
    "tested",
    "tested_tag",
    "event",
    "test_type",
    "test_passed",
    "counts",
    "loaded_row",
    FILE,
    LINE,
]


def test_events(
    lab_results: pd.DataFrame | None, packages: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(deduplicated rows with `tested` and `event` codes, one row per event with its key
    as text: see `event_keys`)."""
    return events_of(lab_results, coded_rows(lab_results, packages))


@dataclass(frozen=True)
class CodedRows:
    """The lab-result rows kept (each result line once), with the codes of their tested
    package and test event: which packages were tested is known from these, before the
    rows and events are made of them (`events_of`)."""

    kept: np.ndarray  # positions in the table given
    tested: np.ndarray  # package codes, -1 where the package is not loaded
    tested_tag: pd.Categorical[Any]
    event: np.ndarray  # codes into `keys`, -1 where the row has no event
    keys: Any  # the events' keys as Arrow text
    test_type: np.ndarray  # codes into `types`
    types: Any


def coded_rows(lab_results: pd.DataFrame | None, packages: pd.DataFrame) -> CodedRows | None:
    """The rows' codes (None without lab results)."""
    if lab_results is None or lab_results.empty:
        return None
    # Three columns of text as codes, side by side: Arrow lets go of the interpreter lock.
    coded = side_by_side(
        (field, functools.partial(text_codes, lab_results[field]))
        for field in ("lab_test_result_id", "test_type", "tested_package")
    )
    result_id, ids = coded["lab_test_result_id"]
    test_type, types = coded["test_type"]
    # Keys of (code + 1) pairs: a missing id or type (-1) is one value, as pandas has it.
    width = len(types) + 1
    # The repeats of a result's line (same result id and test type) that per-package pulls
    # list under every inheriting package: at 100,000 packages pulls hold four rows for each
    # one kept. Rows without a result id are told apart below, by tested package, lab and date.
    no_id = result_id == _position(ids, "")
    kept = np.flatnonzero(no_id | ~_seen_before((result_id + 1) * width + test_type + 1))
    tested, tested_tag = _tested(lab_results, kept, packages, coded["tested_package"])
    event, keys = _event_codes(lab_results, kept, result_id[kept], ids, tested_tag)
    if no_id.any():
        first = ~_seen_before((event + 1) * width + test_type[kept] + 1)
        # A lab-sample record is a row of its own, never a repeat of another (no pull lists
        # it twice): two results of one sample on one day are both kept.
        first |= _from_lab_samples(lab_results, kept)
        kept, event, tested, tested_tag = (
            kept[first],
            event[first],
            tested[first],
            tested_tag[first],
        )
    return CodedRows(kept, tested, tested_tag, event, keys, test_type[kept], types)


def events_of(
    lab_results: pd.DataFrame | None, coded: CodedRows | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows and events of `test_events`, made from the rows' codes."""
    if lab_results is None or coded is None:
        return pd.DataFrame(columns=ROW_COLUMNS), pd.DataFrame(columns=EVENT_COLUMNS)
    kept = coded.kept
    revoked = lab_results["revoked_date"].notna() | lab_results["detail_revoked_date"].notna()
    informational = lab_results["informational_only"].to_numpy(dtype=bool, na_value=False)
    rows = pd.DataFrame(
        {
            "tested": coded.tested,
            "tested_tag": coded.tested_tag,
            "event": coded.event,
            # As categories: the codes above, no second copy of the text (rules/test_types.py).
            "test_type": pd.Categorical.from_codes(
                coded.test_type, categories=pd.array(coded.types, dtype="str")
            ),
            "test_passed": _taken(lab_results["test_passed"], kept),
            # Revoked and informational-only rows are shown in the tab but are not
            # compliance results.
            "counts": ~revoked.to_numpy()[kept] & ~informational[kept],
            "loaded_row": kept,
            FILE: _taken(lab_results[FILE], kept),
            LINE: _taken(lab_results[LINE], kept),
        },
        copy=False,
    )
    return rows, _events(lab_results, kept, rows, coded.keys)


def _events(
    lab_results: pd.DataFrame, kept: np.ndarray, rows: pd.DataFrame, keys: Any
) -> pd.DataFrame:
    """One row per test event of a loaded package, ordered by tested package and event key.
    An event's date, OverallPassed and lab are those of its first row that states them."""
    tested, event = rows["tested"].to_numpy(np.int64), rows["event"].to_numpy(np.int64)
    placed = np.flatnonzero((tested != -1) & (event != -1))
    every_row = len(placed) == len(rows)  # usually: then no copies of whole columns
    if not every_row:
        tested, event = tested[placed], event[placed]
    group, count = _event_groups(tested, event, len(keys))
    size = np.bincount(group, minlength=count)
    present = np.flatnonzero(size > 0)
    first = _first_of(group, count)[present]
    # Ordered by tested package, then the event key's place in the order of the keys' texts.
    rank = np.empty(len(keys), dtype=np.int64)
    rank[np.asarray(pc.sort_indices(keys), dtype=np.int64)] = np.arange(len(keys))
    order = np.argsort(tested[first] * max(len(keys), 1) + rank[event[first]], kind="stable")
    present, first = present[order], first[order]
    loaded = kept if every_row else kept[placed]  # placed rows' places in the loaded table
    first_stated = _FirstStated(group, count, present, loaded[first], loaded)
    events = pd.DataFrame(
        {
            "tested": tested[first],
            "tested_tag": rows["tested_tag"].array.take(placed[first]).astype("str"),
            "event": pd.array(keys.take(pa.array(event[first])), dtype="str"),
            "rows": size[present],
            "date": first_stated.of(lab_results["test_performed_date"]),
            "passed": first_stated.of(lab_results["overall_passed"]),
            "lab": _labs(lab_results, first_stated),
        },
        copy=False,
    )
    # Without OverallPassed, an event passed when every row that states an outcome passed.
    stated = rows["test_passed"].notna().to_numpy()
    passing = rows["test_passed"].to_numpy(dtype=bool, na_value=True)
    if not every_row:
        stated, passing = stated[placed], passing[placed]
    said = np.bincount(group[stated], minlength=count)[present] > 0
    failed = np.bincount(group[~passing], minlength=count)[present] > 0
    from_rows = pd.Series(pd.arrays.BooleanArray(~failed, ~said))
    events["passed"] = events["passed"].astype("boolean").fillna(from_rows)
    return events


class _FirstStated:
    """Per event, a column's value on the first of its rows that states one (as pandas'
    `first` takes it): its first row where no row lacks the value."""

    def __init__(
        self,
        group: np.ndarray,
        count: int,
        present: np.ndarray,
        first: np.ndarray,
        loaded: np.ndarray,
    ) -> None:
        self.group, self.count, self.present = group, count, present
        self.first, self.loaded = first, loaded

    def of(self, column: pd.Series) -> Any:
        """Text read as codes comes back as text: the events' lab is one of their columns."""
        if not column.hasnans:
            return decoded(column.array.take(self.first))
        known = column.notna().to_numpy()[self.loaded]
        at = _first_of(self.group[known], self.count, np.flatnonzero(known))[self.present]
        where = np.where(at >= 0, self.loaded[at.clip(min=0)], -1)
        return decoded(column.array.take(where, allow_fill=True))


def _labs(lab_results: pd.DataFrame, first_stated: _FirstStated) -> Any:
    """Per event, the lab's name, or its license where the name is blank, from its first row
    that states one: worked out on the events' first rows alone where no row lacks both."""
    name, license_number = lab_results["lab_name"], lab_results["lab_license"]
    if name.hasnans or license_number.hasnans:
        name, license_number = decoded(name), decoded(license_number)
        return first_stated.of(name.where(name != "", license_number))
    names = pd.Series(first_stated.of(name), copy=False)
    licenses = pd.Series(first_stated.of(license_number), copy=False)
    return names.where(names != "", licenses).array


def _event_groups(tested: np.ndarray, event: np.ndarray, count: int) -> tuple[np.ndarray, int]:
    """Each row's (tested package, event) as a code, and the number of codes: the event's own
    code where each event has one tested package (as a result id does), no hashing."""
    lowest = np.full(max(count, 1), np.iinfo(np.int64).max)
    np.minimum.at(lowest, event, tested)
    if (lowest[event] == tested).all():
        return event, count
    code, pairs = pd.factorize(tested * max(count, 1) + event)
    return np.asarray(code, dtype=np.int64), len(pairs)


def _first_of(group: np.ndarray, count: int, at: np.ndarray | None = None) -> np.ndarray:
    """Per group code, the first of its positions (`at`, else 0, 1, ...), -1 where none."""
    positions = np.arange(len(group)) if at is None else at
    first = np.full(count, np.iinfo(np.int64).max)
    np.minimum.at(first, group, positions)
    return np.where(first == np.iinfo(np.int64).max, -1, first)


def _from_lab_samples(lab_results: pd.DataFrame, kept: np.ndarray) -> np.ndarray:
    """Whether each kept row is a /packages/v2/labsamples record."""
    if SHAPE not in lab_results:
        return np.zeros(len(kept), dtype=bool)
    sampled = (lab_results[SHAPE] == LAB_SAMPLES_SHAPE).to_numpy(dtype=bool)
    return np.asarray(sampled[kept], dtype=bool)


def _seen_before(key: np.ndarray) -> np.ndarray:
    """Whether each integer key occurs at an earlier position, by a stable sort: the keys
    come from codes numbered in order of appearance, so they arrive in long sorted runs,
    which the sort merges in near-linear time (no table as large as the keys' range)."""
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    seen = np.ones(len(key), dtype=bool)
    seen[order[np.r_[len(key) > 0, ordered[1:] != ordered[:-1]]]] = False
    return seen


def _position(values: Any, text: str) -> int:
    """The position of `text` among distinct `values`; where absent, a code no value has."""
    found = np.flatnonzero(np.asarray(pc.equal(values, text).fill_null(False)))
    return int(found[0]) if len(found) else len(values)


def _taken(column: pd.Series, kept: np.ndarray) -> Any:
    """The column's values at `kept`, as an array (no index is built for a selection)."""
    return column.array if len(kept) == len(column) else column.array.take(kept)


def _event_codes(
    lab_results: pd.DataFrame, kept: np.ndarray, result_id: np.ndarray, ids: Any, tags: Any
) -> tuple[np.ndarray, Any]:
    """(each kept row's event code, the events' keys as text: `event_keys`, written once per
    distinct result id and per visit, not per row)."""
    text = pa.large_string()
    keys = pc.binary_join_element_wise(pa.scalar("id:", text), ids.cast(text), pa.scalar("", text))
    event = result_id.copy()
    no_id = result_id == _position(ids, "")
    if no_id.any():
        visits = lab_results.iloc[kept[no_id]].reset_index(drop=True)
        code, visit_keys = text_codes(event_keys(visits, pd.Series(tags[no_id])))
        event[no_id] = np.where(code >= 0, len(ids) + code, -1)
        keys = pa.concat_arrays([keys, visit_keys.cast(text)])
    # One code per distinct text (an id's key could read as a visit's); a missing id has none.
    merged, distinct = text_codes(keys)
    return np.where(event >= 0, merged[event], -1), distinct


# The fields of the lab-result rows that `event_keys` reads.
EVENT_FIELDS = ("lab_test_result_id", "test_performed_date", "lab_license")


def event_keys(rows: pd.DataFrame, tested_tags: pd.Series) -> pd.Series:
    """Each row's test event: its result id, or without one the tested package, lab and
    test date."""
    ids = decoded(rows["lab_test_result_id"])
    keys = "id:" + ids
    no_id = (ids == "").to_numpy()
    if no_id.any():
        visits = rows.loc[no_id]
        tested_on = visits["test_performed_date"].dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("")
        tags = tested_tags.to_numpy()[no_id]
        lab = decoded(visits["lab_license"])
        keys = keys.where(~no_id, tags + "|" + lab + "|" + tested_on)
    return keys


def _tested(
    lab_results: pd.DataFrame,
    kept: np.ndarray,
    packages: pd.DataFrame,
    coded: tuple[np.ndarray, Any],
) -> tuple[np.ndarray, pd.Categorical[Any]]:
    """Of the kept rows: the tested package's code (-1: not loaded) and its tag, as categories
    (the loaded table's labels, `coded` once: no copy of the text per row). The tag is the
    SourcePackageLabel, or where it is blank the package whose Id the rows were pulled for."""
    code, labels = coded
    code = code[kept]
    if not (code == _position(labels, "")).any():
        found = distinct_positions_in(labels, packages["tag"])
        tags = pd.Categorical.from_codes(code, categories=pd.array(labels, dtype="str"))
        return np.where(code >= 0, found[code.clip(min=0)], -1), tags
    tested = decoded(pd.Series(_taken(lab_results["tested_package"], kept), copy=False))
    blank = (tested == "").to_numpy(dtype=bool, na_value=False)
    pulled_for = decoded(pd.Series(_taken(lab_results["package_id"], kept), copy=False))
    by_id = packages.loc[packages["package_id"] != "", ["package_id", "tag"]]
    by_id = by_id.drop_duplicates("package_id")
    from_id = pulled_for.map(by_id.set_index("package_id")["tag"])
    given = tested.where(~blank, from_id).fillna("").astype("str")
    return positions_in(given, packages["tag"]), pd.Categorical(given)


def passed_label(passed: object) -> str:
    if passed is None or passed is pd.NA or (isinstance(passed, float) and np.isnan(passed)):
        return "not stated"
    return "passed" if bool(passed) else "failed"
