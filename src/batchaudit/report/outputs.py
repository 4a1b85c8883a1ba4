"""Which reporter writes which `-o` file, by extension. Each reporter (and its libraries:
Jinja for HTML) is imported only when a file of its kind is asked for."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from importlib import import_module
from pathlib import PurePath
from types import TracebackType
from typing import Any, Generic, TypeVar

from batchaudit.model.findings import AuditResult
from batchaudit.report.writing import Report, parts_of
from batchaudit.support.apart import Apart, can_fork
from batchaudit.support.collector import collection_paused

Renderer = Callable[[AuditResult, datetime], Report]


def _reporter(module: str, *, dated: bool = True, in_parts: bool = False) -> Renderer:
    def render(result: AuditResult, generated_at: datetime) -> Report:
        reporter = _imported(module)
        if in_parts:  # made as the parts are asked for: as the file is written
            return _paused(reporter.parts(result))
        with collection_paused():  # a report of 10^5 findings is as many new dicts
            report: Report = (
                reporter.render(result, generated_at) if dated else reporter.render(result)
            )
        return report

    return render


# Each format's reporter module, and whether its report says when it was made.
_MODULES = {
    ".html": ("html", True),
    ".json": ("json_report", False),
    ".csv": ("csv_report", False),
    ".md": ("markdown", False),
    ".xml": ("junit", True),
    ".sarif": ("sarif", True),
}
# The formats whose reporter gives its bytes in parts (`parts`, undated), to write each
# part while the next is made: the JSON report, a findings-heavy state's largest file.
_IN_PARTS = frozenset({".json"})
RENDERERS: dict[str, Renderer] = {
    suffix: _reporter(module, dated=dated, in_parts=suffix in _IN_PARTS)
    for suffix, (module, dated) in _MODULES.items()
}


def _paused(parts: Iterable[bytes]) -> Iterator[bytes]:
    """The parts, made with the collector paused as a whole report is made."""
    with collection_paused():
        yield from parts


def _imported(module: str) -> Any:
    return import_module(f"batchaudit.report.{module}")


# Seconds to render 40,000 findings (the bench's findings-heavy export of 10^5 packages), to
# share the reports between this process and a child: the HTML and CSV reports cost most.
_COST = {".html": 2.0, ".csv": 2.2, ".json": 0.3, ".sarif": 0.2, ".md": 0.1, ".xml": 0.1}
# A child still at work once this process has rendered its share is given `_SLACK` times
# what its share would take here (by the costs), and `_GRACE` seconds, before it is taken
# to hang (the share is then rendered here).
_SLACK, _GRACE = 4.0, 30.0

Name = TypeVar("Name", bound=PurePath | str)


class Rendering(Generic[Name]):
    """The reports `names` (paths or file names: the suffix says the format) of one result,
    given as (name, report) in turn. With two reports or more, a child process (`Apart`)
    renders the costlier share beside this one from the moment this is made, so make it
    before starting threads; this process renders the rest, and whatever the child could
    not. Without `apart`, every report is rendered here, one at a time. A context manager:
    leaving it stops a child still at work."""

    def __init__(
        self, result: AuditResult, when: datetime, names: Sequence[Name], *, apart: bool = True
    ) -> None:
        self._result, self._when, self._names = result, when, list(names)
        self._suffixes = [_suffix(name) for name in self._names]
        theirs = _their_share(self._suffixes) if apart and can_fork() else []
        # The child imports nothing that this process may be importing in another thread.
        for number in theirs:
            _imported(_MODULES[self._suffixes[number]][0])
        self._theirs = theirs
        self._apart = Apart([functools.partial(self._whole, n) for n in theirs])

    def __iter__(self) -> Iterator[tuple[Name, Report]]:
        started = time.monotonic()
        for number, name in enumerate(self._names):
            if number not in self._theirs:
                yield name, self._render(number)
        received = self._apart.results(self._wait(time.monotonic() - started))
        for position, number in enumerate(self._theirs):
            report = received[position] if received is not None else self._render(number)
            yield self._names[number], report

    def __enter__(self) -> Rendering[Name]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._apart.close()

    def _wait(self, ours_took: float) -> float | None:
        """How long the child may still take once this process has rendered its share
        (`ours_took` seconds; one report at least, where the child has any)."""
        if not self._theirs:
            return None
        costs = [_COST[suffix] for suffix in self._suffixes]
        theirs = sum(costs[n] for n in self._theirs)
        return _GRACE + _SLACK * ours_took * theirs / (sum(costs) - theirs)

    def _render(self, number: int) -> Report:
        return RENDERERS[self._suffixes[number]](self._result, self._when)

    def _whole(self, number: int) -> bytes:
        """The child's rendering: it sends bytes, not parts."""
        return b"".join(parts_of(self._render(number)))


def _suffix(name: PurePath | str) -> str:
    return PurePath(name).suffix.lower()


def _their_share(suffixes: list[str]) -> list[int]:
    """The positions of the reports a child renders: the costliest first, each to the share
    that costs less so far (ties to the child); none where there is one report."""
    if len(suffixes) < 2:
        return []
    ours = theirs = 0.0
    shared = []
    for number in sorted(range(len(suffixes)), key=lambda n: -_COST[suffixes[n]]):
        if theirs <= ours:
            shared.append(number)
            theirs += _COST[suffixes[number]]
        else:
            ours += _COST[suffixes[number]]
    return sorted(shared)
