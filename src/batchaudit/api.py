"""The Python API: `audit` exports (paths or in-memory frames) into an `AuditResult`,
`findings_frame` for a DataFrame of its findings, `write` for any report format.

The same reading, rules, waivers and baseline as `batchaudit audit`, without the command
line: nothing is printed and nothing is written unless `write` is called. A run that cannot
be done raises `AuditError` with the sentence the command line would print.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from batchaudit.model.evidence import as_dict
from batchaudit.model.findings import AuditResult, Finding, Source

if TYPE_CHECKING:
    import pandas as pd

    from batchaudit.engine import Audit
    from batchaudit.ingest.limits import Limits
    from batchaudit.model.packs import Pack
    from batchaudit.model.tables import Tables
    from batchaudit.rules.selection import RuleChoices

PathArg = str | PathLike[str]
# How in-memory frames are named in the result's inputs and findings.
FRAME_FOLDER = "<frames>"
FINDING_COLUMNS = [
    "rule", "name", "severity", "package_tag", "message", "remedy", "file", "line",
    "column", "fingerprint", "waived", "baseline", "evidence",
]  # fmt: skip


class AuditError(ValueError):
    """An audit that could not be done: one sentence saying why and what to do."""


def audit(
    paths: Iterable[PathArg] = (),
    *,
    packages: Iterable[PathArg | pd.DataFrame] = (),
    lab_results: Iterable[PathArg | pd.DataFrame] = (),
    pack: str = "oregon",
    select: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    severity: Mapping[str, str] | None = None,
    waivers: PathArg | None = None,
    baseline: PathArg | None = None,
    limits: Limits | None = None,
    today: date | None = None,
) -> AuditResult:
    """Audit exports as `batchaudit audit` does and return the result.

    `paths` are files or folders whose kind is detected; `packages` and `lab_results` are
    files of that kind or DataFrames holding an export's rows as exported (grid columns or
    API field names, as text). `pack` is `oregon` or a pack file; `select`, `extend_select`,
    `ignore` and `severity` are as in the config; `waivers` and `baseline` (an earlier JSON
    report) are applied when given. No config file is read."""
    from batchaudit.engine import audit as audit_tables

    choices = _choices(select, extend_select, ignore, severity)
    checked = _pack(pack)
    with tempfile.TemporaryDirectory(prefix="batchaudit-frames-") as folder:
        package_paths = _paths(packages, Path(folder), "packages")
        lab_paths = _paths(lab_results, Path(folder), "lab-results")
        tables = _tables(paths, package_paths, lab_paths, limits)
        finished = audit_tables(tables, checked, choices)
        result = _renamed(finished.result, folder)
    when = today or datetime.now(UTC).date()
    return _carried(finished, result, choices, (waivers, baseline), when)


def findings_frame(result: AuditResult) -> pd.DataFrame:
    """One row per finding, in the result's order: the columns of `FINDING_COLUMNS`."""
    import pandas as pd

    rows = [_row(finding) for finding in result.findings]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def write(result: AuditResult, path: PathArg, generated_at: datetime | None = None) -> Path:
    """Write one report, its format by the extension (.html .json .csv .md .xml .sarif),
    whole or not at all (a temporary file renamed into place). Returns the path."""
    from batchaudit.report.outputs import RENDERERS
    from batchaudit.report.writing import OutputError, check_outputs, write_reports

    target = Path(path)
    when = generated_at or datetime.now(UTC)
    try:
        check_outputs([target], [Path(item.path) for item in result.inputs], RENDERERS)
        write_reports([(target, RENDERERS[target.suffix.lower()](result, when))])
    except OutputError as error:
        raise AuditError(str(error)) from error
    return target


def _row(finding: Finding) -> dict[str, Any]:
    source = finding.source or Source("")
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": str(finding.severity),
        "package_tag": finding.package_tag,
        "message": finding.message,
        "remedy": finding.remedy,
        "file": source.file or None,
        "line": source.line,
        "column": source.column,
        "fingerprint": finding.fingerprint,
        "waived": finding.waiver is not None,
        "baseline": finding.baseline,
        "evidence": as_dict(finding.evidence),
    }


def _choices(
    select: Sequence[str],
    extend_select: Sequence[str],
    ignore: Sequence[str],
    severity: Mapping[str, str] | None,
) -> RuleChoices:
    from batchaudit.month_to_month.config import ConfigError, load_config

    flags: dict[str, Any] = {
        "select": list(select), "extend-select": list(extend_select), "ignore": list(ignore),
    }  # fmt: skip
    if severity:
        flags["severity"] = dict(severity)
    try:
        return load_config(Path.cwd(), isolated=True, flags=flags).choices
    except ConfigError as error:
        raise AuditError(str(error)) from error


def _pack(name_or_path: str) -> Pack:
    from batchaudit.model.packs import PackError
    from batchaudit.rules.settings import checked_pack

    try:
        return checked_pack(name_or_path)
    except PackError as error:
        raise AuditError(str(error)) from error


def _paths(given: Iterable[PathArg | pd.DataFrame], folder: Path, kind: str) -> list[Path]:
    """Paths as given; each DataFrame written as text to `folder`, to be read like a file."""
    paths: list[Path] = []
    for number, item in enumerate(given, start=1):
        if isinstance(item, str | PathLike):
            paths.append(Path(item))
            continue
        path = folder / f"{kind}-{number}.csv"
        item.astype(str).to_csv(path, index=False)
        paths.append(path)
    return paths


def _tables(
    paths: Iterable[PathArg], packages: list[Path], lab_results: list[Path], limits: Limits | None
) -> Tables:
    from batchaudit.ingest.limits import DEFAULT_LIMITS
    from batchaudit.ingest.load import load

    detected = [Path(path) for path in paths]
    missing = [str(p) for p in [*detected, *packages, *lab_results] if not p.exists()]
    if missing:
        raise AuditError(f"{', '.join(missing)} does not exist; check the path.")
    tables = load(packages, lab_results, detected, limits or DEFAULT_LIMITS)
    if tables.packages.empty:
        reasons = " ".join(tables.unreadable)
        given = tables.no_packages_given()
        if given:
            raise AuditError(given[0].upper() + given[1:])
        raise AuditError(f"no packages could be read, so there is nothing to audit. {reasons}")
    return tables


def _renamed(result: AuditResult, folder: str) -> AuditResult:
    """Frames' temporary files named `<frames>/packages-1.csv` in inputs and findings."""

    def name(path: str) -> str:
        return path.replace(folder, FRAME_FOLDER, 1) if path.startswith(folder) else path

    def sourced(finding: Finding) -> Finding:
        if finding.source is None or not finding.source.file.startswith(folder):
            return finding
        return replace(finding, source=replace(finding.source, file=name(finding.source.file)))

    return replace(
        result,
        inputs=tuple(replace(item, path=name(item.path)) for item in result.inputs),
        findings=tuple(sourced(finding) for finding in result.findings),
    )


def _carried(
    finished: Audit,
    result: AuditResult,
    choices: RuleChoices,
    files: tuple[PathArg | None, PathArg | None],
    today: date,
) -> AuditResult:
    """Apply the waivers file, then compare with the baseline report, when given."""
    from batchaudit.engine import as_configured
    from batchaudit.month_to_month.baseline import BaselineError, compare, load_baseline
    from batchaudit.month_to_month.waivers import WaiverError, apply_waivers, load_waivers

    def configure(found: list[Finding]) -> list[Finding]:
        return as_configured(found, finished.pack, choices)

    waivers, baseline = files
    try:
        if waivers is not None:
            result = apply_waivers(result, load_waivers(Path(waivers), today), today, configure)
        if baseline is not None:
            baseline_found = load_baseline(Path(baseline))
            result = compare(result, baseline_found, str(baseline), waivers is not None)
    except (WaiverError, BaselineError) as error:
        raise AuditError(str(error)) from error
    return result
