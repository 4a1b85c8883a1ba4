"""What the commands share: the exports they are given (PATHS, -p, -l), the pack and limit
options, and a run that cannot be done (one sentence, exit status 2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from batchaudit.ingest.limits import DEFAULT_LIMITS, NAMES, Limits
from batchaudit.model.packs import DEFAULT_PACK, PackError
from batchaudit.support.visible import one_line

if TYPE_CHECKING:
    from batchaudit.ingest.read_ahead import ReadAhead
    from batchaudit.model.packs import Pack
    from batchaudit.model.tables import Tables

# pandas, pandera and scipy take most of a second to import: the commands that read exports
# import the ingest, engine and reports they use, so that --version, --help, rules and
# explain start at once.

EXIT_CANNOT_RUN = 2
SHOWN_WHEN_NOTHING_READ = 5

F = TypeVar("F", bound=Callable[..., Any])


class CannotRun(click.ClickException):
    """A run that cannot be done: one sentence on standard error, exit status 2."""

    exit_code = EXIT_CANNOT_RUN

    def show(self, file: object = None) -> None:
        click.echo(f"batchaudit: {one_line(self.message)}", err=True)


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


@dataclass(frozen=True)
class Exports:
    """The exports a command was given: PATHS (their kind detected), -p and -l."""

    paths: tuple[Path, ...]
    packages: tuple[Path, ...]
    lab_results: tuple[Path, ...]

    @property
    def given(self) -> list[Path]:
        return [*self.paths, *self.packages, *self.lab_results]

    def check(self) -> None:
        """Refuse a run given nothing, or a path that does not exist."""
        if not self.given:
            raise CannotRun("give the packages export (and lab results) to audit; see --help.")
        # A dangling or looping link is named and skipped when read, like a device or a pipe.
        missing = [str(path) for path in self.given if not path.exists() and not path.is_symlink()]
        if missing:
            raise CannotRun(f"{', '.join(missing)} does not exist; check the path.")

    def load(
        self, jurisdiction: str, limits: Limits, ahead: ReadAhead | None = None
    ) -> tuple[Pack, Tables]:
        """The pack and the exports (those `ahead` read, from it); unreadable files are
        named on standard error."""
        from batchaudit.ingest.load import load
        from batchaudit.rules.settings import checked_pack

        try:
            pack = checked_pack(jurisdiction)
        except PackError as error:
            raise CannotRun(str(error)) from error
        tables = load(
            packages=list(self.packages),
            lab_results=list(self.lab_results),
            detected=list(self.paths),
            limits=limits,
            ahead=ahead,
        )
        for sentence in tables.unreadable:
            click.echo(f"batchaudit: {one_line(sentence)}", err=True)
        if tables.packages.empty:
            raise CannotRun(_nothing_to_audit(tables))
        return pack, tables


def _nothing_to_audit(tables: Tables) -> str:
    """Why there are no packages: unreadable files were already named; rows left out are."""
    from batchaudit.rules.data_quality import data_quality_findings

    given = tables.no_packages_given()
    if given:
        return given
    read = [item.path for item in tables.inputs if item.kind == "packages" and item.rows_read]
    if not read:
        return "no packages could be read, so there is nothing to audit."
    for finding in data_quality_findings(tables.problems[:SHOWN_WHEN_NOTHING_READ]):
        click.echo(f"batchaudit: {one_line(finding.message)}", err=True)
    return (
        f"no packages could be read from {', '.join(dict.fromkeys(read))}: every row was "
        "left out (the first reasons are above), so there is nothing to audit."
    )
