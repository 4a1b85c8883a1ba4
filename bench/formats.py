"""How long reading 100,000 packages takes from Excel and from API JSON, against CSV.

    .venv/bin/python bench/formats.py [--packages N]

Writes one generated licensee in every shape (grid CSV, Excel workbook, v2 API JSON pages)
with the test suite's shape writer, then times `load` on each, in this process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from batchaudit.ingest.load import load
from batchaudit.model.fields import LAB_RESULT_FIELDS, PACKAGE_FIELDS
from batchaudit.sample import write_sample
from shapes_writer import canonical_text, write_every_shape


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        tables = load(detected=write_sample(root / "sample", packages=args.packages, seed=1))
        assert tables.lab_results is not None
        packages = canonical_text(tables.packages, list(PACKAGE_FIELDS))
        lab = canonical_text(tables.lab_results.head(10), list(LAB_RESULT_FIELDS))
        started = time.perf_counter()
        written = write_every_shape(packages, lab, root / "shapes")
        print(f"wrote every shape in {time.perf_counter() - started:.1f} s")
        for shape, label in (("grid-full", "CSV"), ("excel", "Excel"), ("api-json", "API JSON")):
            files = [p for p in written[shape] if "lab" not in p.name]
            size = sum(p.stat().st_size for p in files) / 1e6
            started = time.perf_counter()
            read = load(packages=files)
            seconds = time.perf_counter() - started
            print(
                f"{label:<9} {len(files):>4} file(s) {size:7.1f} MB  "
                f"{len(read.packages):>7,} packages  {seconds:6.2f} s"
            )


if __name__ == "__main__":
    main()
