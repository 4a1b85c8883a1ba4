"""Pathological lineage and folder shapes, built small: the findings must be right (the
shape benchmark, `make bench-shapes`, times them at full size)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from batchaudit.engine import audit
from batchaudit.ingest.load import load
from batchaudit.model.findings import AuditResult
from batchaudit.model.packs import load_pack
from batchaudit.sample.shapes import shape_tag, write_shape


def _audit_shape(tmp_path: Path, shape: str, size: int) -> AuditResult:
    write_shape(shape, tmp_path / shape, size)
    return audit(load(detected=[tmp_path / shape]), load_pack("oregon")).result


def _tags(result: AuditResult, rule: str) -> list[str]:
    return sorted(f.package_tag or "-" for f in result.findings if f.rule == rule)


def _numbered(*numbers: int) -> list[str]:
    return sorted(shape_tag(np.array(numbers)).tolist())


def test_a_deep_chain_inherits_to_the_end_and_stops_at_the_production_batch(
    tmp_path: Path,
) -> None:
    size = 2_000
    result = _audit_shape(tmp_path, "chain", size)
    assert sorted({f.rule for f in result.findings}) == ["PB001", "PB004"]
    (batch,) = [f for f in result.findings if f.rule == "PB001"]
    assert batch.package_tag == _numbered(size)[0]
    assert batch.evidence["results_lost"] == {
        "rows": 1,
        "events": 1,
        "tested_packages": 1,
        "at_least": False,
    }


def test_a_deep_chain_with_a_conflict_at_its_root_shows_it_all_the_way_down(
    tmp_path: Path,
) -> None:
    size = 2_000
    result = _audit_shape(tmp_path, "chain-conflict", size)
    # The first two are tested, pass and fail: every later package shows both, except the
    # production batch at the end, whose tab starts anew.
    assert _tags(result, "LT002") == _numbered(*range(2, size))
    assert _tags(result, "LT001") == []
    assert _tags(result, "PB001") == _numbered(size)
    (batch,) = [f for f in result.findings if f.rule == "PB001"]
    assert batch.evidence["results_lost"] == {
        "rows": 2,
        "events": 2,
        "tested_packages": 2,
        "at_least": False,
    }
    assert _tags(result, "LN002") == []


def test_a_long_cycle_ends_and_every_member_is_on_it(tmp_path: Path) -> None:
    size = 1_000
    result = _audit_shape(tmp_path, "cycle", size)
    assert _tags(result, "LN002") == _numbered(*range(1, size + 1))
    assert _tags(result, "LT001") == []
    assert result.summary.test_events == 1


def test_a_package_with_thousands_of_tested_sources_lists_every_one(tmp_path: Path) -> None:
    size = 2_000
    result = _audit_shape(tmp_path, "sources", size)
    (finding,) = [f for f in result.findings if f.rule == "LT001"]
    combined = shape_tag(np.array([size + 1]))[0]
    assert finding.package_tag == combined
    assert finding.evidence["tested_package_count"] == size
    assert finding.evidence["rows"] == size
    chains = {t["tag"]: t["inherited_through"] for t in finding.evidence["tested_packages"]}
    first = shape_tag(np.array([1]))[0]
    assert len(chains) == size and chains[first] == [combined, first]


def test_a_folder_of_one_row_files_in_subfolders_reads_every_file(tmp_path: Path) -> None:
    size = 200
    result = _audit_shape(tmp_path, "files", size)
    assert result.summary.packages == size
    assert len(result.inputs) == size
    assert [f.rule for f in result.findings] == []
