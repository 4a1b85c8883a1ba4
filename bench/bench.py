"""Benchmark batchaudit on the inputs users have, side by side, in one run.

    .venv/bin/python bench/bench.py [--sizes 10000 100000] [--runs 3] [--variants-from 100000]
    BENCH_LARGE=1 make bench      # adds 1,000,000 packages

For each size, `batchaudit sample DIR --packages N --seed 1` writes the exports; then, in
each of `--runs` rounds, every input below is audited (all rules, JSON report) one after the
other, so that all see the same machine load. The table shows the median of the rounds:
wall time, CPU time, peak memory, and the ratio to what the row is measured against, with
the issue's target and whether it is met.

- **sample**: the grid CSVs with one row per test, against the DuckDB peer
  (`shared/bench/duckdb_peer.py`) on the same files.
- **findings-heavy** (from `--variants-from` packages on): `sample --mistakes 3`, a careless
  licensee with twice the sample's findings (40,000 at 100,000 packages), against the peer.
- **findings-heavy, no rule run**: the same audit with every rule left out (`--ignore`),
  against the peer: reading, the lineage and the report alone, the floor under the
  findings-heavy ratio. No target.
- **Metrc v2 page**: the sample's packages as Metrc's own indented v2 page, every record
  with its nested `Item` (`bench/metrc_page.py`), against the sample's grid CSVs.
- **per-package pulls**: `sample --lab-pulls`, every package's whole Lab Results tab under
  its own PackageId, against the sample's grid CSVs.
- **every report format** (findings-heavy): the JSON and the HTML, CSV, SARIF, Markdown
  and JUnit reports a report folder writes, against the JSON alone.
- **5,000 files**: one-row exports ten to a subfolder (`batchaudit.sample.shapes`), once.

Before each run, its input files are read once, untimed, so that every run finds them in
memory (the page cache), as a user's files just exported are: at 10^6 packages the pulls'
audit (13 GB) pushed the other inputs out of memory, and the next grid CSVs' audit took
18.3 s reading them from disk against 15.6 s from memory. What is timed is the audit's own
work, batchaudit's and the peer's alike.

Each ratio is of the medians; `rounds` shows the lowest and highest ratio of the two runs of
one round, which the machine's load moves together.

Under the table, per size, what a finding costs (from the reports' counts): the time each
finding of the findings-heavy export adds over the sample's, the time of its rules and
findings over the floor per finding, and what its target leaves per finding over the floor.
Each is worked out per round, from that round's runs, and shown as the median of the rounds
with the lowest and highest. A finding's cost is the part of the audit that grows with the
findings, not the packages.

A finding count that differs from the peer's (PB001-PB003, LT001), or a target missed,
prints MISMATCH or OVER and the exit status is 1.

`make bench` times batchaudit as a user has it: installed from a wheel into its own
environment (`.venv-bench`, with compiled bytecode and none of the test tools; pandera
imports hypothesis whenever it is installed), named by the BATCHAUDIT variable. The peer
and the sample generator run from the development environment.

Peak memory is the audit process's own, from `os.wait4` on it (`RUSAGE_CHILDREN` would
report the largest of every child waited for, the sample generator included), or, where it
is higher, the memory of the audit's processes together while it has a child (one renders
reports beside it): their proportional set sizes (`Pss`, shared pages counted once) summed,
sampled every 50 ms or more (so that sampling takes a twentieth of a processor at most),
so a peak between two samples may be missed.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

RULES = ("PB001", "PB002", "PB003", "LT001")
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
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
    """Run a child to completion; its wall time and the peak memory of it and its own
    children (`TreeMemory`)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        with TreeMemory(child.pid) as tree:
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
        return Run(seconds, max(_peak_mb(usage.ru_maxrss), tree.peak_mb), stdout, cpu)


class TreeMemory:
    """The most memory a process and its children held together, sampled in a thread while
    it has children (alone, `ru_maxrss` measures it exactly): `Pss` from each one's
    /proc/PID/smaps_rollup, in which a page shared by a forked child and its parent counts
    half to each. 0 where /proc has none of this (not Linux)."""

    # Seconds between samples, at least; and at least this many times what the last sample
    # took: reading smaps_rollup walks a process's pages (11 ms for 4 GB), time the machine's
    # two processors would otherwise give the audit.
    EVERY, SPARING = 0.05, 20

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_mb = pid, 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        pause = self.EVERY
        while not self._done.wait(pause):
            try:
                pids = [self.pid, *map(int, children.read_text().split())]
            except (OSError, ValueError):
                continue  # ended, or no such file
            if len(pids) > 1:
                started = time.perf_counter()
                self.peak_mb = max(self.peak_mb, sum(map(_pss_mb, pids)))
                pause = max(self.EVERY, self.SPARING * (time.perf_counter() - started))


def _pss_mb(pid: int) -> float:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0
    found = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
    return int(found.group(1)) / 1024 if found else 0.0


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


@functools.cache
def by_rule(report: Path) -> dict[str, int]:
    """The report's findings by rule (read once: a million packages' report is 500 MB)."""
    counts: dict[str, int] = json.loads(report.read_text(encoding="utf-8"))["summary"]["by_rule"]
    return counts


def per_finding(size: str, found: dict[str, Case], runs: dict[str, list[Run]]) -> list[str]:
    """What a finding costs, from the findings-heavy, sample and no-rule runs of one size:
    what each finding added over the sample's (the rules' work on findings, the report's),
    the rules and findings' whole time over the floor per finding, and what the target
    leaves per finding over the floor; each worked out per round, its median and its lowest
    and highest. Reads the reports: call after every run."""
    if "heavy" not in found:
        return []
    heavy, sample = (sum(by_rule(report_of(found[name])).values()) for name in ("heavy", "csv"))
    target = found["heavy"].target or 0.0

    def costs(seconds: dict[str, float]) -> tuple[float, float, float]:
        return (
            (seconds["heavy"] - seconds["csv"]) / max(heavy - sample, 1) * 1e6,
            (seconds["heavy"] - seconds["floor"]) / max(heavy, 1) * 1e6,
            (target * seconds["heavy-peer"] - seconds["floor"]) / max(heavy, 1) * 1e6,
        )

    # Per round, its own runs (the differences of two medians would mix rounds' loads).
    names = ("csv", "heavy", "floor", "heavy-peer")
    each = [
        costs({name: runs[name][at].seconds for name in names}) for at in range(len(runs["heavy"]))
    ]
    parts = list(zip(*each, strict=True))
    more, over_floor, left = (statistics.median(part) for part in parts)
    low, high = [min(part) for part in parts], [max(part) for part in parts]
    leaves = (
        f"the {target:g}x target leaves {left:.1f} us ({low[2]:.1f} to {high[2]:.1f})"
        if left > 0
        else f"the floor alone is over the {target:g}x target"
    )
    return [
        f"{size}: findings-heavy {heavy:,} findings, sample {sample:,}: "
        f"{more:.1f} us for each finding more ({low[0]:.1f} to {high[0]:.1f} in one round); "
        f"the rules and findings over the floor {over_floor:.1f} us a finding "
        f"({low[1]:.1f} to {high[1]:.1f}), where {leaves}"
    ]


def report_of(case: Case) -> Path:
    return Path(case.command[case.command.index("-o") + 1])


def compare(report: Path, peer: Run) -> list[str]:
    ours = by_rule(report)
    theirs = json.loads(peer.stdout.strip().splitlines()[-1])
    return [
        f"MISMATCH {rule} in {report}: batchaudit {ours.get(rule, 0)}, peer {theirs.get(rule, 0)}"
        for rule in RULES
        if ours.get(rule, 0) != theirs.get(rule, 0)
    ]


class Case(NamedTuple):
    """One input audited: what the row says, its command, and what it is measured against."""

    label: str
    command: list[str]
    against: str = ""  # the case whose time it is a ratio of
    target: float | None = None  # the ratio it must not pass
    memory_mb: float | None = None  # the peak memory it must not pass
    seconds: float | None = None  # the wall time it must not pass
    inputs: tuple[Path, ...] = ()  # the files (or folders) it reads: warmed before each run


# The report formats beside the JSON, as a report folder writes them all.
OTHER_FORMATS = (".html", ".csv", ".sarif", ".md", ".xml")
# The files of a million packages pass the default limits (a 5 GB lab pull); a user raises them.
LARGE_LIMITS = ["--limit", "file-size=16G", "--limit", "memory=64G"]


def peer_command(args: argparse.Namespace, files: list[Path]) -> list[str]:
    *packages, lab = files
    return [sys.executable, str(args.peer), *map(str, packages), "--lab", str(lab)]


def no_rules() -> list[str]:
    """`--ignore` for every rule family `batchaudit rules` lists: the audit reads, links and
    reports, and no rule runs (a family added later is left out too)."""
    listed = run([str(BATCHAUDIT), "rules"], "batchaudit rules").stdout
    families = sorted({code[:2] for code in re.findall(r"^([A-Z]{2})\d{3}\b", listed, re.M)})
    return ["--ignore", ",".join(families)]


def cases(root: Path, packages: int, args: argparse.Namespace) -> dict[str, Case]:
    """What is audited at one size (the variants from `--variants-from` packages on)."""
    folder = root / str(packages)
    grid = sample(folder, packages, args.seed)
    limits = LARGE_LIMITS if packages > 100_000 else []
    found = {
        "csv": Case("sample, grid CSVs", [*audit_command(grid, folder / "findings.json"), *limits]),
        "peer": Case("DuckDB peer", peer_command(args, grid)),
    }
    found["csv"] = found["csv"]._replace(against="peer")
    read = dict.fromkeys(("csv", "peer"), tuple(grid))
    if packages < args.variants_from:
        return reading(found, read)
    heavy = sample(root / f"{packages}-heavy", packages, args.seed, "--mistakes", "3")
    heavy_report = heavy[0].parent / "findings.json"
    large = packages > 100_000
    found["heavy"] = Case(
        "findings-heavy, grid CSVs", [*audit_command(heavy, heavy_report), *limits], "heavy-peer",
        2.5 if large else 2.0, 6144 if large else None,
    )  # fmt: skip
    found["heavy-peer"] = Case("DuckDB peer, findings-heavy", peer_command(args, heavy))
    # The same audit with no rule run: what reading, the lineage and a report cost the ratio
    # before any rule or finding does.
    floor = [*audit_command(heavy, heavy_report.with_name("no-rules.json")), *limits]
    found["floor"] = Case("findings-heavy, no rule run", [*floor, *no_rules()], "heavy-peer")
    # A report folder (--out-dir) writes every format: what the other five add to the JSON.
    reports = [f"--output={heavy_report.with_name('report' + suffix)}" for suffix in OTHER_FORMATS]
    found["formats"] = Case(
        "findings-heavy, every report format", [*found["heavy"].command, *reports], "heavy"
    )
    page = root / f"{packages}-page" / "packages.json"
    run(
        [sys.executable, str(HERE / "metrc_page.py"), *map(str, grid[:2]), str(page.parent)], "page"
    )
    page_command = audit_command([page, grid[2]], page.parent / "findings.json")
    found["page"] = Case("Metrc v2 page (nested, indented)", [*page_command, *limits], "csv", 1.1)
    pulled = sample(root / f"{packages}-pulls", packages, args.seed, "--lab-pulls")
    pulls_command = [*audit_command(pulled, pulled[0].parent / "findings.json"), *limits]
    memory = None if large else 2048
    found["pulls"] = Case("lab results as per-package pulls", pulls_command, "csv", 1.5, memory)
    read |= {"page": (page, grid[2]), "pulls": tuple(pulled)}
    read |= dict.fromkeys(("heavy", "heavy-peer", "floor", "formats"), tuple(heavy))
    return reading(found, read)


def reading(found: dict[str, Case], read: dict[str, tuple[Path, ...]]) -> dict[str, Case]:
    """The cases, each with the inputs it reads (warmed before each of its runs)."""
    return {name: case._replace(inputs=read[name]) for name, case in found.items()}


def folder_case(root: Path) -> Case:
    folder = root / "files-5000"
    # The bench's own process stays small: a child forked from it starts with its memory.
    exports = str(folder / "exports")
    write = (
        "from pathlib import Path; from batchaudit.sample.shapes import write_shape; "
        f"write_shape('files', Path({exports!r}), 5000)"
    )
    run([sys.executable, "-c", write], "the 5,000 files")
    command = audit_command([folder / "exports"], folder / "findings.json")
    return Case(
        "5,000 small files in nested folders", command, seconds=5.0, inputs=(folder / "exports",)
    )


def timed(found: dict[str, Case], args: argparse.Namespace) -> dict[str, list[Run]]:
    """Each case's runs, one a round, all cases run in turn in each round."""
    runs: dict[str, list[Run]] = {name: [] for name in found}
    for _ in range(args.runs):
        for name, case in found.items():
            warm(case.inputs)
            runs[name].append(run(case.command, case.label))
    return runs


def warm(paths: tuple[Path, ...]) -> None:
    """Read the files (every file of a folder) once, so that they are in the page cache."""
    chunk = bytearray(8 << 20)
    for path in paths:
        for each in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if each.is_file():
                with each.open("rb", buffering=0) as handle:
                    while handle.readinto(chunk):
                        pass


def spread(runs: list[Run], against: list[Run]) -> str:
    """The lowest and highest ratio of a round's run to the run it is measured against in
    the same round: how far the machine's load moved the ratio the table shows."""
    ratios = [mine.seconds / theirs.seconds for mine, theirs in zip(runs, against, strict=True)]
    return f"{min(ratios):.2f}-{max(ratios):.2f}x"


def missed_targets(case: Case, each: Run, ratio: float | None) -> list[str]:
    """What the run passes of its targets, in words."""
    over = []
    if case.target and ratio and ratio > case.target:
        over.append(f"{ratio:.2f}x > {case.target:g}x")
    if case.memory_mb and each.peak_mb > case.memory_mb:
        over.append(f"{each.peak_mb:,.0f} MB > {case.memory_mb:,.0f} MB")
    if case.seconds and each.seconds > case.seconds:
        over.append(f"{each.seconds:.2f} s > {case.seconds:g} s")
    return over


def targets(case: Case) -> str:
    wanted = [
        f"<= {case.target:g}x" if case.target else "",
        f"<= {case.memory_mb / 1024:g} GB" if case.memory_mb else "",
        f"<= {case.seconds:g} s" if case.seconds else "",
    ]
    return ", ".join(text for text in wanted if text)


def rows_of(
    size: str, found: dict[str, Case], runs: dict[str, list[Run]]
) -> tuple[list[list[str]], list[str]]:
    """The table's rows for one size, and the targets missed."""
    rows, missed = [], []
    result = {name: median(each) for name, each in runs.items()}
    for name, case in found.items():
        each = result[name]
        ratio = each.seconds / result[case.against].seconds if case.against else None
        over = missed_targets(case, each, ratio)
        missed += [f"OVER {size} {case.label}: {text}" for text in over]
        wanted = targets(case)
        rounds = spread(runs[name], runs[case.against]) if case.against else ""
        rows.append([
            size, case.label, f"{each.seconds:.2f}", f"{each.cpu_seconds:.2f}",
            f"{each.peak_mb:,.0f}", found[case.against].label if case.against else "",
            f"{ratio:.2f}x" if ratio else "", rounds, wanted,
            ("OVER" if over else "ok") if wanted else "",
        ])  # fmt: skip
    return rows, missed


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    sizes = [10_000, 100_000] + ([1_000_000] if os.environ.get("BENCH_LARGE") else [])
    parser.add_argument("--sizes", type=int, nargs="+", default=sizes)
    parser.add_argument("--runs", type=int, default=3, help="rounds; the median is shown")
    parser.add_argument("--variants-from", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1, help="sample seed")
    parser.add_argument("--peer", type=Path, default=DEFAULT_PEER, help="duckdb_peer.py")
    parser.add_argument("--keep", type=Path, help="write the samples and reports here")
    args = parser.parse_args()
    if not args.peer.is_file():
        parser.error(f"no peer script at {args.peer}")
    rows: list[list[str]] = []
    problems: list[str] = []
    compared: list[tuple[Path, Run]] = []
    finding_costs_of: list[Callable[[], list[str]]] = []  # a size's, once its reports are read
    with tempfile.TemporaryDirectory(prefix="batchaudit-bench-") as scratch:
        root = args.keep or Path(scratch)
        for packages in args.sizes:
            found = cases(root, packages, args)
            runs = timed(found, args)
            for name, peer in (("csv", "peer"), ("heavy", "heavy-peer")):
                if name in found:
                    compared.append((report_of(found[name]), median(runs[peer])))
            finding_costs_of.append(functools.partial(per_finding, f"{packages:,}", found, runs))
            more, missed = rows_of(f"{packages:,}", found, runs)
            rows += more
            problems += missed
        found = {"files": folder_case(root)}
        more, missed = rows_of("", found, timed(found, args))
        rows += more
        problems += missed
        # Compared last: the reports read would grow this process, whose memory every child
        # forked from it starts with (and would count as its own peak).
        problems = [line for report, peer in compared for line in compare(report, peer)] + problems
        finding_costs = [line for size in finding_costs_of for line in size()]
    header = ["packages", "input", "seconds", "CPU s", "peak MB", "against", "ratio", "rounds"]
    header += ["target", ""]
    print(f"median of {args.runs} runs, side by side (full audit, all rules, JSON report);")
    print("ratio = wall time / the wall time of the input against; CPU s = user + system;")
    print("rounds = the lowest and highest ratio of one round's two runs")
    print(table(header, rows))
    for line in finding_costs:
        print(line)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
