"""Evidence about packages and their sources that the production-batch rules share: each
source as the finding lists it, the results a production batch no longer shows, the likely
intent, and what stops a package from being discontinued."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypedDict

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from batchaudit.lineage import Lineage

RETEST_STATES = ("TestFailed", "RetestFailed")


class SourceEvidence(TypedDict):
    tag: Annotated[str, "the source's tag"]
    item: Annotated[str, "its item name"]
    category: Annotated[str, "its category"]
    group: Annotated[str, "its test group in the jurisdiction pack"]
    testing_state: Annotated[str, "its Lab Testing state"]
    production_batch: Annotated[bool, "whether it is a production batch"]
    requires_remediation: Annotated[bool, "whether it requires remediation"]
    contains_remediated: Annotated[bool, "whether it contains remediated product"]


class ResultsLost(TypedDict):
    rows: Annotated[int, "lab-result rows"]
    events: Annotated[int, "test events"]
    tested_packages: Annotated[int, "distinct tested packages"]


def sources_of(lineage: Lineage, children: np.ndarray) -> dict[int, list[dict[str, Any]]]:
    """The known sources of the given packages, as evidence: tag, item, category, group,
    testing state and flags."""
    links = lineage.known_links()
    links = links.loc[links["child"].isin(children)]
    attributes = lineage.packages[
        [
            "tag",
            "item_name",
            "category",
            "group",
            "lab_testing_state",
            "production_batch",
            "requires_remediation",
            "contains_remediated",
        ]
    ]
    joined = links[["child", "source"]].join(attributes, on="source")
    evidence: dict[int, list[dict[str, Any]]] = {}
    for row in joined.to_dict("records"):
        evidence.setdefault(int(row.pop("child")), []).append(
            {
                "tag": row["tag"],
                "item": row["item_name"],
                "category": row["category"],
                "group": row["group"],
                "testing_state": row["lab_testing_state"],
                "production_batch": bool(row["production_batch"]),
                "requires_remediation": bool(row["requires_remediation"]),
                "contains_remediated": bool(row["contains_remediated"]),
            }
        )
    return evidence


def results_lost(lineage: Lineage, batches: np.ndarray) -> pd.DataFrame:
    """For production batches: the rows, events and tested packages their sources' tabs held,
    which the batch no longer shows. Indexed by package code."""
    links = lineage.known_links()
    links = links.loc[links["child"].isin(batches) & (links["child"] != links["source"])]
    start = pd.DataFrame(
        {"package": links["child"], "ancestor": links["source"], "via": links["child"]}
    )
    would_inherit = lineage.tab_of(start)
    would_inherit = would_inherit.loc[would_inherit["package"] != would_inherit["ancestor"]]
    events = lineage.events
    lost = would_inherit.merge(events, left_on="ancestor", right_on="tested")
    lost = lost.drop_duplicates(["package", "event"])
    sizes = lost.groupby("package").agg(
        rows=("rows", "sum"), events=("event", "size"), tested_packages=("tested", "nunique")
    )
    return sizes.reindex(batches, fill_value=0)


def likely_intent(sources: list[dict[str, Any]], item_name: str) -> list[str]:
    """What the person probably meant to do, where the sources show it."""
    intents = []
    if item_name and any(source["item"] == item_name for source in sources):
        intents.append("repackaging")
    if any(
        source["requires_remediation"]
        or source["contains_remediated"]
        or source["testing_state"] == "Remediated"
        for source in sources
    ):
        intents.append("remediation")
    if any(source["testing_state"] in RETEST_STATES for source in sources):
        intents.append("retesting")
    return intents


def discontinue_blockers(packages: pd.DataFrame) -> pd.Series:
    """Why each package can no longer be discontinued ("" when nothing stands in the way)."""
    adjusted = packages["original_quantity"].notna() & (
        packages["quantity"] != packages["original_quantity"]
    )
    received = (packages["received_from_license"] != "") | packages["received_date"].notna()
    reasons = [
        (
            packages["children"] > 0,
            "it already has "
            + packages["children"].astype(str)
            + np.where(packages["children"] == 1, " child package", " child packages"),
        ),
        (
            packages["finished"].to_numpy(dtype=bool),
            pd.Series("it is finished", index=packages.index),
        ),
        (
            packages["discontinued"].to_numpy(dtype=bool),
            pd.Series("it is already discontinued", index=packages.index),
        ),
        (received, pd.Series("it was received from another licensee", index=packages.index)),
        (adjusted, pd.Series("its quantity was adjusted since it was made", index=packages.index)),
    ]
    text = pd.Series("", index=packages.index, dtype="str")
    for mask, reason in reasons:
        mask = pd.Series(np.asarray(mask, dtype=bool), index=packages.index)
        text = text.where(~mask, text.where(text == "", text + "; ") + reason)
    return text
