"""A command's process ended without freeing, one by one, the objects it made.

A million packages' audit ends holding millions of Python objects (the findings, their
evidence and messages, the lineage); the interpreter freed them one by one after the last
report was written and the verdict printed: 0.84 s of a 24 s run (findings-heavy). A command that
has written everything asks to end at once (`end_at_once`); the console entry
(`may_end_at_once`) then runs the `atexit` functions, flushes standard output and error and
ends the process (mypy ends so too). A command run in-process, as the tests and click's
runner run it, ends as any other.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from collections.abc import Iterator

_AT_ONCE = threading.Event()


def end_at_once() -> None:
    """What the command made need not be freed: its reports are written and closed."""
    _AT_ONCE.set()


@contextlib.contextmanager
def may_end_at_once() -> Iterator[None]:
    """A command run in the block that asks to end at once ends the process as it exits,
    with its exit status; any other exit goes on as usual."""
    _AT_ONCE.clear()
    try:
        yield
    except SystemExit as done:
        if _AT_ONCE.is_set():
            _end(done.code)
        raise


def _end(code: int | str | None) -> None:
    if isinstance(code, str):  # what the interpreter does with sys.exit("message")
        sys.stderr.write(code + "\n")
    status = code if isinstance(code, int) else 0 if code is None else 1
    atexit._run_exitfuncs()  # what the interpreter would run as it ends
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(status)
