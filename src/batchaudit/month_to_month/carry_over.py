"""A finished audit carried into the month: the config's waivers and baseline applied to it,
whose audit it is, its exit status, and the waivers `batchaudit waive` appends. The work is
in `config`, `waivers` and `baseline`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from batchaudit.model.findings import AuditResult, Finding, Severity
from batchaudit.month_to_month.baseline import BaselineError, compare, load_baseline
from batchaudit.month_to_month.config import Config
from batchaudit.month_to_month.waivers import (
    WaiverError,
    append_waiver,
    apply_waivers,
    load_waivers,
    waiver_entry,
)
from batchaudit.rules import REGISTRY
from batchaudit.support.suggestions import did_you_mean

if TYPE_CHECKING:
    from batchaudit.engine import Audit

EXIT_FINDINGS = 1
Refuse = type[click.ClickException]


def chosen_outputs(config: Config) -> tuple[Path, ...]:
    return tuple(Path(path) for path in config["output"])


def carry_over(
    finished: Audit, config: Config, today: date, refuse: Refuse, runs: Path | None = None
) -> AuditResult:
    """Apply the waivers file, then compare with the baseline, as the config says; with
    `runs` (--out-dir) and no baseline given, with the last run there (the first run is
    compared with nothing, so every finding is new)."""
    from batchaudit.engine import as_configured
    from batchaudit.month_to_month.report_folders import previous_baseline

    result = finished.result
    waivers_path, named = config.waivers_path()

    def configure(found: list[Finding]) -> list[Finding]:
        return as_configured(found, finished.pack, config.choices)

    waivers_read = waivers_path is not None and waivers_path.is_file()
    try:
        if waivers_path is not None and waivers_read:
            waivers = load_waivers(waivers_path, today, config.named("waivers"))
            result = apply_waivers(result, waivers, today, configure)
        elif named:
            raise WaiverError(f"The waivers file {waivers_path} does not exist; check the path.")
        if config["baseline"]:
            path = Path(config["baseline"])
            result = compare(result, load_baseline(path), config.named("baseline"), waivers_read)
        elif runs is not None:
            previous = previous_baseline(runs)
            found = load_baseline(previous) if previous is not None else []
            result = compare(result, found, str(previous or runs), waivers_read)
            if previous is None and result.baseline is not None:
                result = replace(result, baseline=replace(result.baseline, compared=False))
        elif config["fail-on-new"]:
            raise BaselineError(
                "--fail-on-new needs a baseline: give --baseline previous.json (or `baseline` "
                "in the config)."
            )
    except (WaiverError, BaselineError) as error:
        raise refuse(str(error)) from error
    return result


def told(result: AuditResult, config: Config) -> AuditResult:
    """The result with what the command line or the config says of whose audit it is (title,
    licensee, license numbers and where they came from), and a pack file as the config or
    the command line names it."""
    about = replace(
        result.about, title=config["title"].strip(), licensee=config["licensee"].strip()
    )
    given = license_numbers(config["license"])
    if given:
        about = replace(about, licenses=given, licenses_from=config.origin("license"))
    if not about.pack_builtin:
        about = replace(about, pack_file=config.named("jurisdiction"))
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
