"""The HTML report: self-contained, escaped, and carrying what a client needs to read."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from batchaudit.report import html
from helpers import audit_text, tag

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HOSTILE = """
tag,item_name,category,source_package_tags,production_batch,lab_testing_state
T1,<script>alert(1)</script> Buds,Buds,,No,TestPassed
T2,<script>alert(1)</script> Buds,Buds,T1,Yes,NotSubmitted
T3,"<img src=x onerror=alert(2)>",<b>Bold</b> Category,,No,
"""


def test_export_text_is_escaped(tmp_path: Path) -> None:
    page = html.render(audit_text(tmp_path, HOSTILE), NOW)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Buds" in page
    assert "<img" not in page and "<b>Bold</b>" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Category" in page


def test_report_loads_nothing_from_the_network(tmp_path: Path) -> None:
    page = html.render(audit_text(tmp_path, HOSTILE), NOW)
    assert "default-src 'none'" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page


def test_report_shows_provenance_counts_and_evidence(tmp_path: Path) -> None:
    lab = (
        "tested_package,lab_test_result_id,test_type,test_passed\nT1,9,Total THC (%) Flower,true\n"
    )
    result = audit_text(tmp_path, HOSTILE, lab)
    page = html.render(result, NOW)
    for item in result.inputs:
        assert item.sha256 in page and item.path in page
    assert "2026-11-29 12:00 UTC" in page
    assert 'id="rule-PB001"' in page and tag(2) in page
    assert "Results lost" in page and "1 rows, 1 test events from 1 tested package(s)" in page
    assert "What to do:" in page
    assert "oregon" in page
