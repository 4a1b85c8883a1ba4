"""The HTML report's view model: plain data built from a finished audit, no markup."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from batchaudit import __version__
from batchaudit.engine import Audit
from batchaudit.findings import AuditResult, Finding, InputFile, Severity
from batchaudit.report.charts import Chart, charts
from batchaudit.report.evidence import facts
from batchaudit.report.trails import Trail, Trails
from batchaudit.rules import catalog, catalog_rank
from batchaudit.rules.base import REGISTRY

# Beyond this many findings of one rule the report lists no more and points to CSV/JSON.
FINDINGS_SHOWN_PER_RULE = 200
TOP_PROBLEMS = 5
# A finding lists this many tested packages of its results tab; the JSON has them all.
TESTED_PACKAGES_SHOWN = 12
DATA_QUALITY_EXAMPLES = 3
UNNEEDED = ("PB001", "PB002")

PLAIN_WORDS = {
    "PB001": "{n} production batch(es) were created where nothing was processed; together "
    "they dropped {lost:,} inherited lab-result rows.",
    "PB002": "{n} production batch(es) only moved product within one test group (such as "
    "buds into pre-rolls) and dropped their inherited lab results.",
    "PB003": "{n} package(s) were processed into another tested product without a production "
    "batch, so they show their sources' tests instead of their own.",
    "PB004": "{n} of the unneeded production batches can still be discontinued in Metrc.",
    "PB005": "{n} production batch(es) have a missing or shared batch number.",
    "LT001": "{n} package(s) have a Lab Results tab too long for a buyer to read.",
    "LT002": "{n} package(s) show a pass and a fail for the same test in their Lab Results tab.",
    "LN001": "{n} package(s) list sources that are not in the exports.",
    "LN002": "{n} package(s) sit on a cycle of source links, which real lineage never has.",
    "DQ001": "{n} column(s) the rules need are missing; some rules were skipped.",
    "DQ002": "{n} value(s) in the exports could not be read.",
    "DQ003": "{n} package(s) appear with conflicting data in different files.",
    "DQ004": "{n} categor(ies) are not known to the rule pack.",
    "DQ005": "{n} API export(s) are missing pages or disagree between pages.",
}


@dataclass(frozen=True)
class FindingView:
    rule: str
    name: str
    severity: str
    tag: str
    item: str
    category: str
    message: str
    remedy: str
    why: str
    location: str
    facts: list[tuple[str, str]]
    tested_packages: list[dict[str, Any]]
    tested_packages_hidden: int
    trail: Trail | None

    @property
    def search(self) -> str:
        return " ".join((self.tag, self.item, self.category, self.rule)).casefold()


@dataclass(frozen=True)
class RuleRow:
    code: str
    name: str
    severity: str
    summary: str
    count: int
    shown: int


@dataclass(frozen=True)
class Problem:
    rule: str
    severity: str
    text: str


@dataclass(frozen=True)
class QualityGroup:
    rule: str
    name: str
    problem: str
    count: int
    examples: list[str]


@dataclass(frozen=True)
class ReportView:
    generated_at: str
    version: str
    jurisdiction: str
    jurisdiction_title: str
    verdict: str
    by_severity: dict[str, int]
    figures: list[tuple[str, str]]
    problems: list[Problem]
    skipped: list[tuple[str, str]]
    charts: list[Chart]
    rules: list[RuleRow]
    findings: list[FindingView]
    quality: list[QualityGroup]
    inputs: tuple[InputFile, ...]

    @property
    def hidden(self) -> list[RuleRow]:
        return [row for row in self.rules if row.count > row.shown]


def build_view(audit: Audit, generated_at: datetime) -> ReportView:
    result = audit.result
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    shown = [f for code in by_rule for f in by_rule[code][:FINDINGS_SHOWN_PER_RULE]]
    # A reader meets production-batch problems first within each severity (catalog order).
    shown.sort(key=lambda f: (f.severity.rank, catalog_rank(f.rule), f.package_tag or ""))
    packages = audit.lineage.packages
    names = packages.loc[packages["tag"].isin({f.package_tag for f in shown})].set_index("tag")
    trails = Trails(packages, shown)
    severity = result.severity_by_rule()
    return ReportView(
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        version=__version__,
        jurisdiction=result.jurisdiction,
        jurisdiction_title=audit.pack.title,
        verdict=_verdict(result),
        by_severity=result.by_severity(),
        figures=_figures(result),
        problems=_problems(result, by_rule, severity),
        skipped=[(s.rule, s.reason) for s in result.skipped_rules],
        charts=charts(audit),
        rules=[
            RuleRow(
                r.code,
                r.name,
                str(severity[r.code]),
                r.summary(),
                len(by_rule[r.code]),
                min(len(by_rule[r.code]), FINDINGS_SHOWN_PER_RULE),
            )
            for r in catalog()
            if r.code in by_rule
        ],
        findings=[_finding_view(f, names, trails) for f in shown],
        quality=_quality_groups(result),
        inputs=result.inputs,
    )


def _verdict(result: AuditResult) -> str:
    counts = result.by_severity()
    if counts["error"]:
        return (
            f"{counts['error']:,} error(s) need correcting in Metrc; "
            f"{counts['warning']:,} warning(s) deserve a look."
        )
    if counts["warning"]:
        return f"No errors; {counts['warning']:,} warning(s) deserve a look."
    return "No production-batch or results-tab problems were found."


def rows_lost(result: AuditResult) -> int:
    return sum(f.evidence["results_lost"]["rows"] for f in result.findings if f.rule in UNNEEDED)


def _figures(result: AuditResult) -> list[tuple[str, str]]:
    summary = result.summary
    affected = {
        f.package_tag for f in result.findings if f.package_tag and f.severity != Severity.NOTE
    }
    unneeded = sum(1 for f in result.findings if f.rule in UNNEEDED)
    return [
        ("Packages audited", f"{summary.packages:,}"),
        ("Packages with errors or warnings", f"{len(affected):,}"),
        ("Production batches", f"{summary.production_batches:,} ({unneeded:,} unneeded)"),
        ("Lab-result rows lost to unneeded production batches", f"{rows_lost(result):,}"),
        ("Test events", f"{summary.test_events:,} ({summary.lab_result_rows:,} result rows)"),
        (
            "Lineage coverage",
            f"{summary.lineage_coverage:.1%} of {summary.source_links:,} source links resolve",
        ),
    ]


def _problems(
    result: AuditResult, by_rule: dict[str, list[Finding]], severity: dict[str, Severity]
) -> list[Problem]:
    ranked = sorted(by_rule, key=lambda code: (severity[code].rank, catalog_rank(code)))
    lost = rows_lost(result)
    return [
        Problem(
            code,
            str(severity[code]),
            PLAIN_WORDS[code].format(n=len(by_rule[code]), lost=lost),
        )
        for code in ranked[:TOP_PROBLEMS]
    ]


def _finding_view(finding: Finding, names: Any, trails: Trails) -> FindingView:
    evidence = finding.evidence
    tested = list(evidence.get("tested_packages", []))
    tag = finding.package_tag or ""
    known = tag in names.index
    return FindingView(
        rule=finding.rule,
        name=finding.name,
        severity=str(finding.severity),
        tag=tag,
        item=str(names.at[tag, "item_name"]) if known else "",
        category=str(names.at[tag, "category"]) if known else "",
        message=finding.message,
        remedy=finding.remedy or "",
        why=REGISTRY[finding.rule].sections()["Why"],
        location=finding.source.describe() if finding.source else "",
        facts=facts(evidence),
        tested_packages=tested[:TESTED_PACKAGES_SHOWN],
        tested_packages_hidden=max(len(tested) - TESTED_PACKAGES_SHOWN, 0),
        trail=trails.trail(finding),
    )


def _quality_groups(result: AuditResult) -> list[QualityGroup]:
    """Data-quality findings grouped by problem (rule, column, what was expected)."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in result.findings:
        if finding.rule.startswith("DQ"):
            column = finding.evidence.get("column") or ""
            expected = finding.evidence.get("expected") or ""
            problem = f"column {column!r}: not {expected}" if expected else str(column)
            groups.setdefault((finding.rule, problem), []).append(finding)
    counted = Counter({key: len(found) for key, found in groups.items()})
    return [
        QualityGroup(
            rule,
            REGISTRY[rule].name,
            problem or REGISTRY[rule].summary(),
            count,
            [f.message for f in groups[(rule, problem)][:DATA_QUALITY_EXAMPLES]],
        )
        for (rule, problem), count in counted.most_common()
    ]
