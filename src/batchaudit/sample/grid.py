"""The lineage written as Metrc's Packages web-grid export (full column titles), with the
spelling variety real exports show: Yes/True/blank flags, spaced testing states, trailing
separators in source lists and thousands separators in quantities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from batchaudit.sample import catalog
from batchaudit.sample import rates as r
from batchaudit.sample.lineage import BoolArray, IntArray, Lineage, TextArray

ACTIVE_COLUMNS = [
    "Tag", "Source Harvest(s)", "Source Package(s)", "Location", "Item", "Category",
    "Item Strain", "Unit THC Content", "Unit CBD Content", "Quantity", "Unit of Measure",
    "Production Batch", "Production Batch Number", "Source Production Batch", "Lab Testing",
    "Testing Sample", "Product Requires Remediation", "Contains Remediated Product",
    "Administrative Hold", "Packaged Date", "Packaged By", "Received", "Received From",
]  # fmt: skip
INACTIVE_COLUMNS = [*ACTIVE_COLUMNS, "Finished", "Discontinued"]
JOB_COLUMN = "Source Processing Job(s)"

SPACED_STATES = {
    "TestPassed": "Test Passed",
    "NotSubmitted": "Not Submitted",
    "TestFailed": "Test Failed",
    "RetestPassed": "Retest Passed",
    "SubmittedForTesting": "Submitted For Testing",
    "TestingInProgress": "Testing In Progress",
    "NotRequired": "Not Required",
}
QUARANTINED_STATES = ("TestFailed", "TestingInProgress", "SubmittedForTesting")


def _flags(style: IntArray) -> dict[bool, TextArray]:
    """The Yes and No spellings of each row: 0 Yes/No, 1 True/False, 2 Yes/blank."""
    yes = np.where(style == 1, "True", "Yes").astype(object)
    no = np.select([style == 1, style == 2], ["False", ""], "No").astype(object)
    return {True: yes, False: no}


def _dates(day: IntArray) -> TextArray:
    """MM/DD/YYYY, formatted once per distinct day."""
    days, at = np.unique(day, return_inverse=True)
    iso = np.datetime_as_string(days.astype("datetime64[D]"))
    text = np.array([f"{d[5:7]}/{d[8:10]}/{d[:4]}" for d in iso], dtype=object)
    return text[at.reshape(-1)]


def _received(lineage: Lineage) -> TextArray:
    """MM/DD/YYYY hh:mm am for received packages, blank for the rest."""
    received = lineage.received_from != ""
    minute = lineage.received_minute[received]
    date = _dates(minute // 1440)
    clock = [
        f"{(m // 60 - 1) % 12 + 1:02d}:{m % 60:02d} {'pm' if m >= 720 else 'am'}"
        for m in (minute % 1440).tolist()
    ]
    text = np.full(len(received), "", dtype=object)
    text[received] = [f"{d} {c}" for d, c in zip(date, clock, strict=True)]
    return text


def _sources(lineage: Lineage, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """Source Package(s) and Source Production Batch of every package."""
    size = len(lineage.tag)
    begin = np.searchsorted(lineage.edge_child, np.arange(size))
    end = np.searchsorted(lineage.edge_child, np.arange(size), side="right")
    source_tags = lineage.tag[lineage.edge_source].tolist()
    source_batches = lineage.batch_number[lineage.edge_source].tolist()
    trailing = rng.random(size) < r.TRAILING_SEPARATOR_RATE
    packages, batches = [], []
    for i, (b, e) in enumerate(zip(begin.tolist(), end.tolist(), strict=True)):
        listed = ", ".join(source_tags[b:e]) or lineage.unknown_sources[i]
        packages.append(f"{listed}, " if listed and trailing[i] else listed)
        batches.append(", ".join(dict.fromkeys(n for n in source_batches[b:e] if n)))
    return packages, batches


def _shown_sources(lineage: Lineage, rng: np.random.Generator) -> tuple[TextArray, list[str]]:
    """Source Package(s) as the grid shows them: blank where a job lists the inputs."""
    listed, source_batches = _sources(lineage, rng)
    sources = np.asarray(listed, dtype=object)
    if lineage.sources_hidden is not None:
        sources = np.where(lineage.sources_hidden, "", sources)
    return sources, source_batches


def _unit_potency(lineage: Lineage, rng: np.random.Generator) -> tuple[TextArray, TextArray]:
    """Unit THC/CBD Content: mostly blank, filled on some pre-rolls and edibles (each)."""
    size = len(lineage.tag)
    unit_mg = {"Non-Infused (Plain) Pre-Roll": 220.0, "Edibles (each)": 50.0}
    typical = pd.Series(lineage.category).map(unit_mg).to_numpy(dtype=float, na_value=np.nan)
    filled = ~np.isnan(typical) & (rng.random(size) < r.UNIT_POTENCY_FILLED_RATE)
    thc, cbd = np.full(size, "", dtype=object), np.full(size, "", dtype=object)
    thc_mg = typical[filled] * rng.uniform(0.9, 1.1, filled.sum())
    thc[filled] = [f"{v:.2f}" for v in thc_mg]
    cbd[filled] = [f"{v:.2f}" for v in rng.uniform(0, 2, filled.sum())]
    return thc, cbd


def package_grids(lineage: Lineage, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Active and Inactive tabs: finished or discontinued packages are inactive."""
    size = len(lineage.tag)
    other = r.TRUE_FALSE_BOOLEAN_RATE + r.BLANK_FOR_NO_RATE
    style = rng.choice(3, size, p=[1 - other, r.TRUE_FALSE_BOOLEAN_RATE, r.BLANK_FOR_NO_RATE])
    spell = _flags(style)

    def flag(values: BoolArray) -> TextArray:
        return np.where(values, spell[True], spell[False])

    # Production Batch is never blank: the DuckDB peer the benchmark compares against reads
    # a blank as NULL (neither yes nor no) and would count different findings.
    batch_spell = _flags(np.where(style == 2, 0, style))
    production_batch = np.where(lineage.production_batch, batch_spell[True], batch_spell[False])

    state = lineage.testing_state.copy()
    spaced = (rng.random(size) < r.SPACED_TESTING_STATE_RATE) & np.isin(state, list(SPACED_STATES))
    state[spaced] = [SPACED_STATES[s] for s in state[spaced]]
    location = pd.Series(lineage.category).map(catalog.LOCATIONS).to_numpy(dtype=object)
    location[np.isin(lineage.testing_state, QUARANTINED_STATES)] = catalog.QUARANTINE_LOCATION
    sources, source_batches = _shown_sources(lineage, rng)
    thc, cbd = _unit_potency(lineage, rng)
    grid = pd.DataFrame(
        {
            "Tag": lineage.tag,
            "Source Harvest(s)": lineage.harvest_names,
            "Source Package(s)": sources,
            "Location": location,
            "Item": lineage.item,
            "Category": lineage.category,
            "Item Strain": lineage.strain,
            "Unit THC Content": thc,
            "Unit CBD Content": cbd,
            "Quantity": [f"{q:,.2f}" for q in lineage.quantity.tolist()],
            "Unit of Measure": lineage.unit,
            "Production Batch": production_batch,
            "Production Batch Number": lineage.batch_number,
            "Source Production Batch": source_batches,
            "Lab Testing": state,
            "Testing Sample": flag(lineage.testing_sample),
            "Product Requires Remediation": flag(lineage.requires_remediation),
            "Contains Remediated Product": flag(lineage.contains_remediated),
            "Administrative Hold": flag(lineage.administrative_hold),
            "Packaged Date": _dates(lineage.packaged_day),
            "Packaged By": catalog.LICENSE_NUMBER,
            "Received": _received(lineage),
            "Received From": lineage.received_from,
            "Finished": flag(lineage.finished),
            "Discontinued": flag(lineage.discontinued),
        },
        dtype=object,
    )
    active, inactive_columns = ACTIVE_COLUMNS, INACTIVE_COLUMNS
    if lineage.processing_job is not None:
        grid.insert(3, JOB_COLUMN, lineage.processing_job)
        active, inactive_columns = (_with_jobs(c) for c in (active, inactive_columns))
    inactive = lineage.finished | lineage.discontinued
    active_tab = grid.loc[~inactive, active].reset_index(drop=True)
    inactive_tab = grid.loc[inactive, inactive_columns].reset_index(drop=True)
    return active_tab, inactive_tab


def _with_jobs(columns: list[str]) -> list[str]:
    """The columns with Source Processing Job(s) after Source Package(s), as Metrc has it."""
    at = columns.index("Source Package(s)") + 1
    return [*columns[:at], JOB_COLUMN, *columns[at:]]
