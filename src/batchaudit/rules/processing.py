"""Processing without a production batch (PB003): a new tested product that silently
inherits its sources' results instead of being tested itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.lineage.grouping import lists_by
from batchaudit.lineage.tabs import Ragged, distinct
from batchaudit.model.findings import Finding, Severity, count_of
from batchaudit.rules.base import Description, Rule, register
from batchaudit.rules.offending_rows import per_row
from batchaudit.rules.production_batches import SOURCE_FIELDS
from batchaudit.rules.sources import SourceEvidence, not_judged, sources_of
from batchaudit.rules.test_types import test_types
from batchaudit.rules.wording import listing, plural, source_paths
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


class JobOutputEvidence(ProcessingEvidence, total=False):
    processing_jobs: Annotated[
        str, "the jobs it came out of, as the export names them (job outputs only)"
    ]
    shows_inputs_results: Annotated[
        bool, "a lab pull for it shows its inputs' results on its tab (job outputs only)"
    ]
    basis: Annotated[str, "the rule text the finding rests on (job outputs only)"]
    inferred: Annotated[
        bool,
        "true: rests on Metrc behaviour no documentation states, whether a job output shows "
        "its inputs' results (job outputs only)",
    ]


@register
class ProcessingWithoutProductionBatch(Rule):
    """A package processed into another tested group without the Production Batch box.

    **Checks** Fires on a package that is not a production batch, whose sources are all known,
    when at least one source is in a different test group and both groups are tested. Under a
    pack whose policy is `category-change`, every category is its own group. Where the pack
    sets `processing_jobs_since` (Oregon: 2023-04-15), a package that came out of a
    processing job on or after that date is a warning to check its Lab Testing state, and
    stays an error only where a lab pull for it shows its inputs' results on its tab.

    **Why** Shake/Trim into Concentrate, or Concentrate into Edibles, is processing: the new
    product needs its own compliance tests. Without the box it silently inherits its sources'
    results, so it looks tested when it is not. A job output is the process lot OAR
    845-025-7575(2) records, but Metrc does not document whether it shows its inputs' results:
    its Lab Testing state says whether it starts untested.

    **Example** 1A4...0090 (Concentrate) made from 1A4...0033 (Shake/Trim), box unchecked.

    **Fix** Have the package sampled and tested as a new process lot; in future check
    Production Batch when processing into a new category.
    """

    code = "PB003"
    name = "processing-without-production-batch"
    severity = Severity.ERROR
    cost = 1.2
    needs_groups = True
    needs: ClassVar[frozenset[str]] = SOURCE_FIELDS
    evidence: ClassVar[type] = JobOutputEvidence
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
        shown = shows_inputs_results(lineage)[codes]
        job = offending["recorded_job_output"].to_numpy(dtype=bool)
        offending["shows_inputs_results"] = shown
        offending["severity"] = np.where(job & ~shown, str(Severity.WARNING), str(Severity.ERROR))
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        changed = [s for s in row["sources"] if s["group"] != row["group"]]
        sources = ", ".join(f"{s['tag']} ({s['category']}, {s['group']})" for s in changed)
        if row["recorded_job_output"]:
            return _job_output(row, sources)
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
    def headline(cls, findings: Sequence[Finding]) -> str:
        to_check = sum(f.severity is Severity.WARNING for f in findings)
        if not to_check:
            return super().headline(findings)
        checks = plural(
            to_check,
            "{n} job output without Production Batch: check its Lab Testing state.",
            "{n} job outputs without Production Batch: check their Lab Testing state.",
        )
        errors = len(findings) - to_check
        if not errors:
            return checks
        others = [f for f in findings if f.severity is not Severity.WARNING]
        return f"{super().headline(others)} {checks}"

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        evidence = finding.evidence
        facts = [("Testing state", evidence["testing_state"] or "(blank)")]
        if evidence["tests_only_through_sources"]:
            tests = listing(evidence["tests_only_through_sources"])
            facts.append(("Tests shown only through sources", tests))
        if "basis" in evidence:
            if evidence["processing_jobs"]:
                facts.append(("Processing job", evidence["processing_jobs"]))
            inferred = " (inferred: Metrc does not document it)" if evidence["inferred"] else ""
            facts.append(("Rests on", evidence["basis"] + inferred))
        return facts

    @classmethod
    def trail(cls, finding: Finding) -> list[list[str]]:
        return source_paths(finding.package_tag, finding.evidence["sources"])


JOB_BASIS = (
    "OAR 845-025-7575(2): since 2023-04-15 each process lot is recorded as a Processing Job in "
    "CTS, and is tested as a new process lot"
)


def shows_inputs_results(lineage: Lineage) -> np.ndarray:
    """Per package, whether a lab pull for it (its observed tab) shows a result of another
    package: what a job output displays of its inputs, where the lab rows say."""
    shown = np.zeros(len(lineage.packages), dtype=bool)
    observed = lineage.observed
    if observed.empty:
        return shown
    own = lineage.packages["tag"].to_numpy(dtype=object)[observed["package"].to_numpy(np.int64)]
    other = observed["tested_tag"].to_numpy(dtype=object) != own
    shown[observed["package"].to_numpy(np.int64)[other]] = True
    return shown


def _job_output(row: dict[str, Any], sources: str) -> Description:
    """A job output without the box: what the lab rows show of its tab decides the words."""
    jobs = str(row["processing_job"])
    which = f"processing job {jobs}" if jobs else "a processing job"
    shown = bool(row["shows_inputs_results"])
    evidence: JobOutputEvidence = {
        "category": row["category"],
        "group": row["group"],
        "testing_state": row["lab_testing_state"],
        "sources": row["sources"],
        "tests_only_through_sources": row["inherited_tests"],
        "processing_jobs": jobs,
        "shows_inputs_results": shown,
        "basis": JOB_BASIS,
        "inferred": not shown,
    }
    state = row["lab_testing_state"] or "blank"
    if shown:
        message = (
            f"Package {row['tag']} ({row['category']}, {row['group']}) came out of {which} "
            f"from {sources} without Production Batch, and a lab pull for it shows its "
            "inputs' results on its tab instead of tests of its own."
        )
    else:
        message = (
            f"Package {row['tag']} ({row['category']}, {row['group']}) came out of {which} "
            f"from {sources} without Production Batch: job output without Production Batch, "
            f"check its Lab Testing state (now {state}). Whether Metrc shows the inputs' "
            "results on a job output is not documented."
        )
    return Description(
        message,
        evidence,
        f"Check that {row['tag']} is not shown as tested by its inputs' results; have it "
        "sampled and tested as a new process lot.",
    )


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
