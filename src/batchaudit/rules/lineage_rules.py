"""Lineage rules (LN): source links that lead nowhere, or in circles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.lineage.build import NO_PACKAGE
from batchaudit.lineage.grouping import lists_by
from batchaudit.model.findings import Finding, Severity, count_of
from batchaudit.rules.base import Description, Rule, register
from batchaudit.rules.offending_rows import per_row
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
    cost = 0.6
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
