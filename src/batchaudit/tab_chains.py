"""Each tested package in a package's Lab Results tab, with its test events and the chain of
packages it was inherited through: the evidence LT001 lists and `trace` shows. Built only
for the packages asked about, so its cost is theirs, not the whole lineage's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from batchaudit.lazy import lazy
from batchaudit.lineage import NO_PACKAGE
from batchaudit.tabs import distinct

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage import Lineage
else:
    np, pd = lazy("numpy"), lazy("pandas")


def inheritance_chains(lineage: Lineage, codes: np.ndarray) -> dict[tuple[int, int], list[int]]:
    """For each (package, tested ancestor) pair: the packages from the package down to the
    tested one, following the first path the closure found. The closure is expanded from
    the given packages only: its cost is theirs, not the whole lineage's."""
    codes = distinct(np.asarray(codes, dtype=np.int64))
    start = pd.DataFrame({"package": codes, "ancestor": codes, "via": NO_PACKAGE})
    inherited = lineage.tab_of(start)
    package = inherited["package"].to_numpy(np.int64)
    ancestor = inherited["ancestor"].to_numpy(np.int64)
    # (package, ancestor) pairs as one integer each: a dict of ints, not of tuples.
    width = max(len(lineage.packages), 1)
    via = dict(zip((package * width + ancestor).tolist(), inherited["via"].tolist(), strict=True))
    tested = np.isin(ancestor, lineage.events["tested"].to_numpy(np.int64))
    chains = {}
    for holder, at in zip(package[tested].tolist(), ancestor[tested].tolist(), strict=True):
        chain = [at]
        while chain[-1] != holder and len(chain) <= len(via):
            chain.append(via[holder * width + chain[-1]])
        chains[holder, at] = chain[::-1]
    return chains


def _event_entries(events: pd.DataFrame) -> dict[int, list[dict[str, Any]]]:
    """Per tested package, its events as evidence: date, result, lab, rows."""
    days = events["date"].to_numpy("datetime64[D]")
    dates = np.datetime_as_string(days).astype(object)
    dates[np.isnat(days)] = None
    passed = events["passed"]
    results = np.where(
        passed.isna(), "not stated", np.where(passed.fillna(False), "passed", "failed")
    )
    entries: dict[int, list[dict[str, Any]]] = {}
    for tested, date, result, lab, rows in zip(
        events["tested"].tolist(),
        dates.tolist(),
        results.tolist(),
        events["lab"].tolist(),
        events["rows"].tolist(),
        strict=True,
    ):
        entries.setdefault(tested, []).append(
            {"date": date, "result": result, "lab": lab, "rows": rows}
        )
    return entries


def tested_packages_in_tabs(lineage: Lineage, codes: np.ndarray) -> dict[int, list[dict[str, Any]]]:
    """Per package, each tested package in its tab with its events and the inheritance chain."""
    tags = lineage.packages["tag"].to_numpy(object)
    categories = lineage.packages["category"].to_numpy(object)
    chains = inheritance_chains(lineage, codes)
    pairs = np.array(list(chains), dtype=np.int64).reshape(-1, 2)
    in_tabs = distinct(pairs[:, 1])
    events_by_tested = _event_entries(lineage.events.loc[lineage.events["tested"].isin(in_tabs)])
    # Tested packages by tag, so that the order never follows the order of the input rows.
    order = np.lexsort((_text_rank(tags, pairs[:, 1]), pairs[:, 0]))
    listed = list(chains.items())
    tabs: dict[int, list[dict[str, Any]]] = {}
    tag_of, category_of = tags.tolist(), categories.tolist()
    for (package, tested), chain in (listed[index] for index in order.tolist()):
        tabs.setdefault(package, []).append(
            {
                "tag": tag_of[tested],
                "category": category_of[tested],
                "events": events_by_tested.get(tested, []),
                "inherited_through": [tag_of[code] for code in chain],
            }
        )
    return tabs


def _text_rank(texts: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each code's place in the order of the texts of `codes`."""
    distinct_codes = distinct(codes)
    rank = np.empty(len(distinct_codes), dtype=np.int64)
    rank[np.argsort(texts[distinct_codes], kind="stable")] = np.arange(len(distinct_codes))
    placed: np.ndarray = rank[np.searchsorted(distinct_codes, codes)]
    return placed
