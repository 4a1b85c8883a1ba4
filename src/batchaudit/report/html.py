"""The HTML report: one self-contained file that loads nothing from the network."""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from batchaudit.findings import AuditResult
from batchaudit.report.html_view import build_view
from batchaudit.resources import templates_dir


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(result: AuditResult, generated_at: datetime) -> str:
    template = environment().get_template("report.html.j2")
    return template.render(view=build_view(result, generated_at))
