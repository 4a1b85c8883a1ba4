"""Waivers match findings by rule and by tag or glob, the first waiver in the file that
matches a finding marking it, and every pattern that matched anything counting as used
(a finding looks its tag up; only its rule's globs are tried)."""

from __future__ import annotations

from datetime import date

from batchaudit.model.findings import AuditResult, Finding, Severity, Summary, Waiver
from batchaudit.month_to_month.waivers import apply_waivers

TODAY = date(2026, 12, 7)


def waiver(number: int, rule: str, *tags: str) -> Waiver:
    return Waiver(rule, tags, "agreed", date(2027, 6, 1), "waivers.toml", number)


def test_the_first_matching_waiver_marks_a_finding_and_unmatched_patterns_are_noted() -> None:
    tags = {"F1": "T1", "F2": "T2", "F3": None, "F5": "T10"}
    found = [Finding("PB001", "n", Severity.ERROR, tag, name) for name, tag in tags.items()]
    found.append(Finding("LN001", "n", Severity.NOTE, "T1", "F4"))
    waivers = [
        waiver(1, "PB001", "T2", "T1?"),  # a tag, and a glob of one more character
        waiver(2, "PB001", "T[12]"),
        waiver(3, "PB001", "*"),  # every PB001 finding, the file-level one too
        waiver(4, "LN001", "T9", "T1"),
        waiver(5, "LN001", "T1"),  # matches too, after 4: used, but 4 marks F4
    ]
    result = AuditResult("oregon", (), tuple(found), Summary(0, 0, 0, 0, 0, 0))
    applied = apply_waivers(result, waivers, TODAY)
    marked = {f.message: f.waiver.number for f in applied.findings if f.waiver is not None}
    assert marked == {"F1": 2, "F2": 1, "F3": 3, "F5": 1, "F4": 4}
    (unused,) = [f for f in applied.findings if f.rule == "WV002"]
    assert unused.evidence["unmatched"] == ["T9"] and "#4" in unused.message
