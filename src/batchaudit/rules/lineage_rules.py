"""Lineage rules (LN): source links that lead nowhere, or in circles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.lineage.build import NO_PACKAGE
from batchaudit.lineage.grouping import lists_by
from batchaudit.model.fields import FILE, LINE
from batchaudit.model.findings import Finding, Severity, count_of
from batchaudit.rules.base import Description, Rule, per_row, register
from batchaudit.rules.wording import listing, plural, source_paths
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage.build import Lineage
    from batchaudit.model.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")


class UnknownSourceEvidence(TypedDict):
    unknown_sources: Annotated[list[str], "the listed source tags that no loaded file holds"]
    received: Annotated[bool, "whether the package was received from another licensee"]


class CycleEvidence(TypedDict):
    sources_on_cycle: Annotated[list[str], "its sources that lie on the same cycle"]


@register
class UnknownSourcePackage(Rule):
    """A package lists a source that is not in the loaded exports.

    **Checks** Fires on a package that lists a source tag not found among the loaded packages.
    The summary reports lineage coverage: the share of source links that resolve.

    **Why** Received packages have sources at other licensees, and a grid export may leave out
    a tab. The production-batch rules skip a package with an unknown source rather than guess,
    so each one is a gap in the audit (the summary reports lineage coverage).

    **Example** 1A4...0101 lists 1A4060000AB1200000000555, which no loaded file contains.

    **Fix** Nothing, for a package received from another licensee. Otherwise export the
    missing tab (Active, On Hold, Inactive) and run the audit with it.
    """

    code = "LN001"
    name = "unknown-source-package"
    severity = Severity.NOTE
    needs: ClassVar[frozenset[str]] = frozenset({"source_package_tags"})
    evidence: ClassVar[type] = UnknownSourceEvidence
    fingerprint_facts = ("unknown_sources",)
    headline_one = "{n} package lists sources that are not in the exports."
    headline_many = "{n} packages list sources that are not in the exports."
    trail_caption = "Sources, and the ones missing from the exports"

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        unknown = (lineage.links["source"] == NO_PACKAGE).to_numpy()
        children, listed = lists_by(
            lineage.links["child"].to_numpy()[unknown],
            # The unknown sources' tags taken first: only they become Python text.
            lineage.links["source_tag"].array[unknown].to_numpy(object),
        )
        offending = lineage.packages.iloc[children]
        offending["unknown_sources"] = per_row(offending, listed)
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        unknown = row["unknown_sources"]
        received = bool(row["received_from_license"]) or not pd.isna(row["received_date"])
        from_api = str(row.get("shape", "")).startswith("metrc-api")
        missing = len(unknown)
        if received:
            context = f"it was received from {row['received_from_license'] or 'another licensee'}"
        elif from_api:
            context = plural(
                missing,
                "fetch the record that holds it, or check the tag",
                "fetch the records that hold them, or check the tags",
            )
        else:
            context = plural(
                missing,
                "export the tab that holds it, or check the tag",
                "export the tabs that hold them, or check the tags",
            )
        by_label = plural(missing, "the source by its label", "each source by its label")
        remedy = (
            f"Fetch /packages/v2/inactive and /packages/v2/onhold, or {by_label} "
            f"(/packages/v2/{unknown[0]}), and run the audit with "
            + plural(missing, "it.", "them.")
            if from_api
            else "Export every grid tab (Active, On Hold, Inactive) together."
        )
        evidence: UnknownSourceEvidence = {"unknown_sources": unknown, "received": received}
        return Description(
            f"Package {row['tag']} lists {count_of(len(unknown), 'source package')} not in "
            f"the loaded exports ({', '.join(unknown)}); {context}.",
            evidence,
            None if received else remedy,
        )

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        return [("Sources not in the exports", listing(finding.evidence["unknown_sources"]))]

    @classmethod
    def trail(cls, finding: Finding) -> list[list[str]]:
        return source_paths(finding.package_tag, finding.evidence["unknown_sources"])


@register
class LineageCycle(Rule):
    """A package lies on a cycle of source links.

    **Checks** Fires on every package on a cycle of source links: in a strongly connected group
    of two or more packages, or listing itself.

    **Why** A package cannot be its own ancestor: the export is corrupted or was edited by
    hand. Results-tab figures for packages on or below a cycle are uncertain.

    **Example** 1A4...0201 lists 1A4...0202 as its source, and 1A4...0202 lists 1A4...0201.

    **Fix** Look both packages up in Metrc and compare their Source Package(s) with the
    export; correct the file or report the inconsistency to Metrc support.
    """

    code = "LN002"
    name = "lineage-cycle"
    severity = Severity.ERROR
    needs: ClassVar[frozenset[str]] = frozenset({"source_package_tags"})
    evidence: ClassVar[type] = CycleEvidence
    fingerprint_facts = ("sources_on_cycle",)
    headline_one = "{n} package sits on a cycle of source links, which real lineage never has."
    headline_many = "{n} packages sit on a cycle of source links, which real lineage never has."
    trail_caption = "The source links around the cycle"

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        packages = lineage.packages
        on_cycle = packages["on_cycle"].to_numpy(dtype=bool)
        codes = np.flatnonzero(on_cycle)
        child = lineage.links["child"].to_numpy(np.int64)
        source = lineage.links["source"].to_numpy(np.int64)
        # Links between packages on a cycle (sources' tags taken for those links only).
        among = (source != NO_PACKAGE) & on_cycle[child] & on_cycle[source.clip(min=0)]
        listed = pd.DataFrame(
            {"child": child[among], "source": packages["tag"].array.take(source[among])}
        ).sort_values(["child", "source"])
        children, sources = lists_by(listed["child"].to_numpy(), listed["source"].to_numpy())
        by_child = dict(zip(children.tolist(), sources, strict=True))
        offending = packages.iloc[codes]
        offending["cycle_sources"] = per_row(
            offending, [by_child.get(code) for code in codes.tolist()]
        )
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        sources = row["cycle_sources"] if isinstance(row["cycle_sources"], list) else []
        evidence: CycleEvidence = {"sources_on_cycle": sources}
        return Description(
            f"Package {row['tag']} lies on a cycle of source links: it lists "
            f"{', '.join(sources)}, which lead back to it.",
            evidence,
            "Compare these packages' Source Package(s) in Metrc with the export and correct "
            "the file, or report the inconsistency to Metrc support.",
        )

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        sources = finding.evidence["sources_on_cycle"]
        return [("Sources on the cycle", listing(sources))] if sources else []

    @classmethod
    def trail(cls, finding: Finding) -> list[list[str]]:
        return source_paths(finding.package_tag, finding.evidence["sources_on_cycle"])


class UnknownTestedEvidence(TypedDict):
    tested_package: Annotated[str | None, "the tested package's tag (null: none could be named)"]
    rows: Annotated[int, "lab-result rows recorded against it (each event once)"]
    events: Annotated[int, "test events among those rows"]
    package_ids: Annotated[list[str], "for rows without a label, the PackageIds they name"]


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
    that a supplier's package is outside this licensee's exports.
    """

    code = "LN003"
    name = "results-of-unknown-package"
    severity = Severity.NOTE
    needs_lab: ClassVar[frozenset[str]] = frozenset({"test_type"})
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
        ids = loaded["package_id"].array.take(rows["loaded_row"].to_numpy(np.int64))
        grouped = rows.assign(key=key, event=event, package_id=ids).groupby("key", sort=True)
        found = grouped.agg(
            rows=("test_type", "size"),
            events=("event", "nunique"),
            file=(FILE, "first"),
            line=(LINE, "min"),
        )
        ids = grouped["package_id"].agg(lambda ids: sorted(set(ids) - {""}))
        found = found.assign(tag=found.index, package_ids=ids)
        return found.reset_index(drop=True)

    def describe(self, row: dict[str, Any]) -> Description:
        tag = row["tag"] or None
        evidence: UnknownTestedEvidence = {
            "tested_package": tag,
            "rows": int(row["rows"]),
            "events": int(row["events"]),
            "package_ids": [] if tag else list(row["package_ids"]),
        }
        rows = evidence["rows"]
        if tag is None:
            return Description(
                plural(
                    rows,
                    "{n} lab-result row names no tested package and its PackageId matches no "
                    "loaded package's Id, so it could not be placed",
                    "{n} lab-result rows name no tested package and their PackageIds match no "
                    "loaded package's Id, so they could not be placed",
                )
                + " in any results tab (the web grid has no Id column).",
                evidence,
                "Add an API packages export (which carries each package's Id) to place them.",
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
            "Add the API packages export (/packages/v2/active, /onhold, /inactive), which "
            "carries each package's Id.",
        )
