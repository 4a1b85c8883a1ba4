"""The short summary printed on standard output."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from batchaudit.findings import AuditResult, Finding, Severity
from batchaudit.visible import printable

_TOP = 5


def most_serious(result: AuditResult, count: int) -> list[Finding]:
    """The first findings a reader should see: by severity, then in catalog order."""
    ranked = sorted(
        result.findings, key=lambda f: (f.severity.rank, result.rank(f.rule), f.package_tag or "")
    )
    return ranked[:count]


def render(result: AuditResult, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False, markup=False)
    summary = result.summary
    counts = result.by_severity()
    console.print(
        f"batchaudit: {summary.packages} packages, {summary.test_events} test events, "
        f"lineage coverage {summary.coverage_text()} ({result.jurisdiction} pack)"
    )
    console.print(f"{counts['error']} errors, {counts['warning']} warnings, {counts['note']} notes")
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
    if result.not_read:
        console.print(f"Not read: {len(result.not_read)} file(s), named above.")
    worst = result.worst_severity()
    if worst is None or worst is Severity.NOTE:
        console.print("Verdict: no production-batch or results-tab errors found.")
    return printable(buffer.getvalue())
