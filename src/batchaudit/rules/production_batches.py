"""Unneeded production batches (PB001, PB002, PB004): the box checked when nothing was
processed, which throws tested product back to NotSubmitted. See the regulator's bulletin."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.model.findings import Finding, Severity, count_of
from batchaudit.rules.base import Description, Rule, register
from batchaudit.rules.offending_rows import per_row
from batchaudit.rules.sources import (
    ResultsLost,
    SourceEvidence,
    discontinue_blockers,
    likely_intent,
    not_judged,
    results_lost,
    sources_of,
    sources_partly_known,
)
from batchaudit.rules.wording import iso_day, plural, source_paths
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage.build import Lineage
    from batchaudit.model.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")

SOURCE_FIELDS = frozenset({"category", "source_package_tags", "production_batch"})
NO_LAB_RESULTS = "no lab results were given"


class UnneededBatchEvidence(TypedDict):
    category: Annotated[str, "the package's category"]
    group: Annotated[str, "its test group in the jurisdiction pack"]
    testing_state: Annotated[str, "its Lab Testing state (NotSubmitted after the box)"]
    production_batch_number: Annotated[str, "its production batch number"]
    sources: Annotated[list[SourceEvidence], "each source: tag, item, category, group, flags"]
    results_lost: Annotated[
        ResultsLost, "rows, test events and tested packages of the sources' tabs it lost"
    ]
    likely_intent: Annotated[
        list[str], "repackaging, remediation, retesting or category correction, where shown"
    ]
    discontinuable: Annotated[bool, "whether it can still be discontinued (see PB004)"]
    not_discontinuable_because: Annotated[str | None, "why it cannot, if it cannot"]
    corrected: Annotated[
        bool, "already discontinued, the bulletin's correction: a note, not an error"
    ]
    corrected_on: Annotated[str | None, "the date it was discontinued (ISO), where known"]


class UnneededBatch(Rule):
    """The evidence and wording PB001 and PB002 share; each decides in its own `evaluate`."""

    needs: ClassVar[frozenset[str]] = SOURCE_FIELDS
    evidence: ClassVar[type] = UnneededBatchEvidence
    fingerprint_facts = ("category", "sources")
    unneeded_batch = True
    made_from: ClassVar[str]  # how the sources relate, in the message
    intents: ClassVar[tuple[str, ...]] = ()  # what the rule itself shows was meant

    def not_checked(self, lineage: Lineage, pack: Pack) -> pd.Series | None:
        return not_judged(lineage.packages, batches=True)

    def offending(self, lineage: Lineage, fires: pd.Series) -> pd.DataFrame:
        """The packages where the rule fires, with the evidence its findings carry."""
        packages = lineage.packages
        codes = np.flatnonzero(fires.to_numpy(dtype=bool))
        lost = results_lost(lineage, codes)
        sources = sources_of(lineage, codes)
        offending = packages.iloc[codes]
        corrected = offending["discontinued"].to_numpy(dtype=bool)
        offending = offending.assign(
            severity=np.where(corrected, Severity.NOTE.value, self.severity.value),
            lost_measured=lineage.has_lab_results,
            lost_at_least=sources_partly_known(lineage, codes),
            blockers=discontinue_blockers(offending).to_numpy(),
            lost_rows=lost["rows"].to_numpy(),
            lost_events=lost["events"].to_numpy(),
            lost_tested_packages=lost["tested_packages"].to_numpy(),
        )
        offending["sources"] = per_row(offending, [sources.get(int(code), []) for code in codes])
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        sources = row["sources"]
        source_tags = ", ".join(source["tag"] for source in sources)
        # A lower bound of 0 says nothing: then the figure is not measured either.
        unknown = bool(row["lost_at_least"]) and not row["lost_rows"]
        measured = bool(row["lost_measured"]) and not unknown
        at_least = "at least " if row["lost_at_least"] else ""
        why = "a source's own results tab is only partly known" if unknown else NO_LAB_RESULTS
        lost = (
            f"{at_least}{count_of(int(row['lost_rows']), 'inherited lab-result row')} from "
            f"{at_least}{count_of(int(row['lost_tested_packages']), 'tested package')}"
            if measured
            else f"its inherited lab results (how many is not measured: {why})"
        )
        message = (
            f"Package {row['tag']} ({row['category']}) was created as a production batch "
            f"{'from a source' if len(sources) == 1 else 'from sources all'} {self.made_from}, "
            f"so it lost {lost} and shows {row['lab_testing_state'] or 'no testing state'}."
        )
        corrected = bool(row["discontinued"])
        if corrected:
            when = iso_day(row["discontinued_date"])
            message = message.removesuffix(".") + (
                f"; it was discontinued{' on ' + when if when else ''}, the bulletin's "
                "correction, so nothing more is needed for it."
            )
            remedy = None
        elif row["blockers"]:
            remedy = (
                f"It can no longer be discontinued ({row['blockers']}). Keep the lab results of "
                f"{source_tags} with its records and ask the regulator how to restore its testing "
                "status; leave Production Batch unchecked for repackaging, remediation, retesting "
                "and category corrections."
            )
        else:
            remedy = (
                f"Discontinue {row['tag']}: nothing else has been done with it, so its quantity "
                f"returns to {source_tags}. Then create it again without Production Batch."
            )
        evidence: UnneededBatchEvidence = {
            "category": row["category"],
            "group": row["group"],
            "testing_state": row["lab_testing_state"],
            "production_batch_number": row["production_batch_number"],
            "sources": sources,
            "results_lost": {
                "rows": int(row["lost_rows"]) if measured else None,
                "events": int(row["lost_events"]) if measured else None,
                "tested_packages": int(row["lost_tested_packages"]) if measured else None,
                "at_least": bool(row["lost_at_least"]) and measured,
            },
            "likely_intent": [*likely_intent(sources, row["item_name"]), *self.intents],
            "discontinuable": not row["blockers"],
            "not_discontinuable_because": row["blockers"] or None,
            "corrected": corrected,
            "corrected_on": iso_day(row["discontinued_date"]) if corrected else None,
        }
        return Description(message, evidence, remedy)

    @classmethod
    def keeps_severity(cls, finding: Finding) -> bool:
        """Already discontinued: the bulletin's correction was made, whatever the severity
        chosen for the rule's other findings."""
        return bool(finding.evidence.get("corrected"))

    @classmethod
    def lost(cls, finding: Finding) -> tuple[int | None, bool]:
        lost = finding.evidence["results_lost"]
        return lost["rows"], bool(lost.get("at_least"))

    @classmethod
    def rows_lost(cls, finding: Finding) -> int:
        """The rows it lost, 0 where that was not measured (for ranking only)."""
        return int(finding.evidence["results_lost"]["rows"] or 0)

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        evidence = finding.evidence
        lost = evidence["results_lost"]
        facts = [
            ("Testing state", evidence["testing_state"] or "(blank)"),
            (
                "Results lost",
                f"{'at least ' if lost.get('at_least') else ''}{count_of(lost['rows'], 'row')}, "
                f"{count_of(lost['events'], 'test event')} "
                f"from {count_of(lost['tested_packages'], 'tested package')}"
                if lost["rows"] is not None
                else "not measured (the message says why)",
            ),
        ]
        if evidence.get("corrected"):
            on = evidence.get("corrected_on")
            facts.append(("Corrected", f"discontinued{' on ' + on if on else ''}"))
        if evidence["likely_intent"]:
            facts.append(("Likely intent", ", ".join(evidence["likely_intent"])))
        if evidence["not_discontinuable_because"]:
            facts.append(("Cannot be discontinued", evidence["not_discontinuable_because"]))
        if evidence["production_batch_number"]:
            facts.append(("Production batch number", evidence["production_batch_number"]))
        return facts

    @classmethod
    def trail(cls, finding: Finding) -> list[list[str]]:
        return source_paths(finding.package_tag, finding.evidence["sources"])


@register
class ProductionBatchWithoutCategoryChange(UnneededBatch):
    """A production batch whose every source has exactly its category.

    **Checks** Fires on a package that is a production batch, has at least one source, every
    source is loaded (known), and every source has exactly its category (compared
    case-insensitively, runs of spaces collapsed). Packages on a lineage cycle or with a blank
    category are skipped.

    **Why** Checking "Production Batch" in Metrc starts the new package over: its testing state
    goes back to NotSubmitted and its Lab Results tab is empty, although the product was
    tested. The box is only for processing into a new category (a "process lot"), never for
    repackaging, remediation, retesting or correcting a category.

    **Example** 1A4...0042 (Buds) made from the tested 1A4...0017 (Buds) with the box checked.

    **Fix** If nothing else has been done with the package, discontinue it: the quantity goes
    back to the sources (PB004 says when this is possible). Otherwise keep the sources' results
    with its records and ask the regulator how to restore its status.
    """

    code = "PB001"
    name = "production-batch-without-category-change"
    severity = Severity.ERROR
    cost = 2.3
    made_from = "of the same category"

    @staticmethod
    def fires(packages: pd.DataFrame) -> pd.Series:
        return (
            packages["production_batch"]
            # at least one source, every one loaded and categorised, not on a cycle
            & packages["sources_checkable"]
            & packages["sources_same_category"]
            & ~packages["recorded_job_output"]  # a declared process lot (PB006)
        )

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        return self.offending(lineage, self.fires(lineage.packages))

    @classmethod
    def headline(cls, findings: Sequence[Finding]) -> str:
        lost = sum(cls.rows_lost(finding) for finding in findings)
        said = [finding.evidence["results_lost"] for finding in findings]
        unmeasured = sum(1 for each in said if each["rows"] is None)
        if unmeasured == len(findings):
            return plural(
                len(findings),
                "{n} production batch was created where nothing was processed; it dropped its "
                "inherited lab results, how many is not measured.",
                "{n} production batches were created where nothing was processed; they dropped "
                "their inherited lab results, how many is not measured.",
            )
        rows = plural(lost, "{n} inherited lab-result row", "{n} inherited lab-result rows")
        if unmeasured or any(each.get("at_least") for each in said):
            rows = "at least " + rows
        if unmeasured:
            rows += f" (not measured for {unmeasured} of them)"
        return plural(
            len(findings),
            "{n} production batch was created where nothing was processed; it dropped "
            + rows
            + ".",
            "{n} production batches were created where nothing was processed; together they "
            "dropped " + rows + ".",
        )


@register
class ProductionBatchWithinTestGroup(UnneededBatch):
    """A production batch whose sources are all in its test group, though some category
    differs.

    **Checks** Fires on a production batch whose sources are all known and all in its test group
    (from the jurisdiction pack), when PB001 does not fire: some source's category differs from
    its own.

    **Why** Moving between categories of one test group (Buds to Non-Infused Pre-Roll, bulk
    Concentrate to Concentrate (each), a category correction) is not processing and needs no
    new tests, but the box still throws the inherited results away.

    **Example** 1A4...0051 (Non-Infused (Plain) Pre-Roll) made from 1A4...0017 (Buds) with
    Production Batch checked.

    **Fix** As for PB001: discontinue it if nothing else has been done with it, and create it
    again without the box.
    """

    code = "PB002"
    name = "production-batch-within-test-group"
    severity = Severity.WARNING
    cost = 1.5
    needs_groups = True
    made_from = "in the same test group"
    intents = ("category correction",)
    headline_one = (
        "{n} production batch only moved product within one test group (such as buds into "
        "pre-rolls) and dropped its inherited lab results."
    )
    headline_many = (
        "{n} production batches only moved product within one test group (such as buds into "
        "pre-rolls) and dropped their inherited lab results."
    )

    @staticmethod
    def fires(packages: pd.DataFrame) -> pd.Series:
        return (
            packages["production_batch"]
            # at least one source, every one loaded and categorised, not on a cycle
            & packages["sources_checkable"]
            & packages["sources_same_group"]
            & ~packages["sources_same_category"]  # else PB001
            & ~packages["recorded_job_output"]  # a declared process lot (PB006)
        )

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        return self.offending(lineage, self.fires(lineage.packages))
