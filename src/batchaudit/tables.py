"""The canonical tables handed from ingest to the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from batchaudit.findings import Finding, InputFile


@dataclass
class Tables:
    """Canonical typed tables and what reading them found."""

    packages: pd.DataFrame
    lab_results: pd.DataFrame | None
    inputs: list[InputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # One sentence per file that could not be read at all.
    unreadable: list[str] = field(default_factory=list)
    # Fields a rule needs that some packages file lacks (DQ001 was reported for each).
    missing_fields: set[str] = field(default_factory=set)
    # The same for the lab-results files.
    missing_lab_fields: set[str] = field(default_factory=set)
