"""`batchaudit trace`: one package's lineage as the audit sees it, in the terminal."""

from __future__ import annotations

from pathlib import Path

import click

from batchaudit.cli.common import CannotRun, Exports, export_options
from batchaudit.cli.config_options import CONFIG_OPTIONS, settings
from batchaudit.cli.terminal.console import SIMPLE_EXITS, epilog, terminal
from batchaudit.ingest.limits import Limits


@click.command(
    epilog=epilog(
        "  batchaudit trace 1A4030000CC7D20000001207 exports/\n"
        "  batchaudit trace 1A4030000CC7D20000001207 -p active.csv -l lab-results.csv",
        SIMPLE_EXITS,
    )
)
@click.argument("tag")
@export_options
@click.option("--config", "config_file", type=click.Path(path_type=Path), help=CONFIG_OPTIONS[0])
@click.option("--isolated", is_flag=True, help=CONFIG_OPTIONS[1])
def trace(
    tag: str,
    paths: tuple[Path, ...],
    packages: tuple[Path, ...],
    lab_results: tuple[Path, ...],
    jurisdiction: str,
    limits: Limits,
    config_file: Path | None,
    isolated: bool,
) -> None:
    """Show one package's lineage: sources, descendants, results tab and findings."""
    from batchaudit.cli.terminal import trace as trace_text
    from batchaudit.cli.terminal.progress import progress
    from batchaudit.engine import audit as run_audit
    from batchaudit.lineage.trace import trace as trace_package

    if Path(tag).exists() and paths and not paths[0].exists():
        raise CannotRun(
            f"the tag comes first, then the exports: did you mean "
            f"`batchaudit trace {paths[0]} {tag}`?"
        )
    config = settings(click.get_current_context(), CannotRun)  # the pack and rules of audit
    exports = Exports(paths, packages, lab_results)
    exports.check()
    with progress(quiet=False) as shown:  # trace has no -q: its output is the point
        shown.stage("reading the exports")
        pack, tables = exports.load(config["jurisdiction"], limits)
        shown.stage(f"tracing {tag.strip()} through {len(tables.packages):,} packages")
        finished = run_audit(tables, pack, config.choices)
        view = trace_package(finished.lineage, finished.result.findings, tag.strip().upper())
    if view is None:
        raise CannotRun(f"{tag} is not among the {len(tables.packages):,} loaded packages.")
    width, _ = terminal()
    click.echo(trace_text.render(view, width), nl=False)
