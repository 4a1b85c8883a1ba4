"""Pathological export shapes, as an odd or hostile file would have them, for the shape
benchmark (`make bench-shapes`) and the tests that check their findings.

- chain: N packages, each repackaged from the one before; the first is tested and the last
  is a production batch of the same category (PB001 and PB004, losing that result).
- chain-conflict: the same, with the second tested too and failing where the first passes:
  LT002 on every later package but the batch (N findings, each with its own evidence).
- cycle: N packages, each listing the next as its source, the last the first (LN002 on
  all); the first is tested.
- sources: one package combined from N tested packages (LT001, N tested packages).
- files: N one-row packages files, ten to a subfolder (no finding beyond their content).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SHAPES = ("chain", "chain-conflict", "cycle", "sources", "files")
PACKAGE_COLUMNS = ["tag", "category", "source_package_tags", "production_batch"]
PACKAGE_COLUMNS += ["production_batch_number"]
LAB_COLUMNS = ["tested_package", "lab_test_result_id", "test_type", "test_passed"]


def shape_tag(number: np.ndarray) -> np.ndarray:
    """Tags 1A4030000CC7D20 followed by the number in nine digits."""
    return np.char.add("1A4030000CC7D20", np.char.zfill(number.astype(str), 9))


def write_shape(shape: str, folder: Path, size: int) -> None:
    """Write the shape's packages (and lab results) as canonical CSVs into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    if shape == "files":
        _files(folder, size)
        return
    writers = {"chain": _chain, "chain-conflict": _chain_conflict, "cycle": _cycle}
    packages, lab = {**writers, "sources": _sources}[shape](size)
    packages.to_csv(folder / "packages.csv", index=False)
    lab.to_csv(folder / "lab-results.csv", index=False)


def _packages(tags: np.ndarray, sources: np.ndarray, batch: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tag": tags,
            "category": "Buds",
            "source_package_tags": sources,
            "production_batch": np.where(batch, "Yes", "No"),
            "production_batch_number": np.where(batch, "PB-1", ""),
        }
    )


def _lab(tested: list[str], passed: list[bool]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tested_package": tested,
            "lab_test_result_id": [str(n + 1) for n in range(len(tested))],
            "test_type": "THC",
            "test_passed": ["true" if p else "false" for p in passed],
        }
    )


def _chain(size: int, tested: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    tags = shape_tag(np.arange(1, size + 1))
    sources = np.r_[[""], tags[:-1]]
    batch = np.arange(size) == size - 1
    return _packages(tags, sources, batch), _lab(list(tags[:tested]), [True, False][:tested])


def _chain_conflict(size: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _chain(size, tested=2)


def _cycle(size: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    tags = shape_tag(np.arange(1, size + 1))
    return _packages(tags, np.roll(tags, -1), np.zeros(size, bool)), _lab([tags[0]], [True])


def _sources(size: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    tested = shape_tag(np.arange(1, size + 1))
    combined = shape_tag(np.array([size + 1]))
    tags = np.concatenate([tested, combined])
    sources = np.array([*[""] * size, ",".join(tested)], dtype=object)
    lab = _lab(list(tested), [True] * size)
    return _packages(tags, sources, np.zeros(size + 1, bool)), lab


def _files(folder: Path, size: int) -> None:
    tags = shape_tag(np.arange(1, size + 1))
    header = ",".join(PACKAGE_COLUMNS)
    for number, tag in enumerate(tags):
        sub = folder / f"d{number // 100:03d}" / f"e{number // 10 % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"p{number}.csv").write_text(f"{header}\n{tag},Buds,,No,\n", encoding="utf-8")
