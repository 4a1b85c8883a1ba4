"""Which reporter writes which `-o` file, by extension."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from batchaudit.findings import AuditResult
from batchaudit.report import csv_report, html, json_report, junit, markdown, sarif

Renderer = Callable[[AuditResult, datetime], str]

RENDERERS: dict[str, Renderer] = {
    ".html": html.render,
    ".json": lambda result, _: json_report.render(result),
    ".csv": lambda result, _: csv_report.render(result),
    ".md": lambda result, _: markdown.render(result),
    ".xml": junit.render,
    ".sarif": sarif.render,
}
