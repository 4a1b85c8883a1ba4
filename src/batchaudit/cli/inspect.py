"""`batchaudit inspect`: how each file is read (kind, shape, columns, first problems)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from batchaudit.cli.common import EXIT_CANNOT_RUN, limit_option
from batchaudit.cli.terminal.console import epilog
from batchaudit.ingest.limits import Limits


@click.command(
    epilog=epilog(
        "  batchaudit inspect packages-active.csv\n  batchaudit inspect exports/",
        """\b
Exit status:
  0  at least one file could be read
  2  no file could be read""",
    )
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@limit_option
def inspect(paths: tuple[Path, ...], limits: Limits) -> None:
    """Show how each file is read: kind, shape, columns, what is missing, first problems."""
    from batchaudit.cli.inspection import inspect_paths
    from batchaudit.cli.terminal import inspection as inspection_text

    inspections = inspect_paths(list(paths), limits)
    click.echo(inspection_text.render(inspections), nl=False)
    if all(inspection.unreadable for inspection in inspections):
        sys.exit(EXIT_CANNOT_RUN)
