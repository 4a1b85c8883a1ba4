"""Cells that cannot be read as their type (DQ002)."""

from __future__ import annotations

from typing import Annotated, ClassVar, TypedDict

from batchaudit.model.fields import FieldType
from batchaudit.model.findings import Finding, Severity
from batchaudit.model.tables import UnfitLine, UnreadableCell
from batchaudit.rules.base import register
from batchaudit.rules.data_quality import FileRule

# What a reader is told a cell should look like, by the check that failed.
EXPECTED: dict[str, str] = {
    FieldType.TAG: "a 24-character package tag of capital letters and digits",
    FieldType.TAG_LIST: "package tags separated by commas",
    FieldType.BOOLEAN: "Yes/No, True/False, Y/N or 1/0",
    FieldType.DATE: "a date such as 2026-01-05, 01/05/2026 or 01/05/2026 05:30 pm",
    FieldType.NUMBER: 'a number such as 12.5 or "3,465.22"',
    FieldType.TESTING_STATE: "one of Metrc's lab testing states, such as TestPassed",
    "required": "a value",
}
# An unreadable testing state is kept as written: a warning, not an error.
_WARNING_CHECKS = {str(FieldType.TESTING_STATE)}


class InvalidValueEvidence(TypedDict, total=False):
    column: Annotated[str | None, "the column title of the cell"]
    value: Annotated[str, "the cell as written"]
    expected: Annotated[str, "what the cell should look like"]
    problem: Annotated[str, "for a line that does not fit the header: what is wrong with it"]


@register
class InvalidValue(FileRule):
    """A cell cannot be read as its type: a malformed tag, date, number or flag, or an unknown
    testing state.

    **Checks** Fires on each cell that cannot be read as its type: a malformed tag, date, number
    or yes/no flag, a blank required cell, an unknown testing state (a warning), or a line whose
    fields do not fit the header.

    **Why** A package whose tag is malformed cannot be linked to its sources or children; a
    flag that is neither yes nor no hides whether a package is a production batch.

    **Example** line 12 of `packages-active.csv` has `1A40-0300` in the Tag column.

    **Fix** Correct the cell in Metrc or in the export. A row with an unreadable tag is left
    out of the audit; other unreadable cells are treated as blank. An unknown testing state
    is a warning: the audit keeps it as written.
    """

    code = "DQ002"
    name = "invalid-value"
    severity = Severity.ERROR
    evidence: ClassVar[type] = InvalidValueEvidence
    fingerprint_facts = ("column", "value", "expected", "problem")
    reports = (UnreadableCell, UnfitLine)
    headline_one = "{n} value in the exports could not be read."
    headline_many = "{n} values in the exports could not be read."

    @classmethod
    def report(cls, problem: UnreadableCell | UnfitLine) -> Finding:
        if isinstance(problem, UnfitLine):
            return cls._unfit(problem)
        source, check, value = problem.source, problem.check, problem.value
        expected = EXPECTED.get(check, check)
        shown = repr(value) if value.strip() else "a blank cell"
        consequence = _consequence(problem)
        evidence: InvalidValueEvidence = {
            "column": source.column,
            "value": value,
            "expected": expected,
        }
        return cls.finding(
            f"{source.describe()}: {shown} is not {expected}; {consequence}.",
            package_tag=problem.tag,
            evidence=evidence,
            remedy="Correct the value in Metrc or in the export, then run the audit again.",
            source=source,
            severity=Severity.WARNING if check in _WARNING_CHECKS else Severity.ERROR,
        )

    @classmethod
    def _unfit(cls, problem: UnfitLine) -> Finding:
        evidence: InvalidValueEvidence = {"problem": problem.problem}
        why = problem.reason or (
            f"the row does not fit the {problem.columns} column titles ({problem.problem})"
        )
        return cls.finding(
            f"{problem.source.file}, line {problem.source.line}: {why}; the row is left out of "
            "the audit.",
            evidence=evidence,
            remedy="Check the line for an unquoted comma or a broken quote and export again.",
            source=problem.source,
        )

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        return [("Value", repr(finding.evidence["value"]))] if "value" in finding.evidence else []

    @classmethod
    def problem(cls, finding: Finding) -> str:
        column = finding.evidence.get("column") or ""
        expected = finding.evidence.get("expected") or ""
        return f"column {column!r}: not {expected}" if expected else str(column)


def _consequence(cell: UnreadableCell) -> str:
    if cell.left_out:
        return "the row is left out of the audit"
    if cell.check in _WARNING_CHECKS:
        return "it is kept as written"
    if cell.check == str(FieldType.TAG_LIST):
        return "the text is kept, so what is not a tag counts as an unknown source"
    if cell.field == "category":
        return "the production-batch rules skip this package"
    return "it is treated as blank"
