"""The HTML report: one self-contained file that loads nothing from the network.

Its only style and script are inline, and the Content-Security-Policy allows exactly those
two blocks (by SHA-256) and nothing else: no network, no other script, no inline handlers.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime

import orjson
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from batchaudit.model.findings import AuditResult
from batchaudit.report.html_view import build_view
from batchaudit.support.resources import templates_dir
from batchaudit.support.visible import printable


@dataclass(frozen=True)
class Asset:
    """A style sheet or script of our own (never export data), and its CSP hash."""

    text: Markup
    digest: Markup


def asset(name: str) -> Asset:
    text = (templates_dir() / name).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Asset(Markup(text), Markup(f"'sha256-{digest}'"))


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_shown,
    )
    # The explorer's data as compact JSON, by orjson (a fifth of the json module's time);
    # `tojson` escapes <, >, & and ' for the page.
    env.policies["json.dumps_function"] = _compact_json
    env.policies["json.dumps_kwargs"] = {}  # not Jinja's sort_keys: the data keeps its order
    return env


def _compact_json(data: object, **_: object) -> str:
    """`json.dumps(data, separators=(",", ":"), ensure_ascii=False)`, as orjson writes it."""
    return orjson.dumps(data).decode("utf-8")


def _shown(value: object) -> object:
    """Every `{{ }}` of export text shows its control, bidi and zero-width characters
    (our own markup, already `Markup`, passes as it is)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


def render(result: AuditResult, generated_at: datetime) -> str:
    template = environment().get_template("report.html.j2")
    return template.render(
        view=build_view(result, generated_at),
        style=asset("report.css"),
        script=asset("report.js"),
    )
