"""`batchaudit run`: every client of a portfolio audited, in this process, in worker
processes several at once, or on a Dask cluster (executors.py, cluster.py), then the
portfolio's `index.html` and `portfolio.json`, written whole or not at all. Whatever runs the
clients, their reports and the portfolio's are the same."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from batchaudit import __version__
from batchaudit.month_to_month.portfolio.client_run import Outcome, audit_client_from
from batchaudit.month_to_month.portfolio.clients import Client, Portfolio
from batchaudit.month_to_month.portfolio.executors import (
    Finished,
    Task,
    in_process,
    process_pool,
)
from batchaudit.month_to_month.report_folders import HISTORY, history

INDEX, DATA = "index.html", "portfolio.json"


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_clients(
    portfolio: Portfolio,
    jobs: int,
    done: Callable[[Outcome], None],
    when: datetime,
    dask: str | None = None,
) -> list[Outcome]:
    """Audit every client: in this process (`jobs` 1), at most `jobs` at once in worker
    processes, or on the Dask cluster at `dask`; `done` is called as each finishes. The
    outcomes are in the config's order."""
    task = functools.partial(
        audit_client_from, Path.cwd(), portfolio.file, keep=portfolio.keep, when=when
    )
    outcomes: dict[int, Outcome] = {}
    for client, outcome in handed_out(portfolio.clients, task, jobs, dask):
        outcomes[client.number] = outcome
        done(outcome)
    return [outcomes[client.number] for client in portfolio.clients]


def handed_out(clients: Sequence[Client], task: Task, jobs: int, dask: str | None) -> Finished:
    """Each client with its outcome, as they finish, on the executor chosen."""
    if dask is not None:
        from batchaudit.month_to_month.portfolio.cluster import on_cluster

        return on_cluster(dask, clients, task)
    if min(jobs, len(clients)) <= 1:
        return in_process(clients, task)
    return process_pool(clients, task, jobs)


def portfolio_data(portfolio: Portfolio, outcomes: list[Outcome], when: datetime) -> dict[str, Any]:
    """portfolio.json: the run's time, each client's outcome, its trend and its links."""
    data = {
        "schema_version": 1,
        "tool": {"name": "batchaudit", "version": __version__},
        "generated_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "title": portfolio.title,
        "config": str(portfolio.file),
        "exit_status": max((outcome.status for outcome in outcomes), default=0),
        "clients": [_client_data(portfolio.out_dir, outcome) for outcome in outcomes],
    }
    if any(client.group for client in portfolio.clients):
        data["groups"] = groups(portfolio, outcomes)
    return data


def groups(portfolio: Portfolio, outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Each group's join (group_join.py), its members in the config's order; a member that
    could not be audited is named as not joined, never left out silently."""
    from batchaudit.month_to_month.portfolio.group_join import join_group

    entries = []
    names = dict.fromkeys(client.group for client in portfolio.clients if client.group)
    for name in names:
        members = [(c, o) for c, o in zip(portfolio.clients, outcomes, strict=True)
                   if c.group == name]  # fmt: skip
        parts = [o.group_part for _, o in members if o.group_part is not None]
        entry = join_group(name, parts)
        entry["not_joined"] = [c.name for c, o in members if o.group_part is None]
        entries.append(entry)
    return entries


def _client_data(out_dir: Path, outcome: Outcome) -> dict[str, Any]:
    entries = history(outcome.out_dir) if (outcome.out_dir / HISTORY).is_file() else []
    folder = _relative(outcome.out_dir, out_dir)
    has_latest = (outcome.out_dir / "latest" / "report.html").is_file()
    return {
        "name": outcome.name,
        "license": outcome.license,
        "status": outcome.status,
        "failure": outcome.failure or None,
        "verdict": outcome.verdict or None,
        "by_severity": outcome.by_severity or None,
        "new": outcome.new,
        "resolved": outcome.resolved,
        "not_rechecked": outcome.not_rechecked,
        "run": outcome.run or None,
        "folder": folder,
        "latest": f"{folder}/latest/report.html" if has_latest else None,
        "latest_time": entries[-1]["time"] if entries and has_latest else None,
        "index": f"{folder}/index.html" if (outcome.out_dir / INDEX).is_file() else None,
        "trend": [sum(entry["by_severity"].values()) for entry in entries],
        "problems": list(outcome.problems),
        "seconds": outcome.seconds,
    }


def _relative(path: Path, start: Path) -> str:
    """`path` from `start`, as a link in the index can follow it."""
    try:
        return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()
    except ValueError:  # another drive (Windows): an absolute link
        return path.resolve().as_uri()


def write_portfolio(portfolio: Portfolio, outcomes: list[Outcome], when: datetime) -> Path:
    """index.html and portfolio.json, both or neither; the index's path."""
    from batchaudit.report import portfolio_index
    from batchaudit.report.writing import write_reports

    data = portfolio_data(portfolio, outcomes, when)
    portfolio.out_dir.mkdir(parents=True, exist_ok=True)
    index = portfolio.out_dir / INDEX
    write_reports([
        (portfolio.out_dir / DATA, json.dumps(data, indent=2, ensure_ascii=False) + "\n"),
        (index, portfolio_index.render(data, when)),
    ])  # fmt: skip
    return index


def now() -> datetime:
    return datetime.now(UTC)
