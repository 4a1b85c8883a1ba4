"""A result's counts, made in one pass and kept: waived findings are counted apart, new
ones by the baseline's mark, and a result made anew from another counts its own findings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from batchaudit.model.findings import AuditResult, Finding, Severity, Summary, Waiver
from batchaudit.report.verdict import verdict

WAIVER = Waiver("PB001", ("T2",), "regulator agreed", date(2099, 1, 1), "waivers.toml", 1)


def finding(rule: str, severity: Severity, baseline: str, waiver: Waiver | None = None) -> Finding:
    return Finding(rule, rule, severity, "T2", "", waiver=waiver, baseline=baseline)


def result_of(*findings: Finding) -> AuditResult:
    return AuditResult("oregon", (), findings, Summary(0, 0, 0, 0, 0, 0))


def test_waived_findings_count_apart_and_new_ones_by_their_mark() -> None:
    result = result_of(
        finding("PB001", Severity.WARNING, "unchanged", WAIVER),
        finding("PB001", Severity.ERROR, "new", WAIVER),
        finding("LN001", Severity.NOTE, "new"),
        finding("PB003", Severity.WARNING, "unchanged"),
        finding("PB003", Severity.ERROR, "unchanged"),
    )
    assert result.by_severity() == {"error": 1, "warning": 1, "note": 1}
    assert result.by_rule() == {"LN001": 1, "PB001": 2, "PB003": 2}
    # The rules in the order met; a waived finding still says how severe its rule's are.
    assert list(result.severity_by_rule().items()) == [
        ("PB001", Severity.ERROR),
        ("LN001", Severity.NOTE),
        ("PB003", Severity.ERROR),
    ]
    assert result.worst_severity() == Severity.ERROR
    assert result.worst_severity(new_only=True) == Severity.NOTE  # the new error is waived
    tally = result.tally()
    assert (tally.waived(), tally.marked("new"), tally.marked("unchanged")) == (2, 2, 3)
    assert verdict(result).sentence.startswith("1 error needs correcting in Metrc; 1 warning")


def test_a_result_made_anew_counts_its_own_findings() -> None:
    counted = result_of(finding("PB003", Severity.ERROR, "new"))
    assert counted.worst_severity() == Severity.ERROR  # counted, and the count kept
    waived = replace(counted, findings=(finding("PB003", Severity.ERROR, "new", WAIVER),))
    assert waived.worst_severity() is None
    assert waived.by_severity() == {"error": 0, "warning": 0, "note": 0}
    assert waived.tally().waived() == 1
