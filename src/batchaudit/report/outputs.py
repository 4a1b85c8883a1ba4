"""Which reporter writes which `-o` file, by extension."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from batchaudit.engine import Audit
from batchaudit.report import csv_report, html, json_report, junit, markdown, sarif

Renderer = Callable[[Audit, datetime], str]

RENDERERS: dict[str, Renderer] = {
    ".html": html.render,
    ".json": lambda audit, _: json_report.render(audit.result),
    ".csv": lambda audit, _: csv_report.render(audit.result),
    ".md": lambda audit, _: markdown.render(audit.result),
    ".xml": junit.render,
    ".sarif": sarif.render,
}
