"""The figures behind the report's charts, as the engine computes them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    """A rule's threshold, as charts mark it."""

    rule: str
    value: int


@dataclass(frozen=True, slots=True)
class BatchMonth:
    month: str  # YYYY-MM, of the packaged date
    needed: int
    unneeded: int


@dataclass(frozen=True, slots=True)
class ChartData:
    """The figures behind the report's charts, computed by the engine."""

    # Number of tested packages in a results tab -> packages with a tab that size.
    tab_sizes: dict[int, int]
    tab_limit: Limit | None
    batches_by_month: tuple[BatchMonth, ...]
    undated_batches: int
