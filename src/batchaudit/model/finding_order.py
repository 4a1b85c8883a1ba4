"""The order findings are reported in: `Finding.sort_key` (severity, rule, package tag, file,
line), with the keys compared as codes by Arrow and numpy rather than as tuples by Python:
a million findings took half a second to sort the other way."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from batchaudit.model.findings import Finding, Severity, Source

_NOWHERE = Source("")


def in_report_order(findings: Sequence[Finding]) -> list[Finding]:
    """`sorted(findings, key=Finding.sort_key)`: the same order, ties kept as given. Text that
    Arrow cannot hold (a file name with an undecodable byte) is sorted by Python."""
    try:
        order = _order(findings)
    except (pa.ArrowException, UnicodeEncodeError):
        return sorted(findings, key=Finding.sort_key)
    return [findings[position] for position in order.tolist()]


def _order(findings: Sequence[Finding]) -> np.ndarray:
    ranks = {severity: severity.rank for severity in Severity}
    sources = [finding.source or _NOWHERE for finding in findings]
    keys = [
        np.array([ranks[finding.severity] for finding in findings], dtype=np.int64),
        _text_ranks([finding.rule for finding in findings]),
        _text_ranks([finding.package_tag or "" for finding in findings]),
        _text_ranks([source.file for source in sources]),
        np.array([source.line or 0 for source in sources], dtype=np.int64),
    ]
    order: np.ndarray = np.lexsort(keys[::-1])  # the last key sorts first; stable
    return order


def _text_ranks(texts: list[str]) -> np.ndarray:
    """Each text's place among the distinct texts in code-point order (UTF-8's byte order is
    code-point order, as Python compares strings)."""
    cells = pa.array(texts, type=pa.large_string())
    return np.asarray(pc.rank(cells, sort_keys="ascending", tiebreaker="dense"), dtype=np.int64)
