"""Every row accounted for, in every report: a valid export with no rows is read (0 rows),
never "not read"; rows the lab has not released are counted apart, never silently used."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from batchaudit.cli import cli
from helpers import tag
from test_accounting import assert_accounted

GRID_TITLES = "Tag,Category,Source Package(s),Production Batch,Production Batch Number"
ACTIVE = f"{GRID_TITLES}\n{tag(1)},Buds,,No,\n"
# What Metrc's API answers for a tab with nothing in it.
EMPTY_PAGE = {"Data": [], "Total": 0, "TotalRecords": 0, "PageSize": 20, "RecordsOnPage": 0,
              "Page": 1, "CurrentPage": 1, "TotalPages": 0}  # fmt: skip


def titles_only_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "On Hold"
    book.active.append(GRID_TITLES.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


EMPTY_EXPORTS: dict[str, bytes] = {
    "onhold.json": json.dumps(EMPTY_PAGE).encode(),
    "onhold-v1.json": b"[]",
    "onhold.csv": f"{GRID_TITLES}\n".encode(),
    "onhold-blank-line-first.csv": f"\n\n{GRID_TITLES}\n".encode(),
    "onhold.xlsx": titles_only_workbook(),
}


def audit(*args: str) -> Result:
    return CliRunner().invoke(cli, ["audit", *args, "--fail-on", "never"])


@pytest.mark.parametrize("name", sorted(EMPTY_EXPORTS))
def test_a_valid_empty_export_is_read_with_0_rows_in_every_report(
    name: str, tmp_path: Path
) -> None:
    active = tmp_path / "active.csv"
    active.write_text(ACTIVE)
    empty = tmp_path / name
    empty.write_bytes(EMPTY_EXPORTS[name])
    html, sarif = tmp_path / "report.html", tmp_path / "findings.sarif"
    result = audit("-p", str(active), "-p", str(empty), "-f", "json", "-o", str(html), "-o",
                   str(sarif))  # fmt: skip
    assert result.exit_code == 0, result.output
    # Nothing to warn of (no "check the API call that wrote it"): only the reports written.
    assert [line for line in result.stderr.splitlines() if not line.startswith("Wrote ")] == []
    document = json.loads(result.stdout)
    assert document["not_read"] == []
    (item,) = [item for item in document["inputs"] if item["path"] == str(empty)]
    assert (item["kind"], item["rows_read"], item["rows_used"]) == ("packages", 0, 0)
    assert document["summary"]["packages"] == 1
    assert document["findings"] == []  # no DQ001 for the columns of a file with no packages
    if empty.suffix != ".xlsx":  # the counter of rows without batchaudit reads text
        assert_accounted(document)
    page = html.read_text(encoding="utf-8")
    assert str(empty) in page.split('id="provenance"')[1]
    assert "not read" not in page.split('id="provenance"')[1]
    artifacts = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["artifacts"]
    assert any(str(empty) in json.dumps(artifact) for artifact in artifacts)


def test_an_empty_lab_results_page_in_a_folder_is_read_as_lab_results(tmp_path: Path) -> None:
    (tmp_path / "active.csv").write_text(ACTIVE)
    (tmp_path / "lab-results.json").write_text(json.dumps(EMPTY_PAGE))
    document = json.loads(audit(str(tmp_path), "-f", "json").stdout)
    kinds = {
        Path(item["path"]).name: (item["kind"], item["rows_read"]) for item in document["inputs"]
    }
    assert kinds["lab-results.json"] == ("lab-results", 0)
    assert document["not_read"] == []


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_a_file_of_nothing_or_white_space_is_still_not_an_export(
    content: bytes, tmp_path: Path
) -> None:
    (tmp_path / "active.csv").write_text(ACTIVE)
    (tmp_path / "onhold.csv").write_bytes(content)
    document = json.loads(audit(str(tmp_path), "-f", "json").stdout)
    (not_read,) = document["not_read"]
    assert not_read["path"] == str(tmp_path / "onhold.csv") and "is empty" in not_read["reason"]


def test_only_empty_exports_say_no_packages_were_given(tmp_path: Path) -> None:
    for name in ("onhold.json", "onhold.csv"):
        (tmp_path / name).write_bytes(EMPTY_EXPORTS[name])
    result = audit(str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"batchaudit: no packages were given: {tmp_path / 'onhold.csv'}, "
        f"{tmp_path / 'onhold.json'} are valid exports with no rows (nothing in that tab or "
        "response), so there is nothing to audit.\n"
    )


def test_inspect_says_an_empty_export_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "onhold.json"
    path.write_bytes(EMPTY_EXPORTS["onhold.json"])
    result = CliRunner().invoke(cli, ["inspect", str(path)])
    assert result.exit_code == 0
    assert "rows:     0 (a valid, empty export: read, nothing to audit)" in result.stdout
    assert "columns:  none (no records)" in result.stdout and "NOT READ" not in result.stdout


def test_unreleased_rows_are_counted_apart_in_inputs_summary_html_and_trace(
    tmp_path: Path,
) -> None:
    from test_responses import lab_row, package, page

    packages = tmp_path / "active.json"
    packages.write_text(json.dumps(page([package(1), package(2, SourcePackageLabels=tag(1))])))
    rows = [
        lab_row(1, 77, "Total THC"),
        lab_row(1, 77, "Pesticides"),
        lab_row(1, 78, "Total THC", ResultReleased=False),
        lab_row(1, 78, "Pesticides", ResultReleased=False),
    ]
    lab = tmp_path / "lab-results.json"
    lab.write_text(json.dumps(rows))
    html, markdown = tmp_path / "report.html", tmp_path / "summary.md"
    result = audit("-p", str(packages), "-l", str(lab), "-o", str(html), "-o", str(markdown))
    sentence = "2 lab-result rows the lab has not released are on no results tab (counted apart)."
    assert sentence in result.stdout
    assert sentence in markdown.read_text(encoding="utf-8")
    document = json.loads(audit("-p", str(packages), "-l", str(lab), "-f", "json").stdout)
    assert document["summary"]["lab_result_rows"] == 2
    assert document["summary"]["unreleased_lab_result_rows"] == 2
    (item,) = [item for item in document["inputs"] if item["path"] == str(lab)]
    assert (item["rows_read"], item["rows_used"]) == (4, 2)
    assert item["rows_counted_apart"] == {"unreleased": 2}
    assert_accounted(document)
    page_text = html.read_text(encoding="utf-8")
    assert "Result rows not released by the lab</dt><dd>2 (on no results tab; counted apart)" in (
        page_text
    )
    assert "none; 2 counted apart (unreleased)" in page_text.split('id="provenance"')[1]
    traced = CliRunner().invoke(cli, ["trace", tag(2), "-p", str(packages), "-l", str(lab)])
    assert traced.exit_code == 0, traced.output
    tab, apart = traced.stdout.split("Not released by the lab")
    assert "Results tab: 2 rows, 1 test event from 1 tested package" in tab
    assert "(on no results tab, counted apart): 2 rows" in apart
    assert f"{tag(1)}  Total THC" in apart and f"{lab}, record 3" in apart
    assert f"{lab}, record 4" in apart and "record 1" not in apart
