"""`batchaudit rules` and `batchaudit explain` in the terminal."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from batchaudit.rules import catalog
from batchaudit.rules.base import RuleInfo
from batchaudit.rules.docs import rule_markdown

# Piped, the catalog is not wrapped, and an explanation reads as a 100-column document.
UNWRAPPED = 10_000
DOCUMENT = 100


def _console(buffer: io.StringIO, width: int) -> Console:
    return Console(file=buffer, width=width, no_color=True, highlight=False, markup=False)


def _unpadded(text: str) -> str:
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def render_catalog(width: int | None = None) -> str:
    """The catalog, wrapped to a terminal's `width`; None (piped): unwrapped, unpadded."""
    buffer = io.StringIO()
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("code", "name", "severity"):
        table.add_column(column, no_wrap=True)
    table.add_column("summary", overflow="fold")
    for rule in catalog():
        severity = f"{rule.severity}, off by default" if rule.opt_in else str(rule.severity)
        table.add_row(rule.code, rule.name, severity, rule.summary())
    _console(buffer, width or UNWRAPPED).print(table)
    return _unpadded(buffer.getvalue())


def render_explanation(rule: type[RuleInfo], width: int | None = None) -> str:
    buffer = io.StringIO()
    _console(buffer, min(width or DOCUMENT, DOCUMENT)).print(Markdown(rule_markdown(rule)))
    return _unpadded(buffer.getvalue())
