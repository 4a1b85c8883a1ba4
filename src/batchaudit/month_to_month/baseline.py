"""Baselines: last month's JSON report says which findings are new, which are unchanged,
and which were resolved since.

Findings are matched by fingerprint (rule, package tag and the facts that decide it; see
`batchaudit.rules.fingerprints`), as many times as each fingerprint occurs, so renamed files,
re-sorted rows and moved lines change nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path, PurePath

import orjson
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from batchaudit.model.checked import BaselineComparison, ResolvedFinding
from batchaudit.model.findings import AuditResult
from batchaudit.rules import REGISTRY
from batchaudit.support.json_document import read_document

NEW = "new"
UNCHANGED = "unchanged"


class BaselineError(ValueError):
    """A baseline that cannot be used; the message names the file."""


def load_baseline(path: Path) -> list[ResolvedFinding]:
    """The findings of a batchaudit JSON report (`-o findings.json` of an earlier run)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BaselineError(f"Cannot read the baseline {path}: {error.strerror}.") from error
    compared = _compared_fields(data)
    return compared if compared is not None else _whole_report(path, data)


def _whole_report(path: Path, data: bytes) -> list[ResolvedFinding]:
    """The findings of the report decoded whole, or BaselineError saying why it is none."""
    try:
        document = orjson.loads(data)  # invalid UTF-8 is a JSONDecodeError
    except orjson.JSONDecodeError as error:
        raise BaselineError(
            f"The baseline {path} is not JSON; give the JSON report of an earlier run "
            "(-o findings.json)."
        ) from error
    findings = document.get("findings") if isinstance(document, dict) else None
    tool = document.get("tool") if isinstance(document, dict) else None
    if not isinstance(findings, list) or not isinstance(tool, dict) or tool.get("name") != _TOOL:
        raise BaselineError(
            f"The baseline {path} is not a batchaudit JSON report; give the JSON report of an "
            "earlier run (-o findings.json)."
        )
    if any(not isinstance(f, dict) or not f.get("fingerprint") for f in findings):
        raise BaselineError(
            f"The baseline {path} has findings without a fingerprint (it was written by an "
            "older batchaudit); audit the same exports again to make a baseline."
        )
    return [
        ResolvedFinding(
            rule=str(f.get("rule", "")),
            name=str(f.get("name", "")),
            severity=str(f.get("severity", "")),
            package_tag=f.get("package_tag"),
            message=str(f.get("message", "")),
            fingerprint=str(f["fingerprint"]),
            file=_source_file(f),
        )
        for f in findings
    ]


def _source_file(finding: dict[str, object]) -> str | None:
    source = finding.get("source")
    file = source.get("file") if isinstance(source, dict) else None
    return str(file) if file else None


_TOOL = "batchaudit"
_NAMED = {"name": _TOOL}
_TEXT = ("rule", "name", "severity", "message", "fingerprint")
# The report's fields a comparison reads; Arrow passes over the others (the evidence).
_COMPARED = pa.schema(
    [
        ("tool", pa.struct([("name", pa.string())])),
        (
            "findings",
            pa.list_(
                pa.struct(
                    [
                        *((name, pa.string()) for name in (*_TEXT, "package_tag")),
                        ("source", pa.struct([("file", pa.string())])),
                    ]
                )
            ),
        ),
    ]
)


def _compared_fields(data: bytes) -> list[ResolvedFinding] | None:
    """The findings' fields that a comparison reads, parsed by Arrow with nothing else made
    a Python object (against a report of 406,592 findings, 525 MB, an audit's peak memory
    went from 6.3 GB to 4.3 GB). None where the report is not plainly one, with text in
    each of those fields: it is then decoded whole, which refuses it or reads it as ever."""
    table = read_document(data, _COMPARED, "ignore")
    if table is None or table.num_rows != 1 or table.column("tool").to_pylist() != [_NAMED]:
        return None
    listed = table.column("findings").chunk(0)
    if listed.null_count:
        return None
    findings = listed.flatten()
    texts = [findings.field(name) for name in _TEXT]
    if findings.null_count or any(text.null_count for text in texts):
        return None  # decoded whole, a null finding is refused, a null field is "None"
    fingerprints = texts[-1]
    if len(fingerprints) and not pc.all(pc.not_equal(fingerprints, "")).as_py():
        return None
    files = findings.field("source").flatten()[0]  # null where the source is
    return [
        ResolvedFinding(rule, name, severity, tag, message, fingerprint, file or None)
        for rule, name, severity, message, fingerprint, tag, file in zip(
            *(text.to_pylist() for text in texts),
            findings.field("package_tag").to_pylist(),
            files.to_pylist(),
            strict=True,
        )
    ]


def compare(
    result: AuditResult, previous: list[ResolvedFinding], path: str, waivers_read: bool = True
) -> AuditResult:
    """Mark each finding new or unchanged. Of the previous findings left over, those whose
    package this run checked with their rule are resolved; the others were not re-checked
    (a file left out, a rule that did not run, a package missing or not checkable)."""
    remaining = Counter(f.fingerprint for f in previous)
    marked = []
    for finding in result.findings:
        seen = remaining[finding.fingerprint] > 0
        remaining[finding.fingerprint] -= seen
        marked.append(finding.marked(UNCHANGED if seen else NEW))
    rechecked = _Rechecked(result, waivers_read)
    resolved: list[ResolvedFinding] = []
    not_rechecked: list[ResolvedFinding] = []
    for old in previous:
        if remaining[old.fingerprint] > 0:
            remaining[old.fingerprint] -= 1
            (resolved if rechecked(old) else not_rechecked).append(old)
    return replace(
        result,
        findings=tuple(marked),
        baseline=BaselineComparison(path, tuple(resolved), tuple(not_rechecked)),
    )


class _Rechecked:
    """Whether this run checked again what a previous finding was about, as its rule says
    (`RuleInfo.checked_again_by`)."""

    def __init__(self, result: AuditResult, waivers_read: bool) -> None:
        self.result, self.waivers_read = result, waivers_read
        packages = result.packages
        self.loaded = set(packages["tag"].tolist()) if packages is not None else set()
        # Files by name: this month's export of a file is read from another folder.
        self.read = {PurePath(item.path).name for item in result.inputs}
        self.skipped = {item.rule for item in result.skipped_rules}
        self.unchecked: dict[str, set[str]] = {}

    def __call__(self, old: ResolvedFinding) -> bool:
        rule = REGISTRY.get(old.rule)
        if rule is None or old.rule in self.skipped:
            return False
        way = rule.checked_again_by
        if way == "file":
            return old.file is None or PurePath(old.file).name in self.read
        if way == "waivers":
            return self.waivers_read
        coverage = self.result.coverage_of(old.rule)
        if coverage is None or way == "run" or old.package_tag is None:
            return coverage is None or coverage.ran
        if old.rule not in self.unchecked:  # made once per rule, and only when asked
            self.unchecked[old.rule] = self.result.unchecked_tags(old.rule)
        return old.package_tag in self.loaded and old.package_tag not in self.unchecked[old.rule]
