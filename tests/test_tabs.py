"""The (package, tested package) pairs of the results tabs equal those of the plain transitive
closure, on random lineages with shared sources, production batches and cycles."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from batchaudit.lineage import tabs
from batchaudit.lineage.build import NO_PACKAGE, inheritance


@st.composite
def lineages(draw: st.DrawFn) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    size = draw(st.integers(1, 30))
    pairs = st.tuples(st.integers(0, size - 1), st.integers(-1, size - 1))
    listed = draw(st.lists(pairs, max_size=3 * size))
    links = pd.DataFrame(listed, columns=["child", "source"], dtype=np.int64)
    batch = np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)))
    tested = np.flatnonzero(draw(st.lists(st.booleans(), min_size=size, max_size=size)))
    return links.drop_duplicates(ignore_index=True), batch, tested


@settings(max_examples=300, deadline=None)
@given(lineages())
def test_tabs_equal_the_closure(lineage: tuple[pd.DataFrame, np.ndarray, np.ndarray]) -> None:
    links, batch, tested = lineage
    codes = np.arange(len(batch))
    start = pd.DataFrame({"package": codes, "ancestor": codes, "via": NO_PACKAGE})
    closure = inheritance(start, links, batch)
    expected = closure.loc[closure["ancestor"].isin(tested), ["package", "ancestor"]]
    expected = expected.set_axis(["package", "tested"], axis=1)
    expected = expected.sort_values(["package", "tested"], ignore_index=True)
    found = tabs.tested_in_tabs(links, batch, tested)
    assert found.astype(np.int64).equals(expected.astype(np.int64))
