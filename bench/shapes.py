"""Time the pathological shapes: no odd or hostile export may stall a run.

    .venv/bin/python bench/shapes.py [--runs 3] [--limit 10]

Each shape (see `batchaudit.sample.shapes`) is written at full size and audited by the
command line (all rules, JSON report), `--runs` times; the table shows the median wall time
and peak memory, and OVER where the median exceeds `--limit` seconds (exit status 1).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import audit_command, median, run, table

from batchaudit.sample.shapes import write_shape

SHAPES = (
    ("chain", 100_000, "a chain of 100,000 repackagings"),
    ("chain-conflict", 100_000, "the same, LT002 on every package"),
    ("cycle", 50_000, "a cycle of 50,000 packages"),
    ("sources", 100_000, "one package with 100,000 tested sources"),
    ("files", 5_000, "5,000 one-row files in subfolders"),
    ("files", 1_000, "1,000 one-row files"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per shape; median shown")
    parser.add_argument("--limit", type=float, default=10.0, help="seconds allowed")
    args = parser.parse_args()
    rows, over = [], False
    with tempfile.TemporaryDirectory(prefix="batchaudit-shapes-") as scratch:
        for shape, size, label in SHAPES:
            folder = Path(scratch) / f"{shape}-{size}"
            write_shape(shape, folder / "exports", size)
            command = audit_command([folder / "exports"], folder / "findings.json")
            result = median([run(command, label) for _ in range(args.runs)])
            late = result.seconds > args.limit
            over |= late
            seconds, cpu = f"{result.seconds:.2f}", f"{result.cpu_seconds:.2f}"
            rows.append([label, seconds, cpu, f"{result.peak_mb:,.0f}", "OVER" if late else "ok"])
    print(f"median of {args.runs} runs (full audit, all rules, JSON report)")
    print(table(["shape", "seconds", "CPU s", "peak MB", f"<= {args.limit:g} s"], rows))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
