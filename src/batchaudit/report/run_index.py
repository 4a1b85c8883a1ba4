"""DIR/index.html of a report folder: findings by rule over the runs as an inline SVG
trend, new and resolved per run, and a link to every run kept. No script, no network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from batchaudit import __version__
from batchaudit.report.html import asset, environment

WIDTH, HEIGHT = 640, 200
# Colours that stay apart for the common colour-vision deficiencies (Okabe-Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


@dataclass(frozen=True)
class Line:
    rule: str
    colour: str
    points: str  # SVG polyline points
    last: int


@dataclass(frozen=True)
class RunRow:
    time: str
    run: str
    linked: bool
    errors: int
    warnings: int
    notes: int
    new: str
    resolved: str
    not_rechecked: str
    same_inputs: bool


@dataclass(frozen=True)
class IndexView:
    generated_at: str
    version: str
    runs: list[RunRow]
    lines: list[Line]
    width: int
    height: int
    peak: int


def render(entries: list[dict[str, Any]], kept: list[str], generated_at: datetime) -> str:
    view = IndexView(
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        runs=[_row(entry, set(kept)) for entry in reversed(entries)],
        lines=_lines(entries),
        width=WIDTH,
        height=HEIGHT,
        peak=_peak(entries),
    )
    template = environment().get_template("run_index.html.j2")
    return template.render(view=view, style=asset("run_index.css"))


def _peak(entries: list[dict[str, Any]]) -> int:
    return max((count for e in entries for count in e["by_rule"].values()), default=0)


def _lines(entries: list[dict[str, Any]]) -> list[Line]:
    rules = sorted({rule for entry in entries for rule in entry["by_rule"]})
    peak, steps = max(_peak(entries), 1), max(len(entries) - 1, 1)
    lines = []
    for number, rule in enumerate(rules):
        counts = [int(entry["by_rule"].get(rule, 0)) for entry in entries]
        points = " ".join(
            f"{index * WIDTH / steps:.1f},{HEIGHT - count * HEIGHT / peak:.1f}"
            for index, count in enumerate(counts)
        )
        lines.append(Line(rule, PALETTE[number % len(PALETTE)], points, counts[-1]))
    return lines


def _row(entry: dict[str, Any], kept: set[str]) -> RunRow:
    counts = entry["by_severity"]

    def shown(value: int | None) -> str:
        return "" if value is None else str(value)

    return RunRow(
        time=entry["time"],
        run=entry["run"],
        linked=entry["run"] in kept,
        errors=counts.get("error", 0),
        warnings=counts.get("warning", 0),
        notes=counts.get("note", 0),
        new=shown(entry.get("new")),
        resolved=shown(entry.get("resolved")),
        not_rechecked=shown(entry.get("not_rechecked")),
        same_inputs=bool(entry.get("same_inputs")),
    )
