"""The HTML report: self-contained, escaped, and carrying what a client needs to read."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from batchaudit.report import html
from batchaudit.report.html_view import PRINTED_PER_RULE
from helpers import audited, tag

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HOSTILE = """
tag,item_name,category,source_package_tags,production_batch,production_batch_number,lab_testing_state
T1,<script>alert(1)</script> Buds,Buds,,No,,TestPassed
T2,<script>alert(1)</script> Buds,Buds,T1,Yes,"PB-1"" onmouseover=""alert(3)",NotSubmitted
T3,"<img src=x onerror=alert(2)>",<b>Bold</b> Category,,No,,
"""
LAB = "tested_package,lab_test_result_id,test_type,test_passed\nT1,9,Total THC (%) Flower,true\n"


def test_export_text_is_escaped(tmp_path: Path) -> None:
    page = html.render(audited(tmp_path, HOSTILE, LAB).result, NOW)
    assert "<script>alert" not in page
    assert "<img" not in page and "<b>Bold</b>" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Category" in page  # in the printed lists, as text
    # In the explorer's data, as JSON whose markup characters are escaped; the script puts
    # it on the page with textContent only.
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e Buds" in page
    assert "<script>alert(1)</script> Buds" in explorer(page)["strings"]
    assert 'onmouseover="alert' not in page
    assert len(re.findall(r"<script>", page)) == 1  # ours, at the end
    assert "</script><" not in data_block(page)  # the data cannot close its block


def test_report_loads_nothing_and_allows_only_its_own_style_and_script(tmp_path: Path) -> None:
    page = html.render(audited(tmp_path, HOSTILE, LAB).result, NOW)
    (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    assert "unsafe-inline" not in policy
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and " style=" not in page


def test_summary_charts_explorer_and_provenance(tmp_path: Path) -> None:
    report = audited(tmp_path, HOSTILE, LAB)
    page = html.render(report.result, NOW)
    assert "What matters most" in page
    assert (
        "1 production batch was created where nothing was processed; it dropped 1 inherited lab-result row."
        in page
    )
    assert "Lab-result rows lost to unneeded production batches</dt><dd>1<" in page
    assert page.count('<svg viewBox="0 0 640') == 3
    assert 'id="filter-rule"' in page and 'id="rule-PB001"' in page
    assert tag(2) in [row[2] for row in explorer(page)["findings"]]
    for item in report.result.inputs:
        assert item.sha256 in page and item.path in page
    assert "2026-11-29 12:00 UTC" in page
    assert "Why it matters:" in page and "What to do:" in page


def data_block(page: str) -> str:
    (block,) = re.findall(r'<script type="application/json" id="finding-data">(.*?)</script>', page)
    return str(block)


def explorer(page: str) -> dict:  # type: ignore[type-arg]
    return dict(json.loads(data_block(page)))


def test_every_finding_is_in_the_explorer_and_paper_lists_the_costliest(tmp_path: Path) -> None:
    count = PRINTED_PER_RULE + 5
    rows = [f"T{n},Buds,T{n + 100000},No," for n in range(1, count + 1)]
    packages = (
        "tag,category,source_package_tags,production_batch,production_batch_number\n"
        + "\n".join(rows)
    )
    page = html.render(audited(tmp_path, packages).result, NOW)
    assert len(explorer(page)["findings"]) == count
    assert "and 5 more LN001 findings, each in the report" in page
    assert "-o findings.csv" not in page
    assert page.count("Why it matters:") == 1  # once per rule, not per finding


def test_a_huge_results_tab_does_not_swell_the_report(tmp_path: Path) -> None:
    lots = range(1, 61)
    rows = [f"T{n},Buds,,No," for n in lots] + [
        f'T999,Buds,"{", ".join(f"T{n}" for n in lots)}",No,'
    ]
    packages = (
        "tag,category,source_package_tags,production_batch,production_batch_number\n"
        + "\n".join(rows)
    )
    lab = "tested_package,lab_test_result_id,test_type,test_passed\n" + "\n".join(
        f"T{n},{n},THC,true" for n in lots
    )
    page = html.render(audited(tmp_path, packages, lab).result, NOW)
    (finding,) = [row for row in explorer(page)["findings"] if row[10]]
    assert len(finding[10]) == 12 and finding[11] == 48  # 12 shown, 48 more in the JSON


def test_a_trail_shows_eight_sources_a_column_and_counts_the_rest(tmp_path: Path) -> None:
    # T12 is a production batch of ten Buds, T2..T11 (PB001); T4 is one itself, from T1. The
    # trail shows the sources, eight of them, and counts the other two.
    sources = [f"T{n},Buds,{'T1' if n == 4 else ''},{'Yes' if n == 4 else 'No'}," for n in
               range(2, 12)]  # fmt: skip
    packages = "\n".join(
        [
            "tag,category,source_package_tags,production_batch,production_batch_number",
            "T1,Buds,,No,",
            *sources,
            f'T12,Buds,"{",".join(f"T{n}" for n in range(2, 12))}",Yes,PB-1',
        ]
    )
    data = explorer(html.render(audited(tmp_path, packages).result, NOW))
    tags = [package[0] for package in data["packages"]]
    pb001 = [rule[0] for rule in data["rules"]].index("PB001")
    (finding,) = [row for row in data["findings"] if row[2] == tag(12) and row[1] == pb001]
    columns = [([tags[number] for number in shown], hidden) for shown, hidden in finding[12]]
    assert columns == [([tag(n) for n in range(2, 10)], 2), ([tag(12)], 0)]
    # Each box's package as the exports have it: category and the Production Batch flag.
    details = {package[0]: package[1:] for package in data["packages"]}
    assert data["strings"][details[tag(4)][0]] == "Buds" and details[tag(4)][1] == 1
    assert details[tag(2)][1] == 0 and details[tag(12)][1] == 1
