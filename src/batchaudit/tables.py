"""The canonical tables handed from ingest to the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from batchaudit.findings import InputFile, Source


@dataclass
class Tables:
    """Canonical typed tables and what reading them found."""

    packages: pd.DataFrame
    lab_results: pd.DataFrame | None
    inputs: list[InputFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # One sentence per file that could not be read at all.
    unreadable: list[str] = field(default_factory=list)
    # Fields a rule needs that some packages file lacks (DQ001 was reported for each).
    missing_fields: set[str] = field(default_factory=set)
    # The same for the lab-results files.
    missing_lab_fields: set[str] = field(default_factory=set)


# What reading the files found wrong, as data; the data-quality rules (rules/data_quality.py)
# turn each into a finding with their own words.


@dataclass(frozen=True, slots=True)
class MissingField:
    """A field the rules need that a table's header lacks (DQ001)."""

    header: Source  # the header's file, line and sheet, and the column title it lacks
    field: str
    kind: str  # packages or lab-results


@dataclass(frozen=True, slots=True)
class UnreadableCell:
    """A cell that cannot be read as its type (DQ002)."""

    source: Source
    field: str
    check: str  # the FieldType it failed, or "required"
    value: str
    tag: str | None
    left_out: bool  # the row was left out of the audit


@dataclass(frozen=True, slots=True)
class UnfitLine:
    """A line whose fields do not fit the header (DQ002); the row is left out."""

    source: Source
    problem: str
    columns: int


@dataclass(frozen=True, slots=True)
class ConflictingRows:
    """One tag in several rows that disagree (DQ003); the last row is kept."""

    tag: str
    places: tuple[Source, ...]
    fields: tuple[str, ...]
    differing_values: dict[str, list[str]]  # per field, each row's value


@dataclass(frozen=True, slots=True)
class IncompletePages:
    """The pages of one API export that do not make a whole export (DQ005)."""

    kind: str
    files: tuple[str, ...]
    problems: tuple[str, ...]


Problem = MissingField | UnreadableCell | UnfitLine | ConflictingRows | IncompletePages
