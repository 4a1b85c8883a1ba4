"""How the command line meets a person at a terminal: help endings with examples and exit
codes, the terminal's width and colour, and how long each stage took (-v)."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click

EXIT_CODES = """\b
Exit status:
  0  nothing at or above --fail-on (default: error)
  1  findings at or above --fail-on
  2  the run could not be done (bad usage, no readable packages)"""


def epilog(examples: str, exits: str = EXIT_CODES) -> str:
    """A command's --help ending: examples as written (\\b keeps Click from rewrapping)."""
    return f"\b\nExamples:\n{examples}\n\n{exits}"


SIMPLE_EXITS = """\b
Exit status:
  0  done
  2  the command could not be done (a sentence on standard error says why)"""


def terminal() -> tuple[int | None, bool]:
    """The width to wrap to and whether to colour: only on a terminal, never with NO_COLOR."""
    if not sys.stdout.isatty():
        return None, False
    return shutil.get_terminal_size().columns, not os.environ.get("NO_COLOR")


@contextmanager
def stage(verbose: bool, what: str) -> Iterator[None]:
    """With -v, how long a stage took, on standard error."""
    started = time.perf_counter()
    yield
    if verbose:
        click.echo(f"batchaudit: {what} in {time.perf_counter() - started:.2f} s", err=True)
