"""Data-quality rules (DQ): what in the exports themselves stops a sound audit.

DQ001-DQ003 and DQ005 are found while reading files: ingest hands over what it found as data
(`tables.Problem`) and these rules word it. DQ004 needs the jurisdiction pack and is
evaluated with the other rules.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.model.fields import Kind
from batchaudit.model.findings import Finding, InputFile, Severity, Source
from batchaudit.model.tables import (
    IncompletePages,
    MissingField,
    Problem,
    SeveralLicenses,
    UnfitLine,
    UnreadableCell,
)
from batchaudit.rules.base import REGISTRY, Rule, RuleInfo, catalog, register

if TYPE_CHECKING:
    from batchaudit.model.packs import Pack


class FileRule(RuleInfo, ABC):
    """A data-quality rule whose findings come from what reading the files found."""

    data_quality = True
    export_problem = True
    checked_again_by = "file"
    reports: ClassVar[tuple[type, ...]]

    @classmethod
    @abstractmethod
    def report(cls, problem: Any) -> Finding:
        """The finding for one problem of a type in `reports`."""


def data_quality_findings(problems: Sequence[Problem]) -> list[Finding]:
    """Each problem that reading the files found, worded by the rule that reports it."""
    reporters = _reporters()
    return [reporters[type(problem)].report(problem) for problem in problems]


class ColumnEvidence(TypedDict):
    column: Annotated[str | None, "the column title (or field) that is missing"]


@register
class MissingColumn(FileRule):
    """A column that a rule needs is not in an export file.

    **Checks** Fires when a column a rule needs is absent from a file (once per file or
    sheet): that rule is skipped for the packages of that file and the report says so (not
    checked); it still checks the packages of every other file. A lab-results file without a
    column a rule needs skips that rule.

    **Why** Without, say, the Production Batch column batchaudit cannot tell a production
    batch from a repackaging, so the rules that need it are skipped rather than guessed.

    **Example** `packages-active.csv` has no `Category` column: PB001-PB004 do not check its
    packages.

    **Fix** Export the grid again with every column shown (Metrc's column chooser), or add the
    column to the file your integration writes.
    """

    code = "DQ001"
    name = "missing-column"
    severity = Severity.ERROR
    evidence: ClassVar[type] = ColumnEvidence
    fingerprint_facts = ("column",)
    reports = (MissingField,)
    headline_one = "{n} column the rules need is missing; some packages were not checked."
    headline_many = "{n} columns the rules need are missing; some packages were not checked."

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
        if not needed_by:
            skipped = "the audit cannot use it."
        elif problem.kind == Kind.PACKAGES:  # the rules still check the other files' packages
            skipped = f"{', '.join(needed_by)} cannot check the packages of this file."
        else:
            skipped = f"{', '.join(needed_by)} {'is' if len(needed_by) == 1 else 'are'} skipped."
        evidence: ColumnEvidence = {"column": header.column}
        if problem.shape.startswith("metrc-api"):
            return cls.finding(
                f"{where}: the records have no {header.column!r} field, so {skipped}"
                + _old_response(problem),
                evidence=evidence,
                remedy=f"To audit with it, {problem.instead or 'fetch the records again'}.",
                source=header,
            )
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


def _old_response(problem: MissingField) -> str:
    """Records without source packages are an old flat v1 response: say what that means."""
    if problem.field != "source_package_tags":
        return ""
    return (
        " This looks like an old flat v1 response, whose packages carry no lineage, so no "
        "production-batch or results-tab check is possible on them."
    )


def accounted(inputs: Sequence[InputFile], problems: Sequence[Problem]) -> list[InputFile]:
    """Each input with its rows accounted for: the rows left out of the audit, counted once
    per row by the code of the finding that names them, and the rows used (those neither
    left out nor counted apart)."""
    reporters = _reporters()
    left_out: dict[tuple[str, str], dict[str, set[int | None]]] = {}
    for problem in problems:
        if isinstance(problem, UnfitLine | UnreadableCell) and _leaves_out(problem):
            where = (problem.source.file, problem.source.sheet or "")
            code = reporters[type(problem)].code
            left_out.setdefault(where, {}).setdefault(code, set()).add(problem.source.line)
    counted = []
    for item in inputs:
        by_code = {
            code: len(lines) for code, lines in left_out.get((item.path, item.sheet), {}).items()
        }
        used = item.rows_read - sum(by_code.values()) - sum(item.rows_apart.values())
        counted.append(replace(item, rows_used=used, rows_left_out=dict(sorted(by_code.items()))))
    return counted


def _leaves_out(problem: UnfitLine | UnreadableCell) -> bool:
    return isinstance(problem, UnfitLine) or problem.left_out


def _reporters() -> dict[type, type[FileRule]]:
    return {
        kind: rule
        for rule in REGISTRY.values()
        if issubclass(rule, FileRule)
        for kind in rule.reports
    }


class LicensesEvidence(TypedDict):
    licenses: Annotated[dict[str, list[str]], "each license number and the files that name it"]


@register
class SeveralLicensees(FileRule):
    """The packages exports belong to more than one license.

    **Checks** Fires once when the packages files given name more than one license number (in
    their file names, as Metrc names its downloads, or in the folders that hold them).

    **Why** batchaudit audits the packages it is given as one licensee: their lineage is
    merged, a source at one license counts as known for another, and the report speaks of one
    licensee. Two clients' folders given together should never be merged without a word.

    **Example** `exports/050-1001234ABC/active.csv` and `exports/050-1009876XYZ/active.csv`
    audited in one run.

    **Fix** Audit each license's exports in its own run (one folder per license).
    """

    code = "DQ006"
    name = "several-licensees"
    severity = Severity.WARNING
    export_problem = False  # the files are sound; which were given together is to look at
    evidence: ClassVar[type] = LicensesEvidence
    reports = (SeveralLicenses,)
    headline_one = "The packages exports name several license numbers but were audited as one."
    headline_many = headline_one

    @classmethod
    def report(cls, problem: SeveralLicenses) -> Finding:
        licenses = problem.files_by_license
        listed = "; ".join(f"{number} ({', '.join(files)})" for number, files in licenses.items())
        evidence: LicensesEvidence = {"licenses": licenses}
        return cls.finding(
            f"The packages exports name {len(licenses)} license numbers: {listed}; they were "
            "audited together as if they were one licensee.",
            evidence=evidence,
            remedy="Audit each license's exports in a run of its own.",
            source=Source(next(iter(licenses.values()))[0]),
        )
