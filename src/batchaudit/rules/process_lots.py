"""Declared process lots (PB006, Oregon since 2023-04-15): a production batch that came out of
a processing job is the process lot OAR 845-025-7575(2) asks for, not an unneeded batch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.model.findings import Finding, Severity
from batchaudit.rules.base import Description, Rule, per_row, register
from batchaudit.rules.production_batches import SOURCE_FIELDS
from batchaudit.rules.sources import SourceEvidence, not_judged, sources_of
from batchaudit.rules.wording import source_paths
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage.build import Lineage
    from batchaudit.model.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")

BASIS = (
    "OAR 845-025-7575(2): since 2023-04-15 each process lot is recorded as a Processing Job in CTS"
)


class ProcessLotEvidence(TypedDict):
    category: Annotated[str, "the package's category"]
    group: Annotated[str, "its test group in the jurisdiction pack"]
    testing_state: Annotated[str, "its Lab Testing state"]
    processing_jobs: Annotated[str, "the jobs it came out of, as the export names them"]
    packaged_date: Annotated[str | None, "the day it was packaged (ISO)"]
    sources: Annotated[list[SourceEvidence], "each source: tag, item, category, group, flags"]
    basis: Annotated[str, "the rule text the finding rests on"]
    inferred: Annotated[
        bool, "true: rests on Metrc behaviour no documentation states (a job output's flag)"
    ]


@register
class DeclaredProcessLot(Rule):
    """A production batch that came out of a processing job: a declared process lot.

    **Checks** Fires, where the jurisdiction pack sets `processing_jobs_since` (Oregon:
    2023-04-15), on a production batch packaged on or after that date that came out of a
    processing job (a job count above 0, or a job named in the grid's Source Processing
    Job(s)) and whose sources all share its category or its test group. PB001 and PB002 do
    not fire on it.

    **Why** Since 2023-04-15 Oregon records every process lot as a CTS Processing Job (OAR
    845-025-7575(2)), and testing is per process lot, not per Metrc category: crude into
    distillate, both Extracts, is a new lot. A job output made as a production batch is the
    lot the rule asks for, not a repackaging; whether Metrc sets the flag on job outputs is
    not documented, so the finding says it is inferred.

    **Example** 1A4...0301 (Extracts), output of job MN001 packaged 2024-03-02, made as a
    production batch from 1A4...0299 (Extracts).

    **Fix** Confirm the lot was sampled and tested as a new process lot, and that the job
    records its inputs, outputs and waste.
    """

    code = "PB006"
    name = "declared-process-lot"
    severity = Severity.NOTE
    needs: ClassVar[frozenset[str]] = SOURCE_FIELDS
    evidence: ClassVar[type] = ProcessLotEvidence
    fingerprint_facts = ("category", "processing_jobs")
    headline_one = "{n} production batch is a declared process lot: confirm it was tested as new."
    headline_many = (
        "{n} production batches are declared process lots: confirm they were tested as new."
    )

    def not_checked(self, lineage: Lineage, pack: Pack) -> pd.Series | None:
        return not_judged(lineage.packages, batches=True)

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        packages = lineage.packages
        fires = (
            packages["production_batch"]
            & packages["sources_checkable"]
            & (packages["sources_same_category"] | packages["sources_same_group"])
            & packages["recorded_job_output"]
        )
        codes = np.flatnonzero(fires.to_numpy(dtype=bool))
        sources = sources_of(lineage, codes)
        offending = packages.iloc[codes]
        offending["sources"] = per_row(offending, [sources.get(int(code), []) for code in codes])
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        jobs = str(row.get("source_processing_jobs") or "").strip()
        day = row["packaged_date"]
        packaged = None if day is None or pd.isna(day) else pd.Timestamp(day).date().isoformat()
        which = f"processing job {jobs}" if jobs else "a processing job"
        evidence: ProcessLotEvidence = {
            "category": row["category"],
            "group": row["group"],
            "testing_state": row["lab_testing_state"],
            "processing_jobs": jobs,
            "packaged_date": packaged,
            "sources": row["sources"],
            "basis": BASIS,
            "inferred": True,
        }
        return Description(
            f"Package {row['tag']} ({row['category']}) came out of {which}"
            f"{' on ' + packaged if packaged else ''} as a production batch from sources of "
            "its own category or test group: a declared process lot (OAR 845-025-7575(2)), "
            "not an unneeded production batch. Confirm it was tested as a new lot.",
            evidence,
            f"Confirm {row['tag']} was sampled and tested as a new process lot, and that the "
            "processing job records its inputs, outputs and waste.",
        )

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        evidence = finding.evidence
        facts = [("Testing state", evidence["testing_state"] or "(blank)")]
        if evidence["processing_jobs"]:
            facts.append(("Processing job", evidence["processing_jobs"]))
        facts.append(("Rests on", evidence["basis"] + " (inferred: Metrc does not document it)"))
        return facts

    @classmethod
    def trail(cls, finding: Finding) -> list[list[str]]:
        return source_paths(finding.package_tag, finding.evidence["sources"])
