"""The HTML report's view model: plain data built from an AuditResult, no markup."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from batchaudit import __version__
from batchaudit.findings import AuditResult, Finding, InputFile, Severity
from batchaudit.rules import catalog

# Beyond this many findings of one rule the HTML lists no more and points to the JSON.
FINDINGS_SHOWN_PER_RULE = 1000


@dataclass(frozen=True)
class FindingView:
    rule: str
    severity: str
    tag: str
    message: str
    remedy: str
    location: str
    facts: list[tuple[str, str]]
    sources: list[dict[str, Any]]
    tested_packages: list[dict[str, Any]]


@dataclass(frozen=True)
class RuleSection:
    code: str
    name: str
    severity: str
    summary: str
    count: int
    findings: list[FindingView]

    @property
    def hidden(self) -> int:
        return self.count - len(self.findings)


@dataclass(frozen=True)
class ReportView:
    generated_at: str
    version: str
    jurisdiction: str
    inputs: tuple[InputFile, ...]
    figures: list[tuple[str, str]]
    by_severity: dict[str, int]
    verdict: str
    sections: list[RuleSection]
    skipped: list[tuple[str, str]] = field(default_factory=list)


def build_view(result: AuditResult, generated_at: datetime) -> ReportView:
    summary = result.summary
    figures = [
        ("Packages", f"{summary.packages:,}"),
        ("Production batches", f"{summary.production_batches:,}"),
        ("Test events", f"{summary.test_events:,}"),
        ("Lab-result rows", f"{summary.lab_result_rows:,}"),
        (
            "Lineage coverage",
            f"{summary.lineage_coverage:.1%} of {summary.source_links:,} source links resolve",
        ),
    ]
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    sections = [
        RuleSection(
            code=rule.code,
            name=rule.name,
            severity=str(rule.severity),
            summary=rule.summary(),
            count=len(by_rule[rule.code]),
            findings=[_finding_view(f) for f in by_rule[rule.code][:FINDINGS_SHOWN_PER_RULE]],
        )
        for rule in catalog()
        if rule.code in by_rule
    ]
    sections.sort(key=lambda section: Severity(section.severity).rank)
    return ReportView(
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        version=__version__,
        jurisdiction=result.jurisdiction,
        inputs=result.inputs,
        figures=figures,
        by_severity=result.by_severity(),
        verdict=_verdict(result),
        sections=sections,
        skipped=[(s.rule, s.reason) for s in result.skipped_rules],
    )


def _verdict(result: AuditResult) -> str:
    counts = result.by_severity()
    if counts["error"]:
        return (
            f"{counts['error']} error(s) need correcting in Metrc; "
            f"{counts['warning']} warning(s) deserve a look."
        )
    if counts["warning"]:
        return f"No errors; {counts['warning']} warning(s) deserve a look."
    return "No production-batch or results-tab problems were found."


def _finding_view(finding: Finding) -> FindingView:
    evidence = finding.evidence
    return FindingView(
        rule=finding.rule,
        severity=str(finding.severity),
        tag=finding.package_tag or "",
        message=finding.message,
        remedy=finding.remedy or "",
        location=finding.source.describe() if finding.source else "",
        facts=_facts(evidence),
        sources=list(evidence.get("sources", [])) if _are_records(evidence.get("sources")) else [],
        tested_packages=list(evidence.get("tested_packages", [])),
    )


def _are_records(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _facts(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """The evidence a person reads, as label and plain text."""
    facts = []
    if "testing_state" in evidence:
        facts.append(("Testing state", evidence["testing_state"] or "(blank)"))
    if "results_lost" in evidence:
        lost = evidence["results_lost"]
        facts.append(
            (
                "Results lost",
                f"{lost['rows']} rows, {lost['events']} test events from "
                f"{lost['tested_packages']} tested package(s)",
            )
        )
    if evidence.get("likely_intent"):
        facts.append(("Likely intent", ", ".join(evidence["likely_intent"])))
    if evidence.get("not_discontinuable_because"):
        facts.append(("Cannot be discontinued", evidence["not_discontinuable_because"]))
    if "pages" in evidence:
        facts.append(
            (
                "Results tab",
                f"{evidence['rows']} rows, {evidence['events']} test events from "
                f"{evidence['tested_package_count']} tested packages, {evidence['pages']} pages "
                f"(limits: {evidence['max_rows']} rows, {evidence['max_tested_packages']} tested "
                "packages)",
            )
        )
    simple_lists = {
        "tests_only_through_sources": "Tests shown only through sources",
        "unknown_sources": "Sources not in the exports",
        "sources_on_cycle": "Sources on the cycle",
        "test_types": "Test types passing and failing",
        "differing_fields": "Fields that differ",
        "categories": "Categories",
    }
    for key, label in simple_lists.items():
        if evidence.get(key):
            facts.append((label, ", ".join(str(item) for item in evidence[key])))
    if "occurrences" in evidence:
        facts.append(
            ("Rows", "; ".join(f"{o['file']} line {o['line']}" for o in evidence["occurrences"]))
        )
    if "value" in evidence:
        facts.append(("Value", repr(evidence["value"])))
    if evidence.get("production_batch_number"):
        facts.append(("Production batch number", evidence["production_batch_number"]))
    return facts
