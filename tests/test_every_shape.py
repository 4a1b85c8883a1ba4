"""One logical data set, written in every shape, gives identical findings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from batchaudit.engine import run
from batchaudit.ingest.load import load
from batchaudit.model.fields import LAB_RESULT_FIELDS, PACKAGE_FIELDS
from batchaudit.model.findings import AuditResult
from batchaudit.model.packs import load_pack
from batchaudit.sample import write_sample
from shapes_writer import canonical_text, write_every_shape

SHAPES = ["grid-full", "grid-abbreviated", "api-flattened", "canonical", "excel", "api-json"]


def outcome(result: AuditResult) -> list[tuple[str, str, str, str]]:
    """What a user acts on: rule, package, message, remedy (file names aside)."""
    return sorted((f.rule, f.package_tag or "", f.message, f.remedy or "") for f in result.findings)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    root = tmp_path_factory.mktemp("shapes")
    tables = load(detected=write_sample(root / "sample", packages=400, seed=11))
    assert tables.lab_results is not None
    packages = canonical_text(tables.packages, list(PACKAGE_FIELDS))
    lab = canonical_text(tables.lab_results, list(LAB_RESULT_FIELDS))
    return write_every_shape(packages, lab, root / "shapes")


def test_every_shape_gives_identical_findings(written: dict[str, list[Path]]) -> None:
    pack = load_pack("oregon")
    results = {shape: run(load(detected=written[shape]), pack) for shape in SHAPES}
    reference = outcome(results["grid-full"])
    assert len(reference) > 50
    assert {f.rule for f in results["grid-full"].findings} >= {"PB001", "PB002", "PB003", "LT001"}
    for shape in SHAPES:
        assert not [f for f in results[shape].findings if f.rule.startswith("DQ")], shape
        assert outcome(results[shape]) == reference, shape
        assert results[shape].summary == results["grid-full"].summary, shape


def test_one_export_as_grid_csv_excel_and_api_json_in_one_folder_is_the_api_json_alone(
    written: dict[str, list[Path]], tmp_path: Path
) -> None:
    together = tmp_path / "together"
    together.mkdir()
    api_json = written["api-json"]
    chosen = [written["grid-full"][0], written["excel"][-1], *api_json]
    for path in chosen:
        shutil.copy(path, together / f"{path.parent.name}-{path.name}")
    pack = load_pack("oregon")
    merged = run(load(detected=[together]), pack)
    alone = run(load(detected=api_json), pack)
    assert [f for f in merged.findings if f.rule == "DQ003"] == []
    assert outcome(merged) == outcome(alone)
    assert merged.summary == alone.summary
    assert len(merged.inputs) == len(alone.inputs) + 2
