"""A realistic synthetic Oregon licensee's Metrc exports, for demos, tests and benchmarks.

In: a package count and a seed (the story's rates are in `batchaudit.sample.rates`).
Out: export files as Metrc writes them (grid CSVs, lab results), byte-identical per seed.
Must not import: ingest, rules, engine, report, month_to_month, api, cli.

The licensee harvests flower into tested Buds and Shake/Trim lots, receives packages from
other licensees, repackages and combines buds, rolls pre-rolls, processes shake/trim into
concentrate and extracts and those into edibles (production batches, tested), and wastes
some. At realistic rates it also makes the mistakes batchaudit exists to catch: production
batches without a category change (PB001, some still discontinuable: PB004), production
batches within one test group (PB002), processing without a production batch (PB003),
combined lots whose inherited lab results tab grows too long (LT001), and, as data
corruption, pairs of packages that list each other as sources (LN002).

`write_sample` writes the Packages grid's Active and Inactive tabs (full column titles)
and the lab results (API fields as CSV columns). The same seed and package count always
give byte-identical files. The knobs of the story are in `batchaudit.sample.rates`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]

from batchaudit.sample.grid import package_grids
from batchaudit.sample.jobs import with_processing_jobs
from batchaudit.sample.labs import lab_results
from batchaudit.sample.story import build_lineage

__all__ = ["SampleExport", "generate", "write_sample"]

ACTIVE_FILE = "packages-active.csv"
INACTIVE_FILE = "packages-inactive.csv"
LAB_RESULTS_FILE = "lab-results.csv"
JOBS_FILE = "processing-jobs.json"


@dataclass(frozen=True)
class SampleExport:
    """The three exports of one sample licensee, every cell as text."""

    active: pd.DataFrame
    inactive: pd.DataFrame
    lab_results: pd.DataFrame
    # With processing jobs: the `/processing/v2/inactive` page of the licensee's jobs.
    processing_jobs: dict[str, Any] | None = None


def generate(
    packages: int = 300,
    seed: int = 7,
    lab_pulls: bool = False,
    processing_jobs: bool = False,
    mistakes: float = 1.0,
) -> SampleExport:
    """Exactly `packages` packages (Active plus Inactive rows) and their lab results (with
    `lab_pulls`, each package's whole Lab Results tab pulled under its own PackageId; with
    `processing_jobs`, the grid's Source Processing Job(s) and the jobs page, jobs.py);
    `mistakes` times the usual share of the mistakes and of the combined lots."""
    if packages < 0:
        raise ValueError(f"packages must be 0 or more, not {packages}")
    rng = np.random.default_rng(seed)
    lineage = build_lineage(packages, rng, mistakes)
    jobs = None
    if processing_jobs:
        lineage, jobs = with_processing_jobs(lineage)
    active, inactive = package_grids(lineage, rng)
    return SampleExport(active, inactive, lab_results(lineage, rng, pulls=lab_pulls), jobs)


def write_sample(
    out_dir: Path,
    packages: int = 300,
    seed: int = 7,
    lab_pulls: bool = False,
    processing_jobs: bool = False,
    mistakes: float = 1.0,
) -> list[Path]:
    """Write packages-active.csv, packages-inactive.csv and lab-results.csv into out_dir,
    and with `processing_jobs` processing-jobs.json.

    Returns the paths in that order; out_dir is created if missing. With `lab_pulls`
    the lab results are per-package pulls: every package's whole tab under its PackageId.
    """
    sample = generate(packages, seed, lab_pulls, processing_jobs, mistakes)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in (
        (ACTIVE_FILE, sample.active),
        (INACTIVE_FILE, sample.inactive),
        (LAB_RESULTS_FILE, sample.lab_results),
    ):
        path = out_dir / name
        _write_csv(frame, path)
        paths.append(path)
    if sample.processing_jobs is not None:
        path = out_dir / JOBS_FILE
        path.write_text(json.dumps(sample.processing_jobs, indent=1) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV quoted as pandas does it (only where needed), with LF line ends.

    pyarrow writes the tens of megabytes of lab results several times faster than pandas but
    can quote only everything or nothing: it takes files where nothing needs quotes.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
    with path.open("wb") as out:
        out.write((",".join(frame.columns) + "\n").encode())
        try:
            pa_csv.write_csv(table, out, options)
            return
        except pa.ArrowInvalid:  # a value with a comma, quote or line break
            pass
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
