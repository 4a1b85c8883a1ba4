"""The short summary printed on standard output: the figures, the findings by rule, the
most costly findings and a verdict. On a terminal it wraps to the terminal's width and may
use colour; piped, it is plain, unwrapped and unpadded."""

from __future__ import annotations

import textwrap

from batchaudit.model.findings import AuditResult, Finding, Severity, Summary, count_of
from batchaudit.report.verdict import gaps
from batchaudit.report.verdict import verdict as the_verdict
from batchaudit.support.visible import printable

_TOP = 5
# ANSI colours by severity (bold red, yellow, blue), used only when asked for.
_COLOURS = {"error": "1;31", "warning": "33", "note": "34", "ok": "32"}


def most_serious(result: AuditResult, count: int) -> list[Finding]:
    """The first findings a reader should see, waived ones aside: errors and warnings before
    notes, then by lab-result rows lost, results-tab size and severity."""
    return result.costliest(count)


def unreleased(summary: Summary) -> str:
    """The rows of results the lab has not released, in words ("" when there are none)."""
    count = summary.unreleased_lab_result_rows
    if not count:
        return ""
    verb = "is" if count == 1 else "are"
    return (
        f"{count_of(count, 'lab-result row')} the lab has not released {verb} on no results "
        "tab (counted apart)."
    )


def verdict(result: AuditResult) -> tuple[str, str]:
    """The verdict sentence and the severity that colours it."""
    said = the_verdict(result)
    return f"Verdict: {said.sentence}", said.severity


def _shortened(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1] + "\u2026"


class Lines:
    """Output lines, wrapped to a width when there is one, coloured when asked."""

    def __init__(self, width: int | None, color: bool) -> None:
        self.width, self.color = width, color
        self.lines: list[str] = []

    def paint(self, text: str, kind: str) -> str:
        return f"\x1b[{_COLOURS[kind]}m{text}\x1b[0m" if self.color and kind in _COLOURS else text

    def add(self, text: str, indent: str = "") -> None:
        if self.width is None or len(text) <= self.width:
            self.lines.append(text)
            return
        self.lines += textwrap.wrap(
            text, self.width, subsequent_indent=indent, break_on_hyphens=False
        )

    def table(self, rows: list[list[str]], kinds: list[str]) -> None:
        widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
        if self.width is not None:  # the last column (the name) gives way to the terminal
            room = max(self.width - sum(widths[:-1]) - 2 * (len(widths) - 1), 8)
            rows = [[*row[:-1], _shortened(row[-1], room)] for row in rows]
            widths[-1] = min(widths[-1], room)
        for number, row in enumerate(rows):
            cells = [cell.ljust(widths[n]) for n, cell in enumerate(row)]
            if number and self.color:
                cells[1] = self.paint(cells[1], kinds[number - 1])
            self.lines.append("  ".join(cells).rstrip())

    def text(self) -> str:
        return "".join(line.rstrip() + "\n" for line in self.lines)


def render(
    result: AuditResult, width: int | None = None, color: bool = False, quiet: bool = False
) -> str:
    out = Lines(width, color)
    sentence, kind = verdict(result)
    if quiet:
        out.add(out.paint(sentence, kind))
        return out.text()
    summary, counts, about = result.summary, result.by_severity(), result.about
    out.add(
        f"batchaudit: {count_of(summary.packages, 'package')}, "
        f"{summary.events_text()}, lineage coverage "
        f"{summary.coverage_text()} ({printable(result.jurisdiction)} pack)"
    )
    if summary.unreleased_lab_result_rows:
        out.add(unreleased(summary))
    licenses = ", ".join(about.licenses)
    whose = [about.title, about.licensee, f"license {licenses}" if licenses else ""]
    if about.period:
        whose.append(f"exports {about.period}")
    if any(whose):
        out.add(printable("; ".join(part for part in whose if part)))
    out.add(", ".join(out.paint(count_of(counts[s], str(s)), s) for s in counts))
    for line in carried_over(result):
        out.add(printable(line), indent="    ")
    if result.findings:
        severity = result.severity_by_rule()
        codes = sorted(result.by_rule().items(), key=lambda item: result.rank(item[0]))
        rows = [["rule", "severity", "findings", "name"]]
        split = _by_severity(result)
        rows += [[c, str(severity[c]), f"{n:,}{split[c]}", result.rule(c).name] for c, n in codes]
        out.table(rows, [str(severity[c]) for c, _ in codes])
        out.add("Most serious (by lab-result rows lost, results-tab size, severity):")
        for finding in most_serious(result, _TOP):
            label = out.paint(str(finding.severity), str(finding.severity))
            out.add(f"  {finding.rule} {label}: {printable(finding.message)}", indent="    ")
    for skipped in result.skipped_rules:
        out.add(f"Skipped {skipped.rule}: {printable(skipped.reason)}.")
    for gap in gaps(result):
        out.add(f"Not checked: {printable(gap.sentence())}", indent="    ")
    if result.not_read:
        unread = sum(item.files for item in result.not_read)
        out.add(f"Not read: {count_of(unread, 'file')}, named above.")
    out.add(out.paint(sentence, kind))
    return out.text()


def carried_over(result: AuditResult, listed: int = _TOP) -> list[str]:
    """Waived findings, and what changed since the baseline: new ones and resolved ones."""
    lines = []
    waived = result.tally().waived()
    if waived:
        lines.append(f"{waived} waived (marked in every report; they do not count).")
    compared = result.baseline
    if compared is not None:
        new = result.new_findings()
        unchanged = len(result.findings) - len(new)
        lines.append(
            f"Since {compared.path}: {len(new)} new, {unchanged} unchanged, "
            f"{len(compared.resolved)} resolved, {len(compared.not_rechecked)} not re-checked."
        )
        lines += [f"  new {f.rule} {f.message}" for f in new[:listed]]
        lines += [f"  resolved {f.rule} {f.message}" for f in compared.resolved[:listed]]
        lines += [f"  not re-checked {f.rule} {f.message}" for f in compared.not_rechecked[:listed]]
        more = sum(
            max(len(shown) - listed, 0)
            for shown in (new, compared.resolved, compared.not_rechecked)
        )
        if more:
            lines.append(f"  ... and {more} more (see the JSON report)")
    return lines


def _by_severity(result: AuditResult) -> dict[str, str]:
    """For each rule, how many findings of each severity where they differ ("(1 error, 2
    warnings)"), else "": the severity column names only the worst."""
    counts = result.tally().by_rule_and_severity()
    said: dict[str, str] = {}
    for rule in {rule for rule, _ in counts}:
        mixed = [count_of(counts[rule, s], str(s)) for s in Severity if counts[rule, s]]
        said[rule] = f" ({', '.join(mixed)})" if len(mixed) > 1 else ""
    return said
