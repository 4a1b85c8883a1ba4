"""JUnit XML: one test case per rule, so a scheduled CI job shows each rule that failed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

from batchaudit.model.findings import AuditResult, Finding, Severity, count_of
from batchaudit.report.verdict import gaps as verdict_gaps

# A failing test case lists this many findings; the JSON or CSV report has all.
LISTED = 50
# Characters XML 1.0 cannot hold, which export text may still contain.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FAILING = (Severity.ERROR, Severity.WARNING)


def render(result: AuditResult, generated_at: datetime) -> str:
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    skipped = {s.rule: s.reason for s in result.skipped_rules}
    rules = result.rules
    # Waived findings are listed but never fail a case.
    failed = [
        r
        for r in rules
        if any(f.severity in FAILING and f.waiver is None for f in by_rule.get(r.code, []))
    ]
    counts = {"tests": str(len(rules)), "failures": str(len(failed)), "errors": "0"}
    suites = ET.Element("testsuites", {"name": "batchaudit", **counts})
    suite = ET.SubElement(
        suites,
        "testsuite",
        {
            "name": f"batchaudit ({result.jurisdiction})",
            "skipped": str(len(skipped)),
            "timestamp": generated_at.isoformat(timespec="seconds"),
            **counts,
        },
    )
    for rule in rules:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"batchaudit.{rule.code[:2]}",
            name=f"{rule.code} {rule.name}",
        )
        findings = by_rule.get(rule.code, [])
        if rule.code in skipped:
            ET.SubElement(case, "skipped", message=xml_text(skipped[rule.code]))
        elif rule in failed:
            worst = min((f.severity for f in findings), key=lambda s: s.rank)
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{count_of(len(findings), 'finding')}: {rule.summary}",
                type=str(worst),
            )
            failure.text = _listing(findings)
        elif findings:
            ET.SubElement(case, "system-out").text = _listing(findings)
        gaps = [gap.sentence() for gap in verdict_gaps(result) if rule.code in gap.rules]
        if gaps and rule.code not in skipped:
            ET.SubElement(case, "system-err").text = xml_text("Not checked: " + " ".join(gaps))
    changes = _since_baseline(result)
    if changes:
        ET.SubElement(suite, "system-out").text = changes
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _listing(findings: list[Finding]) -> str:
    lines = [f"{_mark(f)}{f.package_tag or '-'}: {f.message}" for f in findings[:LISTED]]
    if len(findings) > LISTED:
        lines.append(f"... and {len(findings) - LISTED} more (see the JSON or CSV report)")
    return xml_text("\n".join(lines))


def _mark(finding: Finding) -> str:
    marks = ["new"] if finding.baseline == "new" else []
    if finding.waiver is not None:
        marks.append(f"waived until {finding.waiver.expires}: {finding.waiver.reason}")
    return f"[{'; '.join(marks)}] " if marks else ""


def _since_baseline(result: AuditResult) -> str:
    compared = result.baseline
    if compared is None:
        return ""
    new = result.new_findings()
    lines = [
        f"Since {compared.path}: {len(new)} new, {len(result.findings) - len(new)} unchanged, "
        f"{len(compared.resolved)} resolved, {len(compared.not_rechecked)} not re-checked."
    ]
    for label, listed in (
        ("resolved", compared.resolved),
        ("not re-checked", compared.not_rechecked),
    ):
        lines += [f"{label} {f.rule} {f.package_tag or '-'}: {f.message}" for f in listed[:LISTED]]
        if len(listed) > LISTED:
            lines.append(f"... and {len(listed) - LISTED} more {label} (see the JSON report)")
    return xml_text("\n".join(lines))


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
