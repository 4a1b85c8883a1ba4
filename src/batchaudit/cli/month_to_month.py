"""The month-to-month commands: `batchaudit run` (every client of a portfolio), `config` (the
settings in use) and `waive` (accept a finding). The work is in `batchaudit.month_to_month`."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from batchaudit.cli.common import CannotRun
from batchaudit.cli.config_options import CONFIG_OPTIONS, settings
from batchaudit.cli.terminal.console import epilog
from batchaudit.month_to_month.carry_over import waive_command
from batchaudit.report.writing import OutputError

if TYPE_CHECKING:
    from collections.abc import Callable

    from batchaudit.month_to_month.portfolio.client_run import Outcome
    from batchaudit.month_to_month.portfolio.clients import Portfolio

PORTFOLIO_EXITS = """\b
Exit status: the worst of the clients'
  0  no client has findings at or above its fail-on (default: error)
  1  a client has findings at or above its fail-on
  2  a client could not be audited, or the config cannot be used"""


@click.command(
    name="run",
    epilog=epilog(
        "  batchaudit run\n  batchaudit run clients.toml --jobs 4 --out-dir /srv/audits\n"
        "  batchaudit run clients.toml --dask tcp://scheduler:8786\n"
        "  batchaudit run clients.toml --dask local:4",
        PORTFOLIO_EXITS,
    ),
)
@click.argument(
    "config_file",
    metavar="[CONFIG]",
    required=False,
    type=click.Path(path_type=Path, dir_okay=False),
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="How many clients to audit at once (default: the number of cores).",
)
@click.option(
    "--out-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="The portfolio's folder (default: [portfolio] out-dir, else reports/ beside "
    "the config); each client's report folder is under it unless it names its own.",
)
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="Audit the clients on a Dask cluster: a scheduler's address (tcp://host:8786), or "
    "local:N to start N workers here (default: [portfolio] dask; needs batchaudit[dask]).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the last line (and errors).")
def run_portfolio(config_file: Path | None, jobs: int | None, out_dir: Path | None,
                  dask: str | None, quiet: bool) -> None:  # fmt: skip
    """Audit every client of a portfolio config ([[clients]] in batchaudit.toml), each into
    its own report folder, several at once; then write the portfolio's index.html."""
    from batchaudit.cli.terminal.progress import progress
    from batchaudit.month_to_month.portfolio.running import default_jobs, now, write_portfolio
    from batchaudit.month_to_month.portfolio.summary import progress_text, summary_lines

    portfolio = _portfolio(config_file, out_dir)
    cluster = _cluster(dask, jobs, portfolio.dask)
    when, total = now(), len(portfolio.clients)
    where = f" on the cluster {cluster}" if cluster else ""
    with progress(quiet) as shown:
        shown.stage(f"auditing {total} clients{where}")
        finished: list[str] = []

        def done(outcome: Outcome) -> None:
            finished.append(outcome.name)
            shown.stage(progress_text(len(finished), total, outcome, where))

        outcomes = _run(portfolio, jobs or default_jobs(), done, when, cluster)
        shown.stage("writing the portfolio's index")
        try:
            index = write_portfolio(portfolio, outcomes, when)
        except (OSError, OutputError) as error:
            raise CannotRun(f"{portfolio.out_dir}: the portfolio's index could not be written "
                            f"({error}).") from error  # fmt: skip
    click.echo("\n".join(summary_lines(outcomes, index, quiet)))
    sys.exit(max(outcome.status for outcome in outcomes))


def _cluster(given: str | None, jobs: int | None, configured: str | None) -> str | None:
    """Where the clients run: --dask, else the config's dask unless --jobs says here; with
    Dask checked to be installed before anything runs."""
    from batchaudit.month_to_month.portfolio.clients import cluster_address_problem
    from batchaudit.month_to_month.portfolio.cluster import ClusterError, check_installed

    if given is not None and jobs is not None:
        raise CannotRun("give --jobs or --dask, not both: on a cluster, its workers decide "
                        "how many clients are audited at once.")  # fmt: skip
    if given is not None and cluster_address_problem(given):
        raise CannotRun(f"--dask {given!r} {cluster_address_problem(given)}.")
    cluster = given if given is not None else None if jobs is not None else configured
    if cluster is not None:
        try:
            check_installed()
        except ClusterError as error:
            raise CannotRun(str(error)) from error
    return cluster


def _run(portfolio: Portfolio, jobs: int, done: Callable[[Outcome], None], when: datetime,
         cluster: str | None) -> list[Outcome]:  # fmt: skip
    from batchaudit.month_to_month.portfolio.cluster import ClusterError
    from batchaudit.month_to_month.portfolio.running import run_clients

    try:
        return run_clients(portfolio, jobs, done, when, cluster)
    except ClusterError as error:
        raise CannotRun(str(error)) from error


def _portfolio(config_file: Path | None, out_dir: Path | None) -> Portfolio:
    """The portfolio config given, or the first found from the current folder upward."""
    from batchaudit.month_to_month.config import ConfigError, find_config
    from batchaudit.month_to_month.portfolio.clients import read_portfolio

    file = config_file or find_config(Path.cwd())
    if file is None:
        raise CannotRun(f"no batchaudit.toml was found from {Path.cwd()} upward; give the "
                        "portfolio's config: batchaudit run clients.toml.")  # fmt: skip
    if not file.is_file():
        raise CannotRun(f"The config {file} does not exist; check the path.")
    try:
        return read_portfolio(file, out_dir)
    except ConfigError as error:
        raise CannotRun(str(error)) from error


CONFIG_EXITS = """\b
Exit status:
  0  the settings were printed
  2  the config cannot be used (a sentence on standard error names the file and the key)"""
WAIVE_EXITS = """\b
Exit status:
  0  the waiver was added (the sentence says to which file)
  2  nothing was added: no such rule, no reason, a date too far ahead, or a waivers file
     that cannot be used (a sentence on standard error says which)"""


@click.command(
    name="config",
    epilog=epilog(
        "  batchaudit config\n"
        "  batchaudit config --config clients/green-acres/batchaudit.toml\n"
        "  batchaudit config --isolated",
        CONFIG_EXITS,
    ),
)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help=CONFIG_OPTIONS[0])
@click.option("--isolated", is_flag=True, help=CONFIG_OPTIONS[1])
def show_config(config_file: Path | None, isolated: bool) -> None:
    """Print the effective settings and where each one came from."""
    config = settings(click.get_current_context(), CannotRun)
    click.echo("\n".join(config.lines()))


@click.command(
    epilog=epilog(
        "  batchaudit waive PB002 1A4030000CC7D20000000042 --until 2027-03-31 \\\n"
        '      --reason "Category correction agreed with OLCC, case 2026-118" \\\n'
        '      --approved-by "J. Rivera"\n'
        '  batchaudit waive LN001 "1A40300009E42*" --until 2027-01-31 \\\n'
        '      --reason "Sources received from another licensee"',
        WAIVE_EXITS,
    )
)
@click.argument("code")
@click.argument("tag")
@click.option("--reason", required=True, help="Why the finding is accepted (required).")
@click.option(
    "--until",
    "until",
    required=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="The last day the waiver applies (YYYY-MM-DD; at most a year ahead).",
)
@click.option("--approved-by", default="", help="Who approved it.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help=CONFIG_OPTIONS[0])
@click.option("--isolated", is_flag=True, help=CONFIG_OPTIONS[1])
def waive(code: str, tag: str, reason: str, until: datetime, approved_by: str,
          config_file: Path | None, isolated: bool) -> None:  # fmt: skip
    """Accept a finding: append a waiver to the waivers file of the config in use."""
    config = settings(click.get_current_context(), CannotRun)
    click.echo(waive_command(config, code, tag, reason, until.date(), approved_by, CannotRun))
