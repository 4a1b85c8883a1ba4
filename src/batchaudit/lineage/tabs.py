"""Which tested packages each package's results tab shows, without the transitive closure.

A tab holds the package's own test events and, unless it is a production batch, its known
sources' tabs. Listing every (package, ancestor) pair costs depth x packages on a chain of
repackagings; the rules need only the (package, tested package) pairs, which are few per
package except where LT001 fires, and there the report lists them anyway. They are found on
the condensation of the inheriting links (strongly connected components: the members of a
cycle share one tab), whole-frame, in three steps:

1. Single-source runs. A component with exactly one source component shows its own tested
   packages plus that source's tab. Pointer doubling finds, in log(depth) passes, each
   component's *anchor* (the first component up its run with none or several sources) and
   the next tested component up the run.
2. Anchors with several sources (combining), in rounds of readiness (Kahn's order): the
   union of their sources' tabs, each tested package once.
3. Every component: the tested components up its run plus its anchor's tab (disjoint, as
   the condensation has no cycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from batchaudit.lineage.components import strong_components
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np, pd = lazy("numpy"), lazy("pandas")

NO_PACKAGE = -1


def tested_in_tabs(
    links: pd.DataFrame, production_batch: np.ndarray, tested: np.ndarray
) -> pd.DataFrame:
    """(package, tested) pairs, sorted: `tested` (a package with test events) is in
    `package`'s results tab. `tested` lists the codes of the packages with test events."""
    size = len(production_batch)
    child, source = _inheriting_links(links, production_batch)
    count, component = strong_components(child, source, size)
    c_child, c_source = _condensed(component[child], component[source], count)
    sources = np.bincount(c_child, minlength=count)
    single = sources == 1
    parent = np.arange(count)
    parent[c_child[single[c_child]]] = c_source[single[c_child]]
    anchor = _jump(parent)
    tested_component = np.zeros(count, dtype=bool)
    tested_component[component[tested]] = True
    marked = single & tested_component
    nearest = _jump(np.where(marked | ~single, np.arange(count), parent))
    nearest = np.where(marked[nearest], nearest, NO_PACKAGE)
    run = Ragged.of(*_run_pairs(nearest, parent), count)
    merging = sources[c_child] > 1
    combined = Ragged.of(c_child[merging], c_source[merging], count)
    anchor_tabs = _anchor_tabs(combined, run, anchor, tested_component, sources)
    # 3. per component: its run's tested components, then its anchor's tab.
    of_run, in_run = run.take(np.arange(count))
    of_anchor, in_anchor = anchor_tabs.take(anchor)
    per_component = Ragged.of(
        np.concatenate([of_run, of_anchor]), np.concatenate([in_run, in_anchor]), count
    )
    package, tested_comp = per_component.take(component)
    members = Ragged.of(component[tested], np.asarray(tested, dtype=np.int64), count)
    position, tested_package = members.take(tested_comp)
    package = package[position]
    order = np.argsort(package * np.int64(max(size, 1)) + tested_package, kind="stable")
    return pd.DataFrame({"package": package[order], "tested": tested_package[order]})


def _inheriting_links(
    links: pd.DataFrame, production_batch: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(child, source) of the known links along which a tab inherits: the child is not a
    production batch and is not its own source."""
    child = links["child"].to_numpy(np.int64)
    source = links["source"].to_numpy(np.int64)
    keep = (source != NO_PACKAGE) & (child != source)
    keep[keep] = ~production_batch[child[keep]].astype(bool)
    return child[keep], source[keep]


def _condensed(child: np.ndarray, source: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct links between different components, sorted by child."""
    between = child != source
    key = distinct(child[between] * np.int64(count) + source[between])
    return key // max(count, 1), key % max(count, 1)


def _jump(pointer: np.ndarray) -> np.ndarray:
    """Follow pointers to their fixed points by doubling: log(longest path) passes."""
    while True:
        jumped = pointer[pointer]
        if np.array_equal(jumped, pointer):
            return pointer
        pointer = jumped


def _run_pairs(nearest: np.ndarray, parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(component, tested component) for the tested components up each single-source run,
    anchor excluded. Each pass adds one tested component to every run still going, so the
    passes are as many as the most tested components above one package."""
    heads = distinct(nearest[nearest >= 0])
    head, at = heads, heads
    found_head, found_at = [], []
    while len(at):
        found_head.append(head)
        found_at.append(at)
        above = nearest[parent[at]]
        going = above >= 0
        head, at = head[going], above[going]
    listed = Ragged.of(
        np.concatenate([*found_head, np.zeros(0, np.int64)]),
        np.concatenate([*found_at, np.zeros(0, np.int64)]),
        len(parent),
    )
    components = np.flatnonzero(nearest >= 0)
    position, tested = listed.take(nearest[components])
    return components[position], tested


def _anchor_tabs(
    combined: Ragged,
    run: Ragged,
    anchor: np.ndarray,
    tested_component: np.ndarray,
    sources: np.ndarray,
) -> Ragged:
    """The tab (tested components) of every anchor, rounds in readiness order."""
    count = len(anchor)
    store = _Store(count)
    roots = np.flatnonzero(sources == 0)
    store.add(roots[tested_component[roots]], roots[tested_component[roots]])
    # Each combining anchor waits for the anchors of its sources.
    owner = np.repeat(np.arange(count, dtype=np.int64), np.diff(combined.start))
    key = distinct(owner * np.int64(count) + anchor[combined.members])
    waiting, on = key // max(count, 1), key % max(count, 1)
    pending = np.bincount(waiting, minlength=count)
    dependents = Ragged.of(on, waiting, count)
    ready = roots
    while len(ready):
        _, waiting = dependents.take(ready)
        np.subtract.at(pending, waiting, 1)
        ready = distinct(waiting[pending[waiting] == 0])
        position, source = combined.take(ready)
        run_position, in_run = run.take(source)
        anchor_position, in_anchor = store.take(anchor[source])
        own = ready[tested_component[ready]]
        owner = np.concatenate(
            [ready[position[run_position]], ready[position[anchor_position]], own]
        )
        found = np.concatenate([in_run, in_anchor, own])
        key = distinct(owner * np.int64(count) + found)
        store.add(key // count, key % count)
    return store.frozen()


def distinct(values: np.ndarray) -> np.ndarray:
    """np.unique(values), by a sort: numpy 2's hashing np.unique is some forty times slower
    on half a million integers with many distinct values."""
    ordered: np.ndarray = np.sort(np.asarray(values))
    if len(ordered) == 0:
        return ordered
    first = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    kept: np.ndarray = ordered[first]
    return kept


class Ragged:
    """Values grouped by a key in 0..count-1, as offsets into one array (CSR)."""

    def __init__(self, start: np.ndarray, members: np.ndarray) -> None:
        self.start = start
        self.members = members

    @classmethod
    def of(cls, keys: np.ndarray, values: np.ndarray, count: int) -> Ragged:
        order = np.argsort(keys, kind="stable")
        start = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(np.bincount(keys, minlength=count), out=start[1:])
        return cls(start, np.asarray(values, dtype=np.int64)[order])

    def take(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in keys, value) for every value of every key, in keys' order."""
        keys = np.asarray(keys, dtype=np.int64)
        begin = self.start[keys]
        length = self.start[keys + 1] - begin
        position = np.repeat(np.arange(len(keys)), length)
        offset = np.arange(len(position)) - np.repeat(np.cumsum(length) - length, length)
        return position, self.members[begin[position] + offset]


class _Store:
    """Tabs of the anchors, appended round by round (amortised doubling)."""

    def __init__(self, count: int) -> None:
        self.begin = np.zeros(count, dtype=np.int64)
        self.length = np.zeros(count, dtype=np.int64)
        self.members = np.zeros(max(count, 16), dtype=np.int64)
        self.used = 0

    def add(self, owner: np.ndarray, values: np.ndarray) -> None:
        """Values grouped by owner, owners ascending (each owner added once)."""
        need = self.used + len(values)
        if need > len(self.members):
            self.members = np.resize(self.members, max(need, 2 * len(self.members)))
        self.members[self.used : need] = values
        owners, first, counts = np.unique(owner, return_index=True, return_counts=True)
        self.begin[owners] = self.used + first
        self.length[owners] = counts
        self.used = need

    def take(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        begin = self.begin[keys]
        length = self.length[keys]
        position = np.repeat(np.arange(len(keys)), length)
        offset = np.arange(len(position)) - np.repeat(np.cumsum(length) - length, length)
        return position, self.members[begin[position] + offset]

    def frozen(self) -> Ragged:
        keys = np.repeat(np.arange(len(self.begin)), self.length)
        _, values = self.take(np.arange(len(self.begin)))
        return Ragged.of(keys, values, len(self.begin))
