"""How deep arrays and objects nest in JSON: in a parsed value, or in the bytes of a file
too deep to parse."""

from __future__ import annotations

from typing import Any

import numpy as np

_STEPS = np.zeros(256, dtype=np.int8)
_STEPS[[ord("["), ord("{")]] = 1
_STEPS[[ord("]"), ord("}")]] = -1
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


def depth(value: Any) -> int:
    """How deep arrays and objects nest in a parsed JSON value (0 for a plain value),
    without recursion (a value may nest as deep as the parser follows)."""
    deepest = 0
    pending = [(value, 0)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level + 1)
        pending.extend((inner, level + 1) for inner in item)
    return deepest


def nesting_depth(data: bytes) -> int:
    """How deep arrays and objects nest, counted without parsing, so that a hostile file
    cannot exhaust the parser's recursion: brackets inside strings are set aside."""
    codes = np.frombuffer(data, dtype=np.uint8)
    brackets = np.flatnonzero(_STEPS[codes])
    quotes_before = np.searchsorted(_string_quotes(codes), brackets)
    steps = _STEPS[codes[brackets[quotes_before % 2 == 0]]]
    return int(np.cumsum(steps, dtype=np.int64).max(initial=0))


def _string_quotes(codes: np.ndarray) -> np.ndarray:
    """Positions of the quotes that open or close strings: not those escaped by an odd run
    of backslashes."""
    quotes = np.flatnonzero(codes == _QUOTE)
    after_backslash = quotes[(quotes > 0) & (codes[quotes - 1] == _BACKSLASH)]
    if not len(after_backslash):
        return quotes
    backslashes = np.flatnonzero(codes == _BACKSLASH)
    run_starts = backslashes[np.concatenate(([True], np.diff(backslashes) != 1))]
    starts = run_starts[np.searchsorted(run_starts, after_backslash - 1, side="right") - 1]
    escaped = after_backslash[(after_backslash - starts) % 2 == 1]
    return np.setdiff1d(quotes, escaped, assume_unique=True)
