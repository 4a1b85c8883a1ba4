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
    package, ancestor = inherited["package"].tolist(), inherited["ancestor"].tolist()
    via = dict(zip(zip(package, ancestor, strict=True), inherited["via"].tolist(), strict=True))
    tested = inherited["ancestor"].isin(lineage.events["tested"]).to_numpy()
    chains = {}
    for pair in zip(
        inherited["package"][tested].tolist(), inherited["ancestor"][tested].tolist(), strict=True
    ):
        chain = [pair[1]]
        while chain[-1] != pair[0] and len(chain) <= len(via):
            chain.append(via[(pair[0], chain[-1])])
        chains[pair] = chain[::-1]
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
    in_tabs = {tested for _, tested in chains}
    events_by_tested = _event_entries(lineage.events.loc[lineage.events["tested"].isin(in_tabs)])
    tabs: dict[int, list[dict[str, Any]]] = {}
    # Tested packages by tag, so that the order never follows the order of the input rows.
    ordered = sorted(chains.items(), key=lambda item: (item[0][0], tags[item[0][1]]))
    for (package, tested), chain in ordered:
        tabs.setdefault(package, []).append(
            {
                "tag": tags[tested],
                "category": categories[tested],
                "events": events_by_tested.get(tested, []),
                "inherited_through": tags[chain].tolist(),
            }
        )
    return tabs
