"""A short Markdown summary for an email or a ticket."""

from __future__ import annotations

from batchaudit.findings import AuditResult
from batchaudit.report.text import most_serious
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
        f"{summary.coverage_text()}. **{counts['error']} errors, {counts['warning']} "
        f"warnings, {counts['note']} notes.**",
        "",
    ]
    if result.findings:
        lines += ["| rule | name | findings |", "|---|---|---:|"]
        lines += [
            f"| {code} | {result.rule(code).name} | {n} |" for code, n in result.by_rule().items()
        ]
        lines += ["", "## Most serious", ""]
        lines += [f"- **{f.rule}** {_cell(f.message)}" for f in most_serious(result, _LISTED)]
    for skipped in result.skipped_rules:
        lines.append(f"- Skipped {skipped.rule}: {skipped.reason}.")
    for item in result.not_read:
        lines.append(f"- Not read: {_cell(item.reason)}")
    return printable("\n".join(lines) + "\n")
