"""Lab results read as codes (each distinct text once, a code per cell): the same audit as
read as text, on the files users have and on odd values, in less memory."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from batchaudit.cli.main import cli
from batchaudit.ingest import load as load_module
from batchaudit.ingest import text as text_module
from batchaudit.ingest import validation
from batchaudit.ingest.load import load
from batchaudit.ingest.text_columns import Reading
from batchaudit.model.fields import Kind
from batchaudit.sample import write_sample
from helpers import tag, write

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
LAB_TITLES = (
    "PackageId,SourcePackageLabel,LabTestResultId,LabFacilityLicenseNumber,LabFacilityName,"
    "TestPerformedDate,OverallPassed,TestTypeName,TestPassed,TestResultLevel\n"
)


def read_lab_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lab results read as text, as before they were read as codes: not parsed as codes,
    nor made codes once validated."""
    mapped = load_module._mapped_titles
    monkeypatch.setattr(validation, "as_codes", lambda frame: frame)

    def text_only(path: Path, expected: Kind | None, header: list[str]) -> Reading | None:
        reading = mapped(path, expected, header)
        return None if reading is None else Reading(reading.columns, coded=False)

    monkeypatch.setattr(load_module, "_mapped_titles", text_only)


def report(folder: Path, out: Path) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["audit", str(folder), "-o", str(out), "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def pulls(folder: Path) -> Path:
    """A small licensee whose lab results are per-package pulls: every row repeated under
    each package that inherits it."""
    write_sample(folder, packages=2_000, seed=5, lab_pulls=True)
    return folder


@pytest.fixture(scope="module")
def coded_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict]]:  # type: ignore[type-arg]
    """The folders audited, and their reports with lab results read as codes."""
    root = tmp_path_factory.mktemp("coded")
    folders = {"sample": SAMPLE, "pulls": pulls(root / "pulls")}
    return {
        name: (folder, report(folder, root / f"{name}.json")) for name, folder in folders.items()
    }


@pytest.mark.parametrize("name", ["sample", "pulls"])
def test_lab_results_read_as_codes_give_the_same_report_as_read_as_text(
    name: str,
    coded_reports: dict[str, tuple[Path, dict]],  # type: ignore[type-arg]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, coded = coded_reports[name]
    read_lab_as_text(monkeypatch)
    text = report(folder, tmp_path / "text.json")
    assert coded["findings"], "the comparison needs findings to compare"
    assert coded == text


def odd_lab_results(rows: int) -> str:
    """Lab results with the spellings a careless export has: a tag padded with spaces (two
    spellings of one tag), blank cells, a date and a flag that cannot be read, a row
    without its test type (left out)."""
    lines = []
    for number in range(rows):
        tested = tag(number % 7) if number % 3 else f"  {tag(number % 7)} "
        date = "not a date" if number == 5 else "2026-01-05T10:00:00+00:00"
        passed = "maybe" if number == 8 else ("true" if number % 2 else "")
        lab = "" if number % 11 == 0 else "Willamette Valley Testing"
        test_type = " " if number == 13 else "Total THC (%) Flower"
        lines.append(
            f"{number},{tested},{number // 4},010-100{number % 3},{lab},"
            f"{date},{passed},{test_type},true,{number / 10}\n"
        )
    return LAB_TITLES + "".join(lines)


# A small file, one Arrow reads, and one Arrow reads in blocks of 4 kB: each block its own
# texts, whose codes must be made codes of the whole file's.
@pytest.mark.parametrize(("rows", "block"), [(20, None), (3_000, None), (3_000, 1 << 12)])
def test_odd_lab_values_read_as_codes_are_what_they_are_read_as_text(
    rows: int, block: int | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "lab.csv", odd_lab_results(rows))
    if block:
        monkeypatch.setattr(text_module, "_BLOCK_BYTES", block)
    coded = load(lab_results=[path])
    read_lab_as_text(monkeypatch)
    text = load(lab_results=[path])
    assert coded.lab_results is not None and text.lab_results is not None
    assert not isinstance(text.lab_results["tested_package"].dtype, pd.CategoricalDtype)
    # Texts that repeat are codes (two spellings of a tag, one code); ids of one row each,
    # text.
    assert isinstance(coded.lab_results["test_type"].dtype, pd.CategoricalDtype)
    assert not isinstance(coded.lab_results["package_id"].dtype, pd.CategoricalDtype)
    tags = coded.lab_results["tested_package"]
    if rows > 20:
        assert isinstance(tags.dtype, pd.CategoricalDtype) and tags.cat.categories.is_unique
    assert (tags.str.strip() == tags).all()

    decoded = coded.lab_results.astype(
        {
            column: "str"
            for column in coded.lab_results.columns
            if isinstance(coded.lab_results[column].dtype, pd.CategoricalDtype)
        }
    )
    expected = text.lab_results.astype(
        {
            column: "str"
            for column in text.lab_results.columns
            if isinstance(text.lab_results[column].dtype, pd.CategoricalDtype)
        }
    )
    pd.testing.assert_frame_equal(decoded, expected)
    assert [str(p) for p in coded.problems] == [str(p) for p in text.problems]
    assert len(coded.problems) == 3  # the date, the flag and the blank test type


def test_lab_results_as_codes_and_as_text_join_into_one_table(tmp_path: Path) -> None:
    """A lab file parsed as codes, a small one and an API export (read as text, then made
    codes) are one table: no column becomes Python objects."""
    grid = write(tmp_path / "lab.csv", odd_lab_results(3_000))
    small = write(tmp_path / "lab-small.csv", odd_lab_results(4))
    api = write(
        tmp_path / "lab.json",
        json.dumps(
            [
                {
                    "PackageId": 9_001,
                    "SourcePackageLabel": tag(3),
                    "LabTestResultId": 9_001,
                    "LabFacilityLicenseNumber": "010-1009",
                    "LabFacilityName": "Another Lab",
                    "TestPerformedDate": "2026-01-06T10:00:00+00:00",
                    "OverallPassed": True,
                    "TestTypeName": "Total CBD (%) Flower",
                    "TestPassed": True,
                    "TestResultLevel": 0.5,
                }
            ]
        ),
    )
    lab = load(lab_results=[grid, small, api]).lab_results
    assert lab is not None and len(lab) == 3_004  # the row without a test type left out
    assert lab["tested_package"].iloc[2_999 + 3] == tag(3)  # the small file's, stripped
    assert lab["lab_name"].iloc[-1] == "Another Lab"
    assert lab["test_type"].iloc[-1] == "Total CBD (%) Flower"
    assert not any(lab[column].dtype == object for column in lab.columns)
