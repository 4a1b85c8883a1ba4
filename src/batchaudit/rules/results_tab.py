"""Lab Results tab rules (LT): tabs so long, or so contradictory, that a buyer cannot tell
whether the product was tested."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.lineage.grouping import lists_by
from batchaudit.lineage.tab_chains import tested_packages_in_tabs
from batchaudit.lineage.tabs import Ragged, distinct
from batchaudit.model.findings import Finding, Severity, count_of
from batchaudit.rules.base import Description, Rule, Setting, register
from batchaudit.rules.coverage import pulled, tab_not_judged
from batchaudit.rules.offending_rows import per_row
from batchaudit.rules.test_types import test_types
from batchaudit.rules.wording import listing
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage.build import Lineage
    from batchaudit.model.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")

ROWS_PER_PAGE = 20


class TestEventEvidence(TypedDict):
    date: Annotated[str | None, "the test date"]
    result: Annotated[str, "passed, failed or unknown"]
    lab: Annotated[str, "the lab's license number"]
    rows: Annotated[int, "its result rows"]


class TestedPackageEvidence(TypedDict):
    tag: Annotated[str, "the tested package's tag"]
    category: Annotated[str, "its category"]
    events: Annotated[list[TestEventEvidence], "its test events"]
    inherited_through: Annotated[list[str], "the tags from the package down to the tested one"]
    seen: Annotated[str, "derived (through lineage), observed (in a per-package lab pull) or both"]


class LongTabEvidence(TypedDict):
    rows: Annotated[int, "result rows in the tab"]
    events: Annotated[int, "test events in the tab"]
    tested_package_count: Annotated[int, "distinct tested packages in the tab"]
    pages: Annotated[int, "pages of the tab at rows_per_page rows a page"]
    rows_per_page: Annotated[int, "rows Metrc shows on a page"]
    max_rows: Annotated[int, "the max_rows setting"]
    max_tested_packages: Annotated[int, "the max_tested_packages setting"]
    tested_packages: Annotated[
        list[TestedPackageEvidence], "each tested package, its events and the inheritance chain"
    ]
    rows_observed_only: Annotated[
        int,
        "rows only per-package lab pulls show (a received package's supplier's results)",
    ]
    unreleased_rows: Annotated[int, "rows of results the lab has not released (not shown)"]


class ConflictEvidence(TypedDict):
    test_types: Annotated[list[str], "test types with a pass and a fail from different packages"]


@register
class InheritedResultsTabTooLong(Rule):
    """A package whose Lab Results tab has grown too long to read.

    **Checks** Fires on a package whose results tab (the rows of every test event on it, plus,
    unless it is a production batch, the tabs of its known sources, plus the rows a lab pull
    returned under its own PackageId; each event once) holds more than `max_rows` rows or rows
    from more than `max_tested_packages` distinct tested packages.

    **Why** Without production batches, every repackaging and combining adds its sources'
    results to the new package's tab. The regulator warns that receiving licensees then cannot
    tell whether the product was properly tested: "pages and pages of results". The limits are
    batchaudit's own measure of a tab grown "convoluted" (the bulletin's word), not a number
    any state sets; they are pack settings.

    **Example** 1A4...0077 (Buds) combined from four tested lots shows 4 tested packages and
    80 rows (4 pages).

    **Fix** Combine fewer tested lots per package and repackage in fewer steps; where a combined
    lot becomes a new product, make it a production batch and test it so its tab shows its own
    results. Thresholds: `max_rows` (default 200) and `max_tested_packages` (default 3) in the
    pack's `[rules.LT001]`.
    """

    code = "LT001"
    name = "inherited-results-tab-too-long"
    severity = Severity.WARNING
    cost = 2.0
    settings = (
        Setting("max_rows", 200, "more result rows than this in a tab fire the rule"),
        Setting(
            "max_tested_packages",
            3,
            "results from more distinct tested packages than this fire the rule",
        ),
    )
    needs: ClassVar[frozenset[str]] = frozenset({"source_package_tags", "production_batch"})
    needs_lab: ClassVar[frozenset[str]] = frozenset({"tested_package"})
    evidence: ClassVar[type] = LongTabEvidence
    headline_one = "{n} package has a Lab Results tab too long for a buyer to read."
    headline_many = "{n} packages have a Lab Results tab too long for a buyer to read."
    trail_caption = "How results reached this package (tested package on the left)"

    def judged_anyway(self, lineage: Lineage) -> np.ndarray | None:
        return pulled(lineage)

    def not_checked(self, lineage: Lineage, pack: Pack) -> pd.Series | None:
        return tab_not_judged(lineage)

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        packages = lineage.packages
        max_rows = self.setting(pack, "max_rows")
        max_tested_packages = self.setting(pack, "max_tested_packages")
        too_long = (packages["tab_rows"] > max_rows) | (
            packages["tab_tested_packages"] > max_tested_packages
        )
        codes = np.flatnonzero(too_long.to_numpy())
        tabs = tested_packages_in_tabs(lineage, codes)
        offending = packages.iloc[codes]
        offending["tested_packages"] = per_row(
            offending, [tabs.get(int(code), []) for code in codes]
        )
        offending["max_rows"] = max_rows
        offending["max_tested_packages"] = max_tested_packages
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        pages = -(-int(row["tab_rows"]) // ROWS_PER_PAGE)
        message = (
            f"Package {row['tag']} ({row['category']}) shows {row['tab_rows']} lab-result rows "
            f"from {row['tab_tested_packages']} tested packages ({pages} pages) in its Lab "
            "Results tab; a buyer cannot tell which results are this product's."
        )
        evidence: LongTabEvidence = {
            "rows": int(row["tab_rows"]),
            "events": int(row["tab_events"]),
            "tested_package_count": int(row["tab_tested_packages"]),
            "pages": pages,
            "rows_per_page": ROWS_PER_PAGE,
            "max_rows": int(row["max_rows"]),
            "max_tested_packages": int(row["max_tested_packages"]),
            "tested_packages": row["tested_packages"],
            "rows_observed_only": int(row.get("tab_rows_observed_only", 0)),
            "unreleased_rows": int(row.get("tab_rows_unreleased", 0)),
        }
        return Description(
            message,
            evidence,
            "Combine fewer tested lots per package and repackage in fewer steps; where the "
            "combined lot is a new product, make it a production batch and have it tested.",
        )

    @classmethod
    def tab_size_limit(cls, pack: Pack) -> int | None:
        return cls.setting(pack, "max_tested_packages")

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        tab = finding.evidence
        facts = [
            (
                "Results tab",
                f"{count_of(tab['rows'], 'row')}, {count_of(tab['events'], 'test event')} from "
                f"{count_of(tab['tested_package_count'], 'tested package')}, "
                f"{count_of(tab['pages'], 'page')} "
                f"(limits: {tab['max_rows']} rows, {tab['max_tested_packages']} tested "
                "packages)",
            )
        ]
        if tab.get("rows_observed_only"):
            facts.append(
                (
                    "Seen only in the lab pulls",
                    f"{count_of(tab['rows_observed_only'], 'row')} that the exports' lineage "
                    "does not show (results inherited from another licensee's packages)",
                )
            )
        if tab.get("unreleased_rows"):
            facts.append(
                (
                    "Not released",
                    f"{count_of(tab['unreleased_rows'], 'row')} of results the lab has not "
                    "released, which the tab does not show",
                )
            )
        return facts

    @classmethod
    def tested_packages(cls, finding: Finding) -> list[dict[str, Any]]:
        return list(finding.evidence["tested_packages"])

    @classmethod
    def trail(cls, finding: Finding) -> list[list[str]]:
        tested = finding.evidence["tested_packages"]
        return [list(reversed(t["inherited_through"])) for t in tested]


@register
class ConflictingInheritedResults(Rule):
    """A Lab Results tab where one test type passes for one tested package and fails for
    another.

    **Checks** Fires on a package whose results tab, ignoring revoked and informational-only
    rows, has for some test type a passing row from one tested package and a failing row from
    another.

    **Why** A buyer reading the tab sees the same test both passed and failed, and cannot tell
    which applies to the product. Revoked and informational-only rows are ignored.

    **Example** 1A4...0081 combines 1A4...0017 (Pesticides passed) and 1A4...0018 (Pesticides
    failed, then remediated).

    **Fix** Check that no failed lot was combined into the package; if the failure was
    remediated, keep the retest results with the records, and avoid combining across it.
    """

    code = "LT002"
    name = "conflicting-inherited-results"
    severity = Severity.WARNING
    cost = 1.0
    needs: ClassVar[frozenset[str]] = frozenset({"source_package_tags", "production_batch"})
    needs_lab: ClassVar[frozenset[str]] = frozenset({"tested_package", "test_passed"})
    evidence: ClassVar[type] = ConflictEvidence
    fingerprint_facts = ("test_types",)
    headline_one = "{n} package shows a pass and a fail for the same test in its Lab Results tab."
    headline_many = (
        "{n} packages show a pass and a fail for the same test in their Lab Results tab."
    )

    def judged_anyway(self, lineage: Lineage) -> np.ndarray | None:
        return pulled(lineage)

    def not_checked(self, lineage: Lineage, pack: Pack) -> pd.Series | None:
        return tab_not_judged(lineage)

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        rows = lineage.lab_rows
        coded = test_types(lineage)
        count = max(len(coded.names), 1)
        # Tested packages by tag: a pull shows tested packages that no export holds.
        tested, tags = pd.factorize(rows["tested_tag"])
        tested = tested.astype(np.int64)
        # A loaded tested package's position in `tags`, as the rows pair its code and tag.
        loaded = rows["tested"].to_numpy(np.int64)
        tag_of = np.full(len(lineage.packages), -1, dtype=np.int64)
        tag_of[loaded[loaded >= 0]] = tested[loaded >= 0]
        counted = (
            rows["counts"].to_numpy(dtype=bool)
            & rows["test_passed"].notna().to_numpy()
            & (tested >= 0)
            & (coded.code >= 0)
        )
        passed = rows["test_passed"].to_numpy(dtype=bool, na_value=False)
        # Only the test types that fail somewhere can conflict (few of the rows).
        failing_type = np.zeros(count, dtype=bool)
        failing_type[coded.code[counted & ~passed]] = True
        counted &= failing_type[coded.code]
        # Each distinct (tested, test type, passed), by integer keys: test types as codes.
        key = distinct((tested[counted] * count + coded.code[counted]) * 2 + passed[counted])
        tested, test_type, passed = key // 2 // count, key // 2 % count, key % 2 == 1
        # In the tabs that show a failing package, each (package, tested) pair of the tab,
        # derived or observed, brings the tested package's outcomes.
        holder, shown = _union_tab(lineage, tags, tag_of)
        exposed = np.isin(holder, holder[np.isin(shown, tested[~passed])])
        outcomes = Ragged.of(tested, np.arange(len(tested)), max(len(tags), 1))
        position, outcome = outcomes.take(shown[exposed])
        package = holder[exposed][position]
        conflicts = _conflicts(
            package * count + test_type[outcome], tested[outcome], passed[outcome]
        )
        package, code = conflicts // count, conflicts % count
        order = np.lexsort((coded.rank[code], package))
        packages, types = lists_by(package[order], coded.names[code[order]])
        offending = lineage.packages.iloc[packages]
        offending["conflicts"] = per_row(offending, types)
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        types = row["conflicts"]
        evidence: ConflictEvidence = {"test_types": types}
        return Description(
            f"Package {row['tag']}'s Lab Results tab shows both a pass and a fail for "
            f"{count_of(len(types), 'test type')} from different tested packages "
            f"({', '.join(types[:3])}"
            f"{', ...' if len(types) > 3 else ''}).",
            evidence,
            "Check that no failed lot was combined into this package; keep the passing retest "
            "results with its records.",
        )

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        return [("Test types passing and failing", listing(finding.evidence["test_types"]))]


def _union_tab(
    lineage: Lineage, tags: pd.Index, tag_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(package, tested) pairs of every results tab, derived and observed, the tested
    package as its position in `tags` (`tag_of`: per package code, -1 for a package with no
    rows; those pairs are left out)."""
    holder = lineage.tabs["package"].to_numpy(np.int64)
    shown = tag_of[lineage.tabs["tested"].to_numpy(np.int64)]
    observed = lineage.observed
    if not observed.empty:
        seen = tags.get_indexer(pd.Index(observed["tested_tag"].astype(str)))
        holder = np.concatenate([holder, observed["package"].to_numpy(np.int64)])
        shown = np.concatenate([shown, seen.astype(np.int64)])
    kept = shown >= 0
    return holder[kept], shown[kept]


def _conflicts(key: np.ndarray, tested: np.ndarray, passed: np.ndarray) -> np.ndarray:
    """The (package, test type) keys with a pass and a fail from different tested packages:
    a pass and a fail from one and the same tested package is a retest, not a conflict."""
    order = np.argsort(key, kind="stable")
    key, tested, passed = key[order], tested[order], passed[order]
    starts = np.flatnonzero(np.r_[len(key) > 0, key[1:] != key[:-1]])
    if len(starts) == 0:
        return key
    some_pass = np.logical_or.reduceat(passed, starts)
    some_fail = np.logical_or.reduceat(~passed, starts)
    several = np.minimum.reduceat(tested, starts) != np.maximum.reduceat(tested, starts)
    conflicting: np.ndarray = key[starts][some_pass & some_fail & several]
    return conflicting
