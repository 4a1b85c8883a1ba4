"""Benchmark batchaudit against the DuckDB peer on a generated sample.

    .venv/bin/python bench/bench.py --packages 100000 [--seed 1] [--peer PATH] [--keep DIR]

1. `batchaudit sample DIR --packages N --seed S` writes the exports;
2. `batchaudit audit ... -o DIR/findings.json --fail-on never` runs, timed, with its peak RSS;
3. the DuckDB peer (`shared/bench/duckdb_peer.py`) runs on the same files, timed;
4. a table compares times and the PB001, PB002, PB003 and LT001 counts. A count that
   differs prints MISMATCH and the exit status is 1.

Peak memory: `getrusage(RUSAGE_CHILDREN).ru_maxrss` is the largest peak of *every* child
waited for so far, so a delta around the audit would be hidden by the sample generator,
which runs before it (and the audit would have to run before any other child). Instead the
audit's own rusage is taken from `os.wait4` on its process id: it is that child's peak
(with any children it waited for), whatever ran before.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

RULES = ("PB001", "PB002", "PB003", "LT001")
REPO = Path(__file__).resolve().parents[1]
DEFAULT_PEER = REPO.parent / "shared" / "bench" / "duckdb_peer.py"
BATCHAUDIT = Path(sys.executable).parent / "batchaudit"
FILES = ("packages-active.csv", "packages-inactive.csv", "lab-results.csv")


class Run(NamedTuple):
    seconds: float
    peak_mb: float
    stdout: str


def _peak_mb(max_rss: int) -> float:
    """ru_maxrss is in kilobytes on Linux and in bytes on macOS."""
    return max_rss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def _run(command: list[str], what: str) -> Run:
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
        return Run(seconds, _peak_mb(usage.ru_maxrss), out.read().decode(errors="replace"))


def _table(rows: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def _compare(ours: dict[str, int], peer: dict[str, int]) -> tuple[str, list[str]]:
    lines = [f"{'rule':<6}  {'batchaudit':>10}  {'peer':>10}"]
    mismatches = []
    for rule in RULES:
        mine, theirs = ours.get(rule, 0), peer.get(rule, 0)
        lines.append(f"{rule:<6}  {mine:>10}  {theirs:>10}")
        if mine != theirs:
            mismatches.append(f"MISMATCH {rule}: batchaudit {mine}, peer {theirs}")
    return "\n".join(lines), mismatches


def bench(out_dir: Path, packages: int, seed: int, peer: Path) -> int:
    active, inactive, lab = (str(out_dir / name) for name in FILES)
    findings = out_dir / "findings.json"
    sample = [str(BATCHAUDIT), "sample", str(out_dir), "--packages", str(packages)]
    generated = _run([*sample, "--seed", str(seed)], "batchaudit sample")
    audit_inputs = [str(BATCHAUDIT), "audit", active, inactive, lab]
    audit = _run([*audit_inputs, "-o", str(findings), "--fail-on", "never"], "batchaudit audit")
    peer_run = _run([sys.executable, str(peer), active, inactive, "--lab", lab], "DuckDB peer")
    peer_counts = json.loads(peer_run.stdout.strip().splitlines()[-1])
    our_counts = json.loads(findings.read_text(encoding="utf-8"))["summary"]["by_rule"]
    print(
        _table(
            [
                ("packages", f"{packages}"),
                ("sample seconds", f"{generated.seconds:.2f}"),
                ("batchaudit seconds", f"{audit.seconds:.2f}"),
                ("batchaudit peak MB", f"{audit.peak_mb:.0f}"),
                ("peer seconds", f"{peer_run.seconds:.2f}"),
                ("batchaudit / peer", f"{audit.seconds / peer_run.seconds:.1f}x"),
            ]
        )
    )
    comparison, mismatches = _compare(our_counts, peer_counts)
    print()
    print(comparison)
    for line in mismatches:
        print(line)
    return 1 if mismatches else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--packages", type=int, default=100_000, help="sample size")
    parser.add_argument("--seed", type=int, default=1, help="sample seed")
    parser.add_argument("--peer", type=Path, default=DEFAULT_PEER, help="duckdb_peer.py")
    parser.add_argument("--keep", type=Path, help="write the sample and findings here")
    args = parser.parse_args()
    if not args.peer.is_file():
        parser.error(f"no peer script at {args.peer}")
    if args.keep is not None:
        return bench(args.keep, args.packages, args.seed, args.peer)
    with tempfile.TemporaryDirectory(prefix="batchaudit-bench-") as out_dir:
        return bench(Path(out_dir), args.packages, args.seed, args.peer)


if __name__ == "__main__":
    sys.exit(main())
