"""How serious a finding is: an error to correct, a warning to look at, a note."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        """0 for the most severe, so that sorting puts errors first."""
        return _RANKS[self.value]


_RANKS = {"error": 0, "warning": 1, "note": 2}
