"""One tag with different data in two rows or files (DQ003)."""

from __future__ import annotations

from typing import Annotated, ClassVar, TypedDict

from batchaudit.model.findings import Finding, Severity
from batchaudit.model.tables import ConflictingRows
from batchaudit.rules.base import register
from batchaudit.rules.data_quality import FileRule
from batchaudit.rules.wording import listing


class Occurrence(TypedDict):
    file: Annotated[str, "the file"]
    sheet: Annotated[str | None, "the sheet, for a workbook"]
    line: Annotated[int | None, "the line, row or record"]


class DuplicateEvidence(TypedDict):
    occurrences: Annotated[list[Occurrence], "every row of the tag, the kept one last"]
    differing_fields: Annotated[list[str], "the fields the rows disagree on"]
    values: Annotated[dict[str, list[str]], "per differing field, each row's value"]


@register
class ConflictingDuplicatePackage(FileRule):
    """One tag appears with different data in two rows or files.

    **Checks** Fires when one tag appears in two rows or files that disagree on a field both of
    them carry (blank against a value counts; the order of a source list does not).

    **Why** Active and Inactive tabs exported at different times can disagree about a package;
    the audit can only use one version of it.

    **Example** `1A4...0042` is in `packages-active.csv` with quantity 100 and in
    `packages-inactive.csv` with quantity 0.

    **Fix** Export all tabs at the same time. The audit keeps the row from the file given last
    and the finding names both.
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
        places = problem.places
        kept = problem.kept
        where = "; ".join(place.describe() for place in places)
        evidence: DuplicateEvidence = {
            "occurrences": [{"file": p.file, "sheet": p.sheet, "line": p.line} for p in places],
            "differing_fields": list(problem.fields),
            "values": problem.differing_values,
        }
        return cls.finding(
            f"Package {problem.tag} appears with different {', '.join(problem.fields)} in "
            f"{where}; the audit uses the row from {kept.describe()}, {problem.reason}.",
            package_tag=problem.tag,
            evidence=evidence,
            remedy="Export all grid tabs at the same time so that they agree.",
            source=kept,
        )

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        evidence = finding.evidence
        rows = "; ".join(f"{o['file']} line {o['line']}" for o in evidence["occurrences"])
        return [("Fields that differ", listing(evidence["differing_fields"])), ("Rows", rows)]
