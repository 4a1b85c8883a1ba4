"""Package lineage: source links, children, cycles and every package's results tab.

Everything is whole-frame. A results tab is held as the tested packages it shows (see
tabs.py: linear in links and in those pairs, whatever the depth, and cycle-safe). The
chain through which a tab inherits from a tested package is found only for the packages
whose findings show it, by frontier expansion from those packages (`Lineage.tab_of`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from batchaudit.lineage.components import strong_components
from batchaudit.lineage.grouping import distinct_positions_in, positions_in, text_codes
from batchaudit.lineage.jobs import job_links, job_outputs, known_jobs
from batchaudit.lineage.lab_results import CodedRows, coded_rows, events_of
from batchaudit.lineage.observed import (
    released_only,
    unplaced_pulls,
    unreleased_in_tabs,
    with_observed_tabs,
)
from batchaudit.lineage.process_lots import with_job_outputs
from batchaudit.lineage.tabs import NO_PACKAGE, Ragged, tested_in_tabs
from batchaudit.lineage.test_groups import with_test_groups
from batchaudit.model.packs import Pack
from batchaudit.model.values import split_tag_list
from batchaudit.support.lazy import lazy
from batchaudit.support.side_by_side import alongside

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np, pd = lazy("numpy"), lazy("pandas")

__all__ = ["NO_PACKAGE", "Lineage", "build"]


@dataclass(frozen=True)
class Lineage:
    """The audited packages and everything derived from their links and lab results.

    packages: one row per tag, position = package code; adds batch_flag_known (some export
      of the package has the Production Batch field: without, its flag is unknown, not
      false), category_key, group,
      group_tested, category_known, children, on_cycle, the tab columns tab_rows,
      tab_events, tab_tested_packages, and the source facts (see `with_source_facts`).
    links: child, source (codes; source is NO_PACKAGE when unknown), source_tag, by_job (the
      source is an input of a loaded processing job the child came out of, not a listed
      source: no tab inherits through it, see jobs.py).
    tabs: package, tested (codes), sorted: tested (a package with test events, the package
      itself included) is in package's results tab.
    lab_rows: deduplicated lab-result rows with tested and event (codes; see lab_results.py).
    lab_table: the released lab-result rows as loaded (lab_rows' loaded_row places a row).
    events: one row per test event: tested (code), event, rows, date, passed, lab.
    observed: package, event, tested_tag, rows: the events a per-package pull shows.
    jobs: the loaded processing jobs' rows, with `job` (jobs.py); job_outputs: package, job.
    """

    packages: pd.DataFrame
    links: pd.DataFrame
    tabs: pd.DataFrame
    lab_rows: pd.DataFrame
    events: pd.DataFrame
    has_lab_results: bool
    # Lab-result rows (as exported) that name a tested package but carry a PackageId that
    # places no loaded package, with their file and first line (observed.py).
    unplaced_pulls: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(), repr=False)
    lab_table: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    # The observed tabs: per (package pulled for, test event), its tested package's tag and
    # rows, from the rows a per-package lab pull returned (observed.py).
    observed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(), repr=False)
    # The rows of results the lab has not released, as loaded: on no tab (observed.py).
    unreleased: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(), repr=False)
    jobs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(), repr=False)
    job_outputs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(), repr=False)
    # Views that several rules share, computed once on first use (see rules/test_types.py).
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def tab_of(self, start: pd.DataFrame) -> pd.DataFrame:
        """The closure of (package, ancestor, via) start pairs along inheriting links, as far
        as it leads to tested packages (ancestors with an empty tab are not expanded)."""
        relevant = self.packages["tab_tested_packages"].to_numpy() > 0
        batch = self.packages["production_batch"].to_numpy(dtype=bool)
        return inheritance(start, self.inheriting_links, batch, relevant)

    @property
    def inheriting_links(self) -> pd.DataFrame:
        """The links a results tab inherits through: not those of a processing job."""
        return inheriting(self.links)

    def unreleased_rows(self) -> int:
        """The rows of results the lab has not released, each once (as `lab_rows` are)."""
        coded = coded_rows(self.unreleased, self.packages[["tag", "package_id"]])
        return 0 if coded is None else len(coded.kept)


def build(
    packages: pd.DataFrame,
    lab_results: pd.DataFrame | None,
    pack: Pack,
    processing_jobs: pd.DataFrame | None = None,
) -> Lineage:
    packages = with_test_groups(packages.reset_index(drop=True), pack)
    jobs = known_jobs(processing_jobs)
    outputs = job_outputs(packages, jobs)
    packages = with_job_outputs(packages, pack, outputs)
    packages["batch_flag_known"] = _batch_flag_known(packages)
    released, unreleased = released_only(lab_results)
    # The lab side meets the package side only at the tabs: it is worked out in a thread
    # meanwhile, on a frame of its own (the tags and ids it places rows by); its rows and
    # events are made in a thread while the tabs are found from the packages tested.
    lab_job = functools.partial(coded_rows, released, packages[["tag", "package_id"]])
    with alongside(lab_job) as lab_side:
        links = source_links(packages, job_links(packages, jobs, outputs))
        real_children = (links["source"] != NO_PACKAGE) & (links["source"] != links["child"])
        packages["children"] = np.bincount(links["source"][real_children], minlength=len(packages))
        packages["on_cycle"] = on_cycle(links, len(packages))
        packages = with_source_facts(packages, links)
        coded = lab_side()
    with alongside(functools.partial(events_of, released, coded)) as events_side:
        batch = packages["production_batch"].to_numpy(dtype=bool)
        tabs = tested_in_tabs(inheriting(links), batch, _tested_packages(coded, len(packages)))
        lab_rows, events = events_side()
    packages = _with_tab_sizes(packages, tabs, events)
    # The tab a package shows also holds the rows pulled for it (observed.py).
    packages, observed = with_observed_tabs(packages, tabs, events, released)
    packages["tab_rows_unreleased"] = unreleased_in_tabs(packages, inheriting(links), unreleased)
    unplaced = unplaced_pulls(released, packages)
    return Lineage(
        packages,
        links,
        tabs,
        lab_rows,
        events,
        lab_results is not None,
        unplaced,
        released,
        observed=observed,
        unreleased=unreleased,
        jobs=jobs,
        job_outputs=outputs,
    )


def _tested_packages(coded: CodedRows | None, size: int) -> np.ndarray:
    """The loaded packages (of `size`) with a test event, ascending (the events' tested
    packages): marked among the packages, not sorted (0.36 s for the rows of 10^6)."""
    if coded is None:
        return np.zeros(0, dtype=np.int64)
    tested = np.zeros(size, dtype=bool)
    tested[coded.tested[(coded.tested != -1) & (coded.event != -1)]] = True
    return np.flatnonzero(tested).astype(np.int64, copy=False)


def inheriting(links: pd.DataFrame) -> pd.DataFrame:
    """The links a results tab inherits through: the listed sources, not a job's inputs."""
    if "by_job" not in links or not links["by_job"].any():
        return links
    return links.loc[~links["by_job"].to_numpy(dtype=bool)].reset_index(drop=True)


def source_links(packages: pd.DataFrame, by_job: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per distinct (child, listed source); unknown sources keep their tag. The
    inputs of a job an output came out of (`by_job`: child, source_tag) follow, marked."""
    listed = split_tag_list(packages["source_package_tags"])
    # Tags as codes: duplicates found on integers, each distinct tag looked up once.
    tag_code, tags = text_codes(listed)
    child = listed.index.to_numpy()
    first = ~pd.Series(child * max(len(tags), 1) + tag_code).duplicated().to_numpy()
    every = bool(first.all())  # usually: no copy of the tags
    links = pd.DataFrame(
        {
            "child": child if every else child[first],
            "source_tag": listed.array if every else listed.array[first],
        }
    )
    code = tag_code if every else tag_code[first]
    found = distinct_positions_in(tags, packages["tag"])
    links["source"] = np.where(code >= 0, found[code.clip(min=0)], NO_PACKAGE)
    links["by_job"] = np.zeros(len(links), dtype=bool)
    if by_job is None or by_job.empty:
        return links
    position = positions_in(by_job["source_tag"], packages["tag"])
    job = pd.DataFrame(
        {
            "child": by_job["child"].to_numpy(np.int64),
            "source_tag": by_job["source_tag"].astype(links["source_tag"].dtype).array,
            "source": np.where(position >= 0, position, NO_PACKAGE),
            "by_job": np.ones(len(by_job), dtype=bool),
        }
    )
    return pd.concat([links, job], ignore_index=True)


def on_cycle(links: pd.DataFrame, size: int) -> np.ndarray:
    """Packages on a cycle of source links: in a strongly connected component of two or
    more, or listing themselves."""
    child, source = links["child"].to_numpy(np.int64), links["source"].to_numpy(np.int64)
    known = source != NO_PACKAGE
    child, source = child[known], source[known]
    _, component = strong_components(child, source, size)
    component_size = np.bincount(component, minlength=size)[component] if size else component
    cycle = component_size > 1
    cycle[child[child == source]] = True  # a package listing itself
    return cycle


def inheritance(
    start: pd.DataFrame,
    links: pd.DataFrame,
    production_batch: np.ndarray,
    relevant: np.ndarray | None = None,
) -> pd.DataFrame:
    """Expand (package, ancestor, via) pairs along links whose child is not a production batch:
    the ancestors whose own results a package's results tab shows, breadth first, each pair
    from the first path that reaches it. With `relevant` (a mask of packages), ancestors
    outside it are not expanded: packages with an empty tab lead to no tested package.

    One generation per link of depth, each a few whole-array steps (no frame operations),
    so a chain of 100,000 costs seconds, not minutes."""
    child, source = links["child"].to_numpy(np.int64), links["source"].to_numpy(np.int64)
    keep = source != NO_PACKAGE
    keep[keep] = ~np.asarray(production_batch, dtype=bool)[child[keep]]
    if relevant is not None:
        keep[keep] = relevant[source[keep]]
    size = max(len(production_batch), 1)
    sources = Ragged.of(child[keep], source[keep], size)
    first = start.drop_duplicates(["package", "ancestor"])
    package, ancestor = first["package"].to_numpy(np.int64), first["ancestor"].to_numpy(np.int64)
    found = [(package, ancestor, first["via"].to_numpy(np.int64))]
    width = np.int64(size)
    seen = set((package * width + ancestor).tolist())
    while len(package):
        position, reached = sources.take(ancestor)
        key = package[position] * width + reached
        _, at = np.unique(key, return_index=True)
        fresh = np.zeros(len(key), dtype=bool)
        fresh[at] = True  # the first of each pair in this generation
        fresh[fresh] = [k not in seen for k in key[fresh].tolist()]
        seen.update(key[fresh].tolist())
        via = ancestor[position][fresh]
        package, ancestor = package[position][fresh], reached[fresh]
        found.append((package, ancestor, via))
    columns = zip(("package", "ancestor", "via"), zip(*found, strict=True), strict=True)
    return pd.DataFrame({name: np.concatenate(parts) for name, parts in columns})


def _with_tab_sizes(
    packages: pd.DataFrame, tabs: pd.DataFrame, events: pd.DataFrame
) -> pd.DataFrame:
    """Per package, the rows, events and tested packages its tab shows: counts per tested
    package, summed over the tab's pairs (every tested package in a tab has events)."""
    size = len(packages)
    tested = events["tested"].to_numpy(np.int64)
    rows = np.bincount(tested, weights=events["rows"].to_numpy(np.float64), minlength=size)
    held = np.bincount(tested, minlength=size)
    package, shown = tabs["package"].to_numpy(np.int64), tabs["tested"].to_numpy(np.int64)
    packages["tab_rows"] = np.bincount(package, weights=rows[shown], minlength=size)
    packages["tab_events"] = np.bincount(package, weights=held[shown], minlength=size)
    packages["tab_tested_packages"] = np.bincount(package, minlength=size)
    for column in ("tab_rows", "tab_events", "tab_tested_packages"):
        packages[column] = packages[column].to_numpy().astype(np.int64)
    return packages


def with_source_facts(packages: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """What the production-batch rules read about each package's sources, whole-frame:

    sources_listed, sources_known: how many sources the package lists, and how many are loaded.
    sources_checkable: the package can be judged against its sources: it lists at least one,
      every one is loaded and has a category, its own category and Production Batch flag are
      stated (a transferred-packages response has no flag), and it is not on a cycle (whose
      lineage cannot be trusted).
    sources_same_category: every known source has exactly the package's category.
    sources_same_group: every known source is in the package's test group.
    source_in_other_tested_group: a known source is in another group, both groups tested.
    """
    known = (links["source"] != NO_PACKAGE).to_numpy()
    child = links["child"].to_numpy(np.int64)
    source = links["source"].to_numpy(np.int64).clip(min=0)
    category = packages["category_key"]
    # Categories and groups compared as codes (a missing value equals nothing).
    category_code = pd.factorize(category)[0]
    group_code = pd.factorize(packages["group"])[0]
    tested = packages["group_tested"].to_numpy(dtype=bool)
    same_group = known & (group_code[child] == group_code[source]) & (group_code[child] >= 0)
    same_category = (
        known & (category_code[child] == category_code[source]) & (category_code[child] >= 0)
    )
    categorised = ~known | (category != "").to_numpy(dtype=bool)[source]
    other_tested_group = known & ~same_group & tested[child] & tested[source]
    # Per package, counts over its links: "all" is every link, "any" is at least one.
    size = len(packages)
    listed = np.bincount(child, minlength=size)
    loaded = np.bincount(child[known], minlength=size)
    has_links = listed > 0
    packages["sources_listed"] = listed
    packages["sources_known"] = loaded
    packages["sources_checkable"] = (
        has_links
        & (loaded == listed)
        & (np.bincount(child[categorised], minlength=size) == listed)
        & (category != "").to_numpy(dtype=bool)
        & _batch_flag_known(packages)
        & ~packages["on_cycle"].to_numpy(dtype=bool)
    )
    packages["sources_same_category"] = has_links & (
        np.bincount(child[same_category], minlength=size) == listed
    )
    packages["sources_same_group"] = has_links & (
        np.bincount(child[same_group], minlength=size) == listed
    )
    packages["source_in_other_tested_group"] = (
        np.bincount(child[other_tested_group], minlength=size) > 0
    )
    return packages


def _batch_flag_known(packages: pd.DataFrame) -> np.ndarray:
    if "batch_flag_known" not in packages:  # tables made without ingest know every flag
        return np.ones(len(packages), dtype=bool)
    return packages["batch_flag_known"].to_numpy(dtype=bool)
