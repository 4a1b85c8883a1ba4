"""One tag in several rows or files: grid rows that really conflict (DQ003), and Metrc API
records of which the newest is current (DQ007, a note off by default)."""

from __future__ import annotations

from typing import Annotated, ClassVar, TypedDict

from batchaudit.model.findings import Finding, Severity, Source
from batchaudit.model.tables import ChangedRecords, ConflictingRows
from batchaudit.rules.base import register
from batchaudit.rules.data_quality import FileRule
from batchaudit.rules.wording import listing


class Occurrence(TypedDict):
    file: Annotated[str, "the file"]
    sheet: Annotated[str | None, "the sheet, for a workbook"]
    line: Annotated[int | None, "the line, row or record"]


class DuplicateEvidence(TypedDict):
    occurrences: Annotated[list[Occurrence], "every row of the tag, in the order given"]
    differing_fields: Annotated[list[str], "the fields the rows disagree on"]
    values: Annotated[dict[str, list[str]], "per differing field, each row's value"]


class ChangedEvidence(TypedDict):
    occurrences: Annotated[list[Occurrence], "the API records of the tag, oldest first"]
    changed_fields: Annotated[list[str], "the fields that changed between them"]
    values: Annotated[dict[str, list[str]], "per changed field, each record's value, oldest first"]


def _occurrences(places: tuple[Source, ...]) -> list[Occurrence]:
    return [{"file": p.file, "sheet": p.sheet, "line": p.line} for p in places]


@register
class ConflictingDuplicatePackage(FileRule):
    """One tag appears with different data in two rows or files.

    **Checks** Fires when one tag appears in two rows or files with different data on a field
    both of them own: two grid (or canonical) rows, or a grid row and the current API record
    (blank against a value counts; the order of a source list does not).

    **Why** Active and Inactive tabs exported at different times can disagree about a package;
    the audit can only use one version of it. Metrc API records say which is current (the
    newest `LastModified`), so API records that differ only among themselves are no conflict
    (see DQ007).

    **Example** `1A4...0042` is in `packages-active.csv` with quantity 100 and in
    `packages-inactive.csv` with quantity 0.

    **Fix** Export all tabs at the same time. The audit keeps the newest record by
    `LastModified` (API records carry it), else the row from the file given last, and the
    finding names every row and says which was kept and why.
    """

    code = "DQ003"
    name = "conflicting-duplicate-package"
    severity = Severity.ERROR
    evidence: ClassVar[type] = DuplicateEvidence
    fingerprint_facts = ("differing_fields",)
    reports = (ConflictingRows,)
    headline_one = "{n} package appears with conflicting data in different files."
    headline_many = "{n} packages appear with conflicting data in different files."

    @classmethod
    def report(cls, problem: ConflictingRows) -> Finding:
        kept = problem.kept
        where = "; ".join(place.describe() for place in problem.places)
        evidence: DuplicateEvidence = {
            "occurrences": _occurrences(problem.places),
            "differing_fields": list(problem.fields),
            "values": problem.differing_values,
        }
        return cls.finding(
            f"Package {problem.tag} appears with different {', '.join(problem.fields)} in "
            f"{where}; the audit uses the row from {kept.describe()}, {problem.reason}.",
            package_tag=problem.tag,
            evidence=evidence,
            remedy=(
                "Export the grid tabs and fetch the API records at the same time so that "
                "they agree."
                if problem.from_api
                else "Export all grid tabs at the same time so that they agree."
            ),
            source=kept,
        )

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        evidence = finding.evidence
        rows = "; ".join(f"{o['file']} line {o['line']}" for o in evidence["occurrences"])
        return [("Fields that differ", listing(evidence["differing_fields"])), ("Rows", rows)]


@register
class ChangedBetweenApiRecords(FileRule):
    """A package's Metrc API records differ, and the newest is the one audited.

    **Checks** Fires on a tag whose Metrc API records (two endpoints, such as `/inactive` and
    `/transferred`, or two pulls) differ on a field both of their responses own. The newest
    by `LastModified` is the package's current record and is the one audited. Off unless
    selected: name DQ007 in `select` or `extend-select`, or set `enabled = true` under
    `[rules.DQ007]` in a pack.

    **Why** A package's quantity, state and flags change over time, and each pull of the API
    shows them as they were when it was made: records that differ are no error in the files.
    The note is for an auditor who wants to see what changed between pulls.

    **Example** `1A4...0042` has quantity 100 in `packages-inactive.json` (LastModified
    2026-01-07) and 80 in `packages-active.json` (LastModified 2026-01-09): the audit uses
    80.

    **Fix** Nothing to correct. To audit the packages as of one moment, fetch every endpoint
    in one go.
    """

    code = "DQ007"
    name = "changed-between-api-records"
    severity = Severity.NOTE
    opt_in = True
    evidence: ClassVar[type] = ChangedEvidence
    fingerprint_facts = ("changed_fields",)
    reports = (ChangedRecords,)
    headline_one = "{n} package changed between API records; the newest record is audited."
    headline_many = "{n} packages changed between API records; the newest records are audited."

    @classmethod
    def report(cls, problem: ChangedRecords) -> Finding:
        kept = problem.kept
        changes = "; ".join(
            f"{field} {' -> '.join(problem.differing_values[field])}" for field in problem.fields
        )
        evidence: ChangedEvidence = {
            "occurrences": _occurrences(problem.places),
            "changed_fields": list(problem.fields),
            "values": problem.differing_values,
        }
        return cls.finding(
            f"Package {problem.tag} changed between its API records "
            f"({'; '.join(place.describe() for place in problem.places)}): {changes}; the "
            f"audit uses the record from {kept.describe()}, {problem.reason}.",
            package_tag=problem.tag,
            evidence=evidence,
            source=kept,
        )

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        evidence = finding.evidence
        records = "; ".join(f"{o['file']} record {o['line']}" for o in evidence["occurrences"])
        return [("Fields that changed", listing(evidence["changed_fields"])), ("Records", records)]
