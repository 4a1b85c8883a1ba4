"""Data-quality rules (DQ): what in the exports themselves stops a sound audit.

DQ001-DQ003 and DQ005 are found while reading files: ingest hands over what it found as data
(`tables.Problem`) and these rules word it. DQ004 needs the jurisdiction pack and is
evaluated with the other rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.fields import FieldType, Kind
from batchaudit.findings import Finding, Severity, Source
from batchaudit.rules.base import REGISTRY, Description, Rule, RuleInfo, catalog, register
from batchaudit.rules.wording import listing
from batchaudit.tables import (
    ConflictingRows,
    IncompletePages,
    MissingField,
    Problem,
    UnfitLine,
    UnreadableCell,
)

if TYPE_CHECKING:
    import pandas as pd

    from batchaudit.lineage import Lineage
    from batchaudit.packs import Pack


class FileRule(RuleInfo):
    """A data-quality rule whose findings come from what reading the files found."""

    data_quality = True
    reports: ClassVar[tuple[type, ...]]

    @classmethod
    def report(cls, problem: Any) -> Finding:
        """The finding for one problem of a type in `reports`."""
        raise NotImplementedError(f"{cls.code} reports no {type(problem).__name__}")


def data_quality_findings(problems: Sequence[Problem]) -> list[Finding]:
    """Each problem that reading the files found, worded by the rule that reports it."""
    reporters = {
        kind: rule
        for rule in REGISTRY.values()
        if issubclass(rule, FileRule)
        for kind in rule.reports
    }
    return [reporters[type(problem)].report(problem) for problem in problems]


class ColumnEvidence(TypedDict):
    column: Annotated[str | None, "the column title (or field) that is missing"]


@register
class MissingColumn(FileRule):
    """A column that a rule needs is not in an export file.

    **Checks** Fires once per file (or sheet) whose column titles lack a field that a rule
    needs; the rules that need it are skipped and listed as skipped in the report.

    **Why** Without, say, the Production Batch column batchaudit cannot tell a production
    batch from a repackaging, so the rules that need it are skipped rather than guessed.

    **Example** `packages-active.csv` has no `Category` column: PB001-PB004 are skipped.

    **Fix** Export the grid again with every column shown (Metrc's column chooser), or add the
    column to the file your integration writes.
    """

    code = "DQ001"
    name = "missing-column"
    severity = Severity.ERROR
    evidence: ClassVar[type] = ColumnEvidence
    reports = (MissingField,)
    headline_one = "{n} column the rules need is missing; some rules were skipped."
    headline_many = "{n} columns the rules need are missing; some rules were skipped."

    @classmethod
    def report(cls, problem: MissingField) -> Finding:
        header = problem.header
        needed_by = [
            rule.code
            for rule in catalog()
            if issubclass(rule, Rule)
            and problem.field in (rule.needs if problem.kind == Kind.PACKAGES else rule.needs_lab)
        ]
        where = Source(header.file, header.line, sheet=header.sheet).describe()
        skipped = (
            f"{', '.join(needed_by)} {'is' if len(needed_by) == 1 else 'are'} skipped."
            if needed_by
            else "the audit cannot use it."
        )
        evidence: ColumnEvidence = {"column": header.column}
        return cls.finding(
            f"{where}: the column titles have no {header.column!r}, so {skipped}",
            evidence=evidence,
            remedy=f"Export the file again with the {header.column!r} column shown.",
            source=header,
        )

    @classmethod
    def no_group_field(cls, pack: Pack) -> Finding:
        """No package has the field (category type) the pack groups categories by."""
        what = pack.group_by.replace("_", " ")
        evidence: ColumnEvidence = {"column": pack.group_by}
        return cls.finding(
            f"No package has a {what}, which the {pack.name} pack groups categories by; the "
            "rules that compare test groups are skipped.",
            evidence=evidence,
            remedy=f"Use an API export, which carries Item.ProductCategoryType, with the "
            f"{pack.name} pack, or a pack that groups by category.",
        )

    @classmethod
    def problem(cls, finding: Finding) -> str:
        return str(finding.evidence.get("column") or "")


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
        return cls.finding(
            f"{problem.source.file}, line {problem.source.line}: the row does not fit the "
            f"{problem.columns} column titles ({problem.problem}); the row is left out of the "
            "audit.",
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
    reports = (ConflictingRows,)
    headline_one = "{n} package appears with conflicting data in different files."
    headline_many = "{n} packages appear with conflicting data in different files."

    @classmethod
    def report(cls, problem: ConflictingRows) -> Finding:
        places = problem.places
        kept = places[-1]
        where = "; ".join(place.describe() for place in places)
        evidence: DuplicateEvidence = {
            "occurrences": [{"file": p.file, "sheet": p.sheet, "line": p.line} for p in places],
            "differing_fields": list(problem.fields),
            "values": problem.differing_values,
        }
        return cls.finding(
            f"Package {problem.tag} appears with different {', '.join(problem.fields)} in "
            f"{where}; the audit uses the row from {kept.describe()}, the file given last.",
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


class PagesEvidence(TypedDict):
    files: Annotated[list[str], "the page files of the export"]
    problems: Annotated[list[str], "what does not add up"]


@register
class IncompleteExport(FileRule):
    """The pages of a Metrc API export do not make a whole export.

    **Checks** Fires when the page files of a Metrc API v2 export disagree: different totals, a
    page missing or given twice, a page whose record count differs from its `RecordsOnPage`, or
    fewer records than the total.

    **Why** Integrations pull the API page by page. A page that failed to download, or pages
    from two different pulls, leave packages out without any error; the audit would then
    miss their findings and report their children's sources as unknown.

    **Example** `packages-page-1.json` and `packages-page-3.json` of `TotalPages: 3`: page 2
    is missing.

    **Fix** Download every page again in one go and pass them all (a folder of page files is
    fine).
    """

    code = "DQ005"
    name = "incomplete-api-export"
    severity = Severity.WARNING
    evidence: ClassVar[type] = PagesEvidence
    reports = (IncompletePages,)
    headline_one = "{n} API export is missing pages or disagrees between pages."
    headline_many = "{n} API exports are missing pages or disagree between pages."

    @classmethod
    def report(cls, problem: IncompletePages) -> Finding:
        evidence: PagesEvidence = {"files": list(problem.files), "problems": list(problem.problems)}
        return cls.finding(
            f"The {problem.kind} API pages ({', '.join(problem.files)}) do not make a whole "
            f"export: {'; '.join(problem.problems)}.",
            evidence=evidence,
            remedy="Download every page of the export again, in one go, and pass them all.",
            source=Source(problem.files[0]),
        )


class UnknownCategoryEvidence(TypedDict, total=False):
    category: Annotated[str, "the category (for a pack that groups by category)"]
    category_type: Annotated[str, "the category type (for a pack that groups by type)"]
    packages: Annotated[int, "how many packages have it"]


@register
class UnknownCategory(Rule):
    """A category that the jurisdiction pack does not know.

    **Checks** Fires once per category (or, for a pack that groups by category type, per
    category type) that the jurisdiction pack does not know, with the number of packages that
    have it.

    **Why** The production-batch rules compare test groups; a category outside the pack is
    treated as a group of its own, which may turn a legitimate package into a finding.

    **Example** `Pre-Roll (Infused)` under the Oregon pack, whose name is `Infused Pre-Roll`.

    **Fix** Check the spelling against the state's category list, or add the category to a
    custom pack (`--jurisdiction my-pack.toml`).
    """

    code = "DQ004"
    name = "unknown-category"
    severity = Severity.WARNING
    needs_groups = True
    needs: ClassVar[frozenset[str]] = frozenset({"category"})
    evidence: ClassVar[type] = UnknownCategoryEvidence
    data_quality = True
    headline_one = "{n} category is not known to the rule pack."
    headline_many = "{n} categories are not known to the rule pack."

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        packages = lineage.packages
        unknown = packages.loc[~packages["category_known"]]
        if pack.group_by == "category":  # a blank category is DQ002 already
            unknown = unknown.loc[unknown["category_key"] != ""]
        first = unknown.drop_duplicates("group_key")
        counts = unknown.groupby("group_key").size().rename("packages")
        return first.join(counts, on="group_key").assign(
            tag=None, value=first[pack.group_by], what=pack.group_by.replace("_", " ")
        )[["tag", "value", "what", "packages", "file", "sheet", "line"]]

    def describe(self, row: dict[str, Any]) -> Description:
        value = row["value"] or "(blank)"
        evidence: dict[str, Any] = {
            row["what"].replace(" ", "_"): row["value"],
            "packages": int(row["packages"]),
        }
        return Description(
            message=(
                f"The {row['what']} {value!r} is not in the jurisdiction pack; "
                f"{row['packages']} package(s) are treated as a test group of their own."
            ),
            evidence=evidence,
            remedy="Correct the category in Metrc, or add it to a custom jurisdiction pack.",
        )
