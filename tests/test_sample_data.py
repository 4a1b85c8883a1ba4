"""sample_data/ is what `batchaudit sample --processing-jobs` writes, and every core rule
fires on it, the processing-job branches among them."""

from __future__ import annotations

from pathlib import Path

from batchaudit.engine import run
from batchaudit.ingest.load import load
from batchaudit.model.packs import load_pack
from batchaudit.sample import write_sample

SAMPLE_DATA = Path(__file__).parents[1] / "sample_data"


def test_sample_data_is_reproduced_by_the_sample_command(tmp_path: Path) -> None:
    for written in write_sample(tmp_path, packages=300, seed=7, processing_jobs=True):
        assert written.read_bytes() == (SAMPLE_DATA / written.name).read_bytes(), written.name


def test_every_core_rule_fires_on_the_sample_data() -> None:
    result = run(load(detected=[SAMPLE_DATA]), load_pack("oregon"))
    counts = result.by_rule()
    for code in ("PB001", "PB002", "PB003", "PB004", "PB006", "PB007", "LT001", "LN002"):
        assert counts.get(code, 0) >= 1, code
    # Job outputs without the box, one listing its sources and one only through its job.
    warned = {
        f.package_tag for f in result.findings if f.rule == "PB003" and f.severity == "warning"
    }
    assert len(warned) == 2
    assert "processing-jobs" in {item.kind for item in result.inputs}
    assert result.summary.packages == 300
    assert not [f for f in result.findings if f.rule.startswith("DQ")]
