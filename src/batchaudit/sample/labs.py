"""Lab results of the packages the licensee tested, as Metrc's API fields in CSV columns.

One row per test type of a result (test event). Failed lots that were retested or
remediated have a failing result and then a passing one. Some results are also listed
under a later package that inherited them, as per-package API pulls return them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from batchaudit.lineage.tabs import tested_in_tabs
from batchaudit.sample import catalog
from batchaudit.sample import rates as r
from batchaudit.sample.lineage import PASSING_STATES, BoolArray, IntArray, Lineage, TextArray
from batchaudit.sample.story import TESTED_HERE

LAB_COLUMNS = [
    "PackageId", "LabTestResultId", "LabFacilityLicenseNumber", "LabFacilityName",
    "SourcePackageLabel", "ProductName", "ProductCategoryName", "TestPerformedDate",
    "OverallPassed", "RevokedDate", "LabTestResultDocumentFileId", "ResultReleased",
    "ResultReleaseDateTime", "ExpirationDateTime", "TestTypeName", "TestPassed",
    "TestResultLevel", "TestComment", "TestInformationalOnly", "LabTestDetailRevokedDate",
]  # fmt: skip
MATRIX = {
    "Buds": catalog.FLOWER,
    "Shake/Trim": catalog.FLOWER,
    "Concentrate": catalog.CONCENTRATE,
    "Extracts": catalog.CONCENTRATE,
    "Edibles": catalog.EDIBLE,
}
TEST_TYPES = [t for panel in catalog.PANELS for t in panel]
PANEL_START = np.cumsum([0, *(len(p) for p in catalog.PANELS)])[:-1]
FAILED_LINE_COMMENT = "Result above action level"


class Events(NamedTuple):
    """One entry per lab result (test event)."""

    package: IntArray
    passed: BoolArray
    lines: IntArray
    matrix: IntArray
    day: IntArray
    hour: IntArray
    lab: IntArray
    result_id: IntArray
    revoked: BoolArray
    once: BoolArray  # the package's only result


def _events(lineage: Lineage, rng: np.random.Generator) -> Events:
    state = lineage.testing_state
    tested = np.isin(lineage.kind, TESTED_HERE) & np.isin(state, ("TestFailed", *PASSING_STATES))
    retested = np.isin(state, ("RetestPassed", "Remediated"))
    per_package = np.where(retested, 2, 1) * tested
    package = np.repeat(np.arange(len(state)), per_package)
    second = np.r_[False, package[1:] == package[:-1]]
    first_of_two = retested[package] & ~second
    passed = ~(first_of_two | (state[package] == "TestFailed"))
    matrix = pd.Series(lineage.category[package]).map(MATRIX).to_numpy().astype(np.int64)
    low, high = np.array(catalog.PANEL_LINES).T
    lines = rng.integers(low[matrix], high[matrix] + 1)
    day = lineage.packaged_day[package] + rng.integers(2, 10, len(package))
    day += np.where(second, rng.integers(14, 36, len(package)), 0)
    order = np.lexsort((package, day))
    result_id = np.empty(len(package), dtype=np.int64)
    result_id[order] = catalog.FIRST_LAB_TEST_RESULT_ID + np.arange(len(package))
    size = len(package)
    return Events(
        package=package,
        passed=passed,
        lines=lines,
        matrix=matrix,
        day=day,
        hour=rng.integers(15, 24, size),
        lab=rng.integers(len(catalog.LABS), size=size),
        result_id=result_id,
        revoked=first_of_two & (rng.random(size) < r.REVOKED_RETEST_RESULT_RATE),
        once=per_package[package] == 1,
    )


def _heirs(lineage: Lineage) -> IntArray:
    """For each package, one later package that inherits its results (-1 when none)."""
    heir = np.full(len(lineage.tag), -1, dtype=np.int64)
    inherits = ~lineage.production_batch[lineage.edge_child]
    sources, at = np.unique(lineage.edge_source[inherits], return_index=True)
    heir[sources] = lineage.edge_child[inherits][at]
    return heir


def _timestamps(day: IntArray, hour: IntArray) -> TextArray:
    iso = np.datetime_as_string(day.astype("datetime64[D]"))
    return np.array(
        [f"{d}T{h:02d}:00:00+00:00" for d, h in zip(iso, hour.tolist(), strict=True)], dtype=object
    )


def _texts(*values: str) -> TextArray:
    return np.array(values, dtype=object)


def _numbers(values: IntArray) -> TextArray:
    return values.astype(str).astype(object)


def _documents(result_id: IntArray, rng: np.random.Generator) -> TextArray:
    """The result's PDF certificate id; a few results have none attached."""
    document = _numbers(catalog.FIRST_DOCUMENT_FILE_ID + result_id * 7 % 1_000_003)
    document[rng.random(len(result_id)) >= 0.9] = ""
    return document


class Lines(NamedTuple):
    """One entry per line (test type) of a result, each result listed once."""

    event: IntArray
    line: IntArray
    test_type: IntArray
    failed: BoolArray
    level: TextArray
    informational: BoolArray
    revoked: BoolArray


def _lines(ev: Events, rng: np.random.Generator) -> Lines:
    """A failed result fails on its last line: a contaminant, moisture or homogeneity."""
    event = np.repeat(np.arange(len(ev.package)), ev.lines)
    line = np.arange(len(event)) - np.repeat(np.cumsum(ev.lines) - ev.lines, ev.lines)
    test_type = PANEL_START[ev.matrix[event]] + line
    failed = ~ev.passed[event] & (line == ev.lines[event] - 1)
    bounds = np.array([t[1:] for t in TEST_TYPES])[test_type]
    low = np.where(failed, bounds[:, 2], bounds[:, 0])
    high = np.where(failed, bounds[:, 3], bounds[:, 1])
    level = np.array([f"{v:.2f}" for v in rng.uniform(low, high).tolist()], dtype=object)
    informational = ~failed & (rng.random(len(event)) < r.INFORMATIONAL_ONLY_LINE_RATE)
    revoked = ~failed & (rng.random(len(event)) < r.REVOKED_RESULT_LINE_RATE)
    return Lines(event, line, test_type, failed, level, informational, revoked)


class Listing(NamedTuple):
    line: IntArray  # index into Lines
    package: IntArray  # the package the line is listed under


def _listing(lineage: Lineage, ev: Events, lines: Lines, rng: np.random.Generator) -> Listing:
    """Which lines appear under which package, sorted as per-package API pulls concatenate."""
    heir = _heirs(lineage)[ev.package]
    repeatable = ev.once & (heir >= 0)
    chance = r.REPEATED_INHERITED_RESULT_RATE * len(ev.package) / max(1, repeatable.sum())
    repeated = repeatable & (rng.random(len(ev.package)) < chance)
    line = np.concatenate([np.arange(len(lines.event)), np.flatnonzero(repeated[lines.event])])
    event = lines.event[line]
    package = np.where(np.arange(len(line)) < len(lines.event), ev.package[event], heir[event])
    order = np.lexsort((lines.line[line], ev.result_id[event], package))
    return Listing(line[order], package[order])


def _pulls(lineage: Lineage, ev: Events, lines: Lines) -> Listing:
    """Every package's whole Lab Results tab (its own results and, unless it is a production
    batch, its sources' tabs) listed under it, as per-package API pulls concatenate."""
    links = pd.DataFrame({"child": lineage.edge_child, "source": lineage.edge_source})
    tabs = tested_in_tabs(links, lineage.production_batch, np.unique(ev.package))
    # Results are grouped by tested package and lines by result: one range per package.
    per_package = np.bincount(ev.package[lines.event], minlength=len(lineage.tag))
    first = np.cumsum(per_package) - per_package
    tested = tabs["tested"].to_numpy()
    count = per_package[tested]
    under = np.repeat(tabs["package"].to_numpy(), count)
    line = np.repeat(first[tested], count) + (
        np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    )
    event = lines.event[line]
    order = np.lexsort((lines.line[line], ev.result_id[event], under))
    return Listing(line[order], under[order])


def lab_results(lineage: Lineage, rng: np.random.Generator, pulls: bool = False) -> pd.DataFrame:
    """Every line of every result, once under the tested package and sometimes again; with
    `pulls`, every package's whole tab under it (the random draws are the same either way)."""
    ev = _events(lineage, rng)
    lines = _lines(ev, rng)
    listed, under = _listing(lineage, ev, lines, rng)
    if pulls:
        listed, under = _pulls(lineage, ev, lines)
    at = lines.event[listed]
    tested = ev.package[at]
    performed = _timestamps(ev.day, ev.hour)
    labs = np.array(catalog.LABS, dtype=object)
    true_false = _texts("false", "true")

    def yes_no(values: BoolArray) -> TextArray:
        return true_false[values.view(np.int8)]

    return pd.DataFrame(
        {
            "PackageId": _numbers(catalog.FIRST_PACKAGE_ID + under),
            "LabTestResultId": _numbers(ev.result_id)[at],
            "LabFacilityLicenseNumber": labs[ev.lab[at], 0],
            "LabFacilityName": labs[ev.lab[at], 1],
            "SourcePackageLabel": lineage.tag[tested],
            "ProductName": lineage.item[tested],
            "ProductCategoryName": lineage.category[tested],
            "TestPerformedDate": performed[at],
            "OverallPassed": yes_no(ev.passed[at]),
            "RevokedDate": np.where(ev.revoked, _timestamps(ev.day + 20, ev.hour), "")[at],
            "LabTestResultDocumentFileId": _documents(ev.result_id, rng)[at],
            "ResultReleased": yes_no(np.ones(len(listed), dtype=bool)),
            "ResultReleaseDateTime": _timestamps(ev.day + 2, ev.hour)[at],
            "ExpirationDateTime": _timestamps(ev.day + 365, ev.hour)[at],
            "TestTypeName": np.array([t.name for t in TEST_TYPES], dtype=object)[
                lines.test_type[listed]
            ],
            "TestPassed": yes_no(~lines.failed[listed]),
            "TestResultLevel": lines.level[listed],
            "TestComment": _texts("", FAILED_LINE_COMMENT)[lines.failed[listed].view(np.int8)],
            "TestInformationalOnly": yes_no(lines.informational[listed]),
            "LabTestDetailRevokedDate": np.where(lines.revoked[listed], performed[at], ""),
        },
        dtype=object,
    )
