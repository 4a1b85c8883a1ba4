"""The findings explorer's data: every finding of the audit, compact, for the page's script
to list, filter, sort and open. Plain data (lists and dicts), embedded as JSON; no markup.

Strings that repeat (rules, files, items, categories, testing states, fact labels) are
listed once and referred to by position, so that 100,000 packages stay within the budget.
"""

from __future__ import annotations

from typing import Any

from batchaudit.model.findings import AuditResult, Severity
from batchaudit.report.trails import Trails, packages_named
from batchaudit.support.visible import printable_data

# A finding lists this many tested packages of its results tab; the JSON has them all.
TESTED_PACKAGES_SHOWN = 12


class Strings:
    """A list of distinct strings and the position of each."""

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        return self.positions.setdefault(text, len(self.positions))

    @property
    def values(self) -> list[str]:
        return list(self.positions)


def explorer_data(result: AuditResult, order: list[int]) -> dict[str, Any]:
    """Findings in `order` (positions in result.findings), each as one array:
    [severity, rule, tag, item, category, message, remedy, file, where, facts, tested,
    tested_hidden, trail, rows lost, tested packages in its tab, new since the baseline];
    report.js reads them."""
    findings = [result.findings[index] for index in order]
    strings, tags = Strings(), Strings()
    names = _names(result)
    trails = Trails(result, findings)
    rules = {card.code: number for number, card in enumerate(result.rules)}
    severities = list(Severity)
    rows = []
    for row, (index, finding) in enumerate(zip(order, findings, strict=True)):
        card = result.rule(finding.rule)
        item, category = names.get(finding.package_tag or "", ("", ""))
        tested = card.tested_packages(finding)
        source = finding.source
        rows.append(
            [
                severities.index(finding.severity),
                rules[finding.rule],
                finding.package_tag or "",
                strings(item),
                strings(category),
                finding.message,
                finding.remedy or "",
                strings(source.file) if source else -1,
                source.describe().removeprefix(source.file).lstrip(", ") if source else "",
                [[strings(label), value] for label, value in card.facts(finding)],
                [
                    [tags(t["tag"]), strings(str(t.get("category", ""))), _events(t, strings)]
                    for t in tested[:TESTED_PACKAGES_SHOWN]
                ],
                max(len(tested) - TESTED_PACKAGES_SHOWN, 0),
                [[[tags(tag) for tag in shown], hidden] for shown, hidden in trails.columns(row)],
                result.impact(index).rows_lost,
                result.impact(index).tab_tested_packages,
                1 if finding.baseline == "new" else 0,
            ]
        )
    packages = _packages(tags.values, trails.boxes(), strings)
    data = {
        "severities": [str(severity) for severity in severities],
        "rules": [[c.code, c.name, c.trail_caption] for c in result.rules],
        "strings": strings.values,  # last: the packages above add to them
        "findings": rows,
        "packages": packages,
    }
    # Export text as the page shows it: control, bidi and zero-width characters marked.
    marked: dict[str, Any] = printable_data(data)
    return marked


def _packages(
    tags: list[str], boxes: dict[str, tuple[str, bool | None, str]], strings: Strings
) -> list[list[Any]]:
    """Each package a card names: [tag, category, production batch (1, 0, or -1 where no
    export of it has the field), testing state], or [tag] when it is not in the exports."""
    known = [(tag, boxes.get(tag)) for tag in tags]
    return [
        [tag]
        if box is None
        else [tag, strings(box[0]), -1 if box[1] is None else int(box[1]), strings(box[2])]
        for tag, box in known
    ]


def _events(tested: dict[str, Any], strings: Strings) -> list[list[Any]]:
    """Each test event as [date, result, rows, lab]."""
    return [
        [
            event.get("date") or "",
            strings(str(event.get("result", ""))),
            int(event.get("rows") or 0),
            strings(str(event.get("lab") or "")),
        ]
        for event in tested.get("events", [])
    ]


def _names(result: AuditResult) -> dict[str, tuple[str, str]]:
    """Item name and category of every package a finding names."""
    packages = result.packages
    if packages is None:
        return {}
    tags = {finding.package_tag for finding in result.findings if finding.package_tag}
    named = packages_named(packages, tags)
    # Taken out as lists: iterating an Arrow-backed column boxes each value on its own.
    items, categories = named["item_name"].astype(str), named["category"].astype(str)
    return dict(
        zip(
            named["tag"].astype(str).tolist(),
            zip(items.tolist(), categories.tolist(), strict=True),
            strict=True,
        )
    )
