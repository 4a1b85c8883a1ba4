"""One package's lineage as a view: its sources up to production batches and harvests, its
descendants, its results tab and the findings on it, as `batchaudit trace` shows it in the
terminal (`cli/terminal/trace.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from batchaudit.ingest.shapes import METRC_API_TRANSFERRED
from batchaudit.lineage.build import NO_PACKAGE, Lineage, inheritance
from batchaudit.lineage.tab_chains import tested_packages_in_tabs
from batchaudit.model.fields import FILE, LINE, SHAPE
from batchaudit.model.findings import Finding, Source

# A trace is for reading: beyond this many packages a branch says how many more there are.
MAX_NODES = 250


@dataclass
class Node:
    tag: str
    known: bool = True
    item: str = ""
    category: str = ""
    group: str = ""
    # None: no export of the package has the Production Batch field (a transfer's record).
    production_batch: bool | None = False
    production_batch_number: str = ""
    testing_state: str = ""
    quantity: str = ""
    # For a package this licensee sent: to whom, and when the recipient received it.
    recipient: str = ""
    recipient_received: str = ""
    note: str = ""
    branches: list[Node] = field(default_factory=list)
    hidden: int = 0


@dataclass(frozen=True)
class TabEntry:
    tag: str
    category: str
    events: list[dict[str, Any]]
    passed_rows: int
    failed_rows: int
    inherited_through: list[str]
    seen: str = "derived"  # derived (lineage), observed (a per-package pull) or both


@dataclass(frozen=True)
class UnreleasedRow:
    """A row of a result the lab has not released, which the package's tab would show."""

    tested_package: str
    test_type: str
    date: str
    lab: str
    where: str  # file and line


@dataclass(frozen=True)
class TraceView:
    package: Node
    sources: Node
    descendants: Node
    tab_rows: int
    tab_events: int
    tab: list[TabEntry]
    findings: list[Finding]
    # On no tab: counted and listed apart from it.
    unreleased: list[UnreleasedRow] = field(default_factory=list)
    # The processing jobs it came out of or went into, each as a step of the lineage.
    jobs: list[str] = field(default_factory=list)


def trace(lineage: Lineage, findings: Sequence[Finding], tag: str) -> TraceView | None:
    """The view of the package tagged `tag`, with its findings among `findings`; None when
    no package has that tag."""
    codes = pd.Index(lineage.packages["tag"])
    if tag not in codes:
        return None
    code = int(codes.get_loc(tag))
    walk = _Walk(lineage)
    row = lineage.packages.iloc[code]
    return TraceView(
        package=walk.node(code),
        sources=walk.up(code),
        descendants=walk.down(code),
        tab_rows=int(row["tab_rows"]),
        tab_events=int(row["tab_events"]),
        tab=_tab(lineage, code),
        findings=[f for f in findings if f.package_tag == tag],
        unreleased=_unreleased(lineage, code),
        jobs=job_steps(lineage, code),
    )


def job_steps(lineage: Lineage, code: int) -> list[str]:
    """Each processing job the package came out of or went into, as one line: "job MN001
    Extraction, 2024-03-02: inputs ... -> outputs ..."; a job its export names that no
    loaded processing-jobs export holds is said to be so."""
    tag = lineage.packages["tag"].iloc[code]
    jobs, outputs = lineage.jobs, lineage.job_outputs
    made = outputs.loc[outputs["package"] == code, "job"].tolist() if len(outputs) else []
    used = jobs.loc[jobs["input_tag"] == tag, "job"].tolist() if len(jobs) else []
    steps = [_step(lineage, job) for job in dict.fromkeys([*made, *used])]
    named = str(lineage.packages["processing_job"].iloc[code])
    if named and not made:
        steps.append(f"came out of job {named} (no processing-jobs export of it is loaded)")
    return steps


def _step(lineage: Lineage, job: str) -> str:
    rows = lineage.jobs.loc[lineage.jobs["job"] == job]
    first = rows.iloc[0]
    number, name = str(first.get("job_number", "")), str(first.get("job_name", ""))
    title = " ".join(dict.fromkeys(part for part in (number, name) if part))
    kind = str(first.get("job_type", "") or "")
    day = first.get("job_finished_date", pd.NaT)
    if pd.isna(day):
        day = first.get("job_start_date", pd.NaT)
    when = "" if pd.isna(day) else f", {pd.Timestamp(day).strftime('%Y-%m-%d')}"
    inputs = [t for t in dict.fromkeys(rows["input_tag"].tolist()) if t]
    made = lineage.job_outputs.loc[lineage.job_outputs["job"] == job, "package"]
    outputs = lineage.packages["tag"].iloc[made.to_numpy(np.int64)].tolist()
    kind = f" {kind}" if kind else ""
    listed = ", ".join(inputs) or "none listed"
    return f"job {title}{kind}{when}: inputs {listed} -> outputs {', '.join(outputs) or 'none'}"


class _Walk:
    """Walks the links around one package, each package shown once, within MAX_NODES."""

    def __init__(self, lineage: Lineage) -> None:
        self.packages = lineage.packages
        links = lineage.links
        if "by_job" not in links:
            links = links.assign(by_job=False)
        self.sources = links.groupby("child")[["source", "source_tag", "by_job"]].agg(list)
        known = links.loc[(links["source"] != NO_PACKAGE) & (links["source"] != links["child"])]
        self.children = known.groupby("source")["child"].agg(list)
        self.budget = MAX_NODES

    def node(self, code: int) -> Node:
        row = self.packages.iloc[code]
        quantity = "" if pd.isna(row["quantity"]) else f"{row['quantity']:,.2f} {row['unit']}"
        if quantity and row.get(SHAPE) == METRC_API_TRANSFERRED.name:
            quantity += " shipped"  # a transfer's record gives the shipment's quantity
        received = row.get("recipient_received_date", pd.NaT)
        return Node(
            tag=row["tag"],
            item=row["item_name"],
            category=row["category"],
            group=row["group"],
            production_batch=(
                bool(row["production_batch"]) if row.get("batch_flag_known", True) else None
            ),
            production_batch_number=row["production_batch_number"],
            testing_state=row["lab_testing_state"],
            quantity=quantity.strip(),
            recipient=str(row.get("recipient_license", "") or ""),
            recipient_received="" if pd.isna(received) else received.strftime("%Y-%m-%d"),
        )

    def up(self, start: int) -> Node:
        """Sources, and theirs, up to production batches (where tabs start) and harvests."""
        self.budget = MAX_NODES
        root = self.node(start)
        seen = {start}
        stack = [(root, start)]
        while stack:
            parent, code = stack.pop()
            if code != start and parent.production_batch:
                parent.note = "production batch: its results tab starts here"
                continue
            if code not in self.sources.index:
                harvests = self.packages.iloc[code]["source_harvest_names"]
                parent.note = f"from harvest {harvests}" if harvests else "no source packages"
                continue
            listed = self.sources.loc[code]
            if any(listed["by_job"]):
                parent.note = "its sources are the inputs of its processing job"
            for source, source_tag in zip(listed["source"], listed["source_tag"], strict=True):
                stack.extend(self._branch(parent, int(source), source_tag, seen))
        return root

    def down(self, start: int) -> Node:
        """Children, and theirs."""
        self.budget = MAX_NODES
        root = self.node(start)
        seen = {start}
        stack = [(root, start)]
        while stack:
            parent, code = stack.pop()
            for child in self.children.get(code, []):
                stack.extend(self._branch(parent, int(child), "", seen))
        return root

    def _branch(self, parent: Node, code: int, tag: str, seen: set[int]) -> list[tuple[Node, int]]:
        if self.budget <= 0:
            parent.hidden += 1
            return []
        self.budget -= 1
        if code == NO_PACKAGE:
            parent.branches.append(Node(tag, known=False, note="not in the loaded exports"))
            return []
        branch = self.node(code)
        parent.branches.append(branch)
        if code in seen:
            branch.note = "shown above (lineage cycle or shared source)"
            return []
        seen.add(code)
        return [(branch, code)]


def _tab(lineage: Lineage, code: int) -> list[TabEntry]:
    tested = tested_packages_in_tabs(lineage, np.array([code])).get(code, [])
    rows = lineage.lab_rows
    in_tab = rows["tested_tag"].isin([entry["tag"] for entry in tested])
    counted = rows.loc[in_tab & rows["counts"] & rows["test_passed"].notna()]
    passed = counted["test_passed"].astype(bool)
    outcome = pd.DataFrame({"passed": passed, "failed": ~passed, "tag": counted["tested_tag"]})
    outcome = outcome.groupby("tag")[["passed", "failed"]].sum()
    return [
        TabEntry(
            tag=entry["tag"],
            category=entry["category"],
            events=entry["events"],
            passed_rows=int(outcome["passed"].get(entry["tag"], 0)),
            failed_rows=int(outcome["failed"].get(entry["tag"], 0)),
            inherited_through=entry["inherited_through"],
            seen=entry.get("seen", "derived"),
        )
        for entry in tested
    ]


def _unreleased(lineage: Lineage, code: int) -> list[UnreleasedRow]:
    """The unreleased rows of the package and of the sources its tab inherits from (as
    released ones would be), and those pulled for it by its Id."""
    rows = lineage.unreleased
    if rows.empty:
        return []
    packages = lineage.packages
    start = pd.DataFrame({"package": [code], "ancestor": [code], "via": [code]})
    batch = packages["production_batch"].to_numpy(dtype=bool)
    # Its own tab starts at itself even when it is a production batch.
    ancestors = inheritance(start, lineage.inheriting_links, batch)["ancestor"].to_numpy()
    tags = packages["tag"].to_numpy(dtype=object)[ancestors]
    own_id = packages["package_id"].iloc[code]
    shown = rows["tested_package"].isin(tags) | ((rows["package_id"] == own_id) & (own_id != ""))
    dates = rows["test_performed_date"].dt.strftime("%Y-%m-%d").fillna("undated")
    lab = rows["lab_name"].where(rows["lab_name"] != "", rows["lab_license"])
    return [
        UnreleasedRow(str(tested), str(kind), str(date), str(by), Source(file, line).describe())
        for tested, kind, date, by, file, line in zip(
            rows["tested_package"][shown],
            rows["test_type"][shown],
            dates[shown],
            lab[shown],
            rows[FILE][shown],
            rows[LINE][shown],
            strict=True,
        )
    ]
