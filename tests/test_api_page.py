"""A v2 page is read by Arrow when its records are as plain as its first, else the other way
(orjson, then field by field): either way it reads the same."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from batchaudit.ingest import api_json, api_page
from batchaudit.ingest.api_json import read_api_json
from batchaudit.ingest.api_page import arrow_page
from batchaudit.ingest.errors import InputError
from helpers import tag


def record(number: int, **fields: Any) -> dict[str, Any]:
    """A package record as the API writes one: ids, dates, flags, nulls and `Item`."""
    return {
        "Id": 1000 + number,
        "Label": tag(number),
        "PackageType": "Product",
        "SourcePackageLabels": tag(number - 1) if number > 1 else "",
        "Quantity": 1250.5,
        "PackagedDate": "2026-01-05",
        "LabTestingState": "TestPassed",
        "IsProductionBatch": False,
        "ProductionBatchNumber": None,
        "ArchivedDate": None,
        "LastModified": "2026-01-09T17:00:00+00:00",
        "Item": {"Name": "Blue Dream Buds", "ProductCategoryName": "Buds", "StrainName": None},
        **fields,
    }


def page(records: list[Any], **fields: Any) -> bytes:
    document = {"Data": records, "Total": len(records), "Page": 1, "TotalPages": 1, **fields}
    return json.dumps(document).encode()


PLAIN = [record(1), record(2, Quantity=3, ArchivedDate="2026-02-01"), record(3, Item=None)]
# Each page is read the other way: its records are not all as plain as its first.
ODD = {
    "number where the first had text": [record(1), record(2, LabTestingState=5)],
    "a field the first lacks (a date)": [record(1), record(2, FinishedDate="2026-03-01")],
    "a field the first lacks in Item": [record(1), record(2, Item={"Name": "x", "Id": 9})],
    "a fraction where the first had an integer": [record(1), record(2, Id=2.5)],
    "a flag where the first had a number": [record(1), record(2, Quantity=True)],
    "an array": [record(1, SourceHarvestNames=["a", "b"])],
    "a record that is null": [record(1), None],
    "an integer past 64 bits": [record(1), record(2, Id=2**70)],
}


def read_both_ways(data: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """The table (or the sentence that says why there is none), read as batchaudit reads
    the page and with Arrow's reading turned off."""
    path = tmp_path / "page.json"
    path.write_bytes(data)

    def outcome() -> Any:
        try:
            return read_api_json(path, data)
        except InputError as error:
            return str(error)

    by_arrow = outcome()
    monkeypatch.setattr(api_json, "arrow_page", lambda data, titles=None: None)
    return by_arrow, outcome()


def assert_same(one: Any, other: Any) -> None:
    if isinstance(other, str):
        assert one == other
        return
    assert one.header == other.header
    pd.testing.assert_frame_equal(one.rows, other.rows)
    assert one.positions.tolist() == other.positions.tolist()
    assert one.page == other.page


def test_a_plain_page_is_read_by_arrow_as_the_other_way_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = page(PLAIN)
    assert arrow_page(data) is not None
    by_arrow, other = read_both_ways(data, tmp_path, monkeypatch)
    assert_same(by_arrow, other)
    # Text stays as the file wrote it: a date is not made a timestamp.
    assert by_arrow.rows["PackagedDate"].tolist() == ["2026-01-05"] * 3
    assert by_arrow.rows["ArchivedDate"].tolist() == ["", "2026-02-01", ""]
    assert by_arrow.rows["Item.Name"].tolist() == ["Blue Dream Buds", "Blue Dream Buds", ""]


@pytest.mark.parametrize("records", ODD.values(), ids=ODD.keys())
def test_a_page_less_plain_than_its_first_record_is_read_the_other_way(
    records: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = page(records)
    assert arrow_page(data) is None
    by_arrow, other = read_both_ways(data, tmp_path, monkeypatch)
    assert_same(by_arrow, other)


@pytest.mark.parametrize(
    "data",
    [
        page(PLAIN).replace(b'"Quantity": 3', b'"Quantity": NaN'),
        page(PLAIN, Total=2.0),
        b'{"Total": 3, "Data": ' + json.dumps(PLAIN).encode() + b"}",
        page(PLAIN) + b"\n" + page(PLAIN),
        # Not JSON: the records' list closes twice and a field reopens two lists. Pieces of
        # a page, each framed as lists, read such a page as records; Arrow, given the whole
        # page, refuses it (why a page is not parsed in pieces).
        page(PLAIN).replace(b"}]", b'}]], "k": [[' + json.dumps(PLAIN[0]).encode() + b"]", 1),
    ],
    ids=["NaN", "a fractional paging field", "Data not first", "two documents", "not JSON"],
)
def test_what_arrow_would_read_otherwise_goes_the_other_way(data: bytes) -> None:
    assert arrow_page(data) is None


def metrc_record(number: int, **fields: Any) -> dict[str, Any]:
    """A record as Metrc's v2 API sends it: unread fields hold arrays, and a unit field is
    null in one record and a number in the next."""
    item = {
        "Id": 77,
        "Name": "Blue Dream Buds",
        "ProductCategoryName": "Buds",
        "StrainName": "Blue Dream",
        "UnitThcContent": None if number % 2 else 10.5,
        "ProductImages": [] if number % 3 else [{"FileId": number}],
        "LabTestBatchNames": [],
    }
    return record(number, Item=item, Note=None if number % 2 else 3, **fields)


def audited(data: bytes, tmp_path: Path, name: str) -> bytes:
    from click.testing import CliRunner

    from batchaudit.cli import cli

    path = tmp_path / "packages.json"
    path.write_bytes(data)
    report = tmp_path / f"{name}.json"
    result = CliRunner().invoke(cli, ["audit", str(path), "-o", str(report), "-q"])
    assert result.exit_code in (0, 1), result.output
    return report.read_bytes()


def test_metrc_own_nested_page_is_read_by_arrow_and_audits_as_the_other_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [metrc_record(1)] + [
        metrc_record(n, IsProductionBatch=n % 4 == 0, ArchivedDate="2026-02-01" if n == 5 else None)
        for n in range(2, 9)
    ]
    data = json.dumps({"Data": records, "Total": 8, "Page": 1}, indent=2).encode()
    made = []
    original = api_page.mapped_page
    monkeypatch.setattr(api_page, "mapped_page", lambda *a: made.append(original(*a)) or made[-1])
    by_arrow = audited(data, tmp_path, "arrow")
    assert made and made[0] is not None  # Metrc's page took the fast way
    monkeypatch.setattr(api_json, "arrow_page", lambda data, titles=None: None)
    assert by_arrow == audited(data, tmp_path, "other")
    report = json.loads(by_arrow)
    assert report["summary"]["packages"] == 8
    assert report["inputs"][0]["rows_used"] == 8


def test_a_field_the_first_record_lacks_is_read_where_a_later_record_fills_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records saved without their nulls: the first has no ArchivedDate, a later one has."""
    first = {k: v for k, v in metrc_record(1).items() if k != "ArchivedDate"}
    data = json.dumps({"Data": [first, metrc_record(2, ArchivedDate="2026-02-01")]}).encode()
    by_arrow = audited(data, tmp_path, "arrow")
    monkeypatch.setattr(api_json, "arrow_page", lambda data, titles=None: None)
    assert by_arrow == audited(data, tmp_path, "other")


@pytest.mark.parametrize(
    "records",
    [
        [metrc_record(1), metrc_record(2, LabTestingState=5)],
        [metrc_record(1), metrc_record(2, SourcePackageLabels=["a"])],
        [metrc_record(1), metrc_record(2, FinishedDate=7)],
    ],
    ids=[
        "a number where the first had text",
        "an array in a field read",
        "a number in a field the first lacks",
    ],
)
def test_a_metrc_page_odd_in_a_field_read_is_read_the_other_way_the_same(
    records: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = page(records)
    from batchaudit.ingest.detect import titles_read

    titles = functools.partial(titles_read, tmp_path / "p.json", None)
    assert arrow_page(data, titles) is None
    by_arrow, other = read_both_ways(data, tmp_path, monkeypatch)
    assert_same(by_arrow, other)
