"""The JSON report: the machine-readable contract of spec/cli-and-output.md."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import orjson

from batchaudit import __version__
from batchaudit.model.checked import ResolvedFinding
from batchaudit.model.evidence import as_dict, as_json_value
from batchaudit.model.findings import AuditResult, Finding, Source, Waiver
from batchaudit.model.severity import Severity
from batchaudit.report.verdict import verdict

SCHEMA_VERSION = 1
# Findings per part of the report as `parts` gives it (some 13 MB of JSON).
FINDINGS_PER_PART = 10_000


def finding_document(finding: Finding) -> dict[str, Any]:
    """A finding as the report lists it. Made for every finding of a state's report (2.8 us
    each, half the JSON report's time at 10^6 findings-heavy packages): the severity's text
    and a source's unit are looked up, not made, and no call is made for no waiver."""
    source, waiver = finding.source, finding.waiver
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": _SEVERITY_TEXT[finding.severity],
        "package_tag": finding.package_tag,
        "message": finding.message,
        "evidence": finding.evidence,
        "remedy": finding.remedy,
        "source": None
        if source is None
        else {
            "file": source.file,
            "line": source.line,
            "unit": "row" if source.sheet else _unit_of_file(source.file),
            "column": source.column,
            "sheet": source.sheet,
        },
        "fingerprint": finding.fingerprint,
        "waiver": None if waiver is None else waiver_document(waiver),
        "baseline": finding.baseline,
    }


_SEVERITY_TEXT = {severity: str(severity) for severity in Severity}


@functools.lru_cache(maxsize=1024)
def _unit_of_file(file: str) -> str:
    """`Source.unit` of a source with no sheet, by its file's name."""
    return Source(file).unit


def waiver_document(waiver: Waiver | None) -> dict[str, Any] | None:
    if waiver is None:
        return None
    return {
        "file": waiver.file,
        "number": waiver.number,
        "rule": waiver.rule,
        "tags": list(waiver.tags),
        "reason": waiver.reason,
        "expires": waiver.expires.isoformat(),
        "approved_by": waiver.approved_by or None,
        "approved_on": waiver.approved_on.isoformat() if waiver.approved_on else None,
    }


def baseline_document(result: AuditResult) -> dict[str, Any] | None:
    compared = result.baseline
    if compared is None:
        return None
    return {
        "path": compared.path,
        "new": result.tally().marked("new"),
        "unchanged": result.tally().marked("unchanged"),
        "resolved": [_old_finding(old) for old in compared.resolved],
        "not_rechecked": [_old_finding(old) for old in compared.not_rechecked],
    }


def _old_finding(old: ResolvedFinding) -> dict[str, Any]:
    return {
        "rule": old.rule,
        "name": old.name,
        "severity": old.severity,
        "package_tag": old.package_tag,
        "message": old.message,
        "fingerprint": old.fingerprint,
    }


def document(result: AuditResult) -> dict[str, Any]:
    """The report as plain data: the evidence of every finding a dict (`parts` writes the
    evidence kept as JSON as it is)."""
    findings = [finding_document(finding) for finding in result.findings]
    for each in findings:
        each["evidence"] = as_dict(each["evidence"])
    return _document(result, findings)


def _document(result: AuditResult, findings: list[dict[str, Any]]) -> dict[str, Any]:
    summary = result.summary
    coverage = summary.lineage_coverage
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "batchaudit", "version": __version__},
        "jurisdiction": result.jurisdiction,
        "inputs": [
            {
                "path": item.path,
                "kind": item.kind,
                "shape": item.shape,
                "sha256": item.sha256,
                "rows": item.rows,
                "format": item.format,
                "encoding": item.encoding,
                "sheet": item.sheet or None,
                "rows_read": item.rows_read,
                "rows_used": item.rows_used,
                "rows_left_out": item.rows_left_out,
                "rows_counted_apart": item.rows_apart,
            }
            for item in result.inputs
        ],
        "not_read": [{"path": item.path, "reason": item.reason} for item in result.not_read],
        "summary": {
            "packages": summary.packages,
            "test_events": summary.test_events if summary.lab_results_given else None,
            "lab_result_rows": summary.lab_result_rows if summary.lab_results_given else None,
            "packages_without_sources": summary.packages_without_sources,
            "unreleased_lab_result_rows": summary.unreleased_lab_result_rows,
            "production_batches": summary.production_batches,
            "source_links": summary.source_links,
            "lineage_coverage": None if coverage is None else round(coverage, 4),
            "sources_exported": summary.sources_exported,
            "by_severity": result.by_severity(),
            "by_rule": result.by_rule(),
            "waived": result.tally().waived(),
        },
        "findings": findings,
        "skipped_rules": [
            {"rule": skipped.rule, "reason": skipped.reason} for skipped in result.skipped_rules
        ],
        "coverage": coverage_document(result),
        "verdict": verdict(result).sentence,
        "about": about_document(result),
        "pack": pack_document(result),
        "baseline": baseline_document(result),
    }


def coverage_document(result: AuditResult) -> dict[str, Any]:
    """Per rule evaluated on the packages: how many it checked, and which it could not, why
    (spec: "What was checked")."""
    return {
        item.rule: {
            "ran": item.ran,
            "checked": item.checked,
            "not_checked": item.not_checked_count,
            "why": [
                {
                    "reason": gap.reason,
                    "packages": gap.packages,
                    "files": list(gap.files),
                    "field": gap.field_name,
                }
                for gap in item.not_checked
            ],
        }
        for item in result.coverage
    }


def about_document(result: AuditResult) -> dict[str, Any]:
    """Whose audit it is: as told on the command line, and as the exports say."""
    about = result.about
    return {
        "title": about.title or None,
        "licensee": about.licensee or None,
        "license": ", ".join(about.licenses) or None,
        "licenses": list(about.licenses),
        "licenses_from": about.licenses_from,
        "period": {"first": about.first_date or None, "last": about.last_date or None},
    }


def pack_document(result: AuditResult) -> dict[str, Any]:
    about = result.about
    return {
        "name": result.jurisdiction,
        "title": result.jurisdiction_title,
        "file": about.pack_file,
        "sha256": about.pack_sha256,
        "builtin": about.pack_builtin,
    }


def render(result: AuditResult) -> bytes:
    """Compact UTF-8 JSON, as the bytes the file holds: orjson writes a state's 10^5
    findings five times faster than the json module, and a 250 MB report is not decoded
    to text only to be encoded again."""
    return b"".join(parts(result))


def parts(result: AuditResult) -> Iterator[bytes]:
    """`render`'s bytes in parts, `FINDINGS_PER_PART` findings at a time, made as they are
    asked for: a report file is written part by part in a thread while the next is made
    (report/writing.py), and no whole report (500 MB at 10^6 packages) is ever held. The
    keys around the findings are encoded as two objects whose braces are cut off."""
    whole = _document(result, [])
    keys = list(whole)
    at = keys.index("findings")
    before = orjson.dumps({key: whole[key] for key in keys[:at]})
    after = orjson.dumps(
        {key: whole[key] for key in keys[at + 1 :]}, option=orjson.OPT_APPEND_NEWLINE
    )
    yield before[:-1] + b',"findings":['
    findings = result.findings
    for start in range(0, len(findings), FINDINGS_PER_PART):
        chunk = findings[start : start + FINDINGS_PER_PART]
        documents = [finding_document(finding) for finding in chunk]
        listed = orjson.dumps(documents, default=as_json_value)  # evidence kept as JSON
        yield (b"," if start else b"") + listed[1:-1]
    yield b"]," + after[1:]
