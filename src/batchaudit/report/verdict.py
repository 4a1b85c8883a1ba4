"""The verdict: one sentence on what an audit found and what it could not check, the same in
every report. It never calls a run clean about a rule that did not check every package, and
it words problems of the export files (DQ) apart from errors to correct in Metrc (spec:
"What was checked")."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from batchaudit.model.findings import AuditResult, Severity, count_of

CLEAN = "no production-batch or results-tab errors found"


@dataclass(frozen=True)
class Verdict:
    sentence: str  # "2 errors need correcting in Metrc; 3 warnings to look at."
    severity: str  # what colours it: error, warning or ok


def verdict(result: AuditResult) -> Verdict:
    export_problem = {card.code for card in result.rules if card.export_problem}
    in_metrc, in_files = Counter[Severity](), Counter[Severity]()
    for (rule, kind), count in result.tally().by_rule_and_severity(counted_only=True).items():
        (in_files if rule in export_problem else in_metrc)[kind] += count
    file_problems = in_files[Severity.ERROR] + in_files[Severity.WARNING]
    partial = [item.rule for item in result.coverage if item.ran and item.not_checked]
    not_run = [item.rule for item in result.coverage if not item.ran]
    errors, warnings = in_metrc[Severity.ERROR], in_metrc[Severity.WARNING]
    if errors:
        need = "needs" if errors == 1 else "need"
        parts = [f"{count_of(errors, 'error')} {need} correcting in Metrc"]
    else:
        parts = ["no errors found in what was checked" if partial or not_run else CLEAN]
    if warnings:
        parts.append(f"{count_of(warnings, 'warning')} to look at")
    if file_problems:
        parts.append(
            f"{count_of(file_problems, 'problem')} in the export files to fix before the audit "
            "is complete"
        )
    if partial:
        parts.append(
            f"{_rules(partial)} did not check every package ({', '.join(partial)}; see Not checked)"
        )
    if not_run:
        parts.append(f"{_rules(not_run)} did not run ({', '.join(not_run)}; see Skipped)")
    if errors or in_files[Severity.ERROR]:
        severity = "error"
    elif warnings or file_problems or partial or not_run:
        severity = "warning"
    else:
        severity = "ok"
    return Verdict("; ".join(parts) + ".", severity)


def _rules(codes: list[str]) -> str:
    return "1 rule" if len(codes) == 1 else f"{len(codes)} rules"


@dataclass(frozen=True)
class Gap:
    """Packages that some rules ran on but could not check, for one reason."""

    rules: tuple[str, ...]
    packages: int
    reason: str
    files: tuple[str, ...]

    def sentence(self) -> str:
        """The rules, how many packages of which files they did not check, and why."""
        files = f" of {', '.join(self.files)}" if self.files else ""
        return (
            f"{', '.join(self.rules)} did not check {count_of(self.packages, 'package')}{files}: "
            f"{self.reason}."
        )


def gaps(result: AuditResult) -> list[Gap]:
    """What the rules that ran could not check, rules with the same gap together (the rules
    that did not run at all are the report's skipped rules)."""
    rules: dict[tuple[str, bytes], list[str]] = {}
    items = {}
    for coverage in result.coverage:
        if not coverage.ran:
            continue
        for item in coverage.not_checked:
            rules.setdefault((item.reason, item.positions), []).append(coverage.rule)
            items[(item.reason, item.positions)] = item
    return [
        Gap(tuple(codes), items[key].packages, items[key].reason, items[key].files)
        for key, codes in rules.items()
    ]
