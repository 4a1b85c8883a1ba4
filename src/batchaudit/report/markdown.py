"""A short Markdown summary for an email or a ticket."""

from __future__ import annotations

from batchaudit.findings import AuditResult
from batchaudit.report.text import most_serious
from batchaudit.rules.base import REGISTRY
from batchaudit.visible import printable

_LISTED = 10


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(result: AuditResult) -> str:
    summary = result.summary
    counts = result.by_severity()
    lines = [
        f"# batchaudit: {result.jurisdiction}",
        "",
        f"{summary.packages:,} packages, {summary.test_events:,} test events, lineage coverage "
        f"{summary.lineage_coverage:.0%}. **{counts['error']} errors, {counts['warning']} "
        f"warnings, {counts['note']} notes.**",
        "",
    ]
    if result.findings:
        lines += ["| rule | name | findings |", "|---|---|---:|"]
        lines += [
            f"| {code} | {REGISTRY[code].name} | {n} |" for code, n in result.by_rule().items()
        ]
        lines += ["", "## Most serious", ""]
        lines += [f"- **{f.rule}** {_cell(f.message)}" for f in most_serious(result, _LISTED)]
    for skipped in result.skipped_rules:
        lines.append(f"- Skipped {skipped.rule}: {skipped.reason}.")
    return printable("\n".join(lines) + "\n")
