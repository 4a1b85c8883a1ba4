"""A short Markdown summary for an email or a ticket."""

from __future__ import annotations

from batchaudit.model.findings import AuditResult, count_of
from batchaudit.report.text import most_serious, unreleased
from batchaudit.report.verdict import gaps, verdict
from batchaudit.support.visible import printable

_LISTED = 10


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _whose(result: AuditResult) -> list[tuple[str, str]]:
    about = result.about
    rows = [("Licensee", about.licensee)] if about.licensee else []
    if about.licenses:
        origin = about.licenses_origin()
        rows.append(("License", ", ".join(about.licenses) + origin))
    if about.period:
        rows.append(("Export period", about.period))
    rows.append(("Rule pack", f"{result.jurisdiction} ({result.jurisdiction_title})"))
    rows.append(("Pack file", f"{about.pack_file}, SHA-256 {about.pack_sha256}"))
    return rows


def render(result: AuditResult) -> str:
    summary, counts = result.summary, result.by_severity()
    lines = [f"# {_cell(result.about.title or 'batchaudit: ' + result.jurisdiction)}", ""]
    lines += [f"**Verdict: {_cell(verdict(result).sentence)}**", ""]
    lines += [f"- {label}: {_cell(value)}" for label, value in _whose(result)] + [""]
    lines += [
        f"{count_of(summary.packages, 'package')}, {summary.events_text()}"
        f", lineage coverage {summary.coverage_text()}. "
        f"**{', '.join(count_of(counts[s], s) for s in counts)}.**",
        "",
    ]
    lines += [unreleased(summary), ""] if summary.unreleased_lab_result_rows else []
    if result.findings:
        lines += ["| rule | name | findings |", "|---|---|---:|"]
        lines += [
            f"| {code} | {result.rule(code).name} | {n:,} |" for code, n in result.by_rule().items()
        ]
        lines += ["", "## Most serious", ""]
        lines += [f"- **{f.rule}** {_cell(f.message)}" for f in most_serious(result, _LISTED)]
    compared = result.baseline
    if compared is not None:
        new = result.new_findings()
        lines += ["", "## Since the baseline", ""]
        lines.append(
            f"Compared with `{_cell(compared.path)}`: **{len(new)} new**, "
            f"{len(result.findings) - len(new)} unchanged, **{len(compared.resolved)} resolved**, "
            f"{len(compared.not_rechecked)} not re-checked."
        )
        lines += [""] if new or compared.resolved or compared.not_rechecked else []
        lines += [f"- new **{f.rule}** {_cell(f.message)}" for f in new[:_LISTED]]
        lines += [
            f"- resolved **{f.rule}** {_cell(f.message)}" for f in compared.resolved[:_LISTED]
        ]
        lines += [
            f"- not re-checked **{f.rule}** {_cell(f.message)}"
            for f in compared.not_rechecked[:_LISTED]
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
    if result.skipped_rules or result.incomplete():
        lines.append("")
    for skipped in result.skipped_rules:
        lines.append(f"- Skipped {skipped.rule}: {skipped.reason}.")
    lines += [f"- Not checked: {_cell(gap.sentence())}" for gap in gaps(result)]
    for item in result.not_read:
        lines.append(f"- Not read: {_cell(item.reason)}")
    return printable("\n".join(lines) + "\n")
