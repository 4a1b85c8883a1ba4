"""Lineage rules (LN): source links that lead nowhere, or in circles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

import numpy as np
import pandas as pd

from batchaudit.findings import Finding, Severity
from batchaudit.lineage import NO_PACKAGE
from batchaudit.rules.base import Description, Rule, per_row, register
from batchaudit.rules.wording import listing, source_paths

if TYPE_CHECKING:
    from batchaudit.lineage import Lineage
    from batchaudit.packs import Pack


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
        unknown = lineage.links.loc[lineage.links["source"] == NO_PACKAGE]
        listed = unknown.groupby("child")["source_tag"].agg(list)
        offending = lineage.packages.iloc[listed.index.to_numpy()].copy()
        offending["unknown_sources"] = per_row(offending, listed.to_list())
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        unknown = row["unknown_sources"]
        received = bool(row["received_from_license"]) or not pd.isna(row["received_date"])
        context = (
            f"it was received from {row['received_from_license'] or 'another licensee'}"
            if received
            else "export the tab that holds it, or check the tag"
        )
        evidence: UnknownSourceEvidence = {"unknown_sources": unknown, "received": received}
        return Description(
            f"Package {row['tag']} lists {len(unknown)} source package(s) not in the loaded "
            f"exports ({', '.join(unknown)}); {context}.",
            evidence,
            None if received else "Export every grid tab (Active, On Hold, Inactive) together.",
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
        codes = np.flatnonzero(packages["on_cycle"].to_numpy())
        links = lineage.known_links()
        links = links.loc[links["child"].isin(codes) & links["source"].isin(codes)]
        tags = packages["tag"].to_numpy()
        listed = links.groupby("child")["source"].agg(lambda s: sorted(tags[s.to_numpy()]))
        offending = packages.iloc[codes].copy()
        offending["cycle_sources"] = per_row(offending, listed.reindex(codes).to_list())
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
