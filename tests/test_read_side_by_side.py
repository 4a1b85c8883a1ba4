"""Large files are read side by side, and the audit says the same as when read one by one:
the memory limit is spent in the order the files were given, whichever is read first, and
the files read are validated while the others are still being read, with the same result
whichever file was done first."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pandas as pd
import pytest

from batchaudit.engine import run
from batchaudit.ingest import load as load_module
from batchaudit.ingest.errors import InputError
from batchaudit.ingest.limits import Limits
from batchaudit.ingest.load import load
from batchaudit.ingest.side_by_side import Turn, Turns, read_side_by_side
from batchaudit.model.fields import FILE
from batchaudit.model.packs import load_pack
from batchaudit.report import json_report
from batchaudit.sample import write_sample
from batchaudit.support import side_by_side

LARGE = 4 << 20


def _in_thread(job: object) -> tuple[threading.Thread, list[object]]:
    said: list[object] = []

    def run() -> None:
        try:
            said.append(job())  # type: ignore[operator]
        except (InputError, RuntimeError) as error:
            said.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, said


def test_a_later_file_spends_only_after_the_files_before_it() -> None:
    turns = Turns(Limits(memory=100))
    later, said = _in_thread(lambda: turns.spend(1, "second.csv", 60))
    later.join(0.3)
    assert later.is_alive()  # waiting for the first file, though it asked first
    turns.spend(0, "first.csv", 60)
    later.join(5)
    assert not later.is_alive()
    assert isinstance(said[0], InputError)
    assert "second.csv would take about" in str(said[0])
    assert "with the files read before it" in str(said[0])


def test_a_file_that_could_not_be_read_lets_the_next_spend() -> None:
    turns = Turns(Limits(memory=100))
    later, said = _in_thread(lambda: turns.spend(1, "second.csv", 60))
    turns.end(0)  # the first file was not there: it spent nothing
    later.join(5)
    assert said == [None]


def _file(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def test_large_files_are_read_beside_the_small_ones_in_the_order_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(side_by_side, "workers", lambda: 2)
    paths = [
        _file(tmp_path, "big-1.csv", LARGE),
        _file(tmp_path, "small.csv", 10),
        _file(tmp_path, "big-2.csv", LARGE),
        tmp_path / "missing.csv",
    ]
    threads: dict[str, str] = {}

    def read(number: int, turn: Turn) -> str:
        path = paths[number]
        threads[path.name] = threading.current_thread().name
        if not path.exists():
            raise InputError(f"{path.name} does not exist")
        turn.spend(path, 1)
        return path.name

    batches = list(read_side_by_side(paths, Limits(), read))
    assert [number for number, _ in batches[0]] == [1, 3]  # the small ones, read here
    outcomes = dict(pair for batch in batches for pair in batch)
    assert [outcomes[n] for n in range(3)] == ["big-1.csv", "small.csv", "big-2.csv"]
    assert isinstance(outcomes[3], InputError)
    assert threads["big-1.csv"].startswith("batchaudit-read")
    assert threads["big-2.csv"].startswith("batchaudit-read")
    assert threads["small.csv"] == threading.current_thread().name


def _lab_results(path: Path, rows: int) -> Path:
    header = "LabTestResultId,SourcePackageLabel,TestPerformedDate,TestTypeName,TestPassed\n"
    line = "8610011,1A4030000CC7D20000001000,2025-04-13,Total THC (%) Flower,true\n"
    path.write_text(header + line * rows, encoding="utf-8")
    return path


def test_the_file_over_the_memory_left_is_always_the_later_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two lab files of 4.5 MB and 9 MB: the limit admits the first, not both. Read side by
    side, the smaller (given second) would be ready to spend first; it is still the one
    left out, on every run."""
    monkeypatch.setattr(side_by_side, "workers", lambda: 2)
    rows = LARGE // 50 + 10_000
    first = _lab_results(tmp_path / "lab-first.csv", 2 * rows)
    second = _lab_results(tmp_path / "lab-second.csv", rows)
    memory = int(first.stat().st_size * 4.5) + 1024
    for _ in range(3):
        tables = load(lab_results=[first, second], limits=Limits(memory=memory))
        assert [item.path for item in tables.not_read] == [str(second)]
        assert "over the memory limit" in tables.not_read[0].reason
        assert [item.path for item in tables.inputs] == [str(first)]


def test_an_error_in_a_small_file_does_not_leave_a_large_one_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The third file is never read once the second fails; the fourth, in the pool, must
    not wait for its turn for ever."""
    monkeypatch.setattr(side_by_side, "workers", lambda: 2)
    paths = [
        _file(tmp_path, "big-1.csv", LARGE),
        _file(tmp_path, "small-1.csv", 10),
        _file(tmp_path, "small-2.csv", 10),
        _file(tmp_path, "big-2.csv", LARGE),
    ]

    def read(number: int, turn: Turn) -> str:
        if paths[number].name == "small-1.csv":
            raise RuntimeError("a fault while reading")
        turn.spend(paths[number], 1)
        return paths[number].name

    running, said = _in_thread(lambda: list(read_side_by_side(paths, Limits(), read)))
    running.join(10)
    assert not running.is_alive()
    assert isinstance(said[0], RuntimeError)


def test_a_file_read_is_given_while_a_larger_one_is_still_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lab results are done while the page is still being parsed: their batch comes
    then, so that they are validated on the processor the page's parsing leaves free."""
    monkeypatch.setattr(side_by_side, "workers", lambda: 2)
    paths = [_file(tmp_path, "page.json", LARGE), _file(tmp_path, "lab.csv", LARGE)]
    page_may_end = threading.Event()

    def read(number: int, turn: Turn) -> str:
        turn.spend(paths[number], 1)
        if number == 0 and not page_may_end.wait(10):
            raise RuntimeError("the lab results were not given before the page was done")
        return paths[number].name

    batches = read_side_by_side(paths, Limits(), read)
    assert next(batches) == [(1, "lab.csv")]
    page_may_end.set()
    assert list(batches) == [[(0, "page.json")]]


Reader = Callable[[int, Turn], object]
Batches = Iterator[list[tuple[int, object]]]


def _each_file_apart(real: Callable[[Sequence[Path], Limits, Reader], Batches]) -> object:
    """`read_side_by_side` as if each file were done alone, the last given first: every
    group of tables that map the same columns is validated in parts."""

    def batches(paths: Sequence[Path], limits: Limits, read: Reader) -> Batches:
        outcomes = [pair for batch in real(paths, limits, read) for pair in batch]
        for pair in sorted(outcomes, key=lambda pair: -pair[0]):
            yield [pair]

    return batches


def test_the_audit_is_the_same_whichever_file_is_validated_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two packages files of one shape (one group, validated in two parts here), the same
    package in both with other values, rows left out and unreadable cells, lab results
    with some not released (counted apart for their file) and processing jobs: the tables
    hold the same values (the categories naming each row's file may be listed in another
    order), and the JSON report is the same."""
    files = write_sample(tmp_path / "sample", packages=300, seed=5, processing_jobs=True)
    active = files[0].read_text(encoding="utf-8").splitlines()
    header, first, second = active[0], active[1], active[2]
    more = [
        header,
        first.replace(",Buds,", ",Shake/Trim,", 1),  # the same tag, another category
        "not-a-tag" + second[second.index(",") :],  # a tag that is not one: left out
        second.replace("/20", "/2o", 1),  # an unreadable date
        ",".join([""] * len(header.split(","))),  # a blank row
    ]
    extra = tmp_path / "sample" / "packages-more.csv"
    extra.write_text("\n".join(more) + "\n", encoding="utf-8")
    lab = files[2].read_text(encoding="utf-8").splitlines()
    lab[1:4] = [line.replace(",true,20", ",false,20", 1) for line in lab[1:4]]  # not released
    files[2].write_text("\n".join(lab) + "\n", encoding="utf-8")
    given = [*files, extra]
    pack = load_pack("oregon")
    at_once = load(detected=given)
    monkeypatch.setattr(load_module, "read_side_by_side", _each_file_apart(read_side_by_side))
    in_parts = load(detected=given)
    # Parts joined in the order of their files, whichever was validated first.
    named = [str(files[0]), str(files[1]), str(extra)]
    assert list(in_parts.packages[FILE].cat.categories) == named
    same = {"check_categorical": False}
    pd.testing.assert_frame_equal(in_parts.packages, at_once.packages, **same)
    assert at_once.lab_results is not None and in_parts.lab_results is not None
    pd.testing.assert_frame_equal(in_parts.lab_results, at_once.lab_results, **same)
    report = json_report.render(run(at_once, pack))
    assert b'"rule":"DQ002"' in report and b'"rule":"DQ003"' in report
    assert b'"rows_counted_apart":{"unreleased":3}' in report
    assert json_report.render(run(in_parts, pack)) == report
