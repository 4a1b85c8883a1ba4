"""The report's charts as plain geometry (bars, lines, labels in SVG user units); the
template draws them as inline SVG. Nothing here is markup."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from batchaudit.model.chart_data import ChartData
from batchaudit.model.findings import AuditResult, Severity, count_of

WIDTH = 640
MONTHS_SHOWN = 18
LABEL_SPACE = 52  # user units a column label such as "Apr 25" needs
TOTAL_SPACE = 34  # and a total above its column such as "1,234"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # a CSS class: error, warning, note, plain, unneeded
    title: str  # the exact figure, shown on hover and to screen readers


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    caption: str
    height: float
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    marks: list[Line] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)

    @property
    def width(self) -> int:
        return WIDTH


def charts(result: AuditResult) -> list[Chart]:
    figures = result.charts
    if figures is None:
        return [findings_by_rule(result)]
    unneeded = "/".join(card.code for card in result.rules if card.unneeded_batch)
    rule = figures.tab_limit.rule if figures.tab_limit else ""
    coverage = result.coverage_of(rule)
    partly = coverage.not_checked_count if coverage is not None and coverage.ran else 0
    tabs = (
        tab_sizes(figures, partly) if result.summary.lab_results_given else tab_sizes_not_measured()
    )
    return [findings_by_rule(result), tabs, batches_by_month(figures, unneeded)]


def findings_by_rule(result: AuditResult) -> Chart:
    """One bar per rule, split by severity: a rule's bar is as red as its findings are."""
    counts = sorted(result.by_rule().items(), key=lambda item: result.rank(item[0]))
    split = Counter((f.rule, f.severity) for f in result.findings)
    row, left, right = 22, 70, 60
    most = max((n for _, n in counts), default=1)
    chart = Chart(
        "by-rule",
        "Findings by rule",
        "Number of findings of each rule, by severity.",
        height=max(row * len(counts) + 10, 40),
        legend=[(str(s), str(s)) for s in Severity if any(k[1] is s for k in split)],
    )
    for number, (code, count) in enumerate(counts):
        y, x = 5 + number * row, float(left)
        for severity in Severity:
            part = split[(code, severity)]
            if not part:
                continue
            length = (WIDTH - left - right) * part / most
            title = f"{code}: {count_of(part, str(severity))}"
            chart.bars.append(Bar(x, y, max(length, 1), row - 6, str(severity), title))
            x += length
        chart.labels.append(Label(left - 8, y + row - 10, code, "end"))
        chart.labels.append(Label(max(x, left + 1) + 6, y + row - 10, f"{count:,}"))
    if not counts:
        chart.labels.append(Label(WIDTH / 2, 25, "No findings.", "middle"))
    return chart


def _columns(chart: Chart, values: list[tuple[str, list[tuple[float, str, str]]]]) -> float:
    """Vertical (stacked) bars: one column per label, segments of (value, kind, title)."""
    top, bottom, left = 20, chart.height - 28, 40
    most = max((sum(v for v, _, _ in segments) for _, segments in values), default=0) or 1
    step = (WIDTH - left - 10) / max(len(values), 1)
    # Labels at least LABEL_SPACE apart never run together: thin them to every n-th column.
    every = max(1, math.ceil(LABEL_SPACE / step))
    for number, (label, segments) in enumerate(values):
        x, base = left + number * step + step * 0.15, bottom
        for value, kind, title in segments:
            height = (bottom - top) * value / most
            if value:
                chart.bars.append(Bar(x, base - height, step * 0.7, height, kind, title))
            base -= height
        total = sum(v for v, _, _ in segments)
        if number % every == 0 or step >= TOTAL_SPACE:
            chart.labels.append(Label(x + step * 0.35, base - 4, f"{total:,.0f}", "middle"))
        if number % every == 0:
            chart.labels.append(Label(x + step * 0.35, bottom + 16, label, "middle"))
    chart.marks.append(Line(left, bottom, WIDTH - 10, bottom))
    return step


def tab_bins(limit: int) -> list[tuple[int, int, str]]:
    """(low, high, label): one bin per size up to just past the limit, then two ranges."""
    singles = [(n, n, str(n)) for n in range(limit + 2)]
    low, high = limit + 2, 2 * limit + 2
    middle = (low, high, f"{low}-{high}" if high > low else str(low))
    return [*singles, middle, (high + 1, 10**9, f"{high + 1}+")]


def tab_sizes(figures: ChartData, partly_known: int = 0) -> Chart:
    limit = figures.tab_limit.value if figures.tab_limit else 0
    rule = figures.tab_limit.rule if figures.tab_limit else ""
    caption = (
        f"Packages by how many tested packages their Lab Results tab shows. Right of the "
        f"dashed line (more than {limit}) is {rule}."
    )
    if partly_known:
        caption += (
            f" {count_of(partly_known, 'package')} whose tab is only partly known "
            f"({rule} did not check them) {'is' if partly_known == 1 else 'are'} counted by "
            "what is known."
        )
    chart = Chart("tab-sizes", "Results-tab sizes", caption, height=200)
    values = []
    bins = tab_bins(limit)
    for low, high, label in bins:
        count = sum(n for size, n in figures.tab_sizes.items() if low <= size <= high)
        kind = "warning" if low > limit else "plain"
        shown = "tested package" if label == "1" else "tested packages"
        title = f"{label} {shown}: {count_of(count, 'package')}"
        values.append((label, [(float(count), kind, title)]))
    step = _columns(chart, values)
    x = 40 + (limit + 1) * step  # bins 0..limit are within the limit
    chart.marks.append(Line(x, 12, x, chart.height - 28))
    if x < WIDTH - 160:
        chart.labels.append(Label(x + 4, 12, f"{rule}: more than {limit}"))
    else:  # keep the label inside the chart
        chart.labels.append(Label(x - 4, 12, f"{rule}: more than {limit}", "end"))
    return chart


def tab_sizes_not_measured() -> Chart:
    """Without lab results no tab holds a tested package: its size is not measured, not 0."""
    chart = Chart(
        "tab-sizes",
        "Results-tab sizes",
        "Packages by how many tested packages their Lab Results tab shows.",
        height=80,
    )
    chart.labels.append(Label(WIDTH / 2, 44, "Not measured: no lab results were given.", "middle"))
    return chart


def batches_by_month(figures: ChartData, unneeded_rules: str) -> Chart:
    months = figures.batches_by_month[-MONTHS_SHOWN:]
    caption = (
        "Production batches by the month they were packaged: needed, and unneeded "
        f"({unneeded_rules})."
    )
    if figures.undated_batches:
        caption += f" {figures.undated_batches:,} without a packaged date are not shown."
    chart = Chart(
        "batches",
        "Production batches per month",
        caption,
        height=200,
        legend=[("plain", "needed"), ("unneeded", f"unneeded ({unneeded_rules})")],
    )
    values = [
        (
            date.fromisoformat(f"{m.month}-01").strftime("%b %y"),
            [
                (float(m.needed), "plain", f"{m.month}: {m.needed:,} needed"),
                (float(m.unneeded), "unneeded", f"{m.month}: {m.unneeded:,} unneeded"),
            ],
        )
        for m in months
    ]
    if values:
        _columns(chart, values)
    else:
        chart.labels.append(Label(WIDTH / 2, 100, "No dated production batches.", "middle"))
    return chart
