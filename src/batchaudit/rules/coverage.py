"""What each rule checked, package by package (spec: "What was checked").

A rule runs on every package whose data allows it. A package whose files lack a field the
rule needs is *not checked* by that rule: its findings would rest on a blank (a missing
batch number, no sources) and are not made. A rule may name packages it could not judge
for reasons of its own (`Rule.not_checked`: a source that is not loaded, a lineage that
passes through a file without sources); those are not checked unless the rule found
something on them anyway, which the partial data already shows. A rule may also judge some
packages whose files lack a field (`Rule.judged_anyway`: a tab a lab pull shows whole).
Which packages were not checked is kept as their positions, for baselines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from batchaudit.model.checked import Coverage, NotChecked
from batchaudit.model.fields import FILE, PACKAGE_RULE_FIELDS, carried
from batchaudit.model.findings import Finding
from batchaudit.model.values import arrow_text
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    from batchaudit.lineage.build import Lineage
    from batchaudit.rules.base import Rule
else:
    np, pd = lazy("numpy"), lazy("pandas")
    pa, pc = lazy("pyarrow"), lazy("pyarrow.compute")

# How a report names each field a rule may need, in "their files have no ... field".
FIELD_WORDS = {
    "category": "Category",
    "source_package_tags": "source-package",
    "production_batch": "Production Batch",
    "production_batch_number": "Production Batch Number",
}
# And the lab-results fields, as Metrc's API names them.
LAB_FIELD_WORDS = {
    "tested_package": "SourcePackageLabel (or PackageId)",
    "test_passed": "TestPassed",
    "test_type": "TestTypeName",
}


def lacking_field(packages: pd.DataFrame, needs: frozenset[str]) -> np.ndarray:
    """Per package, the first field the rule needs that none of its records carried ("" for
    a package that has them all)."""
    lacking = np.full(len(packages), "", dtype=object)
    for field in sorted(needs & set(PACKAGE_RULE_FIELDS), reverse=True):
        column = carried(field)
        if column in packages:
            lacking[~packages[column].to_numpy(dtype=bool)] = field
    return lacking


def checked_findings(
    rule: Rule, lineage: Lineage, found: Sequence[Finding], reasons: pd.Series | None
) -> tuple[Coverage, list[Finding]]:
    """The rule's coverage, and its findings on the packages it could check. Masks over the
    packages, and text only for those not checked: a rule's coverage costs no string work
    on every package."""
    packages = lineage.packages
    field = lacking_field(packages, rule.needs)
    anyway = rule.judged_anyway(lineage)
    if anyway is not None:
        field[anyway] = ""
    lacking = field != ""
    kept = list(found)
    if lacking.any():
        unchecked_by_field = set(packages["tag"].to_numpy()[lacking].tolist())
        kept = [f for f in found if f.package_tag not in unchecked_by_field]
    missing = lacking
    own = reasons.to_numpy(dtype=object) if reasons is not None else None
    if own is not None and (stated := own != "").any():
        missing = lacking | (stated & ~_found_on(packages, stated, kept))
    if not missing.any():
        return Coverage(rule.code, len(packages)), kept
    positions = np.flatnonzero(missing).astype(np.int64)
    codes, names = _file_codes(lineage)
    field_missing = lacking[missing]
    frame = pd.DataFrame(
        {
            "why": np.where(field_missing, "field", own[missing] if own is not None else ""),
            "field": field[missing],
            "file": codes[missing],
            "position": positions,
        }
    )
    return Coverage(
        rule.code,
        int(len(packages) - len(positions)),
        _not_checked(frame, names),
        positions.tobytes(),
    ), kept


def _not_checked(frame: pd.DataFrame, names: pd.Index) -> tuple[NotChecked, ...]:
    """The packages not checked, by reason (and field): how many, in which files."""
    not_checked = []
    for (reason, name), group in frame.groupby(["why", "field"], sort=True):
        named = names.take(np.unique(group["file"].to_numpy(np.int64)))
        files_of = tuple(sorted(str(file) for file in named))
        which = group["position"].to_numpy(np.int64).tobytes()
        if reason == "field":
            words = FIELD_WORDS.get(str(name), str(name))
            text = f"their files have no {words} field"
            not_checked.append(NotChecked(text, len(group), files_of, str(name), which))
        else:
            not_checked.append(NotChecked(str(reason), len(group), files_of, positions=which))
    return tuple(not_checked)


def _file_codes(lineage: Lineage) -> tuple[np.ndarray, pd.Index]:
    """Each package's file as a code, and the files: factorised once per lineage."""
    made = lineage.derived.get("file_codes")
    if made is None:
        files = pd.Categorical(lineage.packages[FILE])
        made = (files.codes, files.categories)
        lineage.derived["file_codes"] = made
    codes: np.ndarray = made[0]
    names: pd.Index = made[1]
    return codes, names


def _found_on(packages: pd.DataFrame, among: np.ndarray, found: Sequence[Finding]) -> np.ndarray:
    """Per package, whether it is one of `among` (a mask) that a finding names: only those
    packages' tags are looked up, in a hash set of the findings' tags (Arrow's). A table of
    every tag's position, made in Python, took 0.5 s at 10^6 packages."""
    named = pa.array([f.package_tag for f in found if f.package_tag], type=pa.large_string())
    at = np.flatnonzero(among)
    hit = np.zeros(len(packages), dtype=bool)
    looked_up = pc.is_in(arrow_text(packages["tag"]).take(at), value_set=named)
    hit[at] = np.asarray(looked_up.fill_null(False), dtype=bool)
    return hit


def not_run(code: str, reason: str, packages: pd.DataFrame) -> Coverage:
    """A rule that did not run: it checked no package (so no tags are listed one by one)."""
    files = tuple(sorted(str(f) for f in pd.unique(packages[FILE]))) if FILE in packages else ()
    gap = (NotChecked(reason, len(packages), files),) if len(packages) else ()
    return Coverage(code, 0, gap, ran=False)


THROUGH_UNKNOWN_LINEAGE = (
    "their results tab inherits through a package whose file has no source-package field"
)
FROM_UNKNOWN_SOURCES = (
    "their results tab inherits from sources that are not loaded (see LN001), and no lab pull "
    "shows it"
)


def tab_not_judged(lineage: Lineage) -> pd.Series | None:
    """Per package, why its results tab is only partly known: it inherits from sources that
    are not loaded (a received package's supplier's results), or through a package whose
    files do not say what it was made from (a flat v1 record); "" where the tab is known,
    and for every package whose own tab a per-package lab pull shows. Computed once per
    lineage for the rules that judge tabs."""
    if "tab_not_judged" in lineage.derived:
        shared: pd.Series | None = lineage.derived["tab_not_judged"]
        return shared
    packages = lineage.packages
    column = carried("source_package_tags")
    flat = (
        ~packages[column].to_numpy(dtype=bool)
        if column in packages
        else np.zeros(len(packages), dtype=bool)
    )
    inheriting = ~packages["production_batch"].to_numpy(dtype=bool)
    unknown = inheriting & (
        packages["sources_known"].to_numpy() < packages["sources_listed"].to_numpy()
    )
    reason = np.full(len(packages), "", dtype=object)
    if unknown.any():
        reason[unknown | reaches(lineage, unknown)] = FROM_UNKNOWN_SOURCES
    if flat.any():
        reason[reaches(lineage, flat)] = THROUGH_UNKNOWN_LINEAGE
    if not lineage.observed.empty:
        reason[lineage.observed["package"].to_numpy(np.int64)] = ""
    judged = None if not (reason != "").any() else pd.Series(reason, index=packages.index)
    lineage.derived["tab_not_judged"] = judged
    return judged


def pulled(lineage: Lineage) -> np.ndarray | None:
    """The packages whose whole results tab a per-package lab pull shows (a mask), or None."""
    if lineage.observed.empty:
        return None
    shown = np.zeros(len(lineage.packages), dtype=bool)
    shown[lineage.observed["package"].to_numpy(np.int64)] = True
    return shown


def reaches(lineage: Lineage, marked: np.ndarray) -> np.ndarray:
    """Packages whose results tab would inherit from a marked package (itself excluded):
    the tabs' own whole-frame walk, with the marked packages as the tested ones."""
    from batchaudit.lineage.tabs import tested_in_tabs

    size = len(lineage.packages)
    codes = np.flatnonzero(marked).astype(np.int64)
    if not len(codes):
        return np.zeros(size, dtype=bool)
    batch = lineage.packages["production_batch"].to_numpy(dtype=bool)
    pairs = tested_in_tabs(lineage.inheriting_links, batch, codes)
    package, ancestor = pairs["package"].to_numpy(np.int64), pairs["tested"].to_numpy(np.int64)
    hit = np.zeros(size, dtype=bool)
    hit[package[package != ancestor]] = True
    return hit
