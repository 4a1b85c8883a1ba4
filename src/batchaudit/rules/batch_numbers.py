"""Production batch numbers (PB005): every process lot needs its own number."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypedDict

from batchaudit.model.findings import Finding, Severity
from batchaudit.rules.base import Description, Rule, register
from batchaudit.rules.wording import listing
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage.build import Lineage
    from batchaudit.model.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")


# The fields of the production batches that PB005 decides on.
_READ = [
    "production_batch_number",
    "recorded_job_output",
    "category_key",
    "processing_job",
    "category",
]


class BatchNumberEvidence(TypedDict):
    production_batch_number: Annotated[str | None, "the number (null when blank)"]


class SharedBatchNumberEvidence(BatchNumberEvidence, total=False):
    categories: Annotated[list[str], "the categories sharing the number (warning only)"]


@register
class ProductionBatchNumber(Rule):
    """A production batch without a batch number, or one number shared across categories.

    **Checks** Fires as an error on a production batch with a blank production batch number, and
    as a warning on every production batch that shares its number with a production batch of
    another category. Where the pack sets `processing_jobs_since` (Oregon: 2023-04-15), the
    processing job is the process-lot id of a production batch that came out of one on or
    after that date: a blank number on it is not an error, and the outputs of one job
    sharing one number are not warned about.

    **Why** Metrc's "Prod. Batch No." is the process lot's unique identification number that
    the processor rules require. A blank one cannot be traced to a process lot; one number on
    production batches of different categories mixes two process lots.

    **Example** error: 1A4...0090 is a production batch with a blank number. warning:
    PB-2026-0042 is on a Concentrate and on an Edibles production batch.

    **Fix** Record the process lot number on every production batch, one number per lot.
    """

    code = "PB005"
    name = "production-batch-number"
    severity = Severity.ERROR
    cost = 0.5
    needs: ClassVar[frozenset[str]] = frozenset(
        {"category", "production_batch", "production_batch_number"}
    )
    evidence: ClassVar[type] = SharedBatchNumberEvidence
    fingerprint_facts = ("production_batch_number",)
    headline_one = "{n} production batch has a missing or shared batch number."
    headline_many = "{n} production batches have a missing or shared batch number."

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        packages = lineage.packages
        # The batches' fields the rule reads; whole rows are taken for the offending only.
        batches = packages.loc[packages["production_batch"].to_numpy(dtype=bool), _READ]
        # A job output's process-lot id is its processing job (OAR 845-025-7575(2)): without
        # a batch number it is still identified.
        unnumbered: np.ndarray = (batches["production_batch_number"] == "").to_numpy(dtype=bool)
        blank: pd.DataFrame = packages.loc[
            batches.index[unnumbered & ~batches["recorded_job_output"].to_numpy(dtype=bool)]
        ]
        numbered = batches.loc[batches["production_batch_number"] != ""]
        kinds = numbered.groupby("production_batch_number")["category_key"].nunique()
        # Numbers of more than one kind of product: only their batches are looked at again.
        several = numbered.loc[numbered["production_batch_number"].isin(kinds.index[kinds > 1])]
        by_number = several.groupby("production_batch_number")
        # The outputs of one processing job share its number as they share the process lot.
        jobs = by_number["processing_job"].agg(["min", "max"])
        one_job = (
            (jobs["min"] == jobs["max"])
            & (jobs["min"] != "")
            & by_number["recorded_job_output"].all()
        )
        mixed_lots = one_job.index[~one_job.to_numpy(dtype=bool)]
        shared_fields = several.loc[several["production_batch_number"].isin(mixed_lots)]
        shared = packages.loc[shared_fields.index]
        mixed = (
            shared_fields.drop_duplicates(["production_batch_number", "category_key"])
            .sort_values("category")
            .groupby("production_batch_number")["category"]
            .agg(list)
        )
        return pd.concat(
            [
                blank.assign(severity=str(Severity.ERROR), shared_with=None),
                shared.assign(
                    severity=str(Severity.WARNING),
                    shared_with=shared["production_batch_number"].map(mixed),
                ),
            ]
        )

    def describe(self, row: dict[str, Any]) -> Description:
        number = row["production_batch_number"]
        if not number:
            blank: SharedBatchNumberEvidence = {"production_batch_number": None}
            return Description(
                f"Package {row['tag']} is a production batch with no production batch number.",
                blank,
                "Record the process lot's number on the package in Metrc.",
            )
        shared: SharedBatchNumberEvidence = {
            "production_batch_number": number,
            "categories": row["shared_with"],
        }
        return Description(
            f"Production batch number {number} is used by production batches of different "
            f"categories ({', '.join(row['shared_with'])}), including {row['tag']}.",
            shared,
            "Give each process lot its own production batch number.",
        )

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        evidence = finding.evidence
        facts = []
        if evidence.get("categories"):
            facts.append(("Categories", listing(evidence["categories"])))
        if evidence["production_batch_number"]:
            facts.append(("Production batch number", evidence["production_batch_number"]))
        return facts
