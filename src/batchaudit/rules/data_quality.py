"""Data-quality rules (DQ): what in the exports themselves stops a sound audit.

DQ001-DQ003 are found while reading files (ingest reports them through these classes);
DQ004 needs the jurisdiction pack and is evaluated with the other rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from batchaudit.findings import Severity
from batchaudit.lazy import lazy
from batchaudit.rules.base import Description, Rule, RuleInfo, register

if TYPE_CHECKING:
    import pandas as pd

    from batchaudit.lineage import Lineage
    from batchaudit.packs import Pack
else:
    pd = lazy("pandas")


@register
class MissingColumn(RuleInfo):
    """A column that a rule needs is not in an export file.

    **Checks** Fires once per file (or sheet) whose column titles lack a field that a rule
    needs; the rules that need it are skipped and listed as skipped in the report.

    **Checks** Fires on each cell that cannot be read as its type: a malformed tag, date, number
    or yes/no flag, a blank required cell, an unknown testing state (a warning), or a line whose
    fields do not fit the header.

    **Checks** Fires when one tag appears in two rows or files that disagree on a field both of
    them carry (blank against a value counts; the order of a source list does not).

    **Checks** Fires once per category (or, for a pack that groups by category type, per
    category type) that the jurisdiction pack does not know, with the number of packages that
    have it.

    **Checks** Fires when the page files of a Metrc API v2 export disagree: different totals, a
    page missing or given twice, a page whose record count differs from its `RecordsOnPage`, or
    fewer records than the total.

    **Why** Without, say, the Production Batch column batchaudit cannot tell a production
    batch from a repackaging, so the rules that need it are skipped rather than guessed.

    **Example** `packages-active.csv` has no `Category` column: PB001-PB004 are skipped.

    **Fix** Export the grid again with every column shown (Metrc's column chooser), or add the
    column to the file your integration writes.
    """

    code = "DQ001"
    name = "missing-column"
    severity = Severity.ERROR


@register
class InvalidValue(RuleInfo):
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


@register
class ConflictingDuplicatePackage(RuleInfo):
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


@register
class IncompleteExport(RuleInfo):
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
        return Description(
            message=(
                f"The {row['what']} {value!r} is not in the jurisdiction pack; "
                f"{row['packages']} package(s) are treated as a test group of their own."
            ),
            evidence={
                row["what"].replace(" ", "_"): row["value"],
                "packages": int(row["packages"]),
            },
            remedy="Correct the category in Metrc, or add it to a custom jurisdiction pack.",
        )
