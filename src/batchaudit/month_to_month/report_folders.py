"""Report folders for scheduled runs: `--out-dir DIR` keeps one folder per run, `latest/`,
`history.jsonl` and an `index.html` with the trend.

Everything is written beside its place and renamed into it, in an order that keeps the
folder consistent if the run is killed at any point: the run's folder (staged as a hidden
`.part` folder), then the history, then `latest/`, then the index. A hidden leftover is
removed by the next run."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from batchaudit.model.findings import AuditResult
from batchaudit.report.writing import Report, parts_of

# Every output format of a run, by file name.
RUN_FILES = (
    "report.html", "findings.json", "findings.csv", "summary.md", "results.xml",
    "findings.sarif",
)  # fmt: skip
BASELINE_FILE = "findings.json"
HISTORY = "history.jsonl"
STAMP = "%Y-%m-%dT%H%M%SZ"


@dataclass(frozen=True)
class RecordedRun:
    folder: Path
    same_inputs: bool
    pruned: tuple[Path, ...]


def previous_baseline(out_dir: Path) -> Path | None:
    """The last run's JSON report: the baseline a new run is compared with."""
    path = out_dir / "latest" / BASELINE_FILE
    return path if path.is_file() else None


def run_reports(
    result: AuditResult, when: datetime, *, apart: bool = False
) -> Iterator[tuple[str, Report]]:
    """Every output format of one run, rendered one at a time; with `apart`, a share of
    them in a child process beside this one (`Rendering`: the command line's runs, not a
    portfolio's, whose workers run threads of their own)."""
    from batchaudit.report.outputs import Rendering

    with Rendering(result, when, RUN_FILES, apart=apart) as reports:
        yield from reports


def run_folders(out_dir: Path) -> list[Path]:
    """The run folders, oldest first (their names are UTC times)."""
    folders = [path for path in out_dir.iterdir() if path.is_dir() and _is_stamp(path.name)]
    return sorted(folders, key=lambda path: path.name)


def _is_stamp(name: str) -> bool:
    return re.fullmatch(r"\d{4}-\d\d-\d\dT\d{6}Z(-\d+)?", name) is not None


def history(out_dir: Path) -> list[dict[str, Any]]:
    path = out_dir / HISTORY
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def history_entry(result: AuditResult, folder: str, when: datetime) -> dict[str, Any]:
    """One line of history.jsonl: when, what was read, the pack, the counts, new, resolved
    and not re-checked against the previous run."""
    new = [f for f in result.open_findings() if f.baseline == "new"]
    resolved = result.baseline.resolved if result.baseline else ()
    return {
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "run": folder,
        "inputs": [{"path": item.path, "sha256": item.sha256} for item in result.inputs],
        "pack": {"name": result.jurisdiction, "sha256": result.about.pack_sha256},
        "by_severity": result.by_severity(),
        "by_rule": {rule: count for rule, count in result.by_rule().items() if count},
        "new": len(new) if result.baseline else None,  # None: compared with nothing
        "resolved": len(resolved) if result.baseline else None,
        # Not found again, but not checked again either: neither resolved nor open.
        "not_rechecked": len(result.baseline.not_rechecked) if result.baseline else None,
        # None: compared with nothing (the first run of the folder), whatever it was told.
        "compared_with": result.baseline.path
        if result.baseline and result.baseline.compared
        else None,
    }


def same_inputs(previous: list[dict[str, Any]], entry: dict[str, Any]) -> bool:
    def digests(item: dict[str, Any]) -> list[str]:
        return sorted(str(one["sha256"]) for one in item["inputs"])

    return bool(previous) and digests(previous[-1]) == digests(entry)


def record(
    out_dir: Path,
    result: AuditResult,
    reports: Iterable[tuple[str, Report]],
    when: datetime,
    keep: int | None,
) -> RecordedRun:
    """Write one run: its folder, the history line, latest/, pruning, then the index."""
    from batchaudit.report import run_index

    _clean(out_dir)
    folder = _new_folder(out_dir, when)
    staged = _folder_aside(out_dir, f".{folder.name}.")
    for name, report in reports:
        with (staged / name).open("wb") as file:
            file.writelines(parts_of(report))
    os.replace(staged, folder)
    entries = history(out_dir)
    entry = history_entry(result, folder.name, when)
    same = same_inputs(entries, entry)
    entry["same_inputs"] = same
    entries.append(entry)
    _replace_text(out_dir / HISTORY, "".join(json.dumps(e, sort_keys=True) + "\n" for e in entries))
    _swap_latest(out_dir, folder)
    pruned = _prune(out_dir, keep)
    kept = [path.name for path in run_folders(out_dir)]
    _replace_text(out_dir / "index.html", run_index.render(entries, kept, when))
    return RecordedRun(folder, same, pruned)


def _new_folder(out_dir: Path, when: datetime) -> Path:
    """DIR/<UTC time>; a second run in the same second gets -2, -3..."""
    base = out_dir / when.strftime(STAMP)
    folder, number = base, 1
    while folder.exists():
        number += 1
        folder = base.with_name(f"{base.name}-{number}")
    return folder


def _replace_text(path: Path, text: str) -> None:
    from batchaudit.report.writing import write_reports

    write_reports([(path, text)])


def _folder_aside(out_dir: Path, prefix: str) -> Path:
    """A new hidden `.part` folder with the mode a new folder gets (mkdtemp's is 0700)."""
    folder = Path(tempfile.mkdtemp(dir=out_dir, prefix=prefix, suffix=".part"))
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    return folder


def _swap_latest(out_dir: Path, folder: Path) -> None:
    """latest/ becomes a copy of the run: the copy is made aside, then two renames swap it
    in; a run killed between them leaves `.latest.old`, which the next run puts back."""
    fresh = _folder_aside(out_dir, ".latest.")
    shutil.copytree(folder, fresh, dirs_exist_ok=True)
    latest, old = out_dir / "latest", out_dir / ".latest.old"
    if latest.exists():
        os.replace(latest, old)
    os.replace(fresh, latest)
    shutil.rmtree(old, ignore_errors=True)


def _clean(out_dir: Path) -> None:
    """What a killed run left: `.latest.old` goes back when latest/ is missing; staged
    folders and files are removed."""
    old, latest = out_dir / ".latest.old", out_dir / "latest"
    if old.is_dir() and not latest.exists():
        os.replace(old, latest)
    for leftover in out_dir.glob(".*.part"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    shutil.rmtree(old, ignore_errors=True)


def _prune(out_dir: Path, keep: int | None) -> tuple[Path, ...]:
    if keep is None:
        return ()
    folders = run_folders(out_dir)
    pruned = tuple(folders[: max(len(folders) - keep, 0)])
    for folder in pruned:
        shutil.rmtree(folder)
    return pruned
