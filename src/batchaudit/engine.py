"""run(tables, pack) -> AuditResult: lineage, every rule, the summary. No I/O."""

from __future__ import annotations

import functools
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pandas as pd

from batchaudit.lineage.build import NO_PACKAGE, Lineage, build
from batchaudit.model.about import About
from batchaudit.model.checked import Coverage
from batchaudit.model.finding_columns import as_bytes, from_bytes
from batchaudit.model.finding_order import in_report_order
from batchaudit.model.findings import AuditResult, Finding, InputFile, SkippedRule, Summary
from batchaudit.model.packs import Pack
from batchaudit.model.tables import Tables
from batchaudit.rules import REGISTRY, catalog, evaluated_rules
from batchaudit.rules.base import Rule
from batchaudit.rules.coverage import (
    FIELD_WORDS,
    LAB_FIELD_WORDS,
    checked_findings,
    lacking_field,
    not_run,
)
from batchaudit.rules.data_quality import MissingColumn, accounted, data_quality_findings
from batchaudit.rules.figures import chart_data, export_period, impacts, own_licenses
from batchaudit.rules.selection import RuleChoices, opt_in_left_out
from batchaudit.support.apart import shared
from batchaudit.support.collector import collection_paused

# What reports show of each package.
SHOWN_COLUMNS = [
    "tag",
    "item_name",
    "category",
    "production_batch",
    "batch_flag_known",
    "lab_testing_state",
]


@dataclass(frozen=True)
class Audit:
    """A finished audit and the lineage it was made on (for views such as `trace`)."""

    result: AuditResult
    lineage: Lineage
    pack: Pack


def run(tables: Tables, pack: Pack) -> AuditResult:
    return audit(tables, pack).result


def audit(
    tables: Tables, pack: Pack, choices: RuleChoices | None = None, *, apart: bool = True
) -> Audit:
    """`choices` (select, ignore, severities of the config or command line) beat the pack.
    With `apart`, the rules are shared with a child process where one can be forked; a
    worker among others (the portfolio's) runs them all itself."""
    # The audit makes a finding, a message and an evidence dict per offending package and
    # keeps them all: the cyclic collector would scan them again and again for garbage they
    # are not (a tenth of the audit's time at 10^5). Collection resumes when it is done.
    with collection_paused():
        return _audit(tables, pack, choices, apart)


def _audit(tables: Tables, pack: Pack, choices: RuleChoices | None, apart: bool) -> Audit:
    choices = choices or RuleChoices()
    lineage = build(tables.packages, tables.lab_results, pack, tables.processing_jobs)
    findings = data_quality_findings(tables.problems)
    skipped: list[SkippedRule] = []
    ungrouped = pack.group_by != "category" and bool((tables.packages[pack.group_by] == "").all())
    if ungrouped:
        findings.append(MissingColumn.no_group_field(pack))
    evaluated = []
    coverage: dict[str, Coverage] = {}
    for rule in evaluated_rules():
        reason = choices.off.get(rule.code) or skip_reason(rule, tables, lineage, pack)
        if not reason and ungrouped and rule.needs_groups:
            reason = f"no package has the {pack.group_by} the {pack.name} pack groups by"
        if reason:
            skipped.append(SkippedRule(rule.code, reason))
            coverage[rule.code] = not_run(rule.code, reason, lineage.packages)
        else:
            evaluated.append(rule)
    # Rules are pure: each reads the lineage and makes its own frames and findings. Wording
    # findings is Python's work, which threads cannot share: the rules are shared with a
    # child process, each taking the next (at 10^6 findings-heavy packages, the rules took
    # 8.6 s in threads and take 6.3 s shared, the child's 200,000 findings handed over).
    # Costliest first (`Rule.cost`): in catalog order LT001, among the costliest, was taken
    # last, and the other process waited for it and its findings.
    costliest_first = sorted(evaluated, key=lambda rule: -rule.cost)
    jobs = [functools.partial(_checked, rule, lineage, pack) for rule in costliest_first]
    found = shared(jobs, _as_sent, _as_received) if apart else [job() for job in jobs]
    checked = {rule.code: each for rule, each in zip(costliest_first, found, strict=True)}
    for rule in evaluated:
        coverage[rule.code], made = checked[rule.code]
        findings.extend(made)
    skipped += [
        SkippedRule(rule.code, choices.off[rule.code])
        for rule in catalog()
        if not rule.evaluated() and rule.code in choices.off
    ]
    findings, not_asked_for = opt_in_left_out(
        in_report_order(as_chosen(as_the_pack_says(findings, pack), choices)), pack, choices
    )
    skipped += not_asked_for
    sources_exported = "source_package_tags" in tables.package_fields or tables.packages.empty
    cards = tuple(rule.card() for rule in catalog())
    result = AuditResult(
        jurisdiction=pack.name,
        inputs=tuple(accounted(tables.inputs, tables.problems)),
        not_read=tuple(tables.not_read),
        findings=tuple(findings),
        summary=summarise(lineage, sources_exported),
        skipped_rules=tuple(skipped),
        jurisdiction_title=pack.title,
        rules=cards,
        charts=chart_data(lineage.packages, findings, cards, tab_limit(pack)),
        packages=lineage.packages[SHOWN_COLUMNS],
        about=about(lineage, pack, tables.inputs),
        impacts=impacts(lineage.packages, findings, cards),
        coverage=tuple(coverage[rule.code] for rule in evaluated_rules()),
    )
    return Audit(result, lineage, pack)


def _checked(rule: type[Rule], lineage: Lineage, pack: Pack) -> tuple[Coverage, list[Finding]]:
    """The rule's findings on the packages it could check, and how many those were."""
    made = rule()
    return checked_findings(
        made, lineage, made.findings(lineage, pack), made.not_checked(lineage, pack)
    )


def _as_sent(checked: tuple[Coverage, list[Finding]]) -> Iterator[bytes]:
    """A rule's coverage, then its findings as columns, `_AT_ONCE` at a time (sent, read and
    made into findings again while the next are written)."""
    covered, found = checked
    yield pickle.dumps(covered, protocol=pickle.HIGHEST_PROTOCOL)
    for start in range(0, len(found), _AT_ONCE):
        yield as_bytes(found[start : start + _AT_ONCE])


def _as_received(pieces: Iterator[bytes]) -> tuple[Coverage, list[Finding]]:
    covered: Coverage = pickle.loads(next(pieces))
    return covered, [finding for piece in pieces for finding in from_bytes(piece)]


# Findings sent in one piece: about 10 MB at 1 kB a finding.
_AT_ONCE = 10_000


def about(lineage: Lineage, pack: Pack, inputs: list[InputFile]) -> About:
    """What the data and the pack say of whose audit it is (the CLI adds what it is told):
    license numbers from the exports' Packaged By, else from the files' names."""
    first, last = export_period(lineage.packages, lineage.events["date"])
    named = sorted({item.license for item in inputs if item.kind == "packages" and item.license})
    licenses = own_licenses(lineage.packages) or tuple(named)
    return About(
        licenses=licenses,
        licenses_from="exports" if licenses else "none",
        first_date=first,
        last_date=last,
        pack_file=pack.shown_path,
        pack_sha256=pack.sha256,
        pack_builtin=pack.builtin,
    )


def tab_limit(pack: Pack) -> tuple[str, int] | None:
    """The rule that limits how many tested packages a results tab may show, and its limit."""
    for rule in evaluated_rules():
        limit = rule.tab_size_limit(pack)
        if limit is not None:
            return rule.code, limit
    return None


def as_the_pack_says(findings: list[Finding], pack: Pack) -> list[Finding]:
    """Drop the findings of rules the pack turns off; give others the pack's severity."""
    codes = {finding.rule for finding in findings}
    enabled = {code for code in codes if pack.enabled(code)}
    severities = {code: pack.severity(code) for code in enabled}
    kept = []
    for finding in findings:
        if finding.rule not in enabled:
            continue
        severity = severities[finding.rule]
        if severity is None or REGISTRY[finding.rule].keeps_severity(finding):
            kept.append(finding)
        else:
            kept.append(replace(finding, severity=severity))
    return kept


def as_configured(findings: list[Finding], pack: Pack, choices: RuleChoices) -> list[Finding]:
    """Findings made after the audit (waivers) as the pack and the config would have them."""
    return as_chosen(as_the_pack_says(findings, pack), choices)


def as_chosen(findings: list[Finding], choices: RuleChoices) -> list[Finding]:
    """Drop the findings of rules left out; give others the severity chosen for them."""
    return [
        replace(f, severity=choices.severity[f.rule])
        if f.rule in choices.severity and not REGISTRY[f.rule].keeps_severity(f)
        else f
        for f in findings
        if f.rule not in choices.off
    ]


def skip_reason(rule: type[Rule], tables: Tables, lineage: Lineage, pack: Pack) -> str | None:
    """Why the rule checks no package at all: turned off, no lab results, or no packages file
    carries a field it needs (a field only some files lack leaves it the other packages)."""
    if not pack.enabled(rule.code):
        return f"turned off in the {pack.name} pack"
    if rule.needs_lab and tables.lab_results is None:
        return "no lab results were given"
    lacking = lacking_field(lineage.packages, rule.needs)
    anyway = rule().judged_anyway(lineage)
    if anyway is not None:
        lacking[anyway] = ""
    if len(lacking) and (lacking != "").all():
        missing = [FIELD_WORDS.get(name, name) for name in sorted(set(lacking.tolist()))]
        return f"no packages file has a {', '.join(missing)} field"
    missing_lab = sorted(rule.needs_lab & tables.missing_lab_fields)
    if missing_lab:
        # Lab-results files are not per package: one without the field leaves the rule off.
        named = ", ".join(LAB_FIELD_WORDS.get(name, name) for name in missing_lab)
        return f"a lab-results file has no {named} field"
    return None


def summarise(lineage: Lineage, sources_exported: bool = True) -> Summary:
    links = lineage.links
    packages: pd.DataFrame = lineage.packages
    return Summary(
        packages=len(packages),
        test_events=len(lineage.events),
        lab_result_rows=len(lineage.lab_rows),
        source_links=len(links),
        known_source_links=int((links["source"] != NO_PACKAGE).sum()),
        production_batches=int(packages["production_batch"].sum()),
        sources_exported=sources_exported,
        lab_results_given=lineage.has_lab_results,
        packages_without_sources=int((lacking_field(packages, _SOURCES) != "").sum()),
        unreleased_lab_result_rows=lineage.unreleased_rows(),
    )


_SOURCES = frozenset({"source_package_tags"})
