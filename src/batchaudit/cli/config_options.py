"""The options that mirror the config (--config, --isolated, --select, --waivers, ...) and the
config in use with the options given on the command line over it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from batchaudit.cli.common import F
from batchaudit.month_to_month.carry_over import Refuse
from batchaudit.month_to_month.config import Config, ConfigError, load_config

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
                     "list the resolved ones (checked again and gone) and those not "
                     "re-checked."),
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
