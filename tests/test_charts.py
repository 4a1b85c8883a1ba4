"""The charts' geometry: the LT001 limit sits between the bins it separates."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from batchaudit.engine import audit
from batchaudit.ingest.load import load
from batchaudit.model.chart_data import BatchMonth, ChartData
from batchaudit.model.packs import load_pack
from batchaudit.report.charts import (
    LABEL_SPACE,
    WIDTH,
    Chart,
    batches_by_month,
    charts,
    findings_by_rule,
    tab_bins,
)
from helpers import tag, write

# T9 combines eight tested lots: its tab shows 8 tested packages.
MONTH_NAMES = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
PACKAGES = (
    "tag,category,source_package_tags,production_batch,production_batch_number\n"
    + "\n".join(
        [*[f"T{n},Buds,,No," for n in range(1, 9)], 'T9,Buds,"T1,T2,T3,T4,T5,T6,T7,T8",No,']
    )
)
LAB = "tested_package,lab_test_result_id,test_type,test_passed\n" + "\n".join(
    f"T{n},{n},THC,true" for n in range(1, 9)
)


@pytest.mark.parametrize("limit", [0, 3, 7, 20])
def test_bins_put_every_size_beyond_the_limit_right_of_the_line(limit: int) -> None:
    bins = tab_bins(limit)
    assert [low for low, _, _ in bins[: limit + 1]] == list(range(limit + 1))
    assert all(low > limit for low, _, _ in bins[limit + 1 :])
    assert bins[-1][1] > 10**6


def tab_chart(tmp_path: Path, limit: int) -> Chart:
    pack = tmp_path / "pack.toml"
    pack.write_text(
        f"[rules.LT001]\nmax_tested_packages = {limit}\n"
        "[[groups]]\nname = 'flower'\ntested = true\ncategories = ['Buds']\n"
    )
    tables = load(
        packages=[write(tmp_path / "p.csv", PACKAGES)], lab_results=[write(tmp_path / "l.csv", LAB)]
    )
    return next(
        c for c in charts(audit(tables, load_pack(str(pack))).result) if c.key == "tab-sizes"
    )


@pytest.mark.parametrize("limit", [3, 7, 20])
def test_the_limit_line_and_label_stay_inside_and_mark_the_right_bars(
    limit: int, tmp_path: Path
) -> None:
    chart = tab_chart(tmp_path, limit)
    (line,) = [mark for mark in chart.marks if mark.x1 == mark.x2]
    assert 0 < line.x1 < WIDTH
    label = next(label for label in chart.labels if label.text.startswith("LT001"))
    assert (label.anchor == "start" and label.x < WIDTH - 150) or (
        label.anchor == "end" and label.x <= WIDTH
    )
    bin_of_eight = next(text for low, high, text in tab_bins(limit) if low <= 8 <= high)
    bar = next(bar for bar in chart.bars if bar.title.startswith(f"{bin_of_eight} tested"))
    assert (bar.kind == "warning") == (limit < 8)
    assert (bar.x > line.x1) == (limit < 8)


def test_month_labels_never_run_together_and_totals_have_separators() -> None:
    months = tuple(BatchMonth(f"{2024 + n // 12}-{n % 12 + 1:02d}", 1500 + n, n) for n in range(18))
    chart = batches_by_month(ChartData({}, None, months, 0), "PB001/PB002")
    below = sorted(label.x for label in chart.labels if label.text[:3] in MONTH_NAMES)
    assert 4 <= len(below) < 18
    assert all(b - a >= LABEL_SPACE for a, b in itertools.pairwise(below))
    assert "1,500" in {label.text for label in chart.labels}


def test_a_rules_bar_is_split_by_the_severity_of_its_findings(tmp_path: Path) -> None:
    pack = tmp_path / "pack.toml"
    pack.write_text("[[groups]]\nname = 'flower'\ntested = true\ncategories = ['Buds', 'Shake']\n")
    # PB005: T2 has no batch number (an error), N1 spans two categories (a warning).
    packages = (
        "tag,category,source_package_tags,production_batch,production_batch_number\n"
        "T1,Buds,,No,\nT2,Buds,T1,Yes,\nT3,Buds,T1,Yes,N1\nT4,Shake,T1,Yes,N1\n"
    )
    tables = load(packages=[write(tmp_path / "p.csv", packages)])
    result = audit(tables, load_pack(str(pack))).result
    chart = findings_by_rule(result)
    kinds: dict[str, set[str]] = {}
    for bar in chart.bars:
        kinds.setdefault(bar.title.split(":")[0], set()).add(bar.kind)
    for code, count in result.by_rule().items():
        found = {str(f.severity) for f in result.findings if f.rule == code}
        assert kinds[code] == found, code
        assert count >= 1
    assert kinds["PB005"] == {"error", "warning"}


def test_each_finding_is_weighed_by_its_own_packages_results_tab(tmp_path: Path) -> None:
    """The report ranks findings by what they cost (html_view, explorer): T9's tab, with
    eight tested packages, must outweigh the tab of one it was made of."""
    packages = write(tmp_path / "packages.csv", PACKAGES)
    lab = write(tmp_path / "lab.csv", LAB)
    result = audit(load(packages=[packages], lab_results=[lab]), load_pack("oregon")).result
    assert result.findings, "the sample must have findings to weigh"
    tab_of = {tag(9): 8, **{tag(n): 1 for n in range(1, 9)}}
    weighed = {f.package_tag: result.impact(i) for i, f in enumerate(result.findings)}
    assert tag(9) in weighed
    for package, impact in weighed.items():
        assert impact.tab_tested_packages == tab_of.get(package or "", 0), package


def test_findings_are_ranked_errors_first_then_by_what_they_cost() -> None:
    """What the terminal and the report show first (AuditResult.impact_order)."""
    from batchaudit.model.findings import Severity

    sample = Path(__file__).parent.parent / "sample_data"
    result = audit(load(detected=[sample]), load_pack("oregon")).result
    order = result.impact_order()
    assert sorted(order) == list(range(len(result.findings)))
    catalog = [card.code for card in result.rules]
    keys = [
        (
            finding.severity is Severity.NOTE,
            -impact.rows_lost,
            -impact.tab_tested_packages,
            -impact.tab_rows,
            finding.severity.rank,
            catalog.index(finding.rule),
            finding.package_tag or "",
        )
        for finding, impact in ((result.findings[n], result.impact(n)) for n in order)
    ]
    assert keys == sorted(keys)
    assert keys[0][1] < 0, "the sample's first finding lost lab-result rows"
    first_open = [result.findings[n] for n in order if result.findings[n].waiver is None][:5]
    assert result.costliest(5) == first_open


def test_a_rules_severity_is_its_most_severe_finding_in_the_order_rules_are_met() -> None:
    """DQ002 is an error for a bad tag and a warning for an unknown testing state."""
    from batchaudit.model.findings import AuditResult, Finding, Severity, Summary

    def finding(rule: str, severity: Severity) -> Finding:
        return Finding(rule=rule, name=rule, severity=severity, package_tag=None, message="")

    findings = [
        finding("DQ002", Severity.WARNING),
        finding("LN001", Severity.NOTE),
        finding("DQ002", Severity.ERROR),
        finding("DQ002", Severity.WARNING),
    ]
    result = AuditResult("oregon", (), tuple(findings), Summary(0, 0, 0, 0, 0, 0))
    worst = result.severity_by_rule()
    assert list(worst.items()) == [("DQ002", Severity.ERROR), ("LN001", Severity.NOTE)]


def test_production_batches_by_month_count_the_unneeded_ones() -> None:
    """The chart of production batches per month marks those a rule found were not needed."""
    sample = Path(__file__).parent.parent / "sample_data"
    audited = audit(load(detected=[sample]), load_pack("oregon"))
    result = audited.result
    unneeded_rules = {card.code for card in result.rules if card.unneeded_batch}
    tags = {f.package_tag for f in result.findings if f.rule in unneeded_rules}
    packages = audited.lineage.packages
    batch = packages["production_batch"].to_numpy(dtype=bool)
    dated = packages.loc[batch & packages["packaged_date"].notna().to_numpy()]
    months = result.charts.batches_by_month if result.charts else ()
    assert sum(month.unneeded for month in months) == int(dated["tag"].isin(tags).sum()) > 0
    assert sum(month.needed + month.unneeded for month in months) == len(dated)
