"""One client's audit, as `batchaudit audit EXPORTS --out-dir DIR` does it, in a worker
process: its run folder, history, latest/ and run index (month_to_month.report_folders), and
what the portfolio's index needs of it. Whatever stops it becomes its failure, in one sentence."""

from __future__ import annotations

import glob
import os
import socket
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from batchaudit.model.packs import PackError
from batchaudit.month_to_month.carry_over import carry_over, exit_status, told
from batchaudit.month_to_month.config import Config, ConfigError, load_config
from batchaudit.month_to_month.portfolio.clients import Client
from batchaudit.month_to_month.portfolio.group_lineage import GroupPart, group_part
from batchaudit.report.writing import OutputError
from batchaudit.support.visible import one_line

if TYPE_CHECKING:
    from batchaudit.model.findings import AuditResult
    from batchaudit.model.tables import Tables

EXIT_CANNOT_RUN = 2
GLOB_CHARACTERS = frozenset("*?[")


class ClientFailure(click.ClickException):
    """Why a client could not be audited: one sentence."""


@dataclass(frozen=True)
class Outcome:
    """How one client's run went."""

    name: str
    license: str
    out_dir: Path
    status: int  # its exit status: 0, 1, or 2 when it could not be audited
    failure: str = ""  # why it could not be audited; empty when it was
    verdict: str = ""
    by_severity: dict[str, int] = field(default_factory=dict)
    new: int | None = None  # None: compared with nothing
    resolved: int | None = None
    not_rechecked: int | None = None  # found before, not checked again this run
    run: str = ""  # its run folder's name
    problems: tuple[str, ...] = ()  # files that could not be read (others were)
    seconds: float = 0.0
    # A client of a group: what the group's join needs of it (group_lineage.py).
    group_part: GroupPart | None = field(default=None, compare=False, repr=False)

    @property
    def failed(self) -> bool:
        return bool(self.failure)


def failed(client: Client, sentence: str) -> Outcome:
    return Outcome(client.name, client.license, client.out_dir, EXIT_CANNOT_RUN, one_line(sentence))


def audit_client(file: Path, client: Client, keep: int | None, when: datetime) -> Outcome:
    """Audit one client into its report folder; never raises for the client's own problems."""
    started = time.perf_counter()
    try:
        outcome = _audited(file, client, keep, when)
    except ClientFailure as error:
        outcome = failed(client, error.message)
    except Exception as error:  # one client's surprise must not stop the others
        outcome = failed(client, f"an unexpected problem stopped its audit "
                         f"({type(error).__name__}: {error}).")  # fmt: skip
    return replace(outcome, seconds=round(time.perf_counter() - started, 3))


def audit_client_from(
    folder: Path, file: Path, client: Client, keep: int | None, when: datetime
) -> Outcome:
    """`audit_client` in a worker that may have started in another folder (a Dask worker):
    the config's relative paths are the run's folder's, so the worker works from it."""
    if Path.cwd() != folder:
        if not folder.is_dir():
            return failed(client, f"the folder the run was started from, {folder}, is not on "
                          f"the worker {socket.gethostname()}; give every worker the exports "
                          "at the same path.")  # fmt: skip
        os.chdir(folder)
    return audit_client(file, client, keep, when)


def _audited(file: Path, client: Client, keep: int | None, when: datetime) -> Outcome:
    from batchaudit.engine import audit
    from batchaudit.ingest.load import load
    from batchaudit.month_to_month.report_folders import record, run_reports
    from batchaudit.report.text import verdict
    from batchaudit.rules.settings import checked_pack

    try:
        config = load_config(file.parent, explicit=file).overridden(client.settings, client.label)
        pack = checked_pack(config["jurisdiction"])
    except (ConfigError, PackError) as error:
        raise ClientFailure(str(error)) from error
    tables = load(detected=exports(client))
    if tables.packages.empty:
        reasons = " ".join(tables.unreadable) or "its exports hold no package rows."
        raise ClientFailure(f"no packages could be read from its exports: {reasons}")
    # A worker among others: the machine's processors are the pool's, so no child of its
    # own to share the rules with (nor to render its reports, below).
    finished = audit(tables, pack, config.choices, apart=False)
    result = carry_over(finished, config, when.date(), ClientFailure, client.out_dir)
    unreadable = tables.unreadable
    part = _group_part(client, config, tables, result)
    del finished, tables  # the lineage and the tables: the reports need only the result
    result = told(result, config)
    try:
        client.out_dir.mkdir(parents=True, exist_ok=True)
        recorded = record(client.out_dir, result, run_reports(result, when), when, keep)
    except (OSError, OutputError) as error:
        raise ClientFailure(
            f"{client.out_dir}: the run could not be recorded ({error})."
        ) from error
    return Outcome(
        name=client.name,
        license=", ".join(result.about.licenses) or client.license,
        out_dir=client.out_dir,
        status=exit_status(result, config["fail-on"], new_only=config["fail-on-new"]),
        verdict=verdict(result)[0].removeprefix("Verdict: "),
        by_severity=result.by_severity(),
        new=sum(f.baseline == "new" for f in result.open_findings()) if result.baseline else None,
        resolved=len(result.baseline.resolved) if result.baseline else None,
        not_rechecked=len(result.baseline.not_rechecked) if result.baseline else None,
        run=recorded.folder.name,
        problems=tuple(one_line(sentence) for sentence in unreadable),
        group_part=part,
    )


def _group_part(
    client: Client, config: Config, tables: Tables, result: AuditResult
) -> GroupPart | None:
    if not client.group:
        return None
    licenses = (client.license,) if client.license else result.about.licenses
    return group_part(client.group, client.name, licenses, config["jurisdiction"], tables, result)


def exports(client: Client) -> list[Path]:
    """The client's export files and folders; ClientFailure for a path that is not there or
    a glob that matches nothing."""
    found: list[Path] = []
    for given in client.exports:
        if GLOB_CHARACTERS & set(given):
            matches = sorted(glob.glob(given, recursive=True))
            if not matches:
                raise ClientFailure(f"its exports {given} match no file; check the path.")
            found += map(Path, matches)
        elif Path(given).exists() or Path(given).is_symlink():
            found.append(Path(given))
        else:
            raise ClientFailure(f"its exports {given} do not exist; check the path.")
    return found
