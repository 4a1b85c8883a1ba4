"""Findings about the files themselves: missing columns, unreadable cells, broken lines,
conflicting duplicates (DQ001-DQ003)."""

from __future__ import annotations

import pandas as pd

from batchaudit.fields import FILE, LINE, SHEET, FieldType, Kind
from batchaudit.findings import Finding, Severity, Source
from batchaudit.ingest.detect import Detection
from batchaudit.ingest.raw import BadLine, RawTable
from batchaudit.rules.data_quality import ConflictingDuplicatePackage, InvalidValue, MissingColumn
from batchaudit.schemas import EXPECTED, NOT_BLANK
from batchaudit.values import split_tag_list

_WARNING_CHECKS = {str(FieldType.TESTING_STATE)}


def cell_findings(
    frame: pd.DataFrame, failed: pd.DataFrame, detection: Detection
) -> tuple[list[tuple[int, Finding]], list[int]]:
    """DQ002 findings for failed cells, each located by its own row's file, sheet and line
    (a frame may hold many page files of one export), and the rows that cannot be audited."""
    files, sheets, lines = (frame[c].to_numpy() for c in (FILE, SHEET, LINE))
    tags = frame["tag"].to_numpy() if "tag" in frame else None
    findings: list[tuple[int, Finding]] = []
    unusable: set[int] = set()
    failed = failed.loc[failed["check"] != "missing"]
    bad_tag_rows = set(failed.loc[failed["field"] == "tag", "row"].dropna().astype(int))
    # One finding per cell: a blank tag fails both "required" and the tag check.
    failed = failed.drop_duplicates(["field", "row"])
    for field, check, value, row in failed.itertuples(index=False, name=None):
        row = int(row)
        left_out = field in NOT_BLANK[detection.kind] or field == "tag"
        if left_out:
            unusable.add(row)
        tag = None if tags is None or row in bad_tag_rows else str(tags[row]).strip() or None
        sheet = str(sheets[row]) or None
        source = Source(str(files[row]), int(lines[row]), detection.title(field), sheet)
        consequence = _consequence(field, check, left_out)
        findings.append((row, _invalid_value(source, check, str(value), tag, consequence)))
    return findings, sorted(unusable)


def missing_column_findings(
    raw: RawTable, detection: Detection, fields: list[str]
) -> list[Finding]:
    """DQ001 for each needed field that a table's header lacks, located at the header."""
    return [
        _missing_column(
            Source(str(raw.path), raw.header_position, detection.title(f), raw.sheet or None),
            f,
            detection.kind,
        )
        for f in fields
    ]


def _missing_column(header: Source, field: str, kind: Kind) -> Finding:
    from batchaudit.rules import evaluated_rules  # the catalog says which rules need what

    needed_by = [
        rule.code
        for rule in evaluated_rules()
        if field in (rule.needs if kind is Kind.PACKAGES else rule.needs_lab)
    ]
    where = Source(header.file, header.line, sheet=header.sheet).describe()
    return MissingColumn.finding(
        f"{where}: the column titles have no {header.column!r}, so "
        + (
            f"{', '.join(needed_by)} {'is' if len(needed_by) == 1 else 'are'} skipped."
            if needed_by
            else "the audit cannot use it."
        ),
        evidence={"column": header.column},
        remedy=f"Export the file again with the {header.column!r} column shown.",
        source=header,
    )


def _consequence(field: str, check: str, left_out: bool) -> str:
    if left_out:
        return "the row is left out of the audit"
    if check in _WARNING_CHECKS:
        return "it is kept as written"
    if check == str(FieldType.TAG_LIST):
        return "the text is kept, so what is not a tag counts as an unknown source"
    if field == "category":
        return "the production-batch rules skip this package"
    return "it is treated as blank"


def _invalid_value(
    source: Source, check: str, value: str, tag: str | None, consequence: str
) -> Finding:
    expected = EXPECTED.get(check, check)
    shown = repr(value) if value.strip() else "a blank cell"
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
            f"{path}, line {bad.line}: "
            f"{bad.reason or f'the row does not fit the {columns} column titles ({bad.problem})'}"
            "; the row is left out of the audit.",
            evidence={"problem": bad.problem},
            remedy="Check the line for an unquoted comma or a broken quote and export again.",
            source=Source(path, bad.line),
        )
        for bad in bad_lines
    ]


def _as_tag_set(lists: pd.Series) -> pd.Series:
    """Source lists as a sorted set, so that order and spacing are no difference."""
    tags = split_tag_list(lists)
    joined = tags.sort_values().groupby(level=0).agg(", ".join)
    return joined.reindex(lists.index, fill_value="")


def duplicate_findings(packages: pd.DataFrame, present: dict[str, pd.Series]) -> list[Finding]:
    """DQ003 for each tag whose rows disagree on a field that both of their files have."""
    repeated = packages["tag"].duplicated(keep=False)
    if not repeated.any():
        return []
    rows = packages.loc[repeated]
    differs = pd.DataFrame(index=rows["tag"].unique())
    comparable = rows.assign(source_package_tags=_as_tag_set(rows["source_package_tags"]))
    for field, has_field in present.items():
        # Blank is a value here ("<blank>"); only a column the file lacks is left out.
        values = comparable[field].astype("object").fillna("<blank>")
        known = values.where(has_field[repeated])
        differs[field] = known.groupby(rows["tag"]).nunique(dropna=True) > 1  # noqa: PD101 (per tag)
    conflicting = differs.loc[differs.any(axis=1)]
    groups = rows.loc[rows["tag"].isin(conflicting.index)].groupby("tag", sort=True)
    findings = []
    for tag, group in groups:
        differing = conflicting.loc[tag]
        fields = [str(f) for f in differing.index[differing.to_numpy(dtype=bool)]]
        places = [
            Source(file, int(line), sheet=sheet or None)
            for file, sheet, line in zip(group[FILE], group[SHEET], group[LINE], strict=True)
        ]
        occurrences = [{"file": p.file, "sheet": p.sheet, "line": p.line} for p in places]
        kept = places[-1]
        where = "; ".join(place.describe() for place in places)
        findings.append(
            ConflictingDuplicatePackage.finding(
                f"Package {tag} appears with different {', '.join(fields)} in {where}; "
                f"the audit uses the row from {kept.describe()}, the file given last.",
                package_tag=str(tag),
                evidence={
                    "occurrences": occurrences,
                    "differing_fields": fields,
                    "values": {f: [str(v) for v in group[f]] for f in fields},
                },
                remedy="Export all grid tabs at the same time so that they agree.",
                source=kept,
            )
        )
    return findings
