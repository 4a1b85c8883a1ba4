"""`batchaudit audit`: read the exports, audit them, carry the month over, write the reports
and print the verdict. Each step is a function below; the work is in the stages."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from batchaudit.cli.common import CannotRun, Exports, export_options
from batchaudit.cli.config_options import config_options, settings
from batchaudit.cli.terminal.console import epilog, stage, terminal
from batchaudit.ingest.limits import Limits
from batchaudit.ingest.read_ahead import read_ahead
from batchaudit.model.fields import Kind
from batchaudit.month_to_month.carry_over import (
    carry_over,
    chosen_outputs,
    exit_status,
    told,
)
from batchaudit.report.writing import OutputError, Report, check_outputs, write_reports
from batchaudit.support.collector import collection_paused
from batchaudit.support.exit import end_at_once
from batchaudit.support.lazy import import_beside
from batchaudit.support.side_by_side import alongside
from batchaudit.support.visible import one_line

if TYPE_CHECKING:
    from batchaudit.model.findings import AuditResult
    from batchaudit.model.packs import Pack
    from batchaudit.model.tables import Tables
    from batchaudit.month_to_month.config import Config
    from batchaudit.report.outputs import Rendering

FAIL_ON = ("error", "warning", "note", "never")


@click.command(
    epilog=epilog(
        "  batchaudit audit exports/ -o report.html -o findings.json\n"
        "  batchaudit audit -p active.csv -p inactive.csv -l lab-results.csv -f json\n"
        '  batchaudit audit exports/ -o report.html --licensee "Green Acres LLC" \\\n'
        '      --license 020-10040512F3E --title "Q1 audit" --fail-on warning'
    )
)
@export_options
@click.option(
    "-o",
    "--output",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Write a report: .html .json .csv .md .xml (JUnit) .sarif (repeatable).",
)
@click.option(
    "-f",
    "--format",
    "stdout_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="What goes to standard output.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="error",
    show_default=True,
    help="Lowest severity that makes the exit status 1.",
)
@click.option(
    "--title", default="", help="The report's title (default: Metrc production-batch audit)."
)
@click.option("--licensee", default="", help="Whose exports these are, as the reports name them.")
@click.option(
    "--license",
    "licenses",
    multiple=True,
    help="The licensee's license number (repeatable; default: as the exports' Packaged By say).",
)
@click.option(
    "--out-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Keep every run: DIR/<UTC time>/ with every format, DIR/latest/, DIR/history.jsonl "
    "and DIR/index.html; the last run is the baseline.",
)
@click.option("--keep", type=click.IntRange(min=1), help="With --out-dir: keep the newest N runs.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the verdict line (and errors).")
@click.option("-v", "--verbose", is_flag=True, help="Also say how long each stage took.")
@config_options
def audit(
    paths: tuple[Path, ...],
    packages: tuple[Path, ...],
    lab_results: tuple[Path, ...],
    limits: Limits,
    out_dir: Path | None,
    keep: int | None,
    quiet: bool,
    verbose: bool,
    **config_flags: Any,
) -> None:
    """Audit exports: PATHS are files or folders whose kind is detected from their header.

    Settings come from batchaudit.toml (or [tool.batchaudit] in pyproject.toml), found from
    the current folder upward; options given here beat it (`batchaudit config` shows them)."""
    from batchaudit.cli.terminal.progress import progress

    first = Kind.PACKAGES if packages else Kind.LAB_RESULTS if lab_results else None
    ahead = read_ahead([*packages, *lab_results, *paths], limits, first)  # while imports run
    click.get_current_context().call_on_close(ahead.close)
    _import_the_audit()
    # The options that mirror the config (-j, -o, -f, --fail-on, --title, ...) reach the
    # audit through it: the config in use, with what was given here over it.
    config = settings(click.get_current_context(), CannotRun)
    exports, outputs = Exports(paths, packages, lab_results), chosen_outputs(config)
    _check_out_dir(out_dir)
    exports.check()
    if config.origin("output") == "config":
        _make_folders(outputs)
    _check_outputs(outputs, exports.given)
    with progress(quiet) as shown:
        shown.stage("reading the exports")
        with stage(verbose, "read the exports"):
            pack, tables = exports.load(config["jurisdiction"], limits, ahead)
        shown.stage(f"auditing {len(tables.packages):,} packages")
        # What the audit makes lives until the command ends: scanned once more when collection
        # resumed, it cost half a second at 10^6 packages, finding no garbage in it.
        with collection_paused(for_good=True):
            now = datetime.now(UTC)
            result = _audited(tables, pack, config, now, out_dir, verbose)
            del tables  # the lineage and the tables: the reports need only the result
            shown.stage("writing the reports")
            if out_dir is None:  # the summary is made while the reports are written
                made = functools.partial(_summary, result, config["format"], quiet)
                # The child rendering reports beside this process is made before the thread.
                with _rendering(result, outputs, now) as reports, alongside(made) as summary:
                    _write(reports, len(outputs), verbose)
                    said = summary()
            else:
                with _rendering(result, outputs, now) as reports:
                    _write(reports, len(outputs), verbose)
                with stage(verbose, f"recorded the run in {out_dir}"):
                    result = _recorded(out_dir, result, now, keep, quiet)
                said = _summary(result, config["format"], quiet)
    _print(said, outputs, quiet)
    end_at_once()  # the reports are closed: what the audit made need not be freed
    sys.exit(exit_status(result, config["fail-on"], new_only=config["fail-on-new"]))


def _import_the_audit() -> None:
    """The ingest, engine and reports, imported with the collector paused: importing pandas,
    pandera and pyarrow makes hundreds of thousands of objects that are never garbage, and
    the collections they set off were a tenth of the start-up."""
    from importlib import import_module

    with collection_paused(for_good=True):
        for module in (
            "batchaudit.engine",
            "batchaudit.ingest.load",  # the reader: pandera, pyarrow's CSV
            "batchaudit.report.json_report",
            "batchaudit.report.text",
            "batchaudit.report.outputs",
        ):
            import_module(module)
        # pandera is first used to validate the files once read: imported while they are.
        import_beside("pandera.pandas")


def _audited(
    tables: Tables, pack: Pack, config: Config, now: datetime, out_dir: Path | None, verbose: bool
) -> AuditResult:
    """The audit, carried over (waivers, baseline) and told whose it is."""
    from batchaudit.engine import audit as audit_exports

    with stage(verbose, f"audited {len(tables.packages):,} packages"):
        finished = audit_exports(tables, pack, config.choices)
    result = carry_over(finished, config, now.date(), CannotRun, out_dir)
    return told(result, config)


def _rendering(result: AuditResult, outputs: tuple[Path, ...], now: datetime) -> Rendering[Path]:
    from batchaudit.report.outputs import Rendering

    return Rendering(result, now, outputs)


def _write(reports: Iterable[tuple[Path, Report]], count: int, verbose: bool) -> None:
    try:
        with stage(verbose, f"wrote {count} report(s)"):
            write_reports(reports)
    except OutputError as error:
        raise CannotRun(str(error)) from error


def _summary(result: AuditResult, stdout_format: str, quiet: bool) -> tuple[str | bytes, bool]:
    """The result as standard output shows it (text or JSON), and whether in colour."""
    from batchaudit.report import json_report, text

    if stdout_format == "json":
        with collection_paused():
            return json_report.render(result), False
    width, color = terminal()
    return text.render(result, width, color, quiet), color


def _print(said: tuple[str | bytes, bool], outputs: tuple[Path, ...], quiet: bool) -> None:
    """What was written (on standard error), then the result as text or JSON."""
    for path in outputs:
        if not quiet:
            click.echo(one_line(f"Wrote {path}"), err=True)
    document, color = said
    click.echo(document, nl=False, color=color)


def _recorded(
    out_dir: Path, result: AuditResult, now: datetime, keep: int | None, quiet: bool
) -> AuditResult:
    """The run written into its report folder; the result as compared with the last run."""
    from batchaudit.month_to_month.report_folders import record, run_reports

    try:
        recorded = record(out_dir, result, run_reports(result, now, apart=True), now, keep)
    except (OSError, OutputError) as error:
        raise CannotRun(f"{out_dir}: the run could not be recorded ({error}).") from error
    if recorded.same_inputs:
        click.echo("batchaudit: the inputs are the same as the last run's (by SHA-256); "
                   "recorded the run again.", err=True)  # fmt: skip
    if not quiet:
        click.echo(one_line(f"Wrote {recorded.folder} and updated {out_dir / 'index.html'}"),
                   err=True)  # fmt: skip
    return result


def _check_out_dir(out_dir: Path | None) -> None:
    """Made before the audit, so that a folder that cannot be is said before the work."""
    if out_dir is None:
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CannotRun(
            f"{out_dir}: the report folder cannot be made ({error.strerror})."
        ) from error


def _make_folders(outputs: tuple[Path, ...]) -> None:
    """The folders of the reports a config names, made on the first run as --out-dir is
    (`output = ["reports/report.html"]`). An -o folder must exist: a folder mistyped at the
    prompt is said, not made."""
    for path in outputs:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CannotRun(
                f"{path}: the folder {path.parent} cannot be made ({error.strerror})."
            ) from error


def _check_outputs(outputs: tuple[Path, ...], inputs: list[Path]) -> None:
    from batchaudit.ingest.folders import expand
    from batchaudit.report.outputs import RENDERERS

    # Folders count by the files in them: -o must never replace an export it reads.
    try:
        check_outputs(outputs, [*inputs, *expand(inputs)], RENDERERS)
    except OutputError as error:
        raise CannotRun(str(error)) from error
