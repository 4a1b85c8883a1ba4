"""The canonical tables handed from ingest to the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from batchaudit.model.findings import InputFile, NotRead, Source

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Tables:
    """Canonical typed tables and what reading them found."""

    packages: pd.DataFrame
    lab_results: pd.DataFrame | None
    # Oregon's processing jobs, one row per job and input (or output) package, where loaded.
    processing_jobs: pd.DataFrame | None = None
    inputs: list[InputFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Each file that could not be read at all, with its sentence.
    not_read: list[NotRead] = field(default_factory=list)
    # Fields a rule needs that some packages file lacks (DQ001 was reported for each).
    missing_fields: set[str] = field(default_factory=set)
    # The same for the lab-results files.
    missing_lab_fields: set[str] = field(default_factory=set)
    # Fields that some packages file carries.
    package_fields: set[str] = field(default_factory=set)

    def no_packages_given(self) -> str | None:
        """When every packages export read is a valid one with no rows, the sentence that
        says there is nothing to audit and why; else None."""
        packages = [item for item in self.inputs if item.kind == "packages"]
        if not packages or any(item.rows_read for item in packages):
            return None
        files = ", ".join(dict.fromkeys(item.path for item in packages))
        exports = "is a valid export" if len(packages) == 1 else "are valid exports"
        unread = " and the files named above could not be read" if self.not_read else ""
        return (
            f"no packages were given: {files} {exports} with no rows (nothing in that tab or "
            f"response){unread}, so there is nothing to audit."
        )

    @property
    def unreadable(self) -> list[str]:
        """The sentence of each file that could not be read at all."""
        return [item.reason for item in self.not_read]


# What reading the files found wrong, as data; the data-quality rules (rules/data_quality.py)
# turn each into a finding with their own words.


@dataclass(frozen=True, slots=True)
class MissingField:
    """A field the rules need that a table's header lacks (DQ001)."""

    header: Source  # the header's file, line and sheet, and the column title it lacks
    field: str
    kind: str  # packages or lab-results
    shape: str = ""  # the export shape, so the sentence speaks of columns or of fields
    instead: str = ""  # what to fetch instead, where the shape says


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
    reason: str = ""  # a sentence of its own where the line is damaged (a NUL, a cut quote)


@dataclass(frozen=True, slots=True)
class ConflictingRows:
    """One tag in several rows that disagree (DQ003), and the row that is kept."""

    tag: str
    places: tuple[Source, ...]
    fields: tuple[str, ...]
    differing_values: dict[str, list[str]]  # per field, each row's value
    kept: Source
    reason: str  # why that row: "the newest by LastModified", "the file given last", ...
    from_api: bool = False  # some of the rows are Metrc API records


@dataclass(frozen=True, slots=True)
class ChangedRecords:
    """One tag whose Metrc API records (two endpoints, two pulls) differ: the newest is
    current, and the difference is no conflict (DQ007, a note off by default)."""

    tag: str
    places: tuple[Source, ...]  # the API records, oldest first
    fields: tuple[str, ...]
    differing_values: dict[str, list[str]]  # per field, each record's value, oldest first
    kept: Source
    reason: str


@dataclass(frozen=True, slots=True)
class IncompletePages:
    """The pages of one API export that do not make a whole export (DQ005)."""

    kind: str
    files: tuple[str, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SeveralLicenses:
    """The packages exports name more than one license number (DQ006)."""

    files_by_license: dict[str, list[str]]


Problem = (
    SeveralLicenses
    | MissingField
    | UnreadableCell
    | UnfitLine
    | ConflictingRows
    | ChangedRecords
    | IncompletePages
)
