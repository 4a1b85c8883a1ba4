"""The JSON report: the machine-readable contract of spec/cli-and-output.md."""

from __future__ import annotations

import json
from typing import Any

from batchaudit import __version__
from batchaudit.findings import AuditResult, Finding, Waiver

SCHEMA_VERSION = 1


def finding_document(finding: Finding) -> dict[str, Any]:
    source = finding.source
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": str(finding.severity),
        "package_tag": finding.package_tag,
        "message": finding.message,
        "evidence": finding.evidence,
        "remedy": finding.remedy,
        "source": None
        if source is None
        else {
            "file": source.file,
            "line": source.line,
            "unit": source.unit,
            "column": source.column,
            "sheet": source.sheet,
        },
        "fingerprint": finding.fingerprint,
        "waiver": waiver_document(finding.waiver),
        "baseline": finding.baseline,
    }


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
        "new": len(result.new_findings()),
        "unchanged": sum(finding.baseline == "unchanged" for finding in result.findings),
        "resolved": [
            {
                "rule": old.rule,
                "name": old.name,
                "severity": old.severity,
                "package_tag": old.package_tag,
                "message": old.message,
                "fingerprint": old.fingerprint,
            }
            for old in compared.resolved
        ],
    }


def document(result: AuditResult) -> dict[str, Any]:
    summary = result.summary
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
            }
            for item in result.inputs
        ],
        "summary": {
            "packages": summary.packages,
            "test_events": summary.test_events,
            "lab_result_rows": summary.lab_result_rows,
            "production_batches": summary.production_batches,
            "source_links": summary.source_links,
            "lineage_coverage": round(summary.lineage_coverage, 4),
            "by_severity": result.by_severity(),
            "by_rule": result.by_rule(),
            "waived": len(result.waived()),
        },
        "findings": [finding_document(finding) for finding in result.findings],
        "skipped_rules": [
            {"rule": skipped.rule, "reason": skipped.reason} for skipped in result.skipped_rules
        ],
        "about": {
            "title": result.about.title or None,
            "licensee": result.about.licensee or None,
            "license": result.about.license or None,
        },
        "baseline": baseline_document(result),
    }


def render(result: AuditResult) -> str:
    # Compact on purpose: with indent, the json module falls back to its slow Python encoder.
    return json.dumps(document(result), ensure_ascii=False) + "\n"
