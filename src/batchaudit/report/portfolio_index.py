"""The portfolio's index.html: one row per client (verdict, counts, new since its last run,
a small trend of its findings, links to its latest report and its run index), the clients
that could not be audited marked with the sentence saying why. Rendered from the data of
portfolio.json; no script, no network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from batchaudit import __version__
from batchaudit.model.findings import count_of
from batchaudit.report.html import asset, environment

SPARK_WIDTH, SPARK_HEIGHT = 96, 24


@dataclass(frozen=True)
class Spark:
    """A client's findings over its runs as an SVG polyline, its last point marked."""

    points: str
    last_x: float
    last_y: float
    label: str


@dataclass(frozen=True)
class ClientRow:
    name: str
    license: str
    state: str  # failed, error, warning or clean: the row's mark
    state_label: str
    verdict: str
    failure: str
    errors: str
    warnings: str
    notes: str
    new: str
    spark: Spark | None
    report_href: str
    report_label: str
    report_note: str  # when a client that could not be audited had its last report
    index_href: str
    problems: list[str]


@dataclass(frozen=True)
class GroupView:
    """A group of licenses: its members, the packages that passed between them, the
    results-tab findings of its joined lineage and the senders' PB findings they received."""

    name: str
    clients: str
    not_joined: str
    links_line: str
    links: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    only_across: int  # findings that no member's own report shows
    inherited: list[dict[str, Any]]
    rules: str  # the rules run on the joined lineage
    not_checked: str  # "" or "N packages by RULE, ..."


@dataclass(frozen=True)
class PortfolioView:
    title: str
    generated_at: str
    version: str
    rows: list[ClientRow]
    tally: str
    exit_status: int
    spark_width: int
    spark_height: int
    groups: list[GroupView]


STATES = {"failed": "could not be audited", "error": "errors", "warning": "warnings",
          "clean": "clean"}  # fmt: skip


def render(data: dict[str, Any], generated_at: datetime) -> str:
    rows = [_row(client) for client in data["clients"]]
    view = PortfolioView(
        title=data["title"] or "batchaudit portfolio",
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        rows=rows,
        tally=_tally(rows),
        exit_status=data["exit_status"],
        spark_width=SPARK_WIDTH,
        spark_height=SPARK_HEIGHT,
        groups=[_group(group) for group in data.get("groups", [])],
    )
    template = environment().get_template("portfolio.html.j2")
    return template.render(view=view, style=asset("portfolio.css"))


def _group(group: dict[str, Any]) -> GroupView:
    count = len(group["links"])
    pairs = len({(link["sender"], link["receiver"]) for link in group["links"]})
    links_line = (
        f"{count} package{'s' * (count != 1)} passed between its licenses "
        f"({pairs} sender-receiver pair{'s' * (pairs != 1)})."
        if count
        else "No package passed between its licenses in these exports."
    )
    findings = [
        {**finding, "holders": ", ".join(finding["clients"]), "seen": _seen(finding)}
        for finding in group["findings"]
    ]
    # What no member's own report shows comes first.
    findings.sort(key=lambda finding: finding["seen"] != "seen only across the group")
    return GroupView(
        name=group["name"],
        clients=", ".join(group["clients"]),
        not_joined=", ".join(group["not_joined"]),
        links_line=links_line,
        links=group["links"],
        findings=findings,
        only_across=sum(f["seen"] == "seen only across the group" for f in findings),
        inherited=group["inherited"],
        rules=" and ".join(group["rules"]),
        not_checked=", ".join(
            f"{count_of(item['packages'], 'package')} by {item['rule']}"
            for item in group["not_checked"]
        ),
    )


def _seen(finding: dict[str, Any]) -> str:
    """Whether the members that hold the package found it in their own audits too."""
    holders = [c for c, own in zip(finding["clients"], finding["in_client_reports"],
                                   strict=True) if own]  # fmt: skip
    if not holders:
        return "seen only across the group"
    if len(holders) == len(finding["clients"]):
        return "also in its own report"
    return f"also in {', '.join(holders)}'s own report"


def _tally(rows: list[ClientRow]) -> str:
    counts = {state: sum(row.state == state for row in rows) for state in STATES}
    parts = [f"{counts[state]} {label}" for state, label in (
        ("failed", "could not be audited"), ("error", "with errors"),
        ("warning", "with warnings only"), ("clean", "clean"),
    ) if counts[state]]  # fmt: skip
    return f"{len(rows)} client{'s' * (len(rows) != 1)}: {', '.join(parts)}."


def _state(client: dict[str, Any]) -> str:
    if client["failure"]:
        return "failed"
    counts = client["by_severity"] or {}
    return "error" if counts.get("error") else "warning" if counts.get("warning") else "clean"


def _row(client: dict[str, Any]) -> ClientRow:
    counts = client["by_severity"] or {}
    state = _state(client)

    def count(severity: str) -> str:
        return "" if state == "failed" else str(counts.get(severity, 0))

    latest_time = (client["latest_time"] or "").replace("T", " ")[:16]  # to the minute
    return ClientRow(
        name=client["name"],
        license=client["license"],
        state=state,
        state_label=STATES[state],
        verdict=client["verdict"] or "",
        failure=client["failure"] or "",
        errors=count("error"),
        warnings=count("warning"),
        notes=count("note"),
        new="" if client["new"] is None or state == "failed" else str(client["new"]),
        spark=_spark(client["trend"]),
        report_href=_href(client["latest"]),
        report_label="latest report" if state != "failed" else "last report",
        report_note=f"of {latest_time} UTC" if state == "failed" and latest_time else "",
        index_href=_href(client["index"]),
        problems=client["problems"],
    )


def _href(path: str | None) -> str:
    """A relative link, each part percent-encoded (a folder may be named `R&D #2`)."""
    if not path:
        return ""
    return path if path.startswith("file:") else quote(path, safe="/")


def _spark(totals: list[int]) -> Spark | None:
    if not totals:
        return None
    peak, steps = max(max(totals), 1), max(len(totals) - 1, 1)
    inner = SPARK_HEIGHT - 4  # room for the last point's dot

    def x(index: int) -> float:
        return round(index * SPARK_WIDTH / steps, 1) if len(totals) > 1 else SPARK_WIDTH / 2

    def y(total: int) -> float:
        return round(2 + inner - total * inner / peak, 1)

    points = " ".join(f"{x(i)},{y(total)}" for i, total in enumerate(totals))
    runs = f"{len(totals)} run{'s' * (len(totals) != 1)}"
    label = f"Findings over {runs}: {', '.join(map(str, totals[-8:]))}"
    if len(totals) > 8:
        label = label.replace(": ", ", the last 8: ", 1)
    return Spark(points, x(len(totals) - 1), y(totals[-1]), label)
