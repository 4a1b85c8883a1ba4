"""Strongly connected components of the source links (the members of a cycle share one).

Real lineage has almost no cycles, so most packages are components of their own. Peeling the
packages no link reaches from a package still standing, in rounds, and then those that reach
none, proves that in a few whole-array steps; only what remains (the cycles, and what lies
between them) is searched, by Tarjan's algorithm when it is small. SciPy's algorithm takes a
remainder too large for that, or links too deep to peel in a few rounds: importing it costs a
quarter of a second, a fifth of an audit of 100,000 packages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse
    from scipy.sparse import csgraph
else:
    np = lazy("numpy")
    csgraph, sparse = lazy("scipy.sparse.csgraph"), lazy("scipy.sparse")

# Rounds of peeling before the links count as too deep, and the most packages left for
# Tarjan's algorithm (in Python, some microseconds a package).
PEELING_ROUNDS = 64
SEARCHED_AT_MOST = 20_000


def strong_components(child: np.ndarray, source: np.ndarray, size: int) -> tuple[int, np.ndarray]:
    """(how many, each package's) strongly connected component of the links child -> source;
    numbered arbitrarily."""
    if size == 0:
        return 0, np.zeros(0, dtype=np.int64)
    standing = _peeled(child, source, size)
    if standing is not None:
        standing = _peeled(source, child, size, standing)
    if standing is None or standing.sum() > SEARCHED_AT_MOST:
        return _scipy_components(child, source, size)
    rest = np.flatnonzero(standing)
    component = np.empty(size, dtype=np.int64)
    alone = np.flatnonzero(~standing)
    component[alone] = np.arange(len(alone))
    if len(rest) == 0:
        return size, component
    local = np.full(size, -1, dtype=np.int64)
    local[rest] = np.arange(len(rest))
    inside = standing[child] & standing[source]
    labels, count = _tarjan(local[child[inside]], local[source[inside]], len(rest))
    component[rest] = len(alone) + labels
    return len(alone) + count, component


def _peeled(
    tail: np.ndarray, head: np.ndarray, size: int, standing: np.ndarray | None = None
) -> np.ndarray | None:
    """The packages still standing after removing, round by round, those that no link from a
    standing package reaches (links tail -> head); None if that takes too many rounds."""
    alive = np.ones(size, dtype=bool) if standing is None else standing.copy()
    among = alive[tail] & alive[head]
    tail, head = tail[among], head[among]
    reached_by = np.bincount(head, minlength=size)
    order = np.argsort(tail, kind="stable")
    start = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=size), out=start[1:])
    heads = head[order]
    frontier = np.flatnonzero(alive & (reached_by == 0))
    for _ in range(PEELING_ROUNDS):
        if len(frontier) == 0:
            return alive
        alive[frontier] = False
        begin, length = start[frontier], start[frontier + 1] - start[frontier]
        offset = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
        reached = heads[np.repeat(begin, length) + offset]
        np.subtract.at(reached_by, reached, 1)
        reached = np.sort(reached)  # distinct by a sort: numpy 2's hashing unique is slower
        reached = reached[np.r_[True, reached[1:] != reached[:-1]]] if len(reached) else reached
        frontier = reached[alive[reached] & (reached_by[reached] == 0)]
    return alive if len(frontier) == 0 else None


def _tarjan(tail: np.ndarray, head: np.ndarray, count: int) -> tuple[np.ndarray, int]:
    """Tarjan's algorithm without recursion, on packages 0..count-1: (component, how many)."""
    order = np.argsort(tail, kind="stable")
    start = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=count), out=start[1:])
    begin, heads = start.tolist(), head[order].tolist()
    index, low = [-1] * count, [0] * count
    on_stack, stack = [False] * count, []
    component, found, visited = [-1] * count, 0, 0
    for root in range(count):
        if index[root] != -1:
            continue
        work = [(root, begin[root])]
        while work:
            node, at = work.pop()
            if at == begin[node]:
                index[node] = low[node] = visited
                visited += 1
                stack.append(node)
                on_stack[node] = True
            while at < begin[node + 1]:
                nxt = heads[at]
                at += 1
                if index[nxt] == -1:
                    work.append((node, at))
                    work.append((nxt, begin[nxt]))
                    break
                if on_stack[nxt]:
                    low[node] = min(low[node], index[nxt])
            else:
                if low[node] == index[node]:
                    member = -1
                    while member != node:
                        member = stack.pop()
                        on_stack[member] = False
                        component[member] = found
                    found += 1
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return np.asarray(component, dtype=np.int64), found


def _scipy_components(child: np.ndarray, source: np.ndarray, size: int) -> tuple[int, np.ndarray]:
    graph = sparse.coo_matrix(
        (np.ones(len(child), dtype=np.int8), (child, source)), shape=(size, size)
    )
    count, component = csgraph.connected_components(graph, directed=True, connection="strong")
    return int(count), component.astype(np.int64)
