"""Whether two runs of the benchmark made the same reports, byte for byte.

    .venv/bin/python bench/bench.py --keep /tmp/before      # at the old commit
    .venv/bin/python bench/bench.py --keep /tmp/after       # at the new one
    .venv/bin/python bench/same_findings.py /tmp/before /tmp/after

Every `findings.json` under the first folder is compared with the one at the same place
under the second, the two folders' own paths set aside (the inputs are named by path). A
JSON report holds no run time, so the same findings, wording, evidence, fingerprints,
coverage and accounting give the same bytes. Where they differ, the first findings that
differ are shown. Exit status 1 when any report differs or is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def differences(before: Path, after: Path, roots: tuple[Path, Path]) -> list[str]:
    """What differs between two JSON reports, in words; nothing when they are the same.
    The inputs' paths are compared with the two runs' folders (`roots`) set aside."""
    if not after.is_file():
        return [f"{after} is missing"]
    was = before.read_bytes().replace(str(roots[0]).encode(), str(roots[1]).encode())
    if was == after.read_bytes():
        return []
    old, new = json.loads(was), json.loads(after.read_bytes())
    said = [f"{after} differs from {before}"]
    said += [
        f"  {key}: differs"
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    ]
    pairs = zip(old.get("findings", []), new.get("findings", []), strict=False)
    for number, (was, now) in enumerate(pairs, 1):
        if was != now:
            said += [f"  finding {number} was: {was}", f"  finding {number} now: {now}"]
            break
    return said


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("before", type=Path, help="a folder of reports (or one report)")
    parser.add_argument("after", type=Path, help="the same, from the other run")
    args = parser.parse_args()
    reports = sorted(args.before.rglob("findings.json")) if args.before.is_dir() else [args.before]
    problems: list[str] = []
    for report in reports:
        other = args.after / report.relative_to(args.before) if args.before.is_dir() else args.after
        found = differences(report, other, (args.before.resolve(), args.after.resolve()))
        problems += found
        print(f"{'DIFFERS' if found else 'same   '} {report.relative_to(args.before.parent)}")
    print("\n".join(problems))
    return 1 if problems or not reports else 0


if __name__ == "__main__":
    sys.exit(main())
