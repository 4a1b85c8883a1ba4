"""A short Markdown summary for an email or a ticket."""

from __future__ import annotations

from batchaudit.findings import AuditResult
from batchaudit.report.text import most_serious

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
            f"| {code} | {result.rule(code).name} | {n} |" for code, n in result.by_rule().items()
        ]
        lines += ["", "## Most serious", ""]
        lines += [f"- **{f.rule}** {_cell(f.message)}" for f in most_serious(result, _LISTED)]
    compared = result.baseline
    if compared is not None:
        new = result.new_findings()
        lines += ["", "## Since the baseline", ""]
        lines.append(
            f"Compared with `{_cell(compared.path)}`: **{len(new)} new**, "
            f"{len(result.findings) - len(new)} unchanged, **{len(compared.resolved)} resolved**."
        )
        lines += [""] if new or compared.resolved else []
        lines += [f"- new **{f.rule}** {_cell(f.message)}" for f in new[:_LISTED]]
        lines += [
            f"- resolved **{f.rule}** {_cell(f.message)}" for f in compared.resolved[:_LISTED]
        ]
    waived = result.waived()
    if waived:
        lines += ["", "## Waived", ""]
        lines += [
            f"- **{f.rule}** {_cell(f.message)} _Waived until {f.waiver.expires}: "
            f"{_cell(f.waiver.reason)}_"
            for f in waived[:_LISTED]
            if f.waiver is not None
        ]
    if result.skipped_rules:
        lines.append("")
    for skipped in result.skipped_rules:
        lines.append(f"- Skipped {skipped.rule}: {skipped.reason}.")
    return "\n".join(lines) + "\n"
