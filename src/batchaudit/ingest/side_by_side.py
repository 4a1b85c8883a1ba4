"""Files read side by side, their memory spent in the order they were given.

Arrow parses a JSON page on one thread, and a workbook is read on one thread: read one after
the other, a million packages' v2 page (10 s) and their lab results' CSV (3 s) took the sum
of both. Read two at a time, the page is parsed while the CSV is, on the other processor.

What a run reports must not depend on which file was read first: the memory limit is spent
file by file in the order given (`Turns`), so a file over what is left is the same file on
every run. The files come back as they are done, for the caller to validate while the others
are read, and it puts their tables back in the order given (load.py).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TypeVar

from batchaudit.ingest.errors import InputError
from batchaudit.ingest.files import large_file
from batchaudit.ingest.limits import Budget, Limits
from batchaudit.support.side_by_side import workers

Read = TypeVar("Read")


class Turns:
    """One memory budget, spent by numbered turns in order: a turn spends once every turn
    before it has spent or ended, whichever thread reads it."""

    def __init__(self, limits: Limits) -> None:
        self._budget = Budget(limits)
        self._next = 0  # the first turn that has not spent or ended
        self._passed: set[int] = set()
        self._changed = threading.Condition()

    def spend(self, turn: int, path: object, estimate: int) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._next >= turn)
            try:
                self._budget.spend(path, estimate)
            finally:
                self._pass(turn)

    def end(self, turn: int) -> None:
        """The turn's file is read, or could not be: the turns after it need not wait."""
        with self._changed:
            self._pass(turn)

    def end_all(self) -> None:
        """No turn waits any more (the reading stopped: an error, or Ctrl-C)."""
        with self._changed:
            self._next = sys.maxsize
            self._changed.notify_all()

    def _pass(self, turn: int) -> None:
        self._passed.add(turn)
        while self._next in self._passed:
            self._next += 1
        self._changed.notify_all()


class Turn:
    """A file's share of the budget: `spend` as `Budget.spend`, in the file's turn."""

    def __init__(self, turns: Turns, number: int) -> None:
        self._turns = turns
        self.number = number

    def spend(self, path: object, estimate: int) -> None:
        self._turns.spend(self.number, path, estimate)


def read_side_by_side(
    paths: Sequence[Path], limits: Limits, read: Callable[[int, Turn], Read]
) -> Generator[list[tuple[int, Read | InputError]], None, None]:
    """`read(number, turn)` of each file, given as (number, outcome) in batches as the files
    are read: a file that cannot be read is its InputError. Large files (`large_file`) are
    read `workers()` at a time beside this thread, the others in it (a small file is mostly
    Python's work, which threads take turns at): the small files come first, in one batch,
    then the large ones as they are done. What the caller does with a batch (validating its
    rows) goes on while the other files are read, on a processor their reading leaves free."""
    turns = Turns(limits)

    def one(number: int) -> Read | InputError:
        try:
            return read(number, Turn(turns, number))
        except InputError as error:
            return error
        finally:
            turns.end(number)

    beside = {number for number, path in enumerate(paths) if large_file(path)}
    count = min(workers(), len(beside))
    if count <= 1 or len(paths) == 1:
        yield [(number, one(number)) for number in range(len(paths))]
        return
    # Turns are taken in order here and in the pool, each waiting only on earlier ones.
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="batchaudit-read") as pool:
        futures = {pool.submit(one, number): number for number in sorted(beside)}
        try:
            here = [(n, one(n)) for n in range(len(paths)) if n not in beside]
            if here:
                yield here
            waiting: set[Future[Read | InputError]] = set(futures)
            while waiting:
                done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                yield sorted(((futures[f], f.result()) for f in done), key=lambda each: each[0])
        except BaseException:  # the files in the pool must not wait for turns never taken
            turns.end_all()
            raise
