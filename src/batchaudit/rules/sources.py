"""Facts about each package's sources that the production-batch rules share, whole-frame."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from batchaudit.lazy import lazy
from batchaudit.lineage import NO_PACKAGE, Lineage

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np, pd = lazy("numpy"), lazy("pandas")

RETEST_STATES = ("TestFailed", "RetestFailed")


def source_facts(lineage: Lineage) -> pd.DataFrame:
    """Per package (position): sources listed and known, and how the known ones compare.

    Columns: listed, known, all_known, same_category, same_group, tested_group_change.
    `all_known` is what the PB rules need: every source loaded, every category stated, and
    the package not on a cycle (its lineage cannot be trusted).
    Computed once per lineage; several rules share it.
    """
    cached = lineage.derived.get("source_facts")
    if cached is None:
        cached = lineage.derived["source_facts"] = _source_facts(lineage)
    return cached


def _source_facts(lineage: Lineage) -> pd.DataFrame:
    packages = lineage.packages
    links = lineage.links
    known = links["source"] != NO_PACKAGE
    child = links["child"].to_numpy()
    source = links["source"].to_numpy().clip(min=0)
    category = packages["category_key"].to_numpy()
    group = packages["group"].to_numpy()
    tested = packages["group_tested"].to_numpy()
    same_category = known & (category[child] == category[source])
    same_group = known & (group[child] == group[source])
    tested_change = known & ~same_group & tested[child] & tested[source]
    per_link = pd.DataFrame(
        {
            "child": child,
            "known": known,
            "stated": ~known | (category[source] != ""),
            "same_category": same_category,
            "same_group": same_group,
            "tested_group_change": tested_change,
        }
    )
    facts = per_link.groupby("child").agg(
        listed=("known", "size"),
        known=("known", "sum"),
        sources_stated=("stated", "all"),
        same_category=("same_category", "all"),
        same_group=("same_group", "all"),
        tested_group_change=("tested_group_change", "any"),
    )
    facts = facts.reindex(np.arange(len(packages)))
    facts["listed"] = facts["listed"].fillna(0).astype(np.int64)
    facts["known"] = facts["known"].fillna(0).astype(np.int64)
    for column in ("same_category", "same_group", "tested_group_change"):
        facts[column] = facts[column].fillna(False).astype(bool)
    facts["sources_stated"] = facts["sources_stated"].fillna(True).astype(bool)
    stated = packages["category_key"].to_numpy() != ""
    facts["all_known"] = (
        (facts["listed"] > 0)
        & (facts["known"] == facts["listed"])
        & facts["sources_stated"]
        & stated
        & ~packages["on_cycle"].to_numpy()
    )
    return facts.drop(columns="sources_stated")


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
    # Whole columns taken at the sources, then one dict per link: no frame row per link.
    columns = {
        key: packages[name].to_numpy(object)[source].tolist() for key, name in fields.items()
    }
    columns |= {flag: [bool(v) for v in packages[flag].to_numpy(object)[source]] for flag in flags}
    evidence: dict[int, list[dict[str, Any]]] = {}
    for child, *values in zip(
        links["child"].to_numpy()[chosen].tolist(), *columns.values(), strict=True
    ):
        evidence.setdefault(child, []).append(dict(zip(columns, values, strict=True)))
    return evidence


def results_lost(lineage: Lineage, batches: np.ndarray) -> pd.DataFrame:
    """For production batches: the rows, events and tested packages their sources' tabs held,
    which the batch no longer shows. Indexed by package code."""
    links = lineage.known_links()
    links = links.loc[links["child"].isin(batches) & (links["child"] != links["source"])]
    sources = links[["child", "source"]].rename(columns={"child": "package"})
    would_inherit = sources.merge(lineage.tabs, left_on="source", right_on="package")
    would_inherit = pd.DataFrame(
        {"package": would_inherit["package_x"], "tested": would_inherit["tested"]}
    ).drop_duplicates()
    # A batch on a cycle would inherit its own results back: those it still shows.
    would_inherit = would_inherit.loc[would_inherit["package"] != would_inherit["tested"]]
    lost = would_inherit.merge(lineage.events, on="tested")
    lost = lost.drop_duplicates(["package", "event"])
    sizes = lost.groupby("package").agg(
        rows=("rows", "sum"), events=("event", "size"), tested_packages=("tested", "nunique")
    )
    return sizes.reindex(batches, fill_value=0)


def likely_intent(sources: list[dict[str, Any]], item_name: str, same_category: bool) -> list[str]:
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
    if not same_category:
        intents.append("category correction")
    return intents
