"""Every branch of Oregon's processing-job rules (issue 23) in every shape a user hands over:
the grid (full and abbreviated titles), its Excel workbook, the API's records as CSV and as
v2 JSON pages, and the canonical CSV; and a processing-jobs export as its own input kind."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from helpers import tag
from shapes_writer import write_every_shape

ID_SHAPES = {"api-flattened", "api-json", "canonical"}  # their packages carry Metrc's Id


def packages(*rows: tuple[str, ...]) -> pd.DataFrame:
    """(number, category, sources, batch, batch number, packaged, job): one package each,
    its job named for the grid and counted for the API."""
    frame = pd.DataFrame(
        rows, columns=["n", "category", "sources", "batch", "number", "packaged", "job"]
    )
    return pd.DataFrame(
        {
            "tag": [tag(int(n)) for n in frame["n"]],
            "package_id": frame["n"],
            "category": frame["category"],
            "source_package_tags": [tag(int(s)) if s else "" for s in frame["sources"]],
            "production_batch": frame["batch"],
            "production_batch_number": frame["number"],
            "packaged_date": frame["packaged"] + "T00:00:00",
            "source_processing_jobs": frame["job"],
            "source_processing_job_count": ["1" if job else "0" for job in frame["job"]],
            "discontinued": "False",
            "discontinued_date": "",
        }
    )


def lab(*rows: tuple[str, int, int]) -> pd.DataFrame:
    """(result id, tested package, pulled for): one Potency row each."""
    return pd.DataFrame(
        {
            "package_id": [str(pulled) if pulled else "" for _, _, pulled in rows],
            "tested_package": [tag(tested) for _, tested, _ in rows],
            "lab_test_result_id": [result for result, _, _ in rows],
            "test_type": "Potency",
            "test_passed": "True",
        }
    )


def fired(folder: Path, frame: pd.DataFrame, results: pd.DataFrame) -> dict[str, set[tuple]]:
    """Per shape, (rule, tag, severity) of the processing-job rules' findings."""
    found: dict[str, set[tuple]] = {}
    for shape, paths in write_every_shape(frame, results, folder).items():
        result = CliRunner().invoke(cli, ["audit", *map(str, paths), "-f", "json"])
        findings = json.loads(result.stdout)["findings"]
        found[shape] = {
            (f["rule"], f["package_tag"], f["severity"])
            for f in findings
            if f["rule"] in {"PB001", "PB002", "PB003", "PB005", "PB006", "PB007"}
        }
    return found


TRIM = ("1", "Shake/Trim", "", "False", "", "2024-02-20", "")


def test_a_job_output_without_the_box_is_a_warning_to_check_in_every_shape(
    tmp_path: Path,
) -> None:
    frame = packages(TRIM, ("2", "Concentrate", "1", "False", "", "2024-03-02", "MN001"))
    for shape, found in fired(tmp_path, frame, lab(("100", 1, 0))).items():
        assert found == {("PB003", tag(2), "warning")}, shape


def test_it_stays_the_error_where_its_lab_pull_shows_the_inputs_results(tmp_path: Path) -> None:
    """A per-package pull is placed by the package's Id, which only the API's records and the
    canonical CSV carry: in the grid the pull places nothing, and the warning stands."""
    frame = packages(TRIM, ("2", "Concentrate", "1", "False", "", "2024-03-02", "MN001"))
    pulls = lab(("100", 1, 1), ("100", 1, 2))
    for shape, found in fired(tmp_path, frame, pulls).items():
        severity = "error" if shape in ID_SHAPES else "warning"
        assert found == {("PB003", tag(2), severity)}, shape


def test_before_the_date_processing_without_the_box_is_the_error(tmp_path: Path) -> None:
    frame = packages(
        ("1", "Shake/Trim", "", "False", "", "2023-01-02", ""),
        ("2", "Concentrate", "1", "False", "", "2023-03-02", "MN001"),
    )
    for shape, found in fired(tmp_path, frame, lab(("100", 1, 0))).items():
        assert found == {("PB003", tag(2), "error")}, shape


def test_a_process_lot_with_no_job_is_pb007_in_every_shape(tmp_path: Path) -> None:
    """The job field is in every shape (a blank cell, a count of 0): a production batch into
    another group with none is a process lot not recorded as a job; with a job it is not."""
    frame = packages(
        TRIM,
        ("2", "Concentrate", "1", "True", "PB-1", "2024-03-02", ""),
        ("3", "Concentrate", "1", "True", "PB-2", "2024-03-02", "MN002"),
    )
    for shape, found in fired(tmp_path, frame, lab(("100", 1, 0))).items():
        assert found == {("PB007", tag(2), "warning")}, shape


def test_pb005_takes_the_job_as_the_process_lot_id(tmp_path: Path) -> None:
    """A blank number on a job output is not an error in any shape, and the outputs of one
    job sharing its number across categories are expected; a batch of no job is still the
    error."""
    frame = packages(
        TRIM,
        ("2", "Concentrate", "1", "True", "", "2024-03-02", "MN001"),
        ("3", "Extracts", "1", "True", "MN002", "2024-03-02", "MN002"),
        ("4", "Concentrate", "1", "True", "MN002", "2024-03-02", "MN002"),
        ("5", "Extracts", "", "True", "", "2024-03-02", ""),
    )
    for shape, found in fired(tmp_path, frame, lab(("100", 1, 0))).items():
        pb005 = {(package, severity) for rule, package, severity in found if rule == "PB005"}
        assert pb005 == {(tag(5), "error")}, shape


def job_page(*jobs: dict[str, object]) -> dict[str, object]:
    return {"Data": list(jobs), "Total": len(jobs), "Page": 1, "TotalPages": 1}


def api_package(number: int, category: str, **fields: object) -> dict[str, object]:
    return {
        "Id": number,
        "Label": tag(number),
        "PackagedDate": "2024-03-02",
        "SourcePackageLabels": "",
        "IsProductionBatch": False,
        "ProductionBatchNumber": "",
        "SourceProcessingJobCount": 0,
        "LabTestingStateName": "TestPassed",
        "Item": {"Name": category, "ProductCategoryName": category},
        **fields,
    }


@pytest.fixture
def job_exports(tmp_path: Path) -> list[Path]:
    """API packages whose job outputs list no sources (a count of 1), the jobs page with the
    inputs, and the createpackages bodies that name each output's job."""
    records = [
        api_package(1, "Shake/Trim"),
        api_package(2, "Shake/Trim"),
        api_package(3, "Concentrate", SourceProcessingJobCount=1),
        api_package(4, "Concentrate", SourceProcessingJobCount=1, IsProductionBatch=True,
                    ProductionBatchNumber="MN001"),
    ]  # fmt: skip
    job = {
        "Id": 7, "Name": "Rosin run 12", "Number": "MN001",
        "JobTypeName": "Extraction of cannabinoids", "StartDate": "2024-03-01",
        "FinishedDate": "2024-03-02", "IsFinished": True,
        "Packages": [{"PackageLabel": tag(1), "Quantity": 600.0},
                     {"PackageLabel": tag(2), "Quantity": 600.0}],
    }  # fmt: skip
    outputs = [{"JobName": "Rosin run 12", "Tag": tag(n), "Quantity": 100.0} for n in (3, 4)]
    files = {
        "packages.json": {"Data": records, "Total": 4, "Page": 1, "TotalPages": 1},
        "processing-inactive.json": job_page(job),
        "createpackages.json": outputs,
    }
    for name, content in files.items():
        (tmp_path / name).write_text(json.dumps(content))
    return [tmp_path / name for name in files]


def test_a_jobs_export_gives_outputs_their_inputs_as_sources(job_exports: list[Path]) -> None:
    result = CliRunner().invoke(cli, ["audit", *map(str, job_exports), "-f", "json"])
    document = json.loads(result.stdout)
    kinds = {Path(i["path"]).name: (i["kind"], i["rows"]) for i in document["inputs"]}
    assert kinds == {
        "packages.json": ("packages", 4),
        "processing-inactive.json": ("processing-jobs", 2),  # one row per input
        "createpackages.json": ("processing-jobs", 2),
    }
    found = {(f["rule"], f["package_tag"], f["severity"]) for f in document["findings"]}
    # The output without the box is the warning; the production batch out of it is a new lot.
    assert ("PB003", tag(3), "warning") in found
    assert not any(rule in {"PB001", "PB002", "PB007", "LN001"} for rule, _, _ in found)
    (warning,) = [f for f in document["findings"] if f["rule"] == "PB003"]
    assert [s["tag"] for s in warning["evidence"]["sources"]] == [tag(1), tag(2)]
    assert warning["evidence"]["inferred"] is True
    assert warning["evidence"]["basis"].startswith("OAR 845-025-7575(2)")


def test_without_the_jobs_export_the_outputs_are_not_checked(job_exports: list[Path]) -> None:
    """Never a false all-clear: a job output that lists no sources is not checked by the
    source rules until the export that lists its job's inputs is loaded."""
    result = CliRunner().invoke(cli, ["audit", str(job_exports[0]), "-f", "json"])
    document = json.loads(result.stdout)
    assert [f for f in document["findings"] if f["rule"] == "PB003"] == []
    (gap,) = document["coverage"]["PB003"]["why"]
    assert gap["reason"].startswith("each came out of a processing job and lists no source")
    assert gap["packages"] == 1  # the output without the box; PB001-PB002 have the batch


def test_trace_shows_the_job_as_a_step(job_exports: list[Path]) -> None:
    shown = CliRunner().invoke(cli, ["trace", tag(3), *map(str, job_exports)]).stdout
    assert (
        f"job MN001 Rosin run 12 Extraction of cannabinoids, 2024-03-02: inputs {tag(1)}, "
        f"{tag(2)} -> outputs {tag(3)}, {tag(4)}"
    ) in shown
    assert "its sources are the inputs of its processing job" not in shown  # the root's own
    assert tag(1) in shown.split("Sources, up to")[1]


def test_inspect_reads_a_jobs_export(job_exports: list[Path]) -> None:
    shown = CliRunner().invoke(cli, ["inspect", str(job_exports[1])]).stdout
    assert "kind:     processing-jobs" in shown
    assert "Packages.PackageLabel  -> input_tag" in shown
