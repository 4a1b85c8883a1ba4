"""Which reporter writes which `-o` file, by extension. Each reporter (and its libraries:
Jinja for HTML) is imported only when a file of its kind is asked for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib import import_module

from batchaudit.model.findings import AuditResult
from batchaudit.support.collector import collection_paused

# Text, or the bytes of a file already encoded (the JSON report).
Report = str | bytes
Renderer = Callable[[AuditResult, datetime], Report]


def _reporter(module: str, *, dated: bool = True) -> Renderer:
    def render(result: AuditResult, generated_at: datetime) -> Report:
        reporter = import_module(f"batchaudit.report.{module}")
        with collection_paused():  # a report of 10^5 findings is as many new dicts
            report: Report = (
                reporter.render(result, generated_at) if dated else reporter.render(result)
            )
        return report

    return render


RENDERERS: dict[str, Renderer] = {
    ".html": _reporter("html"),
    ".json": _reporter("json_report", dated=False),
    ".csv": _reporter("csv_report", dated=False),
    ".md": _reporter("markdown", dated=False),
    ".xml": _reporter("junit"),
    ".sarif": _reporter("sarif"),
}
