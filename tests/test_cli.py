"""The command line as scripts and people use it: outputs, exit codes, sentences on error."""

from __future__ import annotations

import csv
import importlib.metadata
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import batchaudit
from batchaudit.cli import cli
from batchaudit.model.findings import Severity
from helpers import tag, write

PACKAGES = """
Tag,Item,Category,Source Package(s),Production Batch,Lab Testing,Production Batch Number
T1,Blue Dream Buds,Buds,,No,TestPassed,
T2,Blue Dream Buds,Buds,T1,Yes,NotSubmitted,PB-1
T3,Blue Dream Pre-Roll,Non-Infused (Plain) Pre-Roll,T1,No,TestPassed,PB-2
"""
LAB = """
PackageId,LabTestResultId,SourcePackageLabel,TestTypeName,TestPassed,OverallPassed,TestPerformedDate
1,100,T1,Total THC (%) Flower,true,true,2026-01-04T17:00:00+00:00
1,100,T1,Moisture Content (%) Flower,true,true,2026-01-04T17:00:00+00:00
"""
SCHEMA = json.loads((Path(__file__).parent / "contract" / "report.schema.json").read_text())


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_audit_writes_html_and_json_and_exits_1_on_errors(tmp_path: Path) -> None:
    packages = write(tmp_path / "packages.csv", PACKAGES)
    lab = write(tmp_path / "lab.csv", LAB)
    html, report = tmp_path / "report.html", tmp_path / "findings.json"
    code, out, err = invoke("audit", str(packages), str(lab), "-o", str(html), "-o", str(report))
    assert code == 1
    assert "3 packages" in out and "PB001" in out
    assert f"Wrote {html}" in err and f"Wrote {report}" in err
    document = json.loads(report.read_text())
    jsonschema.validate(document, SCHEMA)
    assert document["summary"]["by_rule"] == {"PB001": 1, "PB004": 1, "LN004": 1}
    (pb001,) = [f for f in document["findings"] if f["rule"] == "PB001"]
    assert pb001["package_tag"] == tag(2)
    assert pb001["evidence"]["results_lost"] == {
        "rows": 2,
        "events": 1,
        "tested_packages": 1,
        "at_least": False,
    }
    assert pb001["source"] == {
        "file": str(packages),
        "line": 3,
        "unit": "line",
        "column": None,
        "sheet": None,
    }
    assert "<html" in html.read_text()


def test_findings_are_sorted_by_severity_rule_and_tag(tmp_path: Path) -> None:
    packages = write(
        tmp_path / "packages.csv", PACKAGES + "T5,X,Mystery,T9,No,,\nT4,Y,Buds,T1,Yes,,PB-3\n"
    )
    _, out, _ = invoke("audit", "-p", str(packages), "-f", "json")
    findings = json.loads(out)["findings"]
    keys = [(Severity(f["severity"]).rank, f["rule"], f["package_tag"] or "") for f in findings]
    assert keys == sorted(keys)
    assert [f["rule"] for f in findings] == ["PB001", "PB001", "DQ004", "LN001", "PB004", "PB004"]


def test_fail_on_sets_the_exit_status(tmp_path: Path) -> None:
    packages = write(tmp_path / "p.csv", PACKAGES.replace("T1,Yes", "T1,No"))
    assert invoke("audit", str(packages))[0] == 0  # T2 is now a plain repackaging
    corrected = PACKAGES.replace("T1,Yes", "T1,No").replace("Pre-Roll,T1,No", "Pre-Roll,T1,Yes")
    pre_roll_batch = write(tmp_path / "q.csv", corrected)
    assert invoke("audit", str(pre_roll_batch))[0] == 0  # PB002 is a warning
    assert invoke("audit", str(pre_roll_batch), "--fail-on", "warning")[0] == 1
    assert invoke("audit", str(pre_roll_batch), "--fail-on", "never")[0] == 0


def test_lab_rules_are_skipped_and_said_so_without_lab_results(tmp_path: Path) -> None:
    packages = write(tmp_path / "p.csv", PACKAGES)
    _, out, _ = invoke("audit", str(packages), "-f", "json")
    skipped = {s["rule"]: s["reason"] for s in json.loads(out)["skipped_rules"]}
    assert skipped == dict.fromkeys(
        ("LT001", "LT002", "LN003", "LN004"), "no lab results were given"
    )


def test_no_readable_packages_exits_2_with_a_sentence(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, out, err = invoke("audit", str(empty))
    assert code == 2
    assert out == ""
    assert f"{empty} is empty" in err
    assert "no packages could be read" in err
    assert "Traceback" not in err


def test_partly_readable_file_is_audited_not_exit_2(tmp_path: Path) -> None:
    packages = write(tmp_path / "p.csv", PACKAGES + "not-a-tag,X,Buds,,No,,\n")
    broken = tmp_path / "other.csv"
    broken.write_bytes(b"\x00\x00binary")
    code, out, err = invoke("audit", str(packages), str(broken), "-f", "json")
    assert code == 1
    assert "binary file" in err
    rules = [f["rule"] for f in json.loads(out)["findings"]]
    assert "DQ002" in rules and "PB001" in rules


def test_missing_column_still_audits_the_rest(tmp_path: Path) -> None:
    packages = write(tmp_path / "p.csv", "Tag,Category,Source Package(s)\nT1,Buds,\nT2,Buds,T9\n")
    code, out, _ = invoke("audit", str(packages), "-f", "json")
    document = json.loads(out)
    assert code == 1
    assert document["summary"]["packages"] == 2
    assert document["summary"]["by_rule"] == {"DQ001": 2, "LN001": 1}
    assert {s["rule"] for s in document["skipped_rules"]} >= {
        "PB001",
        "PB002",
        "PB003",
        "PB004",
        "PB005",
    }


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    packages = write(tmp_path / "p.csv", PACKAGES)
    assert invoke("audit")[0] == 2
    code, _, err = invoke("audit", str(packages), "-o", str(tmp_path / "report.pdf"))
    assert code == 2 and "report.pdf" in err
    code, _, err = invoke("audit", str(packages), "-o", str(packages.with_suffix(".csv")))
    assert code == 2 and "never writes over" in err
    code, _, err = invoke("audit", str(packages), "-j", "atlantis")
    assert code == 2 and "atlantis" in err


def test_csv_output_neutralises_formulas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "=HYPERLINK(1).csv",
        "Tag,Category,Source Package(s),Production Batch\nT1,Buds,T9,No\n",
    )
    invoke("audit", "=HYPERLINK(1).csv", "-o", "findings.csv")
    with (tmp_path / "findings.csv").open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["rule", "name", "severity"]
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(1).csv" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


def test_the_version_is_shown() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and "batchaudit" in out


def test_the_version_is_the_installed_packages() -> None:
    """Written once, in the package, and read by hatch when it is built: the command, the
    reports and the installed package's metadata say the same version."""
    _, out, _ = invoke("--version")
    assert batchaudit.__version__ == importlib.metadata.version("batchaudit")
    assert out == f"batchaudit, version {batchaudit.__version__}\n"


def test_a_path_that_does_not_exist_is_bad_usage(tmp_path: Path) -> None:
    packages = write(tmp_path / "p.csv", PACKAGES)
    code, out, err = invoke("audit", str(packages), "-l", str(tmp_path / "nosuch.csv"))
    assert code == 2 and out == ""
    assert err == f"batchaudit: {tmp_path / 'nosuch.csv'} does not exist; check the path.\n"


def test_every_row_invalid_names_the_file_and_the_reasons(tmp_path: Path) -> None:
    packages = write(
        tmp_path / "p.csv",
        "Tag,Category,Source Package(s),Production Batch,P.B. No.\nabc,Buds,,No,\n,Buds,,No,\n",
    )
    code, _, err = invoke("audit", str(packages))
    assert code == 2
    lines = err.splitlines()
    assert "line 2, column 'Tag': 'abc' is not a 24-character package tag" in err
    assert "line 3, column 'Tag': a blank cell" in err
    assert len(lines) == 3
    assert lines[-1].startswith(f"batchaudit: no packages could be read from {packages}: every row")


def test_an_output_never_replaces_an_export_inside_an_input_folder(tmp_path: Path) -> None:
    packages = write(tmp_path / "packages-active.csv", PACKAGES)
    before = packages.read_bytes()
    code, _, err = invoke("audit", str(tmp_path), "-o", str(packages))
    assert code == 2 and "never writes over" in err
    assert packages.read_bytes() == before


def test_the_summary_shows_each_rules_severity_as_found(tmp_path: Path) -> None:
    packages = write(
        tmp_path / "p.csv",
        "Tag,Category,Source Package(s),Production Batch,P.B. No.,Lab Testing\nT1,Buds,,No,,Lost\n",
    )
    code, out, _ = invoke("audit", str(packages))
    assert code == 0  # an unknown testing state is a warning
    assert "0 errors, 1 warning, 0 notes" in out
    assert [line.split()[:2] for line in out.splitlines() if line.startswith("DQ002")] == [
        ["DQ002", "warning"]
    ]
