"""Large exports read ahead, while the audit's libraries are imported, are read as they would
be without it: the same tables, the same hashes, the same sentences for what cannot be read."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from batchaudit.ingest import api_page
from batchaudit.ingest import read_ahead as read_ahead_module
from batchaudit.ingest.api_page import ParsedAhead
from batchaudit.ingest.files import LARGE_BYTES, Contents
from batchaudit.ingest.limits import Limits
from batchaudit.ingest.load import load
from batchaudit.ingest.read_ahead import ReadAhead, read_ahead
from batchaudit.model.fields import Kind
from batchaudit.sample import write_sample
from helpers import tag


def _large_sample(folder: Path) -> list[Path]:
    paths = write_sample(folder, packages=6_000, seed=3)
    assert any(path.stat().st_size >= LARGE_BYTES for path in paths)
    assert any(path.stat().st_size < LARGE_BYTES for path in paths)
    return paths


def test_the_large_files_are_read_ahead_and_the_small_ones_are_not(tmp_path: Path) -> None:
    paths = _large_sample(tmp_path)
    ahead = read_ahead(paths, Limits())
    try:
        for path in paths:
            contents = ahead.take(path, Limits())
            if path.stat().st_size >= LARGE_BYTES:
                assert contents is not None
                assert contents.data == path.read_bytes()
                assert contents.sha256() == hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                assert contents is None
        assert all(ahead.take(path, Limits()) is None for path in paths)  # taken once
    finally:
        ahead.close()


def test_tables_read_ahead_are_the_tables_read_without(tmp_path: Path) -> None:
    paths = _large_sample(tmp_path)
    without = load(detected=paths)
    ahead = read_ahead(paths, Limits())
    try:
        with_ahead = load(detected=paths, ahead=ahead)
    finally:
        ahead.close()
    pd.testing.assert_frame_equal(with_ahead.packages, without.packages)
    assert with_ahead.lab_results is not None and without.lab_results is not None
    pd.testing.assert_frame_equal(with_ahead.lab_results, without.lab_results)
    assert with_ahead.inputs == without.inputs


def test_a_file_over_a_limit_read_ahead_is_said_as_without(tmp_path: Path) -> None:
    paths = _large_sample(tmp_path)
    large = max(paths, key=lambda path: path.stat().st_size)
    small = Limits(file_size=LARGE_BYTES)
    without = load(detected=paths, limits=small)
    ahead = read_ahead(paths, small)
    try:
        with_ahead = load(detected=paths, limits=small, ahead=ahead)
    finally:
        ahead.close()
    assert [item.path for item in with_ahead.not_read] == [str(large)]
    assert with_ahead.not_read == without.not_read
    assert "over the file-size limit" in with_ahead.not_read[0].reason


def test_bytes_read_with_other_limits_are_not_taken(tmp_path: Path) -> None:
    paths = _large_sample(tmp_path)
    ahead = read_ahead(paths, Limits())
    try:
        assert all(ahead.take(path, Limits(file_size=LARGE_BYTES)) is None for path in paths)
    finally:
        ahead.close()


def test_the_command_reads_ahead_and_reports_each_file_by_its_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _large_sample(tmp_path / "exports")
    report = tmp_path / "findings.json"
    taken: list[Path] = []
    take = ReadAhead.take

    def spied(self: ReadAhead, path: Path, limits: Limits) -> Contents | None:
        contents = take(self, path, limits)
        if contents is not None:
            taken.append(path)
        return contents

    monkeypatch.setattr(ReadAhead, "take", spied)
    result = CliRunner().invoke(
        cli, ["audit", *map(str, paths), "-o", str(report), "--fail-on", "never", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert taken == [path for path in paths if path.stat().st_size >= LARGE_BYTES]
    api = load(detected=paths)
    inputs = json.loads(report.read_text(encoding="utf-8"))["inputs"]
    assert {item["path"]: item["sha256"] for item in inputs} == {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths
    }
    assert sum(item["rows"] for item in inputs) == sum(item.rows for item in api.inputs)


def _page(path: Path, records: int) -> Path:
    """A Metrc v2 page of packages, indented as a saved response is, past `LARGE_BYTES`."""
    data = [
        {
            "Id": 1000 + number,
            "Label": tag(number),
            "SourcePackageLabels": tag(number - 1) if number > 1 else "",
            "Quantity": 1250.5,
            "PackagedDate": "2026-01-05",
            "LabTestingState": "TestPassed",
            "IsProductionBatch": number % 4 == 0,
            "ProductionBatchNumber": None,
            "Item": {"Name": "Blue Dream Buds", "ProductCategoryName": "Buds", "Images": []},
        }
        for number in range(1, records + 1)
    ]
    document = {"Data": data, "Total": records, "Page": 1, "TotalPages": 1}
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    assert path.stat().st_size >= LARGE_BYTES
    return path


def test_a_page_given_first_is_parsed_ahead_and_audits_as_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(tmp_path / "packages.json", 16_000)
    parsed: list[ParsedAhead | None] = []
    original = ReadAhead.page

    def spied(self: ReadAhead, path: Path, kind: Kind | None) -> ParsedAhead | None:
        parsed.append(original(self, path, kind))
        return parsed[-1]

    def audited(name: str) -> bytes:
        report = tmp_path / f"{name}.json"
        args = ["audit", "-p", str(page), "-o", str(report), "--fail-on", "never", "-q"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        return report.read_bytes()

    monkeypatch.setattr(ReadAhead, "page", spied)
    ahead = audited("ahead")
    assert len(parsed) == 1 and parsed[0] is not None and parsed[0].page is not None
    monkeypatch.setattr(ReadAhead, "page", lambda self, path, kind: None)
    assert ahead == audited("not-ahead")
    assert json.loads(ahead)["summary"]["packages"] == 16_000


def test_a_page_over_the_memory_limit_is_not_parsed_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memory limit is checked before a page is parsed, ahead or not: a page it refuses
    is never parsed."""
    page = _page(tmp_path / "packages.json", 16_000)
    calls: list[object] = []
    original = api_page.arrow_page
    monkeypatch.setattr(api_page, "arrow_page", lambda *a: calls.append(a) or original(*a))
    limits = Limits(memory=page.stat().st_size * 2)
    ahead = read_ahead([page], limits)
    try:
        tables = load(detected=[page], limits=limits, ahead=ahead)
    finally:
        ahead.close()
    assert calls == []
    assert [item.path for item in tables.not_read] == [str(page)]
    assert "over the memory limit" in tables.not_read[0].reason


def test_only_the_first_file_is_parsed_ahead(tmp_path: Path) -> None:
    first = _page(tmp_path / "first.json", 16_000)
    second = _page(tmp_path / "second.json", 16_000)
    ahead = read_ahead([first, second], Limits())
    try:
        assert ahead.page(first, None) is None  # its bytes were not taken yet
        assert ahead.take(first, Limits()) is not None
        assert ahead.page(second, None) is None
        assert ahead.page(first, Kind.LAB_RESULTS) is None  # parsed as another kind
        parsed = ahead.page(first, None)
        assert parsed is not None and parsed.page is not None
        assert len(parsed.page.records) == 16_000
        assert ahead.page(first, None) is None  # taken once
    finally:
        ahead.close()


def test_a_module_imported_beside_is_imported_in_a_thread_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import threading

    from batchaudit.support.lazy import import_beside

    (tmp_path / "beside_ok.py").write_text(
        "import threading\nTHREAD = threading.current_thread().name\n"
    )
    (tmp_path / "beside_broken.py").write_text("raise ImportError('no such library')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import_beside("beside_ok")
    import_beside("beside_broken")  # says nothing here: the module's first use says why
    for thread in threading.enumerate():
        if thread.name.startswith("import beside_"):
            thread.join(timeout=10)
    assert sys.modules["beside_ok"].THREAD == "import beside_ok"
    with pytest.raises(ImportError, match="no such library"):
        __import__("beside_broken")


def test_the_reader_does_not_wait_for_pandera_to_be_imported() -> None:
    """`batchaudit audit` imports pandera beside the reading (cli/audit.py): importing the
    reader must not import it first."""
    import subprocess
    import sys

    check = "import sys, batchaudit.ingest.load; print('pandera' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_page_given_first_is_parsed_before_the_other_files_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's parse is the longest step of reading its export: it begins as soon as its
    bytes are read, and a file after it is read by the reading proper if it is wanted first."""
    first = _page(tmp_path / "first.json", 16_000)
    second = _page(tmp_path / "second.json", 16_000)
    steps: list[str] = []
    original_read, original_parse = read_ahead_module.read_regular, api_page.arrow_page

    def read(path: Path, limits: Limits) -> Contents:
        steps.append(f"read {path.name}")
        return original_read(path, limits)

    def parse(*args: object) -> object:
        steps.append("parse")
        return original_parse(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(read_ahead_module, "read_regular", read)
    monkeypatch.setattr(api_page, "arrow_page", parse)
    ahead = read_ahead([first, second], Limits())
    try:
        assert ahead.take(first, Limits()) is not None
        parsed = ahead.page(first, None)
        assert parsed is not None and parsed.page is not None
        assert ahead.take(second, Limits()) is not None
    finally:
        ahead.close()
    assert steps == ["read first.json", "parse", "read second.json"]
