"""The charts' geometry: the LT001 limit sits between the bins it separates."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchaudit.engine import audit
from batchaudit.ingest.load import load
from batchaudit.packs import load_pack
from batchaudit.report.charts import WIDTH, Chart, charts, tab_bins
from helpers import write

# T9 combines eight tested lots: its tab shows 8 tested packages.
PACKAGES = (
    "tag,category,source_package_tags,production_batch,production_batch_number\n"
    + "\n".join(
        [*[f"T{n},Buds,,No," for n in range(1, 9)], 'T9,Buds,"T1,T2,T3,T4,T5,T6,T7,T8",No,']
    )
)
LAB = "tested_package,lab_test_result_id,test_type,test_passed\n" + "\n".join(
    f"T{n},{n},THC,true" for n in range(1, 9)
)


@pytest.mark.parametrize("limit", [0, 3, 7, 20])
def test_bins_put_every_size_beyond_the_limit_right_of_the_line(limit: int) -> None:
    bins = tab_bins(limit)
    assert [low for low, _, _ in bins[: limit + 1]] == list(range(limit + 1))
    assert all(low > limit for low, _, _ in bins[limit + 1 :])
    assert bins[-1][1] > 10**6


def tab_chart(tmp_path: Path, limit: int) -> Chart:
    pack = tmp_path / "pack.toml"
    pack.write_text(
        f"[rules.LT001]\nmax_tested_packages = {limit}\n"
        "[[groups]]\nname = 'flower'\ntested = true\ncategories = ['Buds']\n"
    )
    tables = load(
        packages=[write(tmp_path / "p.csv", PACKAGES)], lab_results=[write(tmp_path / "l.csv", LAB)]
    )
    return next(
        c for c in charts(audit(tables, load_pack(str(pack))).result) if c.key == "tab-sizes"
    )


@pytest.mark.parametrize("limit", [3, 7, 20])
def test_the_limit_line_and_label_stay_inside_and_mark_the_right_bars(
    limit: int, tmp_path: Path
) -> None:
    chart = tab_chart(tmp_path, limit)
    (line,) = [mark for mark in chart.marks if mark.x1 == mark.x2]
    assert 0 < line.x1 < WIDTH
    label = next(label for label in chart.labels if label.text.startswith("LT001"))
    assert (label.anchor == "start" and label.x < WIDTH - 150) or (
        label.anchor == "end" and label.x <= WIDTH
    )
    bin_of_eight = next(text for low, high, text in tab_bins(limit) if low <= 8 <= high)
    bar = next(bar for bar in chart.bars if bar.title.startswith(f"{bin_of_eight} tested"))
    assert (bar.kind == "warning") == (limit < 8)
    assert (bar.x > line.x1) == (limit < 8)
