"""The batchaudit command line: wiring only; the work is in ingest, engine and report."""

from __future__ import annotations

import difflib
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from batchaudit import __version__
from batchaudit.ingest.limits import DEFAULT_LIMITS, NAMES, Limits
from batchaudit.month_to_month import (
    CONFIG_OPTIONS,
    carry_over,
    chosen_outputs,
    config_options,
    exit_status,
    license_numbers,
    settings,
    told,
    waive_command,
)
from batchaudit.packs import DEFAULT_PACK, PackError
from batchaudit.report.writing import OutputError, check_outputs, write_reports
from batchaudit.terminal.console import SIMPLE_EXITS, epilog, stage, terminal
from batchaudit.visible import one_line

if TYPE_CHECKING:
    from batchaudit.findings import AuditResult
    from batchaudit.packs import Pack
    from batchaudit.portfolio.client_run import Outcome
    from batchaudit.tables import Tables

# pandas, pandera and scipy take most of a second to import: the commands that read exports
# import the ingest, engine and reports they use, so that --version, --help, rules and
# explain start at once.

EXIT_CANNOT_RUN = 2
FAIL_ON = ("error", "warning", "note", "never")
SHOWN_WHEN_NOTHING_READ = 5


F = TypeVar("F", bound=Callable[..., Any])


def _limits(
    context: click.Context, parameter: click.Parameter, settings: tuple[str, ...]
) -> Limits:
    try:
        return DEFAULT_LIMITS.with_settings(list(settings))
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


limit_option = click.option(
    "--limit",
    "limits",
    multiple=True,
    metavar="NAME=VALUE",
    callback=_limits,
    help=f"Raise or lower a limit on the inputs (repeatable): {', '.join(NAMES)}; "
    "sizes take k, M or G (see the README).",
)


def export_options(command: F) -> F:
    """The exports to read and the rule pack: PATHS, -p, -l, -j (audit and trace share them)."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option("-p", "--packages", multiple=True, type=click.Path(path_type=Path),
                     help="A packages export (repeatable)."),
        click.option("-l", "--lab-results", multiple=True, type=click.Path(path_type=Path),
                     help="A lab-results export (repeatable)."),
        click.option("-j", "--jurisdiction", default=DEFAULT_PACK, show_default=True,
                     help="Rule pack: a name under rules/ or a pack file."),
        limit_option,
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


class CannotRun(click.ClickException):
    """A run that cannot be done: one sentence on standard error, exit status 2."""

    exit_code = EXIT_CANNOT_RUN

    def show(self, file: object = None) -> None:
        click.echo(f"batchaudit: {one_line(self.message)}", err=True)


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


@cli.command(
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
    jurisdiction: str,
    limits: Limits,
    output: tuple[Path, ...],
    stdout_format: str,
    fail_on: str,
    title: str,
    licensee: str,
    licenses: tuple[str, ...],
    out_dir: Path | None,
    keep: int | None,
    quiet: bool,
    verbose: bool,
    **config_flags: Any,
) -> None:
    """Audit exports: PATHS are files or folders whose kind is detected from their header.

    Settings come from batchaudit.toml (or [tool.batchaudit] in pyproject.toml), found from
    the current folder upward; options given here beat it (`batchaudit config` shows them)."""
    from importlib import import_module

    from batchaudit.collector import collection_paused

    # Importing pandas, pandera and pyarrow makes hundreds of thousands of objects that are
    # never garbage; the collections they set off were a tenth of the start-up.
    with collection_paused(for_good=True):
        from batchaudit.engine import audit as audit_exports

        import_module("batchaudit.ingest.load")  # the reader: pandera, pyarrow's CSV
        from batchaudit.report import json_report, text
        from batchaudit.report.outputs import RENDERERS
        from batchaudit.terminal.progress import progress

    config = settings(click.get_current_context(), CannotRun)
    jurisdiction, fail_on = config["jurisdiction"], config["fail-on"]
    _check_out_dir(out_dir)
    stdout_format, output = config["format"], chosen_outputs(config)
    inputs = [*paths, *packages, *lab_results]
    _check_inputs(inputs)
    _check_outputs(output, inputs)
    with progress(quiet) as shown:
        shown.stage("reading the exports")
        with stage(verbose, "read the exports"):
            pack, tables = _load(paths, packages, lab_results, jurisdiction, limits)
        shown.stage(f"auditing {len(tables.packages):,} packages")
        # What the audit makes lives until the command ends: scanned once more when collection
        # resumed, it cost half a second at 10^6 packages, finding no garbage in it.
        with collection_paused(for_good=True):
            with stage(verbose, f"audited {len(tables.packages):,} packages"):
                finished = audit_exports(tables, pack, config.choices)
            now = datetime.now(UTC)
            result = carry_over(finished, config, now.date(), CannotRun, out_dir)
            del finished, tables  # the lineage and the tables: the reports need only the result
            numbers = license_numbers(config["license"])
            result = told(result, config["title"], config["licensee"], numbers)
            shown.stage("writing the reports")
            try:
                with stage(verbose, f"wrote {len(output)} report(s)"):
                    write_reports(
                        (path, RENDERERS[path.suffix.lower()](result, now)) for path in output
                    )
            except OutputError as error:
                raise CannotRun(str(error)) from error
            if out_dir is not None:
                with stage(verbose, f"recorded the run in {out_dir}"):
                    result = _recorded(out_dir, result, now, keep, quiet)
    for path in output:
        if not quiet:
            click.echo(one_line(f"Wrote {path}"), err=True)
    if stdout_format == "json":
        with collection_paused():
            document = json_report.render(result)
        click.echo(document, nl=False)
    else:
        width, color = terminal()
        click.echo(text.render(result, width, color, quiet), nl=False, color=color)
    sys.exit(exit_status(result, fail_on, new_only=config["fail-on-new"]))


def _recorded(
    out_dir: Path, result: AuditResult, now: datetime, keep: int | None, quiet: bool
) -> AuditResult:
    """The run written into its report folder; the result as compared with the last run."""
    from batchaudit.runs import record, run_reports

    try:
        recorded = record(out_dir, result, run_reports(result, now), now, keep)
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


def _check_inputs(inputs: list[Path]) -> None:
    if not inputs:
        raise CannotRun("give the packages export (and lab results) to audit; see --help.")
    # A dangling or looping link is named and skipped when read, like a device or a pipe.
    missing = [str(path) for path in inputs if not path.exists() and not path.is_symlink()]
    if missing:
        raise CannotRun(f"{', '.join(missing)} does not exist; check the path.")


def _load(
    paths: tuple[Path, ...],
    packages: tuple[Path, ...],
    lab_results: tuple[Path, ...],
    jurisdiction: str,
    limits: Limits,
) -> tuple[Pack, Tables]:
    """The pack and the exports; unreadable files are named on standard error."""
    from batchaudit.ingest.load import load
    from batchaudit.rules.settings import checked_pack

    try:
        pack = checked_pack(jurisdiction)
    except PackError as error:
        raise CannotRun(str(error)) from error
    tables = load(
        packages=list(packages), lab_results=list(lab_results), detected=list(paths), limits=limits
    )
    for sentence in tables.unreadable:
        click.echo(f"batchaudit: {one_line(sentence)}", err=True)
    if tables.packages.empty:
        raise CannotRun(_nothing_to_audit(tables))
    return pack, tables


def _nothing_to_audit(tables: Tables) -> str:
    """Why there are no packages: unreadable files were already named; rows left out are."""
    from batchaudit.rules.data_quality import data_quality_findings

    read = [item.path for item in tables.inputs if item.kind == "packages"]
    if not read:
        return "no packages could be read, so there is nothing to audit."
    for finding in data_quality_findings(tables.problems[:SHOWN_WHEN_NOTHING_READ]):
        click.echo(f"batchaudit: {one_line(finding.message)}", err=True)
    return (
        f"no packages could be read from {', '.join(dict.fromkeys(read))}: every row was "
        "left out (the first reasons are above), so there is nothing to audit."
    )


def _check_outputs(outputs: tuple[Path, ...], inputs: list[Path]) -> None:
    from batchaudit.ingest.load import expand
    from batchaudit.report.outputs import RENDERERS

    # Folders count by the files in them: -o must never replace an export it reads.
    try:
        check_outputs(outputs, [*inputs, *expand(inputs)], RENDERERS)
    except OutputError as error:
        raise CannotRun(str(error)) from error


@cli.command(
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
    from batchaudit.engine import audit as run_audit
    from batchaudit.terminal import trace as trace_text
    from batchaudit.terminal.progress import progress
    from batchaudit.trace import trace as trace_package

    if Path(tag).exists() and paths and not paths[0].exists():
        raise CannotRun(
            f"the tag comes first, then the exports: did you mean "
            f"`batchaudit trace {paths[0]} {tag}`?"
        )
    config = settings(click.get_current_context(), CannotRun)  # the pack and rules of audit
    _check_inputs([*paths, *packages, *lab_results])
    with progress(quiet=False) as shown:  # trace has no -q: its output is the point
        shown.stage("reading the exports")
        pack, tables = _load(paths, packages, lab_results, config["jurisdiction"], limits)
        shown.stage(f"tracing {tag.strip()} through {len(tables.packages):,} packages")
        view = trace_package(run_audit(tables, pack, config.choices), tag.strip().upper())
    if view is None:
        raise CannotRun(f"{tag} is not among the {len(tables.packages):,} loaded packages.")
    width, _ = terminal()
    click.echo(trace_text.render(view, width), nl=False)


@cli.command(
    name="rules",
    epilog=epilog(
        "  batchaudit rules\n  batchaudit rules --markdown > docs/rules.md\n"
        "  batchaudit rules --evidence-schema",
        SIMPLE_EXITS,
    ),
)
@click.option(
    "--markdown", is_flag=True, help="Print the full catalog as Markdown (docs/rules.md)."
)
@click.option(
    "--evidence-schema",
    is_flag=True,
    help="Print, per rule, the JSON schema of its findings' evidence.",
)
def list_rules(markdown: bool, evidence_schema: bool) -> None:
    """List every rule: code, name, severity and summary."""
    from batchaudit.rules import catalog
    from batchaudit.rules.docs import catalog_markdown, evidence_contract
    from batchaudit.terminal import rules as rules_text

    if evidence_schema:
        click.echo(json.dumps(evidence_contract(catalog()), indent=2))
    elif markdown:
        click.echo(catalog_markdown(catalog()), nl=False)
    else:
        click.echo(rules_text.render_catalog(terminal()[0]), nl=False)


@cli.command(epilog=epilog("  batchaudit explain PB001\n  batchaudit explain lt001", SIMPLE_EXITS))
@click.argument("code")
def explain(code: str) -> None:
    """Explain a rule: what it checks, why it matters, an example, how to fix, its options."""
    from batchaudit.rules import REGISTRY
    from batchaudit.terminal import rules as rules_text

    wanted = code.strip().upper()
    rule = REGISTRY.get(wanted)
    if rule is None:
        close = difflib.get_close_matches(wanted, list(REGISTRY), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}? " if close else ""
        raise CannotRun(f"there is no rule {code!r}; {hint}`batchaudit rules` lists them.")
    click.echo(rules_text.render_explanation(rule, terminal()[0]), nl=False)


@cli.command(
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
    from batchaudit.inspection import inspect_paths
    from batchaudit.terminal import inspection as inspection_text

    inspections = inspect_paths(list(paths), limits)
    click.echo(inspection_text.render(inspections), nl=False)
    if all(inspection.unreadable for inspection in inspections):
        sys.exit(EXIT_CANNOT_RUN)


@cli.command(
    epilog=epilog(
        "  batchaudit sample /tmp/licensee\n"
        "  batchaudit sample /tmp/licensee --packages 5000 --seed 3",
        SIMPLE_EXITS,
    )
)
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--packages",
    "package_count",
    default=300,
    show_default=True,
    type=click.IntRange(min=20),
    help="How many packages.",
)
@click.option(
    "--seed", default=7, show_default=True, help="Random seed; the same seed gives the same files."
)
@click.option(
    "--lab-pulls",
    is_flag=True,
    help="Write the lab results as per-package pulls: each package's whole Lab Results tab "
    "under its own PackageId, as integrators fetch them.",
)
def sample(out_dir: Path, package_count: int, seed: int, lab_pulls: bool) -> None:
    """Write a realistic synthetic licensee's exports (grid CSVs and lab results)."""
    from batchaudit.sample import write_sample

    for path in write_sample(out_dir, packages=package_count, seed=seed, lab_pulls=lab_pulls):
        click.echo(f"Wrote {path}")


PORTFOLIO_EXITS = """\b
Exit status: the worst of the clients'
  0  no client has findings at or above its fail-on (default: error)
  1  a client has findings at or above its fail-on
  2  a client could not be audited, or the config cannot be used"""


@cli.command(
    name="run",
    epilog=epilog(
        "  batchaudit run\n  batchaudit run clients.toml --jobs 4 --out-dir /srv/audits",
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
@click.option("-q", "--quiet", is_flag=True, help="Print only the last line (and errors).")
def run_portfolio(config_file: Path | None, jobs: int | None, out_dir: Path | None,
                  quiet: bool) -> None:  # fmt: skip
    """Audit every client of a portfolio config ([[clients]] in batchaudit.toml), each into
    its own report folder, several at once; then write the portfolio's index.html."""
    from batchaudit.config import ConfigError, find_config
    from batchaudit.portfolio.clients import read_portfolio
    from batchaudit.portfolio.running import default_jobs, now, run_clients, write_portfolio
    from batchaudit.portfolio.summary import progress_text, summary_lines
    from batchaudit.terminal.progress import progress

    file = config_file or find_config(Path.cwd())
    if file is None:
        raise CannotRun(f"no batchaudit.toml was found from {Path.cwd()} upward; give the "
                        "portfolio's config: batchaudit run clients.toml.")  # fmt: skip
    if not file.is_file():
        raise CannotRun(f"The config {file} does not exist; check the path.")
    try:
        portfolio = read_portfolio(file, out_dir)
    except ConfigError as error:
        raise CannotRun(str(error)) from error
    when, total = now(), len(portfolio.clients)
    with progress(quiet) as shown:
        shown.stage(f"auditing {total} clients")
        finished: list[str] = []

        def done(outcome: Outcome) -> None:
            finished.append(outcome.name)
            shown.stage(progress_text(len(finished), total, outcome))

        outcomes = run_clients(portfolio, jobs or default_jobs(), done, when)
        shown.stage("writing the portfolio's index")
        try:
            index = write_portfolio(portfolio, outcomes, when)
        except (OSError, OutputError) as error:
            raise CannotRun(f"{portfolio.out_dir}: the portfolio's index could not be written "
                            f"({error}).") from error  # fmt: skip
    click.echo("\n".join(summary_lines(outcomes, index, quiet)))
    sys.exit(max(outcome.status for outcome in outcomes))


@cli.command(name="config")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help=CONFIG_OPTIONS[0])
@click.option("--isolated", is_flag=True, help=CONFIG_OPTIONS[1])
def show_config(config_file: Path | None, isolated: bool) -> None:
    """Print the effective settings and where each one came from."""
    config = settings(click.get_current_context(), CannotRun)
    click.echo("\n".join(config.lines()))


@cli.command()
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


def main() -> None:
    """Console entry point: every failure is one sentence, never a traceback."""
    try:
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
