"""A large v2 page is parsed in pieces side by side, and reads as the page parsed whole;
where a cut is not between two records, the page is parsed whole instead."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from batchaudit.ingest import page_pieces
from batchaudit.ingest.api_page import ArrowPage, arrow_page
from batchaudit.ingest.detect import titles_read
from test_api_page import PLAIN, metrc_record, record


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every document Arrow is given, the page cut about every 200 bytes (a
    record or two), in pieces even on one processor (where they are parsed in turn)."""
    sizes: list[int] = []
    original = page_pieces._parsed

    def parsed(data: Any, options: Any) -> Any:
        sizes.append(len(data))
        return original(data, options)

    monkeypatch.setattr(page_pieces, "_parsed", parsed)
    monkeypatch.setattr(page_pieces, "PIECE_BYTES", 200)
    monkeypatch.setattr(page_pieces, "FEWEST_PIECES", 2)
    monkeypatch.setattr(page_pieces, "workers", lambda: 2)
    return sizes


def whole(data: bytes, monkeypatch: pytest.MonkeyPatch, mapped: bool) -> ArrowPage | None:
    with monkeypatch.context() as patched:
        patched.setattr(page_pieces, "PIECE_BYTES", len(data) + 1)
        return read(data, mapped)


def read(data: bytes, mapped: bool) -> ArrowPage | None:
    titles = functools.partial(titles_read, Path("page.json"), None) if mapped else None
    return arrow_page(data, titles)


def assert_same(pieces: ArrowPage | None, one: ArrowPage | None) -> None:
    assert (pieces is None) == (one is None)
    if pieces is not None and one is not None:
        assert pieces.records.combine_chunks().equals(one.records.combine_chunks())
        assert pieces.records.type == one.records.type
        assert pieces[1:] == one[1:]  # paging fields, header, levels


def metrc_page(count: int, **dumps: Any) -> bytes:
    records = [metrc_record(n) for n in range(1, count + 1)]
    document = {"Data": records, "Total": count, "Page": 1, "TotalPages": 1}
    return json.dumps(document, **dumps).encode()


@pytest.mark.parametrize("mapped", [True, False], ids=["fields read", "every field"])
def test_a_large_indented_page_is_read_in_pieces_as_it_reads_whole(
    parses: list[int], monkeypatch: pytest.MonkeyPatch, mapped: bool
) -> None:
    records = [record(n, Quantity=n * 1.5) for n in range(1, 41)]
    data = json.dumps({"Data": records, "Total": 40, "Page": 1}, indent=2).encode()
    pieces = read(data, mapped)
    assert pieces is not None and len(pieces.records) == 40
    # Every piece parsed once, and nothing parsed whole: a piece is a record or two.
    assert len(parses) > 10 and max(parses) < len(data) / 5
    assert sum(parses) < len(data) + 20 * len(parses)
    assert_same(pieces, whole(data, monkeypatch, mapped))
    assert (pieces.others["Total"], pieces.others["Page"]) == (40, 1)  # from the last piece
    labels = pieces.records.combine_chunks().field("Label").to_pylist()
    assert labels == [r["Label"] for r in records]  # in order, none twice, none lost


def test_metrc_own_page_in_pieces_reads_as_whole(
    parses: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = metrc_page(30, indent=2)
    pieces = read(data, mapped=True)
    assert pieces is not None and len(parses) > 10
    assert_same(pieces, whole(data, monkeypatch, mapped=True))


@pytest.mark.parametrize(
    "data",
    [
        # A cut at `,{` between the objects of an array in a record: the piece it ends has a
        # bracket left open.
        json.dumps(
            {"Data": [record(n, Images=[{"FileId": i} for i in range(30)]) for n in range(1, 20)]},
            separators=(",", ":"),
        ).encode(),
        # A cut at `,{` in a string: the piece it ends has the string left open.
        json.dumps(
            {"Data": [record(n, Note="a,{b" * 40) for n in range(1, 20)], "Total": 19},
            separators=(",", ":"),
        ).encode(),
    ],
    ids=["in an array in a record", "in a string"],
)
def test_a_cut_not_between_records_has_the_page_parsed_whole(
    parses: list[int], monkeypatch: pytest.MonkeyPatch, data: bytes
) -> None:
    assert b",{" in data
    pieces = read(data, mapped=True)
    assert len(data) in parses  # refused in pieces, so parsed whole
    assert pieces is not None
    assert_same(pieces, whole(data, monkeypatch, mapped=True))


@pytest.mark.parametrize("mapped", [True, False], ids=["fields read", "every field"])
def test_a_cut_past_the_end_of_the_records_has_the_page_parsed_whole(
    parses: list[int], monkeypatch: pytest.MonkeyPatch, mapped: bool
) -> None:
    """Objects in another field after `Data`, written as the records are: a cut between
    two of them must not make them records."""
    records, others = [record(n) for n in range(1, 20)], [record(n) for n in range(50, 70)]
    data = json.dumps({"Data": records, "Other": others, "Total": 19}, indent=2).encode()
    assert data.count(b",\n    {") > len(records)  # cuts are found past the records
    pieces = read(data, mapped)
    assert len(data) in parses  # refused in pieces, so parsed whole
    assert_same(pieces, whole(data, monkeypatch, mapped))
    if pieces is not None:
        assert len(pieces.records) == 19


@pytest.mark.parametrize(
    "records",
    [
        [*PLAIN, *(record(n) for n in range(4, 30)), record(30, LabTestingState=5)],
        [*(record(n) for n in range(1, 30)), None],
        [*(record(n) for n in range(1, 30)), record(30, FinishedDate="2026-03-01")],
    ],
    ids=["a number where the first had text", "a record that is null", "a field the first lacks"],
)
def test_a_page_odd_in_its_last_piece_is_refused_as_whole(
    parses: list[int], monkeypatch: pytest.MonkeyPatch, records: list[Any]
) -> None:
    data = json.dumps({"Data": records, "Total": 30}, indent=2).encode()
    assert read(data, mapped=False) is None
    assert whole(data, monkeypatch, mapped=False) is None


def test_a_page_whose_first_record_follows_long_whitespace_is_parsed_whole(
    parses: list[int],
) -> None:
    records = [record(n) for n in range(1, 30)]
    data = json.dumps({"Data": records}, indent=2).encode().replace(b"[\n", b"[" + b" " * 64, 1)
    assert read(data, mapped=True) is not None
    assert parses == [len(data)]
