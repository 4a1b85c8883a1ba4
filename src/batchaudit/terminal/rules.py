"""`batchaudit rules` and `batchaudit explain` in the terminal."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from batchaudit.rules import catalog
from batchaudit.rules.base import RuleInfo
from batchaudit.rules.docs import rule_markdown

WIDTH = 100


def _console(buffer: io.StringIO) -> Console:
    return Console(file=buffer, width=WIDTH, no_color=True, highlight=False, markup=False)


def render_catalog() -> str:
    buffer = io.StringIO()
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("code", "name", "severity"):
        table.add_column(column, no_wrap=True)
    table.add_column("summary", overflow="fold")
    for rule in catalog():
        table.add_row(rule.code, rule.name, str(rule.severity), rule.summary())
    _console(buffer).print(table)
    return buffer.getvalue()


def render_explanation(rule: type[RuleInfo]) -> str:
    buffer = io.StringIO()
    _console(buffer).print(Markdown(rule_markdown(rule)))
    return buffer.getvalue()
