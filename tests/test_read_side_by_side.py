"""Large files are read side by side, and the audit says the same as when read one by one:
the memory limit is spent in the order the files were given, whichever is read first."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from batchaudit.ingest.errors import InputError
from batchaudit.ingest.limits import Limits
from batchaudit.ingest.load import load
from batchaudit.ingest.side_by_side import Turn, Turns, read_side_by_side
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

    outcomes = read_side_by_side(paths, Limits(), read)
    assert outcomes[:3] == ["big-1.csv", "small.csv", "big-2.csv"]
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

    running, said = _in_thread(lambda: read_side_by_side(paths, Limits(), read))
    running.join(10)
    assert not running.is_alive()
    assert isinstance(said[0], RuntimeError)
