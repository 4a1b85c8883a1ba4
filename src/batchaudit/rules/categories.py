"""Categories the jurisdiction pack does not know (DQ004)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.model.findings import Severity, count_of
from batchaudit.rules.base import Description, Rule, register

if TYPE_CHECKING:
    import pandas as pd

    from batchaudit.lineage.build import Lineage
    from batchaudit.model.packs import Pack


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
    fingerprint_facts = ("category", "category_type")
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
        number = (
            f" It is a number, as Metrc's documentation examples write the {row['what']}; "
            "the live API sends its name (such as 'Buds' or 'ShakeTrim'), which the pack lists."
            if str(row["value"]).strip().isdigit()
            else ""
        )
        return Description(
            message=(
                f"The {row['what']} {value!r} is not in the jurisdiction pack; "
                f"{count_of(int(row['packages']), 'package')} "
                f"{'is' if row['packages'] == 1 else 'are'} treated as a test group of its own."
                + number
            ),
            evidence=evidence,
            remedy="Correct the category in Metrc, or add it to a custom jurisdiction pack.",
        )
