"""Benchmark batchaudit against the DuckDB peer on generated samples, side by side.

    .venv/bin/python bench/bench.py [--sizes 10000 100000] [--runs 3] [--variants-at 100000]
    BENCH_LARGE=1 make bench      # adds 1,000,000 packages

For each size, `batchaudit sample DIR --packages N --seed 1` writes the exports; then, in
each of `--runs` rounds, the full audit (all rules, JSON report) and the DuckDB peer
(`shared/bench/duckdb_peer.py`) run one after the other on the same files, so that both
see the same machine load. The table shows the median of the rounds: batchaudit's wall
time and peak memory, the peer's time and the ratio. At `--variants-at` packages the same
rounds also audit the lab results as per-package pulls (`sample --lab-pulls`) and the
packages as one API JSON page file, each against the grid CSVs with one row per test.

A finding count that differs from the peer's (PB001-PB003, LT001) prints MISMATCH and the
exit status is 1.

`make bench` times batchaudit as a user has it: installed from a wheel into its own
environment (`.venv-bench`, with compiled bytecode and none of the test tools; pandera
imports hypothesis whenever it is installed), named by the BATCHAUDIT variable. The peer
and the sample generator run from the development environment.

Peak memory is the audit process's own, from `os.wait4` on it (`RUSAGE_CHILDREN` would
report the largest of every child waited for, the sample generator included).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

RULES = ("PB001", "PB002", "PB003", "LT001")
REPO = Path(__file__).resolve().parents[1]
DEFAULT_PEER = REPO.parent / "shared" / "bench" / "duckdb_peer.py"
# The command timed: `make bench` names the one installed as a user installs it (BATCHAUDIT).
BATCHAUDIT = Path(os.environ.get("BATCHAUDIT") or Path(sys.executable).parent / "batchaudit")
FILES = ("packages-active.csv", "packages-inactive.csv", "lab-results.csv")


class Run(NamedTuple):
    seconds: float
    peak_mb: float
    stdout: str
    cpu_seconds: float = 0.0  # user + system: what the run cost, whatever else ran


def _peak_mb(max_rss: int) -> float:
    """ru_maxrss is in kilobytes on Linux and in bytes on macOS."""
    return max_rss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def run(command: list[str], what: str) -> Run:
    """Run a child to completion; its wall time and its own peak resident memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.stderr.write(err.read().decode(errors="replace"))
            raise SystemExit(f"{what} failed with exit status {child.returncode}: {command}")
        stdout = out.read().decode(errors="replace")
        cpu = usage.ru_utime + usage.ru_stime
        return Run(seconds, _peak_mb(usage.ru_maxrss), stdout, cpu)


def median(runs: list[Run]) -> Run:
    """The run of median time, with the median peak memory of all."""
    middle = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    peak = statistics.median(r.peak_mb for r in runs)
    cpu = statistics.median(r.cpu_seconds for r in runs)
    return Run(middle.seconds, peak, middle.stdout, cpu)


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in lines)


def audit_command(inputs: list[Path], report: Path) -> list[str]:
    return [str(BATCHAUDIT), "audit", *map(str, inputs), "-o", str(report), "--fail-on", "never"]


def sample(folder: Path, packages: int, seed: int, *options: str) -> list[Path]:
    command = [str(BATCHAUDIT), "sample", str(folder), "--packages", str(packages)]
    run([*command, "--seed", str(seed), *options], "batchaudit sample")
    return [folder / name for name in FILES]


def api_json_packages(grid: list[Path], folder: Path) -> Path:
    """The grid's packages as one v2 API page file, as a large operator's integration saves
    them (`Item.Name` nested)."""
    sys.path.insert(0, str(REPO / "tests"))
    from batchaudit.ingest.load import load
    from batchaudit.ingest.shapes import METRC_API_PACKAGES
    from batchaudit.model.fields import PACKAGE_FIELDS
    from shapes_writer import _nest, canonical_text, titled

    packages = load(packages=grid).packages
    # The API says "discontinued" only by an ArchivedDate; the grid by a flag without one.
    undated = packages["discontinued"] & packages["discontinued_date"].isna()
    packages.loc[undated, "discontinued_date"] = packages.loc[undated, "packaged_date"]
    api = titled(canonical_text(packages, list(PACKAGE_FIELDS)), METRC_API_PACKAGES)
    records = [_nest(_typed(record)) for record in api.to_dict("records")]
    total = len(records)
    page = {"Data": records, "Total": total, "TotalRecords": total, "PageSize": total,
            "RecordsOnPage": total, "Page": 1, "CurrentPage": 1, "TotalPages": 1}  # fmt: skip
    path = folder / "packages.json"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(page), encoding="utf-8")
    return path


def _typed(record: dict[str, object]) -> dict[str, object]:
    """The API's own JSON types: flags as true/false, quantities as numbers, blanks as null."""
    typed: dict[str, object] = {}
    for key, value in record.items():
        if value == "":
            typed[key] = None
        elif value in ("True", "False") and key.startswith(_FLAGS):
            typed[key] = value == "True"
        elif key in _NUMBERS:
            typed[key] = float(str(value))
        else:
            typed[key] = value
    return typed


_FLAGS = ("Is", "Contains", "ProductRequires")
_NUMBERS = {"Quantity", "OriginalPackageQuantity"}


def compare(report: Path, peer: Run) -> list[str]:
    ours = json.loads(report.read_text(encoding="utf-8"))["summary"]["by_rule"]
    theirs = json.loads(peer.stdout.strip().splitlines()[-1])
    return [
        f"MISMATCH {rule}: batchaudit {ours.get(rule, 0)}, peer {theirs.get(rule, 0)}"
        for rule in RULES
        if ours.get(rule, 0) != theirs.get(rule, 0)
    ]


def bench_size(root: Path, packages: int, args: argparse.Namespace) -> tuple[list[str], list]:
    """One row of the main table, and (at the variants size) the variant rows."""
    folder = root / str(packages)
    active, inactive, lab = sample(folder, packages, args.seed)
    report = folder / "findings.json"
    commands = {
        "csv": audit_command([active, inactive, lab], report),
        "peer": [sys.executable, str(args.peer), str(active), str(inactive), "--lab", str(lab)],
    }
    if packages == args.variants_at:
        pulled = sample(root / f"{packages}-pulls", packages, args.seed, "--lab-pulls")
        commands["pulls"] = audit_command(pulled, pulled[0].parent / "findings.json")
        page = api_json_packages([active, inactive], root / f"{packages}-json")
        commands["json"] = audit_command([page, lab], page.parent / "findings.json")
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            runs[name].append(run(command, name))
    result = {name: median(each) for name, each in runs.items()}
    mismatches = compare(report, result["peer"])
    ours, peer = result["csv"], result["peer"]
    row = [
        f"{packages:,}",
        f"{ours.seconds:.2f}",
        f"{ours.cpu_seconds:.2f}",
        f"{ours.peak_mb:,.0f}",
    ]
    row += [f"{peer.seconds:.2f}", f"{peer.cpu_seconds:.2f}", f"{ours.seconds / peer.seconds:.2f}x"]
    variants = []
    for name, label in (("pulls", "lab results as per-package pulls"),
                        ("json", "packages as one API JSON page")):  # fmt: skip
        if name in result:
            each = result[name]
            ratio = f"{each.seconds / ours.seconds:.2f}x"
            cpu = f"{each.cpu_seconds:.2f}"
            variants.append([label, f"{each.seconds:.2f}", cpu, f"{each.peak_mb:,.0f}", ratio])
    return [*row, *mismatches], variants


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    sizes = [10_000, 100_000] + ([1_000_000] if os.environ.get("BENCH_LARGE") else [])
    parser.add_argument("--sizes", type=int, nargs="+", default=sizes)
    parser.add_argument("--runs", type=int, default=3, help="rounds; the median is shown")
    parser.add_argument("--variants-at", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1, help="sample seed")
    parser.add_argument("--peer", type=Path, default=DEFAULT_PEER, help="duckdb_peer.py")
    parser.add_argument("--keep", type=Path, help="write the samples and reports here")
    args = parser.parse_args()
    if not args.peer.is_file():
        parser.error(f"no peer script at {args.peer}")
    with tempfile.TemporaryDirectory(prefix="batchaudit-bench-") as scratch:
        root = args.keep or Path(scratch)
        rows, variants, problems = [], [], []
        for packages in args.sizes:
            row, more = bench_size(root, packages, args)
            rows.append(row[:7])
            problems += row[7:]
            variants += more
    header = ["packages", "batchaudit s", "CPU s", "peak MB", "peer s", "peer CPU s", "ratio"]
    print(f"median of {args.runs} runs, side by side (full audit, all rules, JSON report);")
    print("ratio = batchaudit / peer wall time; CPU s = user + system of the process")
    print(table(header, rows))
    if variants:
        print(f"\n{args.variants_at:,} packages, against grid CSVs with one row per test")
        print(table(["input", "seconds", "CPU s", "peak MB", "ratio"], variants))
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
