"""One row per finding, for spreadsheets; cells that a spreadsheet would run as a formula are
neutralised."""

from __future__ import annotations

import csv
import io
import json

from batchaudit.model.evidence import as_dict
from batchaudit.model.findings import AuditResult, Finding
from batchaudit.support.visible import printable

COLUMNS = (
    "rule",
    "name",
    "severity",
    "package_tag",
    "message",
    "remedy",
    "file",
    "line",
    "evidence",
    "fingerprint",
    "waived",
    "baseline",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# `json.dumps(evidence, ensure_ascii=False)` makes an encoder for every call: one is enough.
_EVIDENCE = json.JSONEncoder(ensure_ascii=False)


def neutralise(cell: str) -> str:
    """Prefix a quote so that Excel and LibreOffice show the text instead of evaluating it."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _waived(finding: Finding) -> str:
    waiver = finding.waiver
    return "" if waiver is None else f"until {waiver.expires}: {waiver.reason}"


def render(result: AuditResult) -> str:
    """CSV with a UTF-8 byte-order mark, which Excel needs to read accents and symbols."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for finding in result.findings:
        source = finding.source
        cells = (
            finding.rule,
            finding.name,
            str(finding.severity),
            finding.package_tag or "",
            finding.message,
            finding.remedy or "",
            source.file if source else "",
            str(source.line) if source and source.line is not None else "",
            _EVIDENCE.encode(as_dict(finding.evidence)),
            finding.fingerprint,
            _waived(finding),
            finding.baseline or "",
        )
        writer.writerow([neutralise(printable(cell)) for cell in cells])
    return buffer.getvalue()
