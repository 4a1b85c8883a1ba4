"""What each finding costs its package, by which the reports rank findings (computed with the
audit: `batchaudit.rules.figures.impacts`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy("numpy")


@dataclass(frozen=True, slots=True)
class Impact:
    """How much a finding costs its package, for ranking: lab-result rows it lost, and the
    rows and tested packages of its results tab."""

    rows_lost: int = 0
    tab_rows: int = 0
    tab_tested_packages: int = 0


@dataclass(frozen=True, slots=True)
class Impacts:
    """Each finding's `Impact`, as columns in the order of the findings (a million findings
    are weighed and ranked: a million objects cost a second)."""

    rows_lost: np.ndarray  # int64, like the two below
    tab_rows: np.ndarray
    tab_tested_packages: np.ndarray

    def __len__(self) -> int:
        return len(self.rows_lost)

    def __getitem__(self, index: int) -> Impact:
        return Impact(
            int(self.rows_lost[index]),
            int(self.tab_rows[index]),
            int(self.tab_tested_packages[index]),
        )

    @classmethod
    def zeros(cls, count: int) -> Impacts:
        return cls(*(np.zeros(count, dtype=np.int64) for _ in range(3)))

    def fitted(self, count: int) -> Impacts:
        """The columns of `count` findings: cut, or 0 for a finding past their end."""
        columns = (self.rows_lost, self.tab_rows, self.tab_tested_packages)
        return Impacts(
            *(np.pad(column[:count], (0, max(count - len(self), 0))) for column in columns)
        )
