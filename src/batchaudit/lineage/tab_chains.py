"""Each tested package in a package's Lab Results tab, with its test events and the chain of
packages it was inherited through: the evidence LT001 lists and `trace` shows. Built only
for the packages asked about, so its cost is theirs, not the whole lineage's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from batchaudit.lineage.build import NO_PACKAGE
from batchaudit.lineage.tabs import distinct
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage.build import Lineage
else:
    np, pd = lazy("numpy"), lazy("pandas")


class Chains:
    """For each (package, tested ancestor) pair of the closure: the packages from the package
    down to the tested one, following the first path the closure found; the chains' codes
    flat, pair after pair, `bounds` where each begins (and the last ends)."""

    def __init__(self, lineage: Lineage, codes: np.ndarray) -> None:
        """The closure is expanded from the given packages only: its cost is theirs, not the
        whole lineage's."""
        codes = distinct(np.asarray(codes, dtype=np.int64))
        start = pd.DataFrame({"package": codes, "ancestor": codes, "via": NO_PACKAGE})
        inherited = lineage.tab_of(start)
        package = inherited["package"].to_numpy(np.int64)
        ancestor = inherited["ancestor"].to_numpy(np.int64)
        # (package, ancestor) pairs as one integer each, sorted, to look up where each
        # ancestor was reached from.
        width = np.int64(max(len(lineage.packages), 1))
        key = package * width + ancestor
        order = np.argsort(key)
        self._key, self._via = key[order], inherited["via"].to_numpy(np.int64)[order]
        tested = np.isin(ancestor, lineage.events["tested"].to_numpy(np.int64))
        self.holder, self.tested = package[tested], ancestor[tested]
        pair, step, node = self._walk(width)
        # Each chain from the package down: by pair, the last step first.
        flat = np.lexsort((-step, pair))
        self.codes = node[flat]
        self.bounds = np.searchsorted(pair[flat], np.arange(len(self.holder) + 1))

    def _walk(self, width: np.int64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pair, step, package) of every step from each tested package up to its holder,
        all pairs a step at a time; the last few long ones one by one (a chain of 100,000
        repackagings is 100,000 steps)."""
        holder = self.holder
        pair, node = np.arange(len(holder)), self.tested
        found = [(pair, np.zeros(len(pair), dtype=np.int64), node)]
        step = 0
        while True:
            going = node != holder[pair]
            pair, node = pair[going], node[going]
            if len(pair) <= _FEW or step > len(self._key):
                break
            step += 1
            node = self._from(holder[pair] * width + node)
            found.append((pair, np.full(len(pair), step, dtype=np.int64), node))
        for one, at in zip(pair.tolist(), node.tolist(), strict=True):
            rest = self._one_chain(int(holder[one]), at, width)
            found.append(
                (
                    np.full(len(rest), one, dtype=np.int64),
                    np.arange(step + 1, step + 1 + len(rest), dtype=np.int64),
                    np.asarray(rest, dtype=np.int64),
                )
            )
        pairs, steps, nodes = (np.concatenate([f[index] for f in found]) for index in range(3))
        return pairs, steps, nodes

    def _from(self, key: np.ndarray) -> np.ndarray:
        via: np.ndarray = self._via[np.searchsorted(self._key, key)]
        return via

    def _one_chain(self, holder: int, at: int, width: np.int64) -> list[int]:
        """The steps after `at` up to `holder`, one lookup each."""
        nodes: list[int] = []
        while at != holder and len(nodes) <= len(self._key):
            at = int(self._via[int(np.searchsorted(self._key, holder * width + at))])
            nodes.append(at)
        return nodes


# Below this many chains still going, the rest are walked one by one (a step of whole-array
# operations costs more than a few lookups).
_FEW = 16


def _event_entries(events: pd.DataFrame) -> dict[Any, list[dict[str, Any]]]:
    """Per tested package (as `tested` names it: a code, or a tag), its events as evidence:
    date, result, lab, rows."""
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
    chains = Chains(lineage, codes)
    holder, tested = chains.holder, chains.tested
    in_tabs = distinct(tested)
    events_by_tested = _event_entries(lineage.events.loc[lineage.events["tested"].isin(in_tabs)])
    # Tags, categories and events by position in `in_tabs`, taken for the packages named
    # only, not converted whole.
    tags = _texts(lineage.packages["tag"], in_tabs)
    categories = _texts(lineage.packages["category"], in_tabs)
    events = [events_by_tested.get(at, []) for at in in_tabs.tolist()]
    chain_tags = _texts(lineage.packages["tag"], chains.codes)
    # Tested packages by tag, so that the order never follows the order of the input rows.
    rank = np.empty(len(in_tabs), dtype=np.int64)
    rank[np.argsort(np.asarray(tags, dtype=object), kind="stable")] = np.arange(len(in_tabs))
    position = np.searchsorted(in_tabs, tested)
    order = np.lexsort((rank[position], holder))
    bounds = chains.bounds
    # One comprehension over the pairs in order (400,000 at 10^6 findings-heavy packages),
    # then each holder's run of them: no call per pair.
    entries = [
        {
            "tag": tags[at],
            "category": categories[at],
            "events": events[at],
            "inherited_through": chain_tags[begin:end],
            "seen": "derived",
        }
        for at, begin, end in zip(
            position[order].tolist(),
            bounds[order].tolist(),
            bounds[order + 1].tolist(),
            strict=True,
        )
    ]
    held = holder[order]
    starts = np.flatnonzero(np.r_[len(held) > 0, held[1:] != held[:-1]])
    ends = np.r_[starts[1:], len(held)][: len(starts)]  # none where no pair is
    tabs = {
        package: entries[begin:end]
        for package, begin, end in zip(
            held[starts].tolist(), starts.tolist(), ends.tolist(), strict=True
        )
    }
    return _with_observed(lineage, codes, tabs)


def _with_observed(
    lineage: Lineage, codes: np.ndarray, tabs: dict[int, list[dict[str, Any]]]
) -> dict[int, list[dict[str, Any]]]:
    """The tested packages that per-package lab pulls show in the tabs asked about: each
    derived one seen in a pull too is marked "both", each seen only there is added as
    "observed" (a received package's supplier's packages, which no export holds)."""
    observed = lineage.observed
    if observed.empty:
        return tabs
    pulled = observed.loc[observed["package"].isin(codes), ["package", "tested_tag"]]
    pairs = pulled.drop_duplicates().sort_values(["package", "tested_tag"])
    if pairs.empty:
        return tabs
    tags = pd.Index(lineage.packages["tag"])
    loaded = tags.get_indexer(pairs["tested_tag"].unique())
    events = _event_entries(lineage.events.loc[lineage.events["tested"].isin(loaded)])
    unloaded = _unloaded_events(lineage, set(pairs["tested_tag"].tolist()))
    found = tags.get_indexer(pairs["tested_tag"])
    categories = _texts(lineage.packages["category"], found[found >= 0])
    category_of = dict(zip(found[found >= 0].tolist(), categories, strict=True))
    # Each tab's entries by tag, made once per tab: a pair is looked up, not searched for.
    by_tag: dict[int, dict[str, dict[str, Any]]] = {}
    added: set[int] = set()
    pairs_found = zip(
        pairs["package"].tolist(), pairs["tested_tag"].tolist(), found.tolist(), strict=True
    )
    for package, tag, code in pairs_found:
        listed = tabs.setdefault(package, [])
        entries = by_tag.get(package)
        if entries is None:
            entries = by_tag[package] = {entry["tag"]: entry for entry in listed}
        derived = entries.get(tag)
        if derived is not None:
            derived["seen"] = "both"
            continue
        listed.append(
            {
                "tag": tag,
                "category": category_of[code] if code >= 0 else "",
                "events": events.get(code, []) if code >= 0 else unloaded.get(tag, []),
                "inherited_through": [],
                "seen": "observed",
            }
        )
        added.add(package)
    for package in added:
        tabs[package].sort(key=lambda entry: str(entry["tag"]))
    return tabs


def _unloaded_events(lineage: Lineage, tags: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Per tested package that no export holds, its test events as a pull shows them: each
    (tag, event) group of rows, in the order of its tag and event, is one event whose date
    and lab are its first row's, passed where every stated result passed, failed where one
    failed, not stated where none is."""
    rows = lineage.lab_rows
    table = lineage.lab_table
    chosen = rows.loc[(rows["tested"] == NO_PACKAGE) & rows["tested_tag"].isin(tags)]
    if chosen.empty or table is None:
        return {}
    loaded = table.iloc[chosen["loaded_row"].to_numpy(np.int64)]
    tag, names = pd.factorize(chosen["tested_tag"].astype(str).to_numpy(), sort=True)
    event = pd.factorize(chosen["event"].to_numpy(), sort=True)[0]
    order = np.lexsort((event, tag))  # stable: a group's rows stay in the files' order
    key = tag[order] * (int(event.max()) + 1) + event[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    first = order[starts]
    stated = chosen["test_passed"].notna().to_numpy()
    failed = stated & ~chosen["test_passed"].fillna(False).to_numpy(dtype=bool)
    any_stated = np.logical_or.reduceat(stated[order], starts)
    passed = pd.array(~np.logical_or.reduceat(failed[order], starts), dtype="boolean")
    passed[~any_stated] = pd.NA
    events = pd.DataFrame(
        {
            "tested": np.asarray(names)[tag[first]],
            "date": loaded["test_performed_date"].to_numpy()[first],
            "passed": passed,
            "lab": loaded["lab_license"].astype(str).to_numpy()[first],
            "rows": np.diff(np.r_[starts, len(order)]),
        }
    )
    return _event_entries(events)


def _texts(column: pd.Series, codes: np.ndarray) -> list[Any]:
    """The column's values at the given package codes, as Python values."""
    values: list[Any] = np.asarray(column.array.take(codes), dtype=object).tolist()
    return values
