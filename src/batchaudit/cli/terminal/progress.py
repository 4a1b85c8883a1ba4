"""Progress on standard error for runs that take a while: a spinner naming the stage
(reading, auditing, writing), shown only on a terminal, never with -q, and only once the run
has taken more than DELAY seconds, so that quick runs print exactly what they did before."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

DELAY = 1.0  # seconds before the spinner appears


class Progress:
    """`stage(text)` names what is being done; `close()` removes the spinner."""

    def __init__(self, stream: TextIO, shown: bool, delay: float = DELAY) -> None:
        self._lock = threading.Lock()
        self._text = "starting"
        self._status: Any = None
        self._closed = False
        self._timer: threading.Timer | None = None
        if shown:
            from rich.console import Console

            self._console = Console(file=stream, stderr=True)
            self._timer = threading.Timer(delay, self._start)
            self._timer.daemon = True
            self._timer.start()

    def _start(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._status = self._console.status(self._text, spinner="dots")
            self._status.start()

    def stage(self, text: str) -> None:
        with self._lock:
            self._text = text
            if self._status is not None:
                self._status.update(text)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._status is not None:
                self._status.stop()


@contextmanager
def progress(quiet: bool, stream: TextIO | None = None) -> Iterator[Progress]:
    """A Progress shown when `stream` (standard error) is a terminal and not `quiet`."""
    stream = stream or sys.stderr
    shown = not quiet and stream.isatty()
    shown_progress = Progress(stream, shown)
    try:
        yield shown_progress
    finally:
        shown_progress.close()
