"""Lineage rules for lab results (LN003, LN004): results the exports cannot place in any
package's results tab."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.lineage.build import NO_PACKAGE
from batchaudit.lineage.grouping import decoded
from batchaudit.model.fields import FILE, LAB_SAMPLES_SHAPE, LINE, SHAPE
from batchaudit.model.findings import Severity, count_of
from batchaudit.rules.base import Description, Rule, register
from batchaudit.rules.wording import plural
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage.build import Lineage
    from batchaudit.model.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")


class UnknownTestedEvidence(TypedDict):
    tested_package: Annotated[str | None, "the tested package's tag (null: none could be named)"]
    rows: Annotated[int, "lab-result rows recorded against it (each event once)"]
    events: Annotated[int, "test events among those rows"]
    package_ids: Annotated[list[str], "for rows without a label, the PackageIds they name"]
    lab_sample: Annotated[bool, "whether the rows are lab-sample records (/labsamples with -l)"]
    ids_loaded: Annotated[bool, "whether any packages export carries Ids at all"]


@register
class ResultsOfUnknownPackage(Rule):
    """Lab results recorded against a package that no packages export holds.

    **Checks** Fires once per tested package (`SourcePackageLabel`) that lab-result rows name
    but no loaded packages export holds, and once for the rows that name no tested package and
    whose `PackageId` matches no loaded package's `Id` (the web grid has no `Id`, so such rows
    can only be placed with an API packages export).

    **Why** These rows are read but cannot be placed in any package's lineage, so they are in
    no results tab the audit checks. Usually they belong to a supplier's packages (results a
    received package inherited) or to a tab that was not exported; either way the report must
    say they were left aside rather than drop them without a word.

    **Example** lab-results.csv holds 12 rows of 1A4...0555, which is in no packages file.

    **Fix** Export the packages that hold them (every grid tab, or the API's active, on hold and
    inactive packages, which also carry the `Id` that places per-package pulls), or accept
    that a supplier's package is outside this licensee's exports. The remedy fits what was
    loaded: rows of lab samples (`/packages/v2/labsamples` given with `-l`) are placed by
    giving the same file with `-p` too; rows whose `PackageId` places nothing ask for the
    API tabs that hold those Ids when API exports are loaded, for an API export when only grid
    exports are.
    """

    code = "LN003"
    name = "results-of-unknown-package"
    severity = Severity.NOTE
    needs_lab: ClassVar[frozenset[str]] = frozenset({"test_type"})
    checked_again_by = "run"  # its findings name rows and tags that no export loads
    evidence: ClassVar[type] = UnknownTestedEvidence
    headline_one = "{n} set of lab results belongs to no package in the exports."
    headline_many = "{n} sets of lab results belong to no package in the exports."

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        rows = lineage.lab_rows
        rows = rows.loc[rows["tested"] == NO_PACKAGE]
        if rows.empty:
            return rows.assign(tag=[], rows=[], events=[], package_ids=[])
        key = rows["tested_tag"].astype("str")  # categories: grouped by their text
        # Event codes; -1 (a row without a result id at all) is no event.
        event = rows["event"].where(rows["event"] != -1)
        loaded = lineage.lab_table
        assert loaded is not None  # the rows came from it
        at = rows["loaded_row"].to_numpy(np.int64)
        sample = (loaded[SHAPE] == LAB_SAMPLES_SHAPE).to_numpy(dtype=bool)[at]
        grouped = rows.assign(key=key, event=event, lab_sample=sample).groupby("key", sort=True)
        found = grouped.agg(
            rows=("test_type", "size"),
            events=("event", "nunique"),
            lab_sample=("lab_sample", "all"),
            file=(FILE, "first"),
            line=(LINE, "min"),
        )
        # Only the rows that name no tested package are told by their PackageIds (`describe`
        # reads no other group's): one list, for the blank tag, which sorts first.
        ids = np.full(len(found), None, dtype=object)
        if found.index[0] == "":
            unnamed = at[(key == "").to_numpy(dtype=bool)]
            named = pd.unique(decoded(loaded["package_id"].array.take(unnamed)))
            ids[0] = sorted(set(named.tolist()) - {""})
        found = found.assign(
            tag=found.index,
            package_ids=ids,
            ids_loaded=bool((lineage.packages["package_id"] != "").any()),
        )
        return found.reset_index(drop=True)

    def describe(self, row: dict[str, Any]) -> Description:
        tag = row["tag"] or None
        evidence: UnknownTestedEvidence = {
            "tested_package": tag,
            "rows": int(row["rows"]),
            "events": int(row["events"]),
            "package_ids": [] if tag else list(row["package_ids"]),
            "lab_sample": bool(row["lab_sample"]),
            "ids_loaded": bool(row["ids_loaded"]),
        }
        rows = evidence["rows"]
        if tag is None:
            return self._unplaced(evidence)
        if evidence["lab_sample"]:
            return Description(
                f"{count_of(rows, 'lab-result row')} of "
                f"{count_of(evidence['events'], 'test event')} "
                + plural(rows, "was", "were")
                + f" recorded against the lab sample {tag}, which is in no packages export, so "
                + plural(rows, "it is", "they are")
                + " in no results tab the audit checks.",
                evidence,
                f"Give the lab-samples file as a packages export too (-p as well as -l), which "
                f"makes {tag} a known package, or export the tab that holds it.",
            )
        return Description(
            f"{count_of(rows, 'lab-result row')} of {count_of(evidence['events'], 'test event')} "
            + plural(rows, "was", "were")
            + f" recorded against {tag}, which is in no packages export, so "
            + plural(rows, "it is", "they are")
            + " in no results tab the audit checks.",
            evidence,
            f"Export the package {tag} (or the tab that holds it), unless it is a supplier's.",
        )

    @staticmethod
    def _unplaced(evidence: UnknownTestedEvidence) -> Description:
        """Rows without a tested package, worded by what was loaded to place them with."""
        count = evidence["rows"]
        rows = count_of(count, "lab-result row")
        name, they = plural(count, "names", "name"), plural(count, "it", "they")
        matches = plural(count, "its PackageId matches", "their PackageIds match")
        if not evidence["package_ids"]:
            return Description(
                f"{rows} {name} neither a tested package (SourcePackageLabel) nor a PackageId, "
                f"so {they} could not be placed in any results tab.",
                evidence,
                "Pull these results again from /labtests/v2/results, whose rows name the "
                "tested package (SourcePackageLabel).",
            )
        if evidence["ids_loaded"]:
            return Description(
                f"{rows} {name} no tested package and {matches} no loaded package's Id, so "
                f"{they} could not be placed in any results tab.",
                evidence,
                "Export the API packages tabs that hold these Ids too (/packages/v2/inactive "
                "as well as /active and /onhold), unless they are another licensee's.",
            )
        return Description(
            f"{rows} {name} no tested package and {matches} no loaded package's Id, so {they} "
            "could not be placed in any results tab (the packages exports carry no Id: the web "
            "grid has no Id column).",
            evidence,
            "Add an API packages export (which carries each package's Id) to place them.",
        )


class UnplacedPullEvidence(TypedDict):
    rows: Annotated[int, "lab-result rows whose PackageId matches no loaded package's Id"]
    package_ids: Annotated[int, "distinct PackageIds among them"]
    ids_loaded: Annotated[bool, "whether any packages export carries Ids at all"]


@register
class PulledResultsNotPlaced(Rule):
    """Lab-result rows pulled for packages the exports cannot place by their Id.

    **Checks** Fires once when lab-result rows name a tested package (`SourcePackageLabel`)
    but carry a `PackageId` that no loaded package's `Id` matches, so the Lab Results tab they
    were pulled for cannot be placed (the web grid has no `Id` column; only API packages
    exports carry it). Their results still count for the package that was tested.

    **Why** A per-package lab pull lists a package's whole Lab Results tab under its own
    `PackageId`, including what a received package inherited from another licensee's
    packages, which lineage alone cannot see. Unplaced, those observed tabs are not checked
    against LT001, and the report says so rather than leave them out without a word.

    **Example** lab-results.csv holds 1,815 rows pulled for 412 PackageIds, and the packages
    were exported from the web grid, which has no Id column.

    **Fix** Add the API packages export (`/packages/v2/active`, `/onhold`, `/inactive`),
    which carries each package's `Id`, and run the audit again.
    """

    code = "LN004"
    name = "pulled-results-not-placed"
    severity = Severity.NOTE
    needs_lab: ClassVar[frozenset[str]] = frozenset({"test_type"})
    checked_again_by = "run"  # its findings name rows and tags that no export loads
    evidence: ClassVar[type] = UnplacedPullEvidence
    headline_one = "{n} set of pulled lab results could not be placed: the exports have no Ids."
    headline_many = headline_one

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        unplaced = lineage.unplaced_pulls
        if unplaced.empty:
            return lineage.packages.iloc[:0]
        return pd.DataFrame(
            {
                "tag": [None],
                "rows": [len(unplaced)],
                "package_ids": [unplaced["package_id"].nunique()],
                "ids_loaded": [bool((lineage.packages["package_id"] != "").any())],
                "file": [unplaced[FILE].iloc[0]],
                "line": [int(unplaced[LINE].iloc[0])],
            }
        )

    def describe(self, row: dict[str, Any]) -> Description:
        evidence: UnplacedPullEvidence = {
            "rows": int(row["rows"]),
            "package_ids": int(row["package_ids"]),
            "ids_loaded": bool(row["ids_loaded"]),
        }
        rows, ids = evidence["rows"], evidence["package_ids"]
        why = (
            plural(ids, "no loaded package has that Id", "no loaded package has those Ids")
            if row["ids_loaded"]
            else "the packages exports carry no Id (the web grid has no Id column)"
        )
        remedy = (
            "Export the API packages tabs that hold these Ids too (/packages/v2/inactive as "
            "well as /active and /onhold), so that every package pulled for is loaded."
            if row["ids_loaded"]
            else "Add the API packages export (/packages/v2/active, /onhold, /inactive), which "
            "carries each package's Id."
        )
        return Description(
            plural(rows, "{n} lab-result row carries", "{n} lab-result rows carry")
            + f" a PackageId ({count_of(ids, 'distinct Id')}) that places no package: {why}, "
            + plural(
                rows,
                "so the Lab Results tab it was pulled for is not checked; its results still "
                "count for the package that was tested.",
                "so the Lab Results tabs they were pulled for are not checked; their results "
                "still count for the packages that were tested.",
            ),
            evidence,
            remedy,
        )
