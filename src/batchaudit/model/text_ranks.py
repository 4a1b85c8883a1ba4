"""Texts ranked as Python compares them, for numpy to sort by (`numpy.lexsort` takes
numbers): a million findings' tags and file names ranked by Arrow, not compared by Python."""

from __future__ import annotations

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]


def text_ranks(texts: list[str]) -> np.ndarray:
    """Each text's place among the distinct texts in code-point order, as Python compares
    strings: by Arrow (UTF-8's byte order is code-point order), or by Python for text Arrow
    cannot hold (a file name with an undecodable byte comes as a lone surrogate)."""
    try:
        cells = pa.array(texts, type=pa.large_string())
    except (pa.ArrowException, UnicodeEncodeError):
        place = {text: rank for rank, text in enumerate(sorted(set(texts)))}
        return np.array([place[text] for text in texts], dtype=np.int64)
    return np.asarray(pc.rank(cells, sort_keys="ascending", tiebreaker="dense"), dtype=np.int64)
