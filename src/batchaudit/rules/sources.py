"""Evidence about packages and their sources that the production-batch rules share: each
source as the finding lists it, the results a production batch no longer shows, the likely
intent, and what stops a package from being discontinued."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypedDict

from batchaudit.lineage.build import NO_PACKAGE, Lineage
from batchaudit.lineage.tabs import Ragged, distinct
from batchaudit.model.fields import carried
from batchaudit.rules.coverage import tab_not_judged
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np, pd = lazy("numpy"), lazy("pandas")

RETEST_STATES = ("TestFailed", "RetestFailed")
SOURCE_NOT_LOADED = "a source of each is not loaded (see LN001)"
ON_A_CYCLE = "they lie on a lineage cycle (see LN002)"
OWN_CATEGORY_BLANK = "their Category is blank"
NO_CATEGORY = "a source of each has no Category"
JOB_INPUTS_NOT_LOADED = (
    "each came out of a processing job and lists no source packages: its inputs are in the "
    "job, and no processing-jobs export that lists them is loaded"
)


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
    rows: Annotated[int | None, "lab-result rows (null: not measured, no lab results given)"]
    events: Annotated[int | None, "test events (null: not measured)"]
    tested_packages: Annotated[int | None, "distinct tested packages (null: not measured)"]
    at_least: Annotated[
        bool, "a source's own tab is only partly known, so the figures are a lower bound"
    ]


def not_judged(packages: pd.DataFrame, batches: bool) -> pd.Series:
    """Per package that a source rule applies to (production batches, or the packages that
    are not) and that lists sources, why it cannot be judged against them (the rules judge
    only `sources_checkable` packages): a source that is not loaded, a lineage cycle, a blank
    Category; a job output that lists none (its inputs are only in its job); "" for every
    other package."""
    applies = packages["production_batch"].to_numpy(dtype=bool)
    applies = applies if batches else ~applies
    unjudged = (
        applies
        & (packages["sources_listed"].to_numpy() > 0)
        & ~packages["sources_checkable"].to_numpy(dtype=bool)
    )
    reason = np.full(len(packages), "", dtype=object)
    # The most telling reason last: each overrides the ones before it.
    reason[unjudged] = NO_CATEGORY
    reason[unjudged & (packages["category"] == "").to_numpy(dtype=bool)] = OWN_CATEGORY_BLANK
    unknown = packages["sources_known"].to_numpy() < packages["sources_listed"].to_numpy()
    reason[unjudged & unknown] = SOURCE_NOT_LOADED
    reason[unjudged & packages["on_cycle"].to_numpy(dtype=bool)] = ON_A_CYCLE
    # A job output with no sources at all: what it was made from is only in its job.
    inputs_unknown = applies & (packages["sources_listed"].to_numpy() == 0)
    if "job_output" in packages:
        inputs_unknown &= packages["job_output"].to_numpy(dtype=bool)
        reason[inputs_unknown] = JOB_INPUTS_NOT_LOADED
    return pd.Series(reason, index=packages.index, dtype=object)


def sources_partly_known(lineage: Lineage, batches: np.ndarray) -> np.ndarray:
    """Per given production batch, whether a source's results tab is only partly known (it
    inherits from sources not loaded, or its file says nothing of its sources): what the
    batch lost is then a lower bound."""
    packages = lineage.packages
    partial = np.zeros(len(packages), dtype=bool)
    judged = tab_not_judged(lineage)
    if judged is not None:
        partial |= (judged != "").to_numpy()
    column = carried("source_package_tags")
    if column in packages:
        partial |= ~packages[column].to_numpy(dtype=bool)
    partial |= packages["sources_known"].to_numpy() < packages["sources_listed"].to_numpy()
    if not partial.any():
        return np.zeros(len(batches), dtype=bool)
    child = lineage.links["child"].to_numpy(np.int64)
    source = lineage.links["source"].to_numpy(np.int64)
    known = source != NO_PACKAGE
    reached = np.zeros(len(packages), dtype=bool)
    reached[child[known][partial[source[known]]]] = True
    return reached[np.asarray(batches, dtype=np.int64)]


def sources_of(lineage: Lineage, children: np.ndarray) -> dict[int, list[dict[str, Any]]]:
    """The known sources of the given packages, as evidence: tag, item, category, group,
    testing state and flags."""
    links = lineage.links
    chosen = ((links["source"] != NO_PACKAGE) & links["child"].isin(children)).to_numpy()
    source = links["source"].to_numpy()[chosen]
    packages = lineage.packages
    fields = {
        "tag": "tag",
        "item": "item_name",
        "category": "category",
        "group": "group",
        "testing_state": "lab_testing_state",
    }
    flags = ("production_batch", "requires_remediation", "contains_remediated")
    # Columns taken at the sources (not converted whole), then one dict per link: no frame
    # row per link.
    columns = {key: packages[name].iloc[source].tolist() for key, name in fields.items()}
    columns |= {flag: [bool(v) for v in packages[flag].iloc[source].tolist()] for flag in flags}
    evidence: dict[int, list[dict[str, Any]]] = {}
    for child, *values in zip(
        links["child"].to_numpy()[chosen].tolist(), *columns.values(), strict=True
    ):
        evidence.setdefault(child, []).append(dict(zip(columns, values, strict=True)))
    return evidence


def results_lost(lineage: Lineage, batches: np.ndarray) -> pd.DataFrame:
    """For production batches: the rows, events and tested packages their sources' tabs held,
    which the batch no longer shows. Indexed by package code. Whole arrays: each source's tab
    pairs, then each tested package's events, taken from CSR tables in the order a merge of
    links, tabs and events would give them, each (batch, event) counted once."""
    size = max(len(lineage.packages), 1)
    child = lineage.links["child"].to_numpy(np.int64)
    source = lineage.links["source"].to_numpy(np.int64)
    chosen = (source != NO_PACKAGE) & np.isin(child, batches) & (child != source)
    child, source = child[chosen], source[chosen]
    tabs = lineage.tabs
    tab_of = Ragged.of(tabs["package"].to_numpy(np.int64), tabs["tested"].to_numpy(), size)
    position, tested = tab_of.take(source)
    package = child[position]
    # A batch on a cycle would inherit its own results back: those it still shows.
    once = ~pd.Series(package * size + tested).duplicated().to_numpy() & (package != tested)
    package, tested = package[once], tested[once]
    events = lineage.events
    event_code, keys = pd.factorize(events["event"])
    events_of = Ragged.of(events["tested"].to_numpy(np.int64), np.arange(len(events)), size)
    position, event = events_of.take(tested)
    package, tested = package[position], tested[position]
    once = ~pd.Series(package * max(len(keys), 1) + event_code[event]).duplicated().to_numpy()
    package, tested, event = package[once], tested[once], event[once]
    rows = events["rows"].to_numpy(np.int64)[event]
    pairs = distinct(package * size + tested) // size
    lost = pd.DataFrame(
        {
            "rows": np.bincount(package, weights=rows, minlength=size),
            "events": np.bincount(package, minlength=size),
            "tested_packages": np.bincount(pairs, minlength=size),
        }
    ).astype(np.int64)
    return lost.iloc[np.asarray(batches, dtype=np.int64)]


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


# The fields `discontinue_blockers` reads.
DISCONTINUE_FIELDS = [
    "children",
    "finished",
    "discontinued",
    "received_from_license",
    "received_date",
    "recipient_license",
    "recipient_received_date",
    "quantity",
    "original_quantity",
]


def discontinue_blockers(packages: pd.DataFrame) -> pd.Series:
    """Why each package can no longer be discontinued ("" when nothing stands in the way).
    Row by row: give it only the packages asked about (string work on every package costs
    a tenth of a second at 100,000)."""
    adjusted = packages["original_quantity"].notna() & (
        packages["quantity"] != packages["original_quantity"]
    )
    received = (packages["received_from_license"] != "") | packages["received_date"].notna()
    # The recipient's fields of a package this licensee sent (never its own receipt).
    sent = (packages["recipient_license"] != "") | packages["recipient_received_date"].notna()
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
        (sent, pd.Series("it was sent to another licensee", index=packages.index)),
        (adjusted, pd.Series("its quantity was adjusted since it was made", index=packages.index)),
    ]
    text = pd.Series("", index=packages.index, dtype="str")
    for mask, reason in reasons:
        mask = pd.Series(np.asarray(mask, dtype=bool), index=packages.index)
        text = text.where(~mask, text.where(text == "", text + "; ") + reason)
    return text
