"""A 100,000-package export gives an HTML report small enough to mail and open quickly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from batchaudit.engine import audit
from batchaudit.ingest.load import load
from batchaudit.packs import load_pack
from batchaudit.report import html
from batchaudit.report.html_view import FINDINGS_SHOWN_PER_RULE
from batchaudit.sample import write_sample

LIMIT_BYTES = 15 * 1024 * 1024


def test_report_of_100000_packages_stays_under_15_mb(tmp_path: Path) -> None:
    finished = audit(
        load(detected=write_sample(tmp_path, packages=100_000, seed=1)), load_pack("oregon")
    )
    assert len(finished.result.findings) > 10_000
    page = html.render(finished.result, datetime(2026, 11, 29, tzinfo=UTC)).encode("utf-8")
    assert len(page) < LIMIT_BYTES
    shown = page.count(b'<article class="finding')
    rules = len(finished.result.by_rule())
    assert shown <= rules * FINDINGS_SHOWN_PER_RULE
    assert b"more PB001 finding(s) beyond the first" in page
