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


WEIGHTS = st.lists(st.tuples(*[st.integers(0, 2)] * 3), min_size=12, max_size=12)


@settings(max_examples=300)
@given(st.lists(FINDINGS, max_size=12), WEIGHTS)
def test_the_impact_order_is_its_keys_sorted_ties_kept_as_given(
    findings: list[Finding], weights: list[tuple[int, int, int]]
) -> None:
    """What the terminal and the report show first: errors and warnings, then the costliest
    (rows lost, tested packages, rows of the tab), severity, catalog order, tag."""
    import numpy as np

    from batchaudit.model.findings import AuditResult, Impacts, Summary

    rows_lost, tab_rows, tested = np.array(weights, dtype=np.int64)[: len(findings)].T
    catalog = ["PB001", "LT001", "DQ002"]
    result = AuditResult(
        "oregon",
        (),
        tuple(findings),
        Summary(0, 0, 0, 0, 0, 0),
        rules=tuple(_card(code) for code in catalog),
        impacts=Impacts(rows_lost, tab_rows, tested),
    )

    def key(n: int) -> tuple[bool, int, int, int, int, int, str]:
        finding = findings[n]
        return (
            finding.severity is Severity.NOTE,
            -int(rows_lost[n]),
            -int(tested[n]),
            -int(tab_rows[n]),
            finding.severity.rank,
            catalog.index(finding.rule),
            finding.package_tag or "",
        )

    assert result.impact_order() == sorted(range(len(findings)), key=key)


def _card(code: str) -> object:
    from batchaudit.rules import REGISTRY

    return REGISTRY[code].card()
