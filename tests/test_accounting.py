"""Nothing read goes unaccounted: for every file, rows read = rows used + rows left out (each
named by a finding) + rows counted apart (results the lab has not released), counted
independently of batchaudit; files not read are listed with their sentence."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from helpers import expand_tags, write
from test_broken_files import CORPUS, GOOD
from test_rule_cases import CASES_DIR

SAMPLE_DATA = Path(__file__).parents[1] / "sample_data"


def records_in(path: Path) -> int:
    """Data rows of an export, counted without batchaudit: CSV records after the header, or
    JSON records (a processing job: one row per input package, as its rows are read)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        document = json.loads(text)
        records = document["Data"] if isinstance(document, dict) else document
        return sum(max(len(record.get("Packages", [])), 1) for record in records)
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    return len(rows) - 1


def audit_json(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["audit", *args, "-f", "json", "--fail-on", "never"])
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def assert_accounted(document: dict) -> None:  # type: ignore[type-arg]
    left_out_by_file: Counter[str] = Counter()
    lines: dict[str, set[int]] = {}
    for finding in document["findings"]:
        source = finding["source"]
        if source and "left out of the audit" in finding["message"]:
            lines.setdefault(source["file"], set()).add(source["line"])
    for path, seen in lines.items():
        left_out_by_file[path] = len(seen)
    for item in document["inputs"]:
        left_out = sum(item["rows_left_out"].values())
        apart = sum(item["rows_counted_apart"].values())
        assert item["rows_read"] == records_in(Path(item["path"])), item["path"]
        assert item["rows_read"] == item["rows_used"] + left_out + apart, item["path"]
        assert left_out == left_out_by_file[item["path"]], item["path"]


def _case_files() -> list[pytest.ParameterSet]:
    return [
        pytest.param(case, id=f"{path.stem}-{case['name']}")
        for path in sorted(CASES_DIR.glob("*.toml"))
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]
    ]


@pytest.mark.parametrize("case", _case_files())
def test_every_rule_case_is_accounted_for(case: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    files = [write(tmp_path / "packages.csv", case["packages"])]
    if case.get("more_packages"):
        files.append(write(tmp_path / "more-packages.csv", case["more_packages"]))
    args = [arg for path in files for arg in ("-p", str(path))]
    if case.get("lab_results"):
        args += ["-l", str(write(tmp_path / "lab.csv", case["lab_results"]))]
    assert_accounted(audit_json(*args))


def test_the_sample_data_is_accounted_for() -> None:
    document = audit_json(str(SAMPLE_DATA))
    assert_accounted(document)
    # Its README is said not to be read (issue 22), and nothing else.
    (readme,) = document["not_read"]
    assert readme["reason"].startswith(f"1 file in {SAMPLE_DATA} is not an export (.md) and ")


def test_rows_left_out_are_counted_by_the_code_that_names_them(tmp_path: Path) -> None:
    packages = write(
        tmp_path / "messy.csv",
        "Tag,Category,Source Package(s),Production Batch,Production Batch Number\n"
        "T1,Buds,,No,\n"
        "not-a-tag,Buds,,No,\n"
        "T3,Buds,,No,,one too many\n"
        "T4,Buds,,Maybe,\n",
    )
    document = audit_json(str(packages))
    (item,) = document["inputs"]
    assert item["rows_read"] == 4
    assert item["rows_used"] == 2
    assert item["rows_left_out"] == {"DQ002": 2}
    assert_accounted(document)


def test_the_broken_corpus_beside_a_good_file_is_accounted_for(tmp_path: Path) -> None:
    for name, (content, _) in CORPUS.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "good.csv").write_text(GOOD)
    document = audit_json(str(tmp_path))
    assert_accounted(document)
    read = {Path(item["path"]).name for item in document["inputs"]}
    not_read = {Path(item["path"]).name: item["reason"] for item in document["not_read"]}
    assert read | set(not_read) == {*CORPUS, "good.csv"}
    assert len(not_read) >= len(CORPUS) - 1  # every broken file but one with a bad row
    for name, reason in not_read.items():
        assert name in reason and reason.endswith("."), name


def test_results_of_a_package_in_no_export_are_named(tmp_path: Path) -> None:
    packages = write(
        tmp_path / "p.csv", "tag,category,source_package_tags,production_batch\nT1,Buds,,No"
    )
    lab = write(
        tmp_path / "lab.csv",
        "tested_package,lab_test_result_id,test_type,test_passed\n"
        "T1,1,THC,true\nT9,2,THC,true\nT9,2,Pesticides,true",
    )
    document = audit_json("-p", str(packages), "-l", str(lab))
    (note,) = [f for f in document["findings"] if f["rule"] == "LN003"]
    assert note["package_tag"] == expand_tags("T9")
    assert note["evidence"]["rows"] == 2
    assert_accounted(document)


def test_shuffled_rows_give_the_same_findings_and_evidence(tmp_path: Path) -> None:
    """Only the line numbers may change when an export's rows are shuffled."""
    import random

    def without_lines(document: dict) -> list[tuple[str, str | None, str, str]]:  # type: ignore[type-arg]
        return [
            (f["rule"], f["package_tag"], f["message"], json.dumps(f["evidence"], sort_keys=True))
            for f in document["findings"]
        ]

    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for path in SAMPLE_DATA.glob("*.csv"):
        header, *rows = path.read_text(encoding="utf-8").splitlines()
        random.Random(3).shuffle(rows)
        (shuffled / path.name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    for path in SAMPLE_DATA.glob("*.json"):  # the processing jobs, as they are
        (shuffled / path.name).write_bytes(path.read_bytes())
    assert without_lines(audit_json(str(shuffled))) == without_lines(audit_json(str(SAMPLE_DATA)))
