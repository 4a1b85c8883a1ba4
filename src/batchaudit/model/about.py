"""Whose audit it is and what it was made with: the reports' headers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class About:
    """Whose audit it is and what it was made with, as the reports' headers show it."""

    title: str = ""
    licensee: str = ""
    # License numbers: as given (--license or the config), else the licensee's own, read from
    # the exports; where they came from: "none", "config", "command line" or "exports".
    licenses: tuple[str, ...] = ()
    licenses_from: str = "none"
    # The export period: the first and last dates in the data (ISO dates, "" when none).
    first_date: str = ""
    last_date: str = ""
    pack_file: str = ""
    pack_sha256: str = ""
    pack_builtin: bool = True  # the pack shipped with batchaudit, unmodified

    def licenses_origin(self) -> str:
        """Where the license numbers came from, as a report says it after them."""
        return {"exports": " (from the exports)", "config": " (from the config)"}.get(
            self.licenses_from, ""
        )

    @property
    def period(self) -> str:
        if not self.first_date:
            return ""
        if self.first_date == self.last_date:
            return self.first_date
        return f"{self.first_date} to {self.last_date}"
