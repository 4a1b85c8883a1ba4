"""The short summary printed on standard output."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from batchaudit.findings import AuditResult, Finding, Severity

_TOP = 5


def most_serious(result: AuditResult, count: int) -> list[Finding]:
    """The first findings a reader should see: by severity, then in catalog order."""
    ranked = sorted(
        result.open_findings(),
        key=lambda f: (f.severity.rank, result.rank(f.rule), f.package_tag or ""),
    )
    return ranked[:count]


def render(result: AuditResult, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False, markup=False)
    summary = result.summary
    counts = result.by_severity()
    console.print(
        f"batchaudit: {summary.packages} packages, {summary.test_events} test events, "
        f"lineage coverage {summary.lineage_coverage:.0%} ({result.jurisdiction} pack)"
    )
    console.print(f"{counts['error']} errors, {counts['warning']} warnings, {counts['note']} notes")
    for line in carried_over(result):
        console.print(line, soft_wrap=True)
    if result.findings:
        severity = result.severity_by_rule()
        table = Table(show_edge=False, pad_edge=False, box=None)
        for column in ("rule", "severity", "findings", "name"):
            table.add_column(column)
        for code, count in sorted(result.by_rule().items(), key=lambda item: result.rank(item[0])):
            table.add_row(code, str(severity[code]), str(count), result.rule(code).name)
        console.print(table)
        console.print("Most serious:")
        for finding in most_serious(result, _TOP):
            console.print(f"  {finding.rule} {finding.message}", soft_wrap=True)
    for skipped in result.skipped_rules:
        console.print(f"Skipped {skipped.rule}: {skipped.reason}.")
    worst = result.worst_severity()
    if worst is None or worst is Severity.NOTE:
        console.print("Verdict: no production-batch or results-tab errors found.")
    return buffer.getvalue()


def carried_over(result: AuditResult, listed: int = _TOP) -> list[str]:
    """Waived findings, and what changed since the baseline: new ones and resolved ones."""
    lines = []
    waived = result.waived()
    if waived:
        lines.append(f"{len(waived)} waived (marked in every report; they do not count).")
    compared = result.baseline
    if compared is not None:
        new = result.new_findings()
        unchanged = len(result.findings) - len(new)
        lines.append(
            f"Since {compared.path}: {len(new)} new, {unchanged} unchanged, "
            f"{len(compared.resolved)} resolved."
        )
        lines += [f"  new {f.rule} {f.message}" for f in new[:listed]]
        lines += [f"  resolved {f.rule} {f.message}" for f in compared.resolved[:listed]]
        more = max(len(new) - listed, 0) + max(len(compared.resolved) - listed, 0)
        if more:
            lines.append(f"  ... and {more} more (see the JSON report)")
    return lines
