"""A corpus of broken files through the command line: one sentence each, never a traceback."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from helpers import tag

GOOD = f"Tag,Category,Source Package(s),Production Batch,P.B. No.\n{tag(1)},Buds,,No,\n"


def truncated_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Tag", "Category"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()[:300]


CORPUS: dict[str, tuple[bytes, str]] = {
    "empty.csv": (b"", "is empty"),
    "only-spaces.csv": (b"   \n\n  ", "is empty"),
    "binary.csv": (bytes(range(256)) * 4, "binary file"),
    "lab-results-as-packages.csv": (
        b"PackageId,LabTestResultId,SourcePackageLabel,TestTypeName\n1,2,X,THC\n",
        "is a lab-results export, not a packages export; pass it with -l",
    ),
    "truncated.xlsx": (truncated_workbook(), "not a readable Excel workbook"),
    "malformed.json": (b'{"Data": [{"Label": "1A4', "not valid JSON"),
    "unrelated.csv": (b"Name,Email\nAda,ada@example.com\n", "not a packages export"),
    "blank-lines-only.csv": (b",,\n\n,,\n", "holds only blank lines"),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_broken_file_gives_its_sentence_and_exit_2(name: str, tmp_path: Path) -> None:
    content, sentence = CORPUS[name]
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["audit", "-p", str(path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    first_line = result.stderr.splitlines()[0]
    assert str(path) in first_line and sentence in first_line
    assert "Traceback" not in result.stderr
    assert "no packages could be read" in result.stderr


def test_broken_files_beside_a_good_one_do_not_stop_the_audit(tmp_path: Path) -> None:
    for name, (content, _) in CORPUS.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "good.csv").write_text(GOOD)
    result = CliRunner().invoke(cli, ["audit", str(tmp_path), "-f", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    # In a folder the lab-results file is detected as such and read: its bad tag is DQ002.
    assert result.exit_code == 1
    summary = json.loads(result.stdout)["summary"]
    assert summary["packages"] == 1 and summary["by_rule"]["DQ002"] == 1
    assert len(result.stderr.splitlines()) == len(CORPUS) - 1


def test_inspect_explains_good_and_broken_files(tmp_path: Path) -> None:
    (tmp_path / "good.csv").write_text(GOOD.replace("Production Batch", "Extra Column"))
    (tmp_path / "empty.csv").write_bytes(b"")
    result = CliRunner().invoke(cli, ["inspect", str(tmp_path)])
    assert result.exit_code == 0
    out = result.stdout
    assert "shape:    metrc-grid" in out
    assert "Tag                -> tag" in out
    assert "ignored:  Extra Column" in out
    assert "MISSING:  Production Batch (the rules that need them do not check" in out
    assert f"NOT READ: {tmp_path / 'empty.csv'} is empty" in out


def test_inspect_exits_2_when_nothing_is_readable(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    assert CliRunner().invoke(cli, ["inspect", str(tmp_path / "empty.csv")]).exit_code == 2


def test_folders_are_searched_below_and_an_empty_one_is_named(tmp_path: Path) -> None:
    (tmp_path / "exports" / "2026-11").mkdir(parents=True)
    (tmp_path / "exports" / "2026-11" / "active.csv").write_text(GOOD)
    (tmp_path / "exports" / ".cache").mkdir()
    (tmp_path / "exports" / ".cache" / "old.csv").write_text("not an export")
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["audit", str(tmp_path / "exports"), str(tmp_path / "empty")])
    assert result.exit_code == 0
    assert "1 package," in result.stdout
    assert (
        result.stderr
        == f"batchaudit: {tmp_path / 'empty'} is a folder with no export files in it (.csv, .tsv, .txt, .xlsx, .xlsm, .xls, .json); check the path.\n"
    )
    inspected = CliRunner().invoke(cli, ["inspect", str(tmp_path / "empty")])
    assert inspected.exit_code == 2 and "NOT READ" in inspected.stdout
