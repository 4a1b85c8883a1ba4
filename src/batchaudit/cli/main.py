"""The `batchaudit` group: every command, in the order `--help` lists them, and the console
entry point that turns any failure into one sentence."""

from __future__ import annotations

import os
import sys

import click

from batchaudit import __version__
from batchaudit.cli.audit import audit
from batchaudit.cli.common import EXIT_CANNOT_RUN
from batchaudit.cli.inspect import inspect
from batchaudit.cli.month_to_month import run_portfolio, show_config, waive
from batchaudit.cli.rule_catalog import explain, list_rules
from batchaudit.cli.sample import sample
from batchaudit.cli.terminal.console import epilog
from batchaudit.cli.trace import trace
from batchaudit.support.exit import may_end_at_once


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=epilog(
        "  batchaudit audit exports/ -o report.html -o findings.json\n"
        "  batchaudit trace 1A4030000CC7D20000001207 exports/\n"
        "  batchaudit explain PB001\n"
        "  batchaudit inspect packages-active.csv"
    ),
)
@click.version_option(__version__, prog_name="batchaudit")
def cli() -> None:
    """Audit Metrc package and lab-result exports for production-batch mistakes."""


for command in (audit, trace, list_rules, explain, inspect, sample, run_portfolio, show_config,
                waive):  # fmt: skip
    cli.add_command(command)


def main() -> None:
    """Console entry point: every failure is one sentence, never a traceback."""
    try:
        with may_end_at_once():  # an audit's objects are not freed one by one as it ends
            cli.main(standalone_mode=True)
    except Exception as error:
        if os.environ.get("BATCHAUDIT_DEBUG"):
            raise
        click.echo(
            f"batchaudit: an unexpected problem stopped the run ({type(error).__name__}: {error}); "
            "run again with BATCHAUDIT_DEBUG=1 and report the output.",
            err=True,
        )
        sys.exit(EXIT_CANNOT_RUN)
