"""An unneeded production batch that can still be discontinued (PB004)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.model.findings import Finding, Severity
from batchaudit.rules.base import Description, Rule, register
from batchaudit.rules.offending_rows import per_row
from batchaudit.rules.production_batches import (
    SOURCE_FIELDS,
    ProductionBatchWithinTestGroup,
    ProductionBatchWithoutCategoryChange,
)
from batchaudit.rules.sources import (
    DISCONTINUE_FIELDS,
    discontinue_blockers,
    not_judged,
    sources_of,
)
from batchaudit.rules.wording import source_paths
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage.build import Lineage
    from batchaudit.model.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")


class DiscontinuableEvidence(TypedDict):
    sources: Annotated[list[str], "the tags its quantity returns to"]
    quantity: Annotated[float | None, "its quantity now"]
    original_quantity: Annotated[float | None, "its quantity when made, where exported"]
    children: Annotated[int, "its child packages (0)"]


@register
class ErroneousProductionBatchCanBeDiscontinued(Rule):
    """An unneeded production batch (PB001/PB002) that can still be discontinued.

    **Checks** Fires on a package that fired PB001 or PB002 and has no children, is not
    finished, is not discontinued, was neither received from another licensee nor sent to one
    (a transfer's `ReceivedDateTime` is the recipient's receipt, not this licensee's), and
    whose quantity equals its original quantity where the export carries
    `OriginalPackageQuantity`.

    **Why** Metrc lets a package made in error be discontinued only while nothing else has been
    done with it: no child packages, no sale or transfer, no adjustment. Discontinuing returns
    its quantity to the sources, and their lab results with it.

    **Example** 1A4...0042 fired PB001, has no children, is not finished, and its quantity is
    still its original quantity.

    **Fix** Discontinue the package in Metrc now, before anything is done with it.
    """

    code = "PB004"
    name = "erroneous-production-batch-can-be-discontinued"
    severity = Severity.NOTE
    cost = 1.1
    needs: ClassVar[frozenset[str]] = SOURCE_FIELDS
    evidence: ClassVar[type] = DiscontinuableEvidence
    headline_one = "{n} of the unneeded production batches can still be discontinued in Metrc."
    headline_many = headline_one

    def not_checked(self, lineage: Lineage, pack: Pack) -> pd.Series | None:
        return not_judged(lineage.packages, batches=True)

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        packages = lineage.packages
        unneeded = ProductionBatchWithoutCategoryChange.fires(
            packages
        ) | ProductionBatchWithinTestGroup.fires(packages)
        unneeded_codes = np.flatnonzero(unneeded.to_numpy(dtype=bool))
        # Whole rows are taken for the packages it fires on only.
        blockers = discontinue_blockers(packages[DISCONTINUE_FIELDS].iloc[unneeded_codes])
        codes = unneeded_codes[(blockers == "").to_numpy(dtype=bool)]
        sources = sources_of(lineage, codes)
        offending = packages.iloc[codes]
        offending["sources"] = per_row(offending, [sources.get(int(code), []) for code in codes])
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        source_tags = ", ".join(s["tag"] for s in row["sources"])
        evidence: DiscontinuableEvidence = {
            "sources": [s["tag"] for s in row["sources"]],
            "quantity": _number(row["quantity"]),
            "original_quantity": _number(row["original_quantity"]),
            "children": int(row["children"]),
        }
        return Description(
            f"Package {row['tag']} is an unneeded production batch that nothing has been done "
            "with yet; it can still be discontinued.",
            evidence,
            f"Discontinue {row['tag']}; its quantity returns to {source_tags}.",
        )

    @classmethod
    def trail(cls, finding: Finding) -> list[list[str]]:
        return source_paths(finding.package_tag, finding.evidence["sources"])


def _number(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)
