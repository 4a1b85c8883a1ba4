"""A baseline report is read for the fields a comparison needs only (Arrow passes over the
evidence), and gives the same findings as the report decoded whole; a report that is not
plainly one is decoded whole, as before."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from batchaudit.cli import cli
from batchaudit.model.findings import Finding, Severity, Source, Waiver
from batchaudit.month_to_month.baseline import _compared_fields, _whole_report, load_baseline

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def test_a_report_reads_the_same_without_its_evidence(tmp_path: Path) -> None:
    report = tmp_path / "findings.json"
    arguments = ["audit", str(SAMPLE), "-o", str(report), "--fail-on", "never", "-q"]
    assert CliRunner().invoke(cli, arguments).exit_code == 0
    data = report.read_bytes()
    read = _compared_fields(data)
    assert read is not None  # a report as batchaudit writes it is read the quick way
    assert read == _whole_report(report, data)
    assert len(read) == len(json.loads(data)["findings"]) > 50
    # Findings about a whole file (no tag) keep the file they name.
    assert any(old.package_tag is None and old.file for old in read)


def finding(**fields: object) -> dict[str, object]:
    return {
        "rule": "PB001",
        "name": "production-batch-without-category-change",
        "severity": "error",
        "package_tag": "T2",
        "message": "Package T2 ...",
        "evidence": {"sources": [{"tag": "T1"}], "deep": [[[[1]]]]},
        "source": {"file": "packages.csv", "line": 3, "unit": "line"},
        "fingerprint": "f" * 32,
        **fields,
    }


def test_odd_reports_are_read_whole_and_the_same(tmp_path: Path) -> None:
    """Nulls, a number where text is, a source that is null or names no file: each read
    as decoding the report whole reads it."""
    odd = [
        finding(),
        finding(package_tag=None, source=None),
        finding(source={"file": ""}),
        finding(name=None),  # decoded whole, a null name is the text "None"
        finding(rule=7),
    ]
    for each in odd:
        path = tmp_path / "previous.json"
        path.write_text(json.dumps({"tool": {"name": "batchaudit"}, "findings": [finding(), each]}))
        assert load_baseline(path) == _whole_report(path, path.read_bytes())
    quick = _compared_fields(
        json.dumps({"tool": {"name": "batchaudit"}, "findings": odd[:3]}).encode()
    )
    assert quick is not None
    assert [(old.package_tag, old.file) for old in quick] == [
        ("T2", "packages.csv"),
        (None, None),
        ("T2", None),
    ]


def test_a_marked_finding_keeps_every_other_field() -> None:
    waiver = Waiver("PB001", ("T2",), "agreed", date(2099, 1, 1), "waivers.toml", 1)
    values = {
        "rule": "PB001",
        "name": "production-batch-without-category-change",
        "severity": Severity.NOTE,
        "package_tag": "T2",
        "message": "Package T2 ...",
        "evidence": {"sources": [{"tag": "T1"}]},
        "remedy": "Discontinue T2.",
        "source": Source("packages.csv", 3, "Tag"),
        "fingerprint": "f" * 32,
        "waiver": waiver,
        "baseline": None,
    }
    assert set(values) == {field.name for field in fields(Finding)}  # a new field goes here
    found = Finding(**values)  # type: ignore[arg-type]
    assert found.marked("new") == replace(found, baseline="new")
