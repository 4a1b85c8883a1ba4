"""The command line: one module per command family, wired into one Click group (`main.py`);
what they print in a terminal is in `terminal/`.

In: what a user types; every stage below does the work.
Out: reports written, the terminal's text, an exit status.
Must not import: api (it stands beside the command line); nothing imports the cli."""

from batchaudit.cli.main import cli, main

__all__ = ["cli", "main"]
