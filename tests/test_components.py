"""Strongly connected components: the peeled and searched ones are SciPy's, numbered apart."""

from __future__ import annotations

import numpy as np
import pytest

from batchaudit.lineage.components import _scipy_components, strong_components


def _same_partition(ours: np.ndarray, theirs: np.ndarray) -> bool:
    pairs = set(zip(ours.tolist(), theirs.tolist(), strict=True))
    return len(pairs) == len(set(ours.tolist())) == len(set(theirs.tolist()))


@pytest.mark.parametrize("seed", range(40))
def test_components_are_scipys_on_random_links(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 80))
    child = rng.integers(0, size, int(rng.integers(0, 3 * size)))
    source = rng.integers(0, size, len(child))
    if seed % 2:  # lineage-like: links to older packages, and a few back
        child, source = np.maximum(child, source), np.minimum(child, source)
        child[:2], source[:2] = source[:2].copy(), child[:2].copy()
    count, component = strong_components(child, source, size)
    expected_count, expected = _scipy_components(child, source, size)
    assert count == expected_count
    assert _same_partition(component, expected)
    assert component.min() >= 0 and component.max() < count


def test_a_chain_too_deep_to_peel_and_a_long_cycle_are_still_right() -> None:
    size = 1_000
    chain = np.arange(1, size), np.arange(size - 1)
    count, _ = strong_components(*chain, size)
    assert count == size
    cycle = np.arange(size), (np.arange(size) + 1) % size
    count, component = strong_components(*cycle, size)
    assert count == 1 and (component == component[0]).all()
