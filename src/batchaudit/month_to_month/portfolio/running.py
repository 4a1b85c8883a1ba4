"""`batchaudit run`: every client of a portfolio audited in its own process, several at
once, then the portfolio's `index.html` and `portfolio.json`, written whole or not at all.

Worker processes are started fresh ("spawn"), not forked from a process that may be running
a progress thread; each imports the audit's libraries once and audits client after client.
A worker that dies (out of memory, killed) fails the clients it had not finished; the
others go on."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from batchaudit import __version__
from batchaudit.month_to_month.portfolio.client_run import Outcome, audit_client, failed
from batchaudit.month_to_month.portfolio.clients import Client, Portfolio
from batchaudit.month_to_month.report_folders import HISTORY, history

INDEX, DATA = "index.html", "portfolio.json"


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_clients(
    portfolio: Portfolio, jobs: int, done: Callable[[Outcome], None], when: datetime
) -> list[Outcome]:
    """Audit every client, at most `jobs` at once; `done` is called as each finishes. The
    outcomes are in the config's order."""
    clients = portfolio.clients
    outcomes: dict[int, Outcome] = {}
    workers = max(1, min(jobs, len(clients)))
    context = get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_calm) as pool:
        futures: dict[Future[Outcome], Client] = {
            pool.submit(audit_client, portfolio.file, client, portfolio.keep, when): client
            for client in clients
        }
        try:
            for future in as_completed(futures):
                client = futures[future]
                outcomes[client.number] = _outcome(future, client)
                done(outcomes[client.number])
        except KeyboardInterrupt:  # Ctrl-C: no new client; those begun finish whole
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return [outcomes[client.number] for client in clients]


def _calm() -> None:
    """A worker leaves Ctrl-C to the command, which stops handing out clients."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _outcome(future: Future[Outcome], client: Client) -> Outcome:
    try:
        return future.result()
    except Exception as error:  # BrokenProcessPool: its worker died
        why = str(error) or type(error).__name__
        return failed(client, f"its audit process stopped before it finished ({why}); run "
                      "again, with --jobs 1 if the machine ran out of memory.")  # fmt: skip


def portfolio_data(portfolio: Portfolio, outcomes: list[Outcome], when: datetime) -> dict[str, Any]:
    """portfolio.json: the run's time, each client's outcome, its trend and its links."""
    return {
        "schema_version": 1,
        "tool": {"name": "batchaudit", "version": __version__},
        "generated_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "title": portfolio.title,
        "config": str(portfolio.file),
        "exit_status": max((outcome.status for outcome in outcomes), default=0),
        "clients": [_client_data(portfolio.out_dir, outcome) for outcome in outcomes],
    }


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
