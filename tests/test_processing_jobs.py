"""Oregon's processing jobs (issue 23, OAR 845-025-7575(2)): the fields that say which job a
package came out of are read in every shape, all optional, and a job output made a
production batch since 2023-04-15 is a declared process lot (PB006), not PB001/PB002."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from batchaudit.ingest.load import load
from helpers import tag
from test_responses import package, page
from test_responses import write as write_json

GRID = {
    "full": [
        "Tag",
        "Category",
        "Source Package(s)",
        "Production Batch",
        "Source Processing Job(s)",
    ],
    "abbreviated": ["Tag", "Category", "Src. Pkg's", "P.B.", "Src. Pj's"],
    "scraped": ["Tag", "Category", "Src. Pkg's", "P.B.", "Src Pj's"],
}


def grid(path: Path, titles: list[str]) -> Path:
    rows = [[tag(1), "Buds", "", "No", ""], [tag(2), "Extracts", tag(1), "Yes", "MN001"]]
    pd.DataFrame(rows, columns=titles).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("titles", list(GRID))
def test_the_grid_names_the_job_a_package_came_out_of(tmp_path: Path, titles: str) -> None:
    tables = load(packages=[grid(tmp_path / "active.csv", GRID[titles])])
    jobs = dict(zip(tables.packages["tag"], tables.packages["source_processing_jobs"], strict=True))
    assert jobs == {tag(1): "", tag(2): "MN001"}
    shown = CliRunner().invoke(cli, ["inspect", str(tmp_path / "active.csv")]).stdout
    assert f"{GRID[titles][-1]}" in shown and "-> source_processing_jobs" in shown


def test_the_api_fields_of_a_job_output_are_read(tmp_path: Path) -> None:
    output = package(2, SourceProcessingJobCount=1, InitialLabTestingState="NotSubmitted",
                     MultiProcessingJob=False,
                     Item={"ProcessingJobTypeName": "Extraction of cannabinoids",
                           "ProcessingJobCategoryName": "Extraction"})  # fmt: skip
    packages = load(packages=[write_json(tmp_path / "active.json", page([package(1), output]))])
    row = packages.packages.set_index("tag").loc[tag(2)]
    assert row["source_processing_job_count"] == 1
    assert row["processing_job_type"] == "Extraction of cannabinoids"
    assert row["processing_job_category"] == "Extraction"
    assert row["initial_lab_testing_state"] == "NotSubmitted"


def test_an_export_with_job_fields_audits_as_one_without(tmp_path: Path) -> None:
    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    grid(tmp_path / "with" / "active.csv", GRID["full"])
    plain = pd.read_csv(tmp_path / "with" / "active.csv", dtype=str, keep_default_na=False)
    plain.drop(columns=["Source Processing Job(s)"]).to_csv(
        tmp_path / "without" / "active.csv", index=False
    )

    def findings(folder: str) -> list[tuple[str, str, str]]:
        result = CliRunner().invoke(cli, ["audit", str(tmp_path / folder), "-f", "json"])
        found = json.loads(result.stdout)["findings"]
        folder_path = str(tmp_path / folder)
        return [(f["rule"], f["package_tag"], f["message"].replace(folder_path, "")) for f in found]

    assert findings("with") == findings("without")
    assert findings("with")


def test_a_declared_process_lot_is_found_in_every_shape(tmp_path: Path) -> None:
    """PB006 in the grid (full and abbreviated titles), Excel, API CSV and JSON, and the
    canonical CSV: the job output made a production batch is a declared lot, not PB001."""
    from shapes_writer import write_every_shape

    packages = pd.DataFrame(
        {
            "tag": [tag(1), tag(2)],
            "category": ["Extracts", "Extracts"],
            "source_package_tags": ["", tag(1)],
            "production_batch": ["False", "True"],
            "production_batch_number": ["", "MN001"],
            "packaged_date": ["2024-02-20T00:00:00", "2024-03-02T00:00:00"],
            "source_processing_jobs": ["", "MN001"],
            "discontinued": ["False", "False"],
            "discontinued_date": ["", ""],
        }
    )
    lab = pd.DataFrame(
        {"tested_package": [tag(1)], "lab_test_result_id": ["100"],
         "test_type": ["Potency"], "test_passed": ["True"]}
    )  # fmt: skip
    written = write_every_shape(packages, lab, tmp_path)
    for shape, paths in written.items():
        result = CliRunner().invoke(cli, ["audit", *map(str, paths), "-f", "json"])
        found = json.loads(result.stdout)["findings"]
        fired = {
            rule: [f["package_tag"] for f in found if f["rule"] == rule]
            for rule in ("PB001", "PB006")
        }
        assert fired == {"PB001": [], "PB006": [tag(2)]}, shape


def test_a_process_lot_without_a_job_is_pb007_and_without_the_field_not_checked(
    tmp_path: Path,
) -> None:
    buds = package(1, PackagedDate="2024-02-20", SourceProcessingJobCount=0)
    concentrate = package(2, IsProductionBatch=True, ProductionBatchNumber="PB-1",
                          SourcePackageLabels=tag(1), PackagedDate="2024-03-02",
                          SourceProcessingJobCount=0,
                          Item={"ProductCategoryName": "Concentrate",
                                "ProductCategoryType": "Concentrate"})  # fmt: skip
    with_field = write_json(tmp_path / "with.json", page([buds, concentrate]))
    result = CliRunner().invoke(cli, ["audit", str(with_field), "-f", "json"])
    document = json.loads(result.stdout)
    assert [f["package_tag"] for f in document["findings"] if f["rule"] == "PB007"] == [tag(2)]
    for record in (buds, concentrate):
        del record["SourceProcessingJobCount"]
    without = write_json(tmp_path / "without.json", page([buds, concentrate]))
    document = json.loads(CliRunner().invoke(cli, ["audit", str(without), "-f", "json"]).stdout)
    assert [f for f in document["findings"] if f["rule"] == "PB007"] == []
    (gap,) = document["coverage"]["PB007"]["why"]
    assert gap["reason"].startswith("their files have no processing-job field")


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("LT001", "not a number any state sets"),
        ("PB006", "OAR 845-025-7575(2)"),
        ("PB006", "not documented"),
        ("PB007", "OAR 845-025-7575(2)"),
    ],
)
def test_explain_says_what_a_rule_rests_on(code: str, said: str) -> None:
    shown = CliRunner().invoke(cli, ["explain", code]).stdout
    assert said in " ".join(shown.split())
