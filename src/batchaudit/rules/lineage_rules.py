"""Lineage rules (LN): source links that lead nowhere, or in circles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from batchaudit.findings import Severity
from batchaudit.grouping import lists_by
from batchaudit.lazy import lazy
from batchaudit.lineage import NO_PACKAGE
from batchaudit.rules.base import Description, Rule, per_row, register

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage import Lineage
    from batchaudit.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")


@register
class UnknownSourcePackage(Rule):
    """A package lists a source that is not in the loaded exports.

    **Checks** Fires on a package that lists a source tag not found among the loaded packages.
    The summary reports lineage coverage: the share of source links that resolve.

    **Checks** Fires on every package on a cycle of source links: in a strongly connected group
    of two or more packages, or listing itself.

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

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        unknown = (lineage.links["source"] == NO_PACKAGE).to_numpy()
        children, listed = lists_by(
            lineage.links["child"].to_numpy()[unknown],
            lineage.links["source_tag"].to_numpy(object)[unknown],
        )
        offending = lineage.packages.iloc[children].copy()
        offending["unknown_sources"] = per_row(offending, listed)
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        unknown = row["unknown_sources"]
        received = bool(row["received_from_license"]) or not pd.isna(row["received_date"])
        context = (
            f"it was received from {row['received_from_license'] or 'another licensee'}"
            if received
            else "export the tab that holds it, or check the tag"
        )
        return Description(
            f"Package {row['tag']} lists {len(unknown)} source package(s) not in the loaded "
            f"exports ({', '.join(unknown)}); {context}.",
            {"unknown_sources": unknown, "received": received},
            None if received else "Export every grid tab (Active, On Hold, Inactive) together.",
        )


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

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        packages = lineage.packages
        codes = np.flatnonzero(packages["on_cycle"].to_numpy())
        links = lineage.known_links()
        links = links.loc[links["child"].isin(codes) & links["source"].isin(codes)]
        listed = pd.DataFrame(
            {"child": links["child"], "source": packages["tag"].to_numpy()[links["source"]]}
        ).sort_values(["child", "source"])
        children, sources = lists_by(listed["child"].to_numpy(), listed["source"].to_numpy())
        by_child = dict(zip(children.tolist(), sources, strict=True))
        offending = packages.iloc[codes].copy()
        offending["cycle_sources"] = per_row(
            offending, [by_child.get(code) for code in codes.tolist()]
        )
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        sources = row["cycle_sources"] if isinstance(row["cycle_sources"], list) else []
        return Description(
            f"Package {row['tag']} lies on a cycle of source links: it lists "
            f"{', '.join(sources)}, which lead back to it.",
            {"sources_on_cycle": sources},
            "Compare these packages' Source Package(s) in Metrc with the export and correct "
            "the file, or report the inconsistency to Metrc support.",
        )
