"""What batchaudit makes of each file, for `batchaudit inspect`: kind, shape, encoding,
which header became which field, what is ignored or missing, and the first problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from batchaudit.ingest.errors import InputError
from batchaudit.ingest.folders import empty_folders, expand, other_files
from batchaudit.ingest.limits import DEFAULT_LIMITS, Budget, Limits
from batchaudit.ingest.load import read_file
from batchaudit.ingest.validation import ReadTable, validate
from batchaudit.model.fields import (
    LAB_RESULT_KEY_FIELDS,
    LAB_RESULT_RULE_FIELDS,
    PACKAGE_KEY_FIELDS,
    PACKAGE_RULE_FIELDS,
    PROCESSING_JOB_KEY_FIELDS,
    Kind,
)
from batchaudit.rules.data_quality import data_quality_findings

PROBLEMS_SHOWN = 5
NEEDED: dict[Kind, tuple[str, ...]] = {
    Kind.PACKAGES: PACKAGE_KEY_FIELDS + PACKAGE_RULE_FIELDS,
    Kind.LAB_RESULTS: (*LAB_RESULT_KEY_FIELDS, *LAB_RESULT_RULE_FIELDS, "tested_package"),
    Kind.PROCESSING_JOBS: PROCESSING_JOB_KEY_FIELDS,
}
# Fields whose absence weakens the evidence, though no rule is skipped.
USEFUL: dict[Kind, tuple[str, ...]] = {
    Kind.PACKAGES: (
        "item_name",
        "lab_testing_state",
        "quantity",
        "original_quantity",
        "finished",
        "discontinued",
        "received_from_license",
    ),
    Kind.LAB_RESULTS: (
        "lab_test_result_id",
        "test_performed_date",
        "overall_passed",
        "revoked_date",
    ),
    Kind.PROCESSING_JOBS: ("job_number", "job_type", "input_tag"),
}


@dataclass(frozen=True)
class TableInspection:
    sheet: str
    kind: str
    shape: str
    shape_description: str
    format: str
    encoding: str
    delimiter: str
    rows: int
    columns: list[tuple[str, str]]
    ignored: list[str]
    missing_needed: list[str]
    missing_useful: list[str]
    problems: list[str]
    problem_count: int
    # A valid export with no rows: nothing in it is audited, so nothing is missing.
    empty: bool = False


@dataclass(frozen=True)
class FileInspection:
    path: str
    tables: list[TableInspection] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    unreadable: str | None = None


def inspect_paths(paths: list[Path], limits: Limits = DEFAULT_LIMITS) -> list[FileInspection]:
    inspections = [
        FileInspection(item.path, unreadable=item.reason)
        for item in empty_folders(paths) + other_files(paths)
    ]
    budget = Budget(limits)
    for path in expand(paths):
        try:
            read = read_file(path, limits=limits, budget=budget)
            validate(read.tables)
        except InputError as error:
            inspections.append(FileInspection(str(path), unreadable=str(error)))
            continue
        inspections.append(
            FileInspection(str(path), [_table(t) for t in read.tables], read.skipped_sheets)
        )
    return inspections


def _table(table: ReadTable) -> TableInspection:
    detection = table.detection
    kind = detection.kind
    empty = table.input.rows_read == 0
    return TableInspection(
        sheet=table.raw.sheet,
        kind=str(kind),
        shape=detection.shape.name,
        shape_description=detection.shape.description,
        format=table.input.format,
        encoding=table.raw.encoding,
        delimiter=table.raw.delimiter,
        rows=table.input.rows,
        columns=list(detection.columns.items()),
        ignored=list(detection.ignored),
        missing_needed=[]
        if empty
        else [detection.title(f) for f in detection.missing(NEEDED[kind])],
        missing_useful=[
            detection.title(f)
            for f in detection.missing(USEFUL[kind])
            # only what this kind of export, and this tab of it, can carry
            if f in detection.shape.titles and f not in detection.shape.tab_only and not empty
        ],
        problems=[f.message for f in data_quality_findings(table.problems[:PROBLEMS_SHOWN])],
        problem_count=len(table.problems),
        empty=empty,
    )
