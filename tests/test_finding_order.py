"""Findings are reported in the order of `Finding.sort_key`, however the keys are compared."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from batchaudit.model.finding_order import in_report_order
from batchaudit.model.findings import Finding, Severity, Source

TEXT = st.text(alphabet="AB1é€\U0001f600 ", max_size=3)
SOURCES = st.none() | st.builds(Source, TEXT, st.none() | st.integers(0, 3))
FINDINGS = st.builds(
    Finding,
    rule=st.sampled_from(["PB001", "LT001", "DQ002"]),
    name=st.just("n"),
    severity=st.sampled_from(list(Severity)),
    package_tag=st.none() | TEXT,
    message=st.text(max_size=2),  # not a key: tells apart findings that tie
    source=SOURCES,
)


@settings(max_examples=300)
@given(st.lists(FINDINGS, max_size=12))
def test_the_order_is_sort_keys_ties_kept_as_given(findings: list[Finding]) -> None:
    assert in_report_order(findings) == sorted(findings, key=Finding.sort_key)


def test_a_file_name_arrow_cannot_hold_is_sorted_by_python() -> None:
    """An undecodable byte in a file name comes to Python as a lone surrogate."""
    odd = Source("exports/caf\udce9.csv", 2)
    findings = [
        Finding("PB001", "n", Severity.ERROR, "T2", "m", source=odd),
        Finding("PB001", "n", Severity.ERROR, "T1", "m", source=Source("a.csv", 9)),
    ]
    assert in_report_order(findings) == sorted(findings, key=Finding.sort_key)
    assert in_report_order(findings)[0].package_tag == "T1"
