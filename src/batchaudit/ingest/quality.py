"""Findings about the files themselves: missing columns, unreadable cells, broken lines,
conflicting duplicates (DQ001-DQ003)."""

from __future__ import annotations

import pandas as pd

from batchaudit.fields import FILE, LINE, FieldType, Kind
from batchaudit.findings import Finding, Severity, Source
from batchaudit.ingest.detect import Detection
from batchaudit.ingest.readers import BadLine
from batchaudit.rules.data_quality import ConflictingDuplicatePackage, InvalidValue, MissingColumn
from batchaudit.schemas import EXPECTED, NOT_BLANK

_WARNING_CHECKS = {str(FieldType.TESTING_STATE)}


def failure_findings(
    frame: pd.DataFrame, failed: pd.DataFrame, detection: Detection
) -> tuple[list[Finding], list[int]]:
    """DQ001/DQ002 findings for a file's failed checks, and the rows that cannot be audited."""
    path = str(frame[FILE].iloc[0]) if len(frame) else ""
    lines = frame[LINE].to_numpy()
    tags = frame["tag"].to_numpy() if "tag" in frame else None
    findings: list[Finding] = []
    unusable: set[int] = set()
    bad_tag_rows = set(failed.loc[failed["field"] == "tag", "row"].dropna().astype(int))
    for field, check, value, row in failed.itertuples(index=False, name=None):
        title = detection.title(field)
        if check == "missing":
            findings.append(_missing_column(path, title, detection.kind))
            continue
        row = int(row)
        left_out = field in NOT_BLANK[detection.kind] or field == "tag"
        if left_out:
            unusable.add(row)
        tag = None if tags is None or row in bad_tag_rows else str(tags[row]).strip() or None
        findings.append(
            _invalid_value(Source(path, int(lines[row]), title), check, str(value), tag, left_out)
        )
    return findings, sorted(unusable)


def _missing_column(path: str, title: str, kind: Kind) -> Finding:
    needed_by = "the production-batch and lineage rules" if kind is Kind.PACKAGES else "the audit"
    return MissingColumn.finding(
        f"{path} has no {title!r} column, which {needed_by} need; they are skipped.",
        evidence={"column": title},
        remedy=f"Export the file again with the {title!r} column shown.",
        source=Source(path, 1, title),
    )


def _invalid_value(
    source: Source, check: str, value: str, tag: str | None, left_out: bool
) -> Finding:
    expected = EXPECTED.get(check, check)
    shown = repr(value) if value.strip() else "a blank cell"
    consequence = (
        "the row is left out of the audit"
        if left_out
        else "it is kept as written"
        if check in _WARNING_CHECKS
        else "it is treated as blank"
    )
    return InvalidValue.finding(
        f"{source.describe()}: {shown} is not {expected}; {consequence}.",
        package_tag=tag,
        evidence={"column": source.column, "value": value, "expected": expected},
        remedy="Correct the value in Metrc or in the export, then run the audit again.",
        source=source,
        severity=Severity.WARNING if check in _WARNING_CHECKS else Severity.ERROR,
    )


def bad_line_findings(path: str, bad_lines: list[BadLine], columns: int) -> list[Finding]:
    return [
        InvalidValue.finding(
            f"{path}, line {bad.line}: the row does not fit the {columns} column titles "
            f"({bad.problem}); the row is left out of the audit.",
            evidence={"problem": bad.problem},
            remedy="Check the line for an unquoted comma or a broken quote and export again.",
            source=Source(path, bad.line),
        )
        for bad in bad_lines
    ]


def duplicate_findings(packages: pd.DataFrame, present: dict[str, pd.Series]) -> list[Finding]:
    """DQ003 for each tag whose rows disagree on a field that both of their files have."""
    repeated = packages["tag"].duplicated(keep=False)
    if not repeated.any():
        return []
    rows = packages.loc[repeated]
    differs = pd.DataFrame(index=rows["tag"].unique())
    for field, has_field in present.items():
        known = rows[field].astype("object").where(has_field[repeated])
        differs[field] = known.groupby(rows["tag"]).nunique(dropna=True) > 1  # noqa: PD101 (per tag)
    conflicting = differs.loc[differs.any(axis=1)]
    places = rows.loc[rows["tag"].isin(conflicting.index)].groupby("tag", sort=True)
    findings = []
    for tag, group in places:
        differing = conflicting.loc[tag]
        fields = [str(f) for f in differing.index[differing.to_numpy(dtype=bool)]]
        occurrences = [
            {"file": f, "line": int(n)} for f, n in zip(group[FILE], group[LINE], strict=True)
        ]
        kept = occurrences[-1]
        where = "; ".join(f"{o['file']} line {o['line']}" for o in occurrences)
        findings.append(
            ConflictingDuplicatePackage.finding(
                f"Package {tag} appears with different {', '.join(fields)} in {where}; "
                f"the audit uses the row from {kept['file']} line {kept['line']}, the file "
                "given last.",
                package_tag=str(tag),
                evidence={
                    "occurrences": occurrences,
                    "differing_fields": fields,
                    "values": {f: [str(v) for v in group[f]] for f in fields},
                },
                remedy="Export all grid tabs at the same time so that they agree.",
                source=Source(kept["file"], kept["line"]),
            )
        )
    return findings
