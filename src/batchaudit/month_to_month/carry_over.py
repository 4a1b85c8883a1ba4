"""The command line's wiring for audits that carry from one month to the next: the config
and the options that mirror it, waivers and the baseline applied to a finished audit, and
`batchaudit waive`. The work is in `config`, `waivers` and `baseline`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from batchaudit.baseline import BaselineError, compare, load_baseline
from batchaudit.config import Config, ConfigError, load_config
from batchaudit.findings import AuditResult, Finding, Severity
from batchaudit.rules import REGISTRY
from batchaudit.suggestions import did_you_mean
from batchaudit.waivers import (
    WaiverError,
    append_waiver,
    apply_waivers,
    load_waivers,
    waiver_entry,
)

if TYPE_CHECKING:
    from batchaudit.engine import Audit

F = TypeVar("F", bound=Callable[..., Any])
EXIT_FINDINGS = 1
Refuse = type[click.ClickException]
CONFIG_OPTIONS = (
    "A config file (batchaudit.toml, or pyproject.toml with [tool.batchaudit]); by default "
    "the first one found from the current folder upward.",
    "Read no config file.",
)
# Command-line parameter -> config key, for the options that mirror the config.
PARAMETER_KEYS = {
    "jurisdiction": "jurisdiction",
    "select": "select",
    "extend_select": "extend-select",
    "ignore": "ignore",
    "fail_on": "fail-on",
    "fail_on_new": "fail-on-new",
    "output": "output",
    "stdout_format": "format",
    "waivers": "waivers",
    "baseline": "baseline",
    "title": "title",
    "licensee": "licensee",
    "licenses": "license",
}


def config_options(command: F) -> F:
    """--config, --isolated and the options that only the config file could set before."""
    rule_help = "Rule codes or prefixes ({}), comma-separated or repeated."
    options = [
        click.option("--config", "config_file", type=click.Path(path_type=Path),
                     help=CONFIG_OPTIONS[0]),
        click.option("--isolated", is_flag=True, help=CONFIG_OPTIONS[1]),
        click.option("--select", multiple=True, help=rule_help.format("run only these")),
        click.option("--extend-select", multiple=True, help=rule_help.format("run these too")),
        click.option("--ignore", multiple=True, help=rule_help.format("do not run these")),
        click.option("--waivers", type=click.Path(path_type=Path),
                     help="The waivers file (default: waivers.toml beside the config)."),
        click.option("--baseline", type=click.Path(path_type=Path),
                     help="The JSON report of an earlier run: mark findings new or unchanged, "
                     "list the resolved ones."),
        click.option("--fail-on-new", is_flag=True,
                     help="Only findings new since the baseline make the exit status 1."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _flag_value(key: str, value: Any) -> Any:
    if key in ("select", "extend-select", "ignore"):
        return [code.strip() for given in value for code in given.split(",") if code.strip()]
    if key == "output":
        return [str(path) for path in value]
    if key == "license":  # --license may be repeated; the config holds one string
        return ", ".join(value)
    return str(value) if isinstance(value, Path) else value


def settings(context: click.Context, refuse: Refuse) -> Config:
    """The config in use, with the options given on the command line over it."""
    params = context.params
    flags = {
        PARAMETER_KEYS[name]: _flag_value(PARAMETER_KEYS[name], value)
        for name, value in params.items()
        if name in PARAMETER_KEYS
        and context.get_parameter_source(name) is ParameterSource.COMMANDLINE
    }
    try:
        return load_config(
            Path.cwd(), params.get("config_file"), bool(params.get("isolated")), flags
        )
    except ConfigError as error:
        raise refuse(str(error)) from error


def chosen_outputs(config: Config) -> tuple[Path, ...]:
    return tuple(Path(path) for path in config["output"])


def carry_over(
    finished: Audit, config: Config, today: date, refuse: Refuse, runs: Path | None = None
) -> AuditResult:
    """Apply the waivers file, then compare with the baseline, as the config says; with
    `runs` (--out-dir) and no baseline given, with the last run there (the first run is
    compared with nothing, so every finding is new)."""
    from batchaudit.engine import as_configured
    from batchaudit.runs import previous_baseline

    result = finished.result
    waivers_path, named = config.waivers_path()

    def configure(found: list[Finding]) -> list[Finding]:
        return as_configured(found, finished.pack, config.choices)

    try:
        if waivers_path is not None and waivers_path.is_file():
            waivers = load_waivers(waivers_path, today)
            result = apply_waivers(result, waivers, today, configure)
        elif named:
            raise WaiverError(f"The waivers file {waivers_path} does not exist; check the path.")
        if config["baseline"]:
            path = Path(config["baseline"])
            result = compare(result, load_baseline(path), str(path))
        elif runs is not None:
            previous = previous_baseline(runs)
            found = load_baseline(previous) if previous is not None else []
            result = compare(result, found, str(previous or runs))
        elif config["fail-on-new"]:
            raise BaselineError(
                "--fail-on-new needs a baseline: give --baseline previous.json (or `baseline` "
                "in the config)."
            )
    except (WaiverError, BaselineError) as error:
        raise refuse(str(error)) from error
    return result


def told(result: AuditResult, title: str, licensee: str, licenses: tuple[str, ...]) -> AuditResult:
    """The result with what the command line (or the config) says of whose audit it is."""
    about = replace(result.about, title=title.strip(), licensee=licensee.strip())
    given = tuple(number.strip() for number in licenses if number.strip())
    if given:
        about = replace(about, licenses=given, licenses_from_exports=False)
    return replace(result, about=about)


def license_numbers(licenses: str) -> tuple[str, ...]:
    """License numbers as the config (or --license, repeated) gives them, comma-separated."""
    return tuple(number.strip() for number in licenses.split(",") if number.strip())


def exit_status(result: AuditResult, fail_on: str, new_only: bool = False) -> int:
    """0, or 1 for findings at or above `fail_on`: waived findings never count; with
    new_only, only findings new since the baseline."""
    if fail_on == "never":
        return 0
    threshold = Severity(fail_on).rank
    worst = result.worst_severity(new_only)
    return EXIT_FINDINGS if worst is not None and worst.rank <= threshold else 0


def waive_command(
    config: Config, code: str, tag: str, reason: str, until: date, by: str, refuse: Refuse
) -> str:
    """Append a waiver to the config's waivers file; the sentence that says so."""
    from datetime import UTC, datetime

    today = datetime.now(UTC).date()
    if code.strip().upper() not in REGISTRY:
        hint = did_you_mean(code.strip().upper(), REGISTRY)
        raise refuse(f"there is no rule {code!r}{hint}; `batchaudit rules` lists them.")
    if not reason.strip():
        raise refuse("--reason is required: say why the finding is accepted.")
    path = config.waivers_path()[0]
    if path is None:
        raise refuse("no waivers file is set in the config; set `waivers` to add a waiver.")
    try:
        waiver = append_waiver(path, waiver_entry(code, tag, reason, until, by, today), today)
    except WaiverError as error:
        raise refuse(str(error)) from error
    return f"Added {waiver.describe()}: {waiver.rule} on {', '.join(waiver.tags)} until {until}."
