"""The HTML report's view model: plain data built from a finished audit, no markup."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from batchaudit import __version__
from batchaudit.model.findings import (
    AuditResult,
    Finding,
    InputFile,
    NotRead,
    Severity,
    Summary,
    count_of,
)
from batchaudit.report.carried_view import BaselineView, WaivedRow, baseline_view, waived_rows
from batchaudit.report.charts import Chart, charts
from batchaudit.report.explorer import explorer_data
from batchaudit.report.verdict import gaps, verdict

# On paper, each rule lists this many findings (the most costly first); the JSON has all.
PRINTED_PER_RULE = 25
TOP_PROBLEMS = 5
DATA_QUALITY_EXAMPLES = 3


@dataclass(frozen=True)
class PrintedFinding:
    severity: str
    tag: str
    message: str
    remedy: str


@dataclass(frozen=True)
class RuleRow:
    code: str
    name: str
    severity: str
    summary: str
    why: str
    count: int
    by_severity: str  # "36 errors, 2 warnings" when a rule's findings differ
    printed: list[PrintedFinding]

    @property
    def not_printed(self) -> int:
        return self.count - len(self.printed)


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
    title: str
    about: list[tuple[str, str]]  # whose audit: licensee, license, period, pack
    jurisdiction: str
    jurisdiction_title: str
    verdict: str
    worst: str
    first_step: str
    first_finding: str
    by_severity: dict[str, int]
    figures: list[tuple[str, str]]
    problems: list[Problem]
    skipped: list[tuple[str, str]]
    gaps: list[str]  # what the rules that ran could not check
    charts: list[Chart]
    rules: list[RuleRow]
    total: int
    explorer: dict[str, Any]
    quality: list[QualityGroup]
    inputs: tuple[InputFile, ...]
    not_read: tuple[NotRead, ...]
    pack: list[tuple[str, str]]
    waived: list[WaivedRow]
    baseline: BaselineView | None


def build_view(result: AuditResult, generated_at: datetime) -> ReportView:
    # Waived findings are listed apart; every other one is in the explorer and the counts.
    ranked = [index for index in result.impact_order() if result.findings[index].waiver is None]
    by_rule: dict[str, list[Finding]] = {}
    for index in ranked:  # most costly first within each rule
        finding = result.findings[index]
        by_rule.setdefault(finding.rule, []).append(finding)
    severity = result.severity_by_rule()
    first = result.findings[ranked[0]] if ranked else None
    said = verdict(result)
    about = result.about
    return ReportView(
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        version=__version__,
        title=about.title or "Metrc production-batch audit",
        about=_about(result),
        jurisdiction=result.jurisdiction,
        jurisdiction_title=result.jurisdiction_title,
        verdict=_capitalised(said.sentence),
        worst="none" if said.severity == "ok" else said.severity,
        first_step=(first.remedy or "") if first and first.severity != Severity.NOTE else "",
        first_finding=first.message if first else "",
        by_severity=result.by_severity(),
        figures=_figures(result),
        problems=_problems(result, by_rule, severity),
        skipped=[(s.rule, s.reason) for s in result.skipped_rules],
        gaps=[gap.sentence() for gap in gaps(result)],
        charts=charts(result),
        rules=[
            _rule_row(result, code, by_rule[code], severity[code])
            for code in (card.code for card in result.rules)
            if code in by_rule
        ],
        total=len(ranked),
        explorer=explorer_data(result, ranked),
        quality=_quality_groups(result),
        inputs=result.inputs,
        not_read=result.not_read,
        pack=[
            ("Rule pack", f"{result.jurisdiction} ({result.jurisdiction_title})"),
            ("Pack file", about.pack_file + ("" if about.pack_builtin else " (your own pack)")),
            ("Pack SHA-256", about.pack_sha256),
        ],
        waived=waived_rows(result),
        baseline=baseline_view(result),
    )


def _rule_row(result: AuditResult, code: str, found: list[Finding], worst: Severity) -> RuleRow:
    card = result.rule(code)
    counts = Counter(finding.severity for finding in found)
    split = ", ".join(count_of(counts[s], str(s)) for s in Severity if counts[s])
    return RuleRow(
        code,
        card.name,
        str(worst),
        card.summary,
        card.why,
        len(found),
        split if len(counts) > 1 else "",
        [
            PrintedFinding(str(f.severity), f.package_tag or "", f.message, f.remedy or "")
            for f in found[:PRINTED_PER_RULE]
        ],
    )


def _about(result: AuditResult) -> list[tuple[str, str]]:
    about = result.about
    rows = []
    if about.licensee:
        rows.append(("Licensee", about.licensee))
    if about.licenses:
        label = "License" if len(about.licenses) == 1 else "Licenses"
        origin = about.licenses_origin()
        rows.append((label, ", ".join(about.licenses) + origin))
    if about.period:
        rows.append(("Export period", about.period))
    pack = result.jurisdiction_title or result.jurisdiction
    rows.append(("Rule pack", pack if about.pack_builtin else f"{pack}, from {about.pack_file}"))
    return rows


def _capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def unneeded_batches(result: AuditResult) -> list[Finding]:
    """Findings of production batches that were not needed, as the rules mark them."""
    unneeded = {card.code for card in result.rules if card.unneeded_batch}
    return [finding for finding in result.findings if finding.rule in unneeded]


def _figures(result: AuditResult) -> list[tuple[str, str]]:
    summary = result.summary
    affected = {
        f.package_tag for f in result.findings if f.package_tag and f.severity != Severity.NOTE
    }
    unneeded = len(unneeded_batches(result))
    # Where the rules did not check every batch, the counts are of those they checked.
    partly = any(
        not item.complete for item in result.coverage if result.rule(item.rule).unneeded_batch
    )
    of_checked = "; not every batch was checked" if partly else ""
    return [
        ("Packages audited", f"{summary.packages:,}"),
        ("Packages with errors or warnings", f"{len(affected):,}"),
        (
            "Production batches",
            f"{summary.production_batches:,} ({unneeded:,} unneeded{of_checked})",
        ),
        (
            "Lab-result rows lost to unneeded production batches",
            _rows_lost(result, partly) if summary.lab_results_given else summary.NO_LAB_RESULTS,
        ),
        (
            "Test events",
            f"{summary.test_events:,} ({count_of(summary.lab_result_rows, 'result row')})"
            if summary.lab_results_given
            else summary.NO_LAB_RESULTS,
        ),
        *(
            [("Result rows not released by the lab", _unreleased(summary))]
            if summary.unreleased_lab_result_rows
            else []
        ),
        (
            "Lineage coverage",
            summary.coverage_text(digits=1),
        ),
    ]


def _rows_lost(result: AuditResult, partly: bool) -> str:
    """The rows lost, "at least" where a batch was not checked or its figure is a bound."""
    lost = [result.rule(f.rule).lost(f) for f in unneeded_batches(result)]
    bound = partly or any(rows is None or at_least for rows, at_least in lost)
    return f"{'at least ' if bound else ''}{sum(rows or 0 for rows, _ in lost):,}"


def _unreleased(summary: Summary) -> str:
    return f"{summary.unreleased_lab_result_rows:,} (on no results tab; counted apart)"


def _problems(
    result: AuditResult, by_rule: dict[str, list[Finding]], severity: dict[str, Severity]
) -> list[Problem]:
    ranked = sorted(by_rule, key=lambda code: (severity[code].rank, result.rank(code)))
    return [
        Problem(code, str(severity[code]), result.rule(code).headline(by_rule[code]))
        for code in ranked[:TOP_PROBLEMS]
    ]


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
