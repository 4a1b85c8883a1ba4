"""What `batchaudit run` prints: one line per client (name, verdict, counts, new since its
last run), then where the portfolio's index is and the worst exit status."""

from __future__ import annotations

from pathlib import Path

from batchaudit.month_to_month.portfolio.client_run import Outcome
from batchaudit.support.visible import one_line


def client_line(outcome: Outcome, width: int) -> str:
    name = one_line(outcome.name).ljust(width)
    if outcome.failed:
        return f"{name}  FAILED: {outcome.failure}"
    counts = outcome.by_severity
    figures = f"{counts['error']} E, {counts['warning']} W, {counts['note']} N"
    new = "first run" if outcome.new is None else f"{outcome.new} new"
    return f"{name}  {figures:<22}  {new:<10}  {outcome.verdict}"


def summary_lines(outcomes: list[Outcome], index: Path, quiet: bool) -> list[str]:
    width = max((len(one_line(outcome.name)) for outcome in outcomes), default=0)
    lines = [] if quiet else [client_line(outcome, width) for outcome in outcomes]
    failures = sum(outcome.failed for outcome in outcomes)
    worst = max((outcome.status for outcome in outcomes), default=0)
    audited = f"{len(outcomes) - failures} of {len(outcomes)} clients audited"
    failed = f", {failures} could not be" if failures else ""
    return [*lines, one_line(f"{audited}{failed}; the portfolio: {index} (exit status {worst})")]


def progress_text(done: int, total: int, last: Outcome, where: str = "") -> str:
    """`where`: " on the cluster tcp://host:8786" when a cluster audits them."""
    return one_line(f"audited {done} of {total} clients{where} (last: {last.name})")
