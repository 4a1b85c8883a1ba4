"""`batchaudit trace` in the terminal: the trace view as trees and a table."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from batchaudit.lineage.trace import Node, TraceView
from batchaudit.model.findings import count_of
from batchaudit.support.visible import printable

# Piped output is not wrapped: a line is as long as it needs to be.
UNWRAPPED = 10_000
NBSP = "\u00a0"  # keeps a quantity and its unit on one line
UNRELEASED_SHOWN = 20


def render(view: TraceView, width: int | None = None) -> str:
    """The trace, wrapped to `width` (a terminal's), or unwrapped and unpadded when None."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width or UNWRAPPED, no_color=True, highlight=False, markup=False
    )
    console.print(f"Package {_label(view.package)}")
    console.print()
    if view.jobs:
        console.print("Processing jobs:")
        for step in view.jobs:
            console.print(f"  {step}", soft_wrap=True)
        console.print()
    console.print(_tree("Sources, up to production batches and harvests", view.sources))
    console.print()
    console.print(_tree("Descendants", view.descendants))
    console.print()
    console.print(
        f"Results tab: {count_of(view.tab_rows, 'row')}, {count_of(view.tab_events, 'test event')}"
        f" from {count_of(len(view.tab), 'tested package')}"
    )
    if view.tab:
        console.print(_tab_table(view))
    if view.unreleased:
        console.print()
        console.print(
            f"Not released by the lab (on no results tab, counted apart): "
            f"{count_of(len(view.unreleased), 'row')}"
        )
        console.print(_unreleased_table(view))
    console.print()
    if view.findings:
        console.print(f"Findings on {view.package.tag}:")
        for finding in view.findings:
            console.print(f"  {finding.rule} {finding.severity}: {finding.message}", soft_wrap=True)
            if finding.remedy:
                console.print(f"    What to do: {finding.remedy}", soft_wrap=True)
    else:
        console.print(f"No findings on {view.package.tag}.")
    lines = buffer.getvalue().replace(NBSP, " ").splitlines()  # wrapped already
    return printable("".join(line.rstrip() + "\n" for line in lines))


def _label(node: Node) -> str:
    if not node.known:
        return f"{node.tag}  ({node.note})"
    parts = [
        node.tag,
        node.item,
        f"{node.category} [{node.group}]",
        _batch(node),
        node.testing_state or "no testing state",
        node.quantity.replace(" ", NBSP),
        _sent(node),
    ]
    label = "  ".join(part for part in parts if part)
    return f"{label}  ({node.note})" if node.note else label


def _batch(node: Node) -> str:
    if node.production_batch is None:
        return "production batch unknown (its export has no Production Batch field)"
    if node.production_batch:
        return f"production batch {node.production_batch_number or '(no number)'}"
    return "not a production batch"


def _sent(node: Node) -> str:
    """A package this licensee sent: the recipient's license and receipt, as theirs."""
    if not node.recipient and not node.recipient_received:
        return ""
    to = f"sent to {node.recipient or 'another licensee'}"
    if node.recipient_received:
        return f"{to}, who received it {node.recipient_received}"
    return f"{to}, not yet received"


def _tree(title: str, root: Node) -> Tree:
    tree = Tree(title)
    if not root.branches:
        tree.add(root.note or "none")
    # Last in, first out: what is pushed first (the "more not shown" line) prints last.
    stack: list[tuple[Tree, Node | str]] = []
    _push(stack, tree, root)
    while stack:
        parent, item = stack.pop()
        if isinstance(item, str):
            parent.add(item)
            continue
        _push(stack, parent.add(_label(item)), item)
    return tree


def _push(stack: list[tuple[Tree, Node | str]], tree: Tree, node: Node) -> None:
    if node.hidden:
        stack.append((tree, f"... {node.hidden} more not shown"))
    stack.extend((tree, branch) for branch in reversed(node.branches))


def _tab_table(view: TraceView) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in (
        "tested package",
        "category",
        "tests",
        "rows passed/failed",
        "inherited through",
        "seen in",
    ):
        table.add_column(column, overflow="fold")
    for entry in view.tab:
        tests = "; ".join(
            f"{e['date'] or 'undated'} {e['result']} ({count_of(e['rows'], 'row')})"
            for e in entry.events
        )
        table.add_row(
            entry.tag,
            entry.category,
            tests,
            f"{entry.passed_rows}/{entry.failed_rows}",
            " <- ".join(entry.inherited_through),
            _SEEN[entry.seen],
        )
    return table


# Where a tested package of the tab was seen: the exports' lineage, a lab pull, or both.
_SEEN = {"derived": "lineage", "observed": "lab pull", "both": "lineage, lab pull"}


def _unreleased_table(view: TraceView) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("tested package", "test type", "tested on", "lab", "where"):
        table.add_column(column, overflow="fold")
    for row in view.unreleased[:UNRELEASED_SHOWN]:
        table.add_row(row.tested_package, row.test_type, row.date, row.lab, row.where)
    more = len(view.unreleased) - UNRELEASED_SHOWN
    if more > 0:
        table.add_row(f"... and {count_of(more, 'more row')}", "", "", "", "")
    return table
