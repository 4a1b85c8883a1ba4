"""Declared process lots (PB006, Oregon since 2023-04-15): a production batch that came out of
a processing job is the process lot OAR 845-025-7575(2) asks for, not an unneeded batch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.model.fields import PACKAGE_OPTIONAL_RULE_FIELDS, carried
from batchaudit.model.findings import Finding, Severity
from batchaudit.rules.base import Description, Rule, register
from batchaudit.rules.offending_rows import per_row
from batchaudit.rules.production_batches import SOURCE_FIELDS
from batchaudit.rules.sources import SourceEvidence, not_judged, sources_of
from batchaudit.rules.wording import iso_day, source_paths
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
    processing job (SourceProcessingJobCount above 0, a job named in the grid's Source
    Processing Job(s), or an output of a loaded processing-jobs export) and whose sources
    (or the job's inputs, where it lists none) all share its category or its test group.
    PB001 and PB002 do not fire on it.

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
        jobs = str(row["processing_job"])
        packaged = iso_day(row["packaged_date"])
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


NO_JOB_FIELD = "their files have no processing-job field (Source Processing Job(s))"


class UnrecordedLotEvidence(TypedDict):
    category: Annotated[str, "the package's category"]
    group: Annotated[str, "its test group in the jurisdiction pack"]
    packaged_date: Annotated[str | None, "the day it was packaged (ISO)"]
    production_batch: Annotated[bool, "whether it was made a production batch"]
    changed_group: Annotated[bool, "whether a known source is in another tested group"]
    basis: Annotated[str, "the rule text the finding rests on"]
    inferred: Annotated[bool, "true: rests on Metrc behaviour no documentation states"]


@register
class ProcessLotNotRecordedAsJob(Rule):
    """A process lot made on or after the pack's processing-job date with no processing job.

    **Checks** Fires, where the jurisdiction pack sets `processing_jobs_since` (Oregon:
    2023-04-15), on a package packaged on or after that date that is a production batch, or
    whose known sources are in another tested group, when its export carries the
    processing-job field and names no job for it: the grid's Source Processing Job(s) (Src.
    Pj's; the API's SourceProcessingJobNumbers or SourceProcessingJobNames) is blank, the
    API's SourceProcessingJobCount is 0, and no loaded processing-jobs export lists it as an
    output. Packages received from another licensee are left out; a package whose files have
    neither field is not checked.

    **Why** Since 2023-04-15 OAR 845-025-7575(2) requires every process lot to be recorded as
    a Processing Job in CTS (the lot number or name, its inputs and outputs, the completion
    date and the waste). A production batch or a change of tested group is a process lot.

    **Example** 1A4...0402 (Concentrate), packaged 2024-05-01 from 1A4...0400 (Buds), with no
    processing job in the export.

    **Fix** Record the process lot as a Processing Job in CTS (inputs, outputs, completion
    date, waste), or correct the package if no processing took place.
    """

    code = "PB007"
    name = "process-lot-not-recorded-as-job"
    severity = Severity.WARNING
    needs: ClassVar[frozenset[str]] = SOURCE_FIELDS
    needs_groups = True
    evidence: ClassVar[type] = UnrecordedLotEvidence
    fingerprint_facts = ("category", "production_batch", "changed_group")
    headline_one = "{n} process lot since the processing-job rule has no processing job."
    headline_many = "{n} process lots since the processing-job rule have no processing job."

    @staticmethod
    def candidates(packages: pd.DataFrame) -> np.ndarray:
        """Process lots made since the pack's date by this licensee: production batches, or
        packages whose known sources are in another tested group."""
        lot: np.ndarray = packages["production_batch"].to_numpy(dtype=bool)
        lot = lot | packages["source_in_other_tested_group"].to_numpy(dtype=bool)
        received: np.ndarray = packages["received_date"].notna().to_numpy(dtype=bool)
        received = received | (packages["received_from_license"] != "").to_numpy(dtype=bool)
        since: np.ndarray = packages["since_processing_jobs"].to_numpy(dtype=bool)
        chosen: np.ndarray = lot & since & ~received
        return chosen

    @staticmethod
    def job_field_carried(packages: pd.DataFrame) -> np.ndarray:
        carried_any = np.zeros(len(packages), dtype=bool)
        for name in PACKAGE_OPTIONAL_RULE_FIELDS:
            column = carried(name)
            carried_any |= packages[column].to_numpy(dtype=bool) if column in packages else True
        return carried_any

    def not_checked(self, lineage: Lineage, pack: Pack) -> pd.Series | None:
        packages = lineage.packages
        unknown = self.candidates(packages) & ~self.job_field_carried(packages)
        reason = np.full(len(packages), "", dtype=object)
        reason[unknown] = NO_JOB_FIELD
        return pd.Series(reason, index=packages.index, dtype=object)

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        packages = lineage.packages
        fires = (
            self.candidates(packages)
            & self.job_field_carried(packages)
            & ~packages["job_output"].to_numpy(dtype=bool)
        )
        return packages.iloc[np.flatnonzero(fires)]

    def describe(self, row: dict[str, Any]) -> Description:
        packaged = iso_day(row["packaged_date"])
        batch, changed = bool(row["production_batch"]), bool(row["source_in_other_tested_group"])
        what = "a production batch" if batch else "made from sources in another tested group"
        evidence: UnrecordedLotEvidence = {
            "category": row["category"],
            "group": row["group"],
            "packaged_date": packaged,
            "production_batch": batch,
            "changed_group": changed,
            "basis": BASIS,
            "inferred": False,
        }
        return Description(
            f"Package {row['tag']} ({row['category']}) is {what}, a process lot"
            f"{' packaged on ' + packaged if packaged else ''}, but its export names no "
            "processing job for it: since 2023-04-15 every process lot is recorded as a "
            "Processing Job (OAR 845-025-7575(2)).",
            evidence,
            f"Record the process lot of {row['tag']} as a Processing Job in CTS (inputs, "
            "outputs, completion date, waste), or correct the package if nothing was processed.",
        )

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        return [("Rests on", finding.evidence["basis"])]
