"""Processing without a production batch (PB003): a new tested product that silently
inherits its sources' results instead of being tested itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.lineage.grouping import lists_by
from batchaudit.lineage.tabs import Ragged, distinct
from batchaudit.model.findings import Finding, Severity, count_of
from batchaudit.rules.base import Description, Rule, per_row, register
from batchaudit.rules.production_batches import SOURCE_FIELDS
from batchaudit.rules.sources import SourceEvidence, not_judged, sources_of
from batchaudit.rules.test_types import test_types
from batchaudit.rules.wording import listing, source_paths
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage.build import Lineage
    from batchaudit.model.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")


class ProcessingEvidence(TypedDict):
    category: Annotated[str, "the package's category"]
    group: Annotated[str, "its test group in the jurisdiction pack"]
    testing_state: Annotated[str, "its Lab Testing state"]
    sources: Annotated[list[SourceEvidence], "each source: tag, item, category, group, flags"]
    tests_only_through_sources: Annotated[
        list[str] | None,
        "test types its tab shows only through other tested packages (null: not measured, "
        "no lab results given)",
    ]


@register
class ProcessingWithoutProductionBatch(Rule):
    """A package processed into another tested group without the Production Batch box.

    **Checks** Fires on a package that is not a production batch, whose sources are all known,
    when at least one source is in a different test group and both groups are tested. Under a
    pack whose policy is `category-change`, every category is its own group.

    **Why** Shake/Trim into Concentrate, or Concentrate into Edibles, is processing: the new
    product needs its own compliance tests. Without the box it silently inherits its sources'
    results, so it looks tested when it is not.

    **Example** 1A4...0090 (Concentrate) made from 1A4...0033 (Shake/Trim), box unchecked.

    **Fix** Have the package sampled and tested as a new process lot; in future check
    Production Batch when processing into a new category.
    """

    code = "PB003"
    name = "processing-without-production-batch"
    severity = Severity.ERROR
    needs_groups = True
    needs: ClassVar[frozenset[str]] = SOURCE_FIELDS
    evidence: ClassVar[type] = ProcessingEvidence
    fingerprint_facts = ("category", "sources")
    headline_one = (
        "{n} package was processed into another tested product without a production batch, "
        "so it shows its sources' tests instead of its own."
    )
    headline_many = (
        "{n} packages were processed into another tested product without a production batch, "
        "so they show their sources' tests instead of their own."
    )

    def not_checked(self, lineage: Lineage, pack: Pack) -> pd.Series | None:
        return not_judged(lineage.packages, batches=False)

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        packages = lineage.packages
        fires = (
            ~packages["production_batch"]
            & packages["sources_checkable"]
            & packages["source_in_other_tested_group"]
        )
        codes = np.flatnonzero(fires.to_numpy(dtype=bool))
        sources = sources_of(lineage, codes)
        offending = packages.iloc[codes]
        offending["sources"] = per_row(offending, [sources.get(int(code), []) for code in codes])
        offending["inherited_tests"] = per_row(
            offending,
            _inherited_test_types(lineage, codes)
            if lineage.has_lab_results
            else [None] * len(codes),
        )
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        changed = [s for s in row["sources"] if s["group"] != row["group"]]
        sources = ", ".join(f"{s['tag']} ({s['category']}, {s['group']})" for s in changed)
        tests = row["inherited_tests"]
        shown = (
            f"its sources' {count_of(len(tests), 'test type')}"
            if tests is not None
            else "its sources' tests (which ones is not measured: no lab results were given)"
        )
        message = (
            f"Package {row['tag']} ({row['category']}, {row['group']}) was processed from "
            f"{sources} without Production Batch, so it shows {shown} instead of tests of its "
            "own."
        )
        evidence: ProcessingEvidence = {
            "category": row["category"],
            "group": row["group"],
            "testing_state": row["lab_testing_state"],
            "sources": row["sources"],
            "tests_only_through_sources": tests,
        }
        return Description(
            message,
            evidence,
            f"Have {row['tag']} sampled and tested as a new process lot; check Production Batch "
            "when processing into another category in future.",
        )

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        evidence = finding.evidence
        facts = [("Testing state", evidence["testing_state"] or "(blank)")]
        if evidence["tests_only_through_sources"]:
            tests = listing(evidence["tests_only_through_sources"])
            facts.append(("Tests shown only through sources", tests))
        return facts

    @classmethod
    def trail(cls, finding: Finding) -> list[list[str]]:
        return source_paths(finding.package_tag, finding.evidence["sources"])


def _inherited_test_types(lineage: Lineage, codes: np.ndarray) -> list[list[str]]:
    """Per package, the test types its tab shows only through other (tested) packages, in
    the order of their texts. Whole arrays, test types as codes (see `test_types`)."""
    types = test_types(lineage)
    count = max(len(types.names), 1)
    tabs = lineage.tabs
    in_tab = tabs["package"].isin(codes).to_numpy()
    package, tested = (
        tabs["package"].to_numpy(np.int64)[in_tab],
        tabs["tested"].to_numpy(np.int64)[in_tab],
    )
    # Each distinct test type of the tested packages these tabs show.
    rows_tested = lineage.lab_rows["tested"].to_numpy(np.int64)
    shown = np.zeros(len(lineage.packages) + 1, dtype=bool)  # the last: no package (-1)
    shown[tested] = True
    typed = shown[rows_tested] & (types.code >= 0)
    pairs = distinct(rows_tested[typed] * count + types.code[typed])
    by_tested = Ragged.of(pairs // count, pairs % count, len(lineage.packages))
    position, type_code = by_tested.take(tested)
    holder = package[position]
    own = holder == tested[position]
    own_keys = distinct(holder[own] * count + type_code[own])
    inherited = distinct(holder[~own] * count + type_code[~own])
    only_inherited = inherited[~np.isin(inherited, own_keys)]
    holder, type_code = only_inherited // count, only_inherited % count
    order = np.lexsort((types.rank[type_code], holder))
    holders, listed = lists_by(holder[order], types.names[type_code[order]])
    by_holder = dict(zip(holders.tolist(), listed, strict=True))
    return [by_holder.get(code, []) for code in codes.tolist()]
