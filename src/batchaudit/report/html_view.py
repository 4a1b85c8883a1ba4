"""The HTML report's view model: plain data built from a finished audit, no markup."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from batchaudit import __version__
from batchaudit.findings import About, AuditResult, Finding, InputFile, ResolvedFinding, Severity
from batchaudit.report.charts import Chart, charts
from batchaudit.report.trails import Trail, Trails

# Beyond this many findings of one rule the report lists no more and points to CSV/JSON.
FINDINGS_SHOWN_PER_RULE = 200
TOP_PROBLEMS = 5
# A finding lists this many tested packages of its results tab; the JSON has them all.
TESTED_PACKAGES_SHOWN = 12
DATA_QUALITY_EXAMPLES = 3


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
    # "new" or "unchanged" against a baseline; the waiver that accepts it, as a sentence.
    status: str = ""
    waiver: str = ""

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
class BaselineView:
    path: str
    new: int
    unchanged: int
    resolved: list[ResolvedFinding]


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
    waived: list[FindingView] = field(default_factory=list)
    baseline: BaselineView | None = None
    about: About = field(default_factory=About)

    @property
    def hidden(self) -> list[RuleRow]:
        return [row for row in self.rules if row.count > row.shown]


def build_view(result: AuditResult, generated_at: datetime) -> ReportView:
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.open_findings():
        by_rule.setdefault(finding.rule, []).append(finding)
    shown = [f for code in by_rule for f in by_rule[code][:FINDINGS_SHOWN_PER_RULE]]
    # A reader meets production-batch problems first within each severity (catalog order).
    shown.sort(key=lambda f: (f.severity.rank, result.rank(f.rule), f.package_tag or ""))
    waived = result.waived()[:FINDINGS_SHOWN_PER_RULE]
    names = _names(result, {f.package_tag for f in [*shown, *waived] if f.package_tag})
    trails = Trails(result, shown)
    severity = result.severity_by_rule()
    return ReportView(
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        version=__version__,
        jurisdiction=result.jurisdiction,
        jurisdiction_title=result.jurisdiction_title,
        verdict=_verdict(result),
        by_severity=result.by_severity(),
        figures=_figures(result),
        problems=_problems(result, by_rule, severity),
        skipped=[(s.rule, s.reason) for s in result.skipped_rules],
        charts=charts(result),
        rules=[
            RuleRow(
                r.code,
                r.name,
                str(severity[r.code]),
                r.summary,
                len(by_rule[r.code]),
                min(len(by_rule[r.code]), FINDINGS_SHOWN_PER_RULE),
            )
            for r in result.rules
            if r.code in by_rule
        ],
        findings=[_finding_view(result, f, names, trails) for f in shown],
        quality=_quality_groups(result),
        inputs=result.inputs,
        waived=[_finding_view(result, f, names, trails) for f in waived],
        baseline=_baseline(result),
        about=result.about,
    )


def _baseline(result: AuditResult) -> BaselineView | None:
    if result.baseline is None:
        return None
    new = len(result.new_findings())
    return BaselineView(
        result.baseline.path, new, len(result.findings) - new, list(result.baseline.resolved)
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


def unneeded_batches(result: AuditResult) -> list[Finding]:
    """Findings of production batches that were not needed, as the rules mark them."""
    unneeded = {card.code for card in result.rules if card.unneeded_batch}
    return [finding for finding in result.findings if finding.rule in unneeded]


def rows_lost(result: AuditResult) -> int:
    return sum(result.rule(f.rule).rows_lost(f) for f in unneeded_batches(result))


def _figures(result: AuditResult) -> list[tuple[str, str]]:
    summary = result.summary
    affected = {
        f.package_tag for f in result.findings if f.package_tag and f.severity != Severity.NOTE
    }
    unneeded = len(unneeded_batches(result))
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
    ranked = sorted(by_rule, key=lambda code: (severity[code].rank, result.rank(code)))
    return [
        Problem(code, str(severity[code]), result.rule(code).headline(by_rule[code]))
        for code in ranked[:TOP_PROBLEMS]
    ]


def _names(result: AuditResult, tags: set[str]) -> dict[str, dict[str, Any]]:
    """Item name and category of each package a shown finding names."""
    packages = result.packages
    if packages is None:
        return {}
    shown = packages.loc[packages["tag"].isin(tags), ["tag", "item_name", "category"]]
    rows = shown.to_dict("records")
    return {str(row["tag"]): {str(k): v for k, v in row.items()} for row in rows}


def _finding_view(
    result: AuditResult, finding: Finding, names: dict[str, dict[str, Any]], trails: Trails
) -> FindingView:
    rule = result.rule(finding.rule)
    tested = rule.tested_packages(finding)
    tag = finding.package_tag or ""
    named = names.get(tag, {})
    waiver = finding.waiver
    view = FindingView(
        rule=finding.rule,
        name=finding.name,
        severity=str(finding.severity),
        tag=tag,
        item=str(named.get("item_name", "")),
        category=str(named.get("category", "")),
        message=finding.message,
        remedy=finding.remedy or "",
        why=rule.why,
        location=finding.source.describe() if finding.source else "",
        facts=rule.facts(finding),
        tested_packages=tested[:TESTED_PACKAGES_SHOWN],
        tested_packages_hidden=max(len(tested) - TESTED_PACKAGES_SHOWN, 0),
        trail=trails.trail(finding),
    )
    accepted = (
        ""
        if waiver is None
        else f"Waived until {waiver.expires}: {waiver.reason}"
        + (f" (approved by {waiver.approved_by})" if waiver.approved_by else "")
        + f"; {waiver.describe()}."
    )
    return replace(view, status=finding.baseline or "", waiver=accepted)


def _quality_groups(result: AuditResult) -> list[QualityGroup]:
    """Data-quality findings grouped by problem (rule, column, what was expected)."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in result.findings:
        rule = result.rule(finding.rule)
        if rule.data_quality:
            groups.setdefault((finding.rule, rule.problem(finding)), []).append(finding)
    counted = Counter({key: len(found) for key, found in groups.items()})
    return [
        QualityGroup(
            rule,
            result.rule(rule).name,
            problem or result.rule(rule).summary,
            count,
            [f.message for f in groups[(rule, problem)][:DATA_QUALITY_EXAMPLES]],
        )
        for (rule, problem), count in counted.most_common()
    ]
