"""The JSON report in parts: the same bytes as the report made whole, and each part written
to the report file while the next is made (report/writing.py)."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from batchaudit.engine import Audit
from batchaudit.model.findings import Finding, Source
from batchaudit.model.severity import Severity
from batchaudit.report import json_report
from batchaudit.report.writing import write_reports


@pytest.mark.parametrize("findings", [0, 1, 2, 3, 7, 78])
def test_the_parts_joined_are_the_whole_report(
    sample_audit: Audit, monkeypatch: pytest.MonkeyPatch, findings: int
) -> None:
    monkeypatch.setattr(json_report, "FINDINGS_PER_PART", 2)
    assert len(sample_audit.result.findings) == 78
    result = dataclasses.replace(
        sample_audit.result, findings=sample_audit.result.findings[:findings]
    )
    parts = list(json_report.parts(result))
    whole = orjson.dumps(json_report.document(result), option=orjson.OPT_APPEND_NEWLINE)
    assert b"".join(parts) == whole
    assert len(parts) == 2 + (findings + 1) // 2  # before, each two findings, after
    assert len(json.loads(whole)["findings"]) == findings


def _grown(folder: Path, size: int) -> bool:
    """Whether the report's temporary file holds `size` bytes, within ten seconds."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        staged = list(folder.glob(".report.json.*.part"))
        if staged and staged[0].stat().st_size >= size:
            return True
        time.sleep(0.005)
    return False


def test_each_part_is_on_its_way_to_disk_before_the_next_is_made(tmp_path: Path) -> None:
    part = b"1," * 50_000  # larger than a file's buffer, as a part of 10,000 findings is
    seen: list[bool] = []

    def parts() -> Iterator[bytes]:
        yield b"[" + part
        seen.append(_grown(tmp_path, len(part) + 1))
        yield part
        seen.append(_grown(tmp_path, 2 * len(part) + 1))
        yield b"1]\n"

    write_reports([(tmp_path / "report.json", parts())])
    assert seen == [True, True]
    assert (tmp_path / "report.json").read_bytes() == b"[" + part * 2 + b"1]\n"


def test_a_report_that_fails_between_parts_leaves_the_previous_one(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("previous report")

    def parts() -> Iterator[bytes]:
        yield b"[1,"
        raise RuntimeError("a bug in a reporter")

    with pytest.raises(RuntimeError, match="a bug in a reporter"):
        write_reports([(report, parts())])
    assert report.read_text() == "previous report"
    assert [path.name for path in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.parametrize(
    ("source", "unit"),
    [
        (Source("lab.csv", 4), "line"),
        (Source("packages.JSON", 4, "Label"), "record"),
        (Source("export.xlsx", 4, None, "Packages"), "row"),
        (Source("page.json", 4, None, "Sheet1"), "row"),
    ],
)
def test_a_findings_source_says_whether_its_line_is_a_line_a_record_or_a_row(
    source: Source, unit: str
) -> None:
    finding = Finding("PB001", "name", Severity.WARNING, "1A4", "said", source=source)
    listed = json.loads(orjson.dumps(json_report.finding_document(finding)))
    assert listed["source"]["unit"] == unit
    assert listed["severity"] == "warning"
    assert listed["source"] == {
        "file": source.file,
        "line": 4,
        "unit": unit,
        "column": source.column,
        "sheet": source.sheet,
    }
