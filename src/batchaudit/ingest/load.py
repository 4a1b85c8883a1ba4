"""Files -> canonical tables: read, detect, validate, convert, merge.

Nothing here decides what is wrong with the *packages*; it only reports what is wrong with
the *files* (DQ001-DQ003, DQ005) and hands clean tables to the engine.
"""

from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from batchaudit.ingest.api_json import read_api_json
from batchaudit.ingest.api_page import looks_like_json
from batchaudit.ingest.carried import with_fields_carried
from batchaudit.ingest.convert import empty_table
from batchaudit.ingest.detect import Detection, detect, titles_read
from batchaudit.ingest.differences import Records
from batchaudit.ingest.errors import InputError
from batchaudit.ingest.excel import read_workbook
from batchaudit.ingest.files import Contents, read_regular
from batchaudit.ingest.folders import empty_folders, expand, other_files
from batchaudit.ingest.licenses import license_in, several_licenses
from batchaudit.ingest.limits import (
    DEFAULT_LIMITS,
    MEMORY_PER_BYTE,
    MEMORY_PER_CELL,
    Budget,
    Limits,
)
from batchaudit.ingest.merge import fields_per_row, merge_packages
from batchaudit.ingest.pages import page_problems
from batchaudit.ingest.processing_jobs import holds_job_inputs, one_row_per_input
from batchaudit.ingest.quality import (
    bad_line_problems,
    missing_column_problems,
    unreleased_per_table,
)
from batchaudit.ingest.raw import RawTable
from batchaudit.ingest.read_ahead import ReadAhead
from batchaudit.ingest.salvage import blank_only
from batchaudit.ingest.side_by_side import Turn, read_side_by_side
from batchaudit.ingest.text import read_text_table
from batchaudit.ingest.text_columns import Reading
from batchaudit.ingest.validation import TABLE, ReadTable, Validated, in_file_order, validate
from batchaudit.ingest.workbook_limits import check_workbook
from batchaudit.model.fields import FIELDS, TESTED_PACKAGE_FIELDS, Kind
from batchaudit.model.findings import InputFile, NotRead
from batchaudit.model.schemas import REQUIRED_FIELDS
from batchaudit.model.tables import Problem, Tables
from batchaudit.model.values import arrow_text, joined_rows

_EXCEL_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


@dataclass
class ReadFile:
    path: Path
    tables: list[ReadTable] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)


def _arrow_memory() -> None:
    """Arrow's allocations from jemalloc, unless ARROW_DEFAULT_MEMORY_POOL names a pool.
    pyarrow's own default (mimalloc) hands freed memory back to the system so eagerly that
    at 10^6 packages the audit spent 13 s in the kernel, against 6.5 s with jemalloc (the
    findings are the same). Where pyarrow has no jemalloc (Windows), its default stays."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    with contextlib.suppress(NotImplementedError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())


def load(
    packages: list[Path] | None = None,
    lab_results: list[Path] | None = None,
    detected: list[Path] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    ahead: ReadAhead | None = None,
) -> Tables:
    """Read every file (the bytes of those `ahead` read, from it); a file that cannot be
    read at all is listed in `not_read`."""
    _arrow_memory()
    given: list[tuple[Path, Kind | None]] = [(p, Kind.PACKAGES) for p in expand(packages or [])]
    given += [(path, Kind.LAB_RESULTS) for path in expand(lab_results or [])]
    given += [(path, None) for path in expand(detected or [])]
    tables = Tables(packages=pd.DataFrame(), lab_results=None)  # set below
    folders = [*(packages or []), *(lab_results or []), *(detected or [])]
    tables.not_read += empty_folders(folders) + other_files(folders)
    read, not_read, validated = _read_and_validated(given, limits, ahead)
    tables.not_read += not_read
    for group in (v for v in validated if v.kind is Kind.LAB_RESULTS):
        for number, rows in unreleased_per_table(group.frame, TABLE).items():
            read[number].input = replace(read[number].input, rows_apart={"unreleased": rows})
    for table in read:
        tables.inputs.append(table.input)
        tables.problems.extend(table.problems)
        if table.detection.kind is Kind.PACKAGES:
            tables.missing_fields |= table.missing
            tables.package_fields |= table.detection.fields
        elif table.detection.kind is Kind.LAB_RESULTS:
            tables.missing_lab_fields |= table.missing
    tables.problems.extend(page_problems([(t.raw, t.detection.kind) for t in read]))
    tables.problems.extend(several_licenses(tables.inputs))
    package_rows = [v.frame for v in validated if v.kind is Kind.PACKAGES]
    lab_rows = [v.frame for v in validated if v.kind is Kind.LAB_RESULTS]
    merged = _merge_packages(package_rows, read, tables) if package_rows else None
    tables.packages = empty_table(Kind.PACKAGES) if merged is None else _in_one_piece(merged)
    if lab_rows:
        tables.lab_results = _in_table_order(lab_rows).drop(columns=TABLE)
    job_rows = [v.frame for v in validated if v.kind is Kind.PROCESSING_JOBS]
    if job_rows:
        tables.processing_jobs = _in_table_order(job_rows).drop(columns=TABLE)
    return tables


def _read_and_validated(
    given: list[tuple[Path, Kind | None]], limits: Limits, ahead: ReadAhead | None
) -> tuple[list[ReadTable], list[NotRead], list[Validated]]:
    """Every file's tables and the files that could not be read, in the order given, and
    the tables' rows validated. Each batch of files read is validated while the files after
    it are still being read. A failure closes the reading there (`closing`): the files under
    way are waited for, no later."""
    outcomes: dict[int, ReadFile | InputError] = {}
    checked: list[tuple[list[ReadTable], list[Validated]]] = []
    batches = read_side_by_side(
        [path for path, _ in given],
        limits,
        lambda n, turn: read_file(*given[n], limits, turn, ahead),
    )
    with contextlib.closing(batches):
        for batch in batches:
            outcomes.update(batch)
            ready = [t for _, got in batch if not isinstance(got, InputError) for t in got.tables]
            checked.append((ready, validate(ready)))
    read: list[ReadTable] = []
    not_read: list[NotRead] = []
    for number, (path, _) in enumerate(given):
        outcome = outcomes[number]
        if isinstance(outcome, InputError):
            not_read.append(NotRead(str(path), str(outcome)))
        else:
            read.extend(outcome.tables)
    return read, not_read, in_file_order(checked, read)


def _in_one_piece(frame: pd.DataFrame) -> pd.DataFrame:
    """The text columns each as one Arrow array, not one piece per block read. The rules
    select their offending packages' rows a dozen times over; selecting rows from a column
    in 13 pieces took ten times as long as from one (once joined, the pieces are let go)."""
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.StringDtype):
            cells = arrow_text(frame[column])
            if cells.num_chunks > 1:
                joined: pd.api.extensions.ExtensionArray = pd.array(
                    cells.combine_chunks(), dtype=frame[column].dtype
                )
                frame[column] = pd.Series(joined, index=frame.index, copy=False)
    return frame


def _in_table_order(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The groups' rows as one frame, in the order the tables were given."""
    if len(frames) == 1:
        return frames[0]
    # Where each row came from, and text read as codes, stays categories.
    joined = joined_rows(frames)
    return joined.sort_values(TABLE, kind="stable").reset_index(drop=True)


def read_file(
    path: Path,
    expected: Kind | None = None,
    limits: Limits = DEFAULT_LIMITS,
    budget: Budget | Turn | None = None,
    ahead: ReadAhead | None = None,
) -> ReadFile:
    """Every table in one file, detected (not yet validated); InputError if there is none.
    The file is checked against the limits, and its memory taken from `budget`, first."""
    contents = _read_bytes(path, limits, ahead)
    data = contents.data
    budget = budget or Budget(limits)
    read = ReadFile(path)
    if data.startswith(_EXCEL_SIGNATURES):
        cells = check_workbook(path, data, limits)
        budget.spend(path, len(data) + cells * MEMORY_PER_CELL)
        workbook = read_workbook(path, data, expected)
        raws, read.skipped_sheets = workbook.tables, workbook.skipped_sheets
    elif looks_like_json(data):
        budget.spend(path, int(len(data) * MEMORY_PER_BYTE["json"]))
        titles = functools.partial(titles_read, path, expected)
        parsed = ahead.page(path, expected) if ahead is not None else None
        raw = read_api_json(path, data, expected, limits, titles, parsed)
        raws = [one_row_per_input(raw) if holds_job_inputs(raw) else raw]
    else:
        budget.spend(path, int(len(data) * MEMORY_PER_BYTE["text"]))
        raws = [read_text_table(path, data, functools.partial(_mapped_titles, path, expected))]
    digest = contents.sha256()
    read.tables = [_detected(raw, detect(path, raw.header, expected), digest) for raw in raws]
    for table in read.tables:  # columns batchaudit does not read are not kept in memory
        columns = table.detection.columns
        mapped = [column in columns for column in table.raw.rows.columns]
        if not all(mapped):
            table.raw.rows = table.raw.rows.loc[:, mapped]
    return read


def _mapped_titles(path: Path, expected: Kind | None, header: list[str]) -> Reading | None:
    """The titles of the columns batchaudit reads, for the parser to make no others text,
    and lab results as codes; None (every column, as text) where the titles are not
    recognised, as is said after reading."""
    try:
        detection = detect(path, header, expected)
    except InputError:
        return None
    return Reading(set(detection.columns), coded=detection.kind is Kind.LAB_RESULTS)


def _read_bytes(path: Path, limits: Limits, ahead: ReadAhead | None) -> Contents:
    try:
        contents = (ahead and ahead.take(path, limits)) or read_regular(path, limits)
    except FileNotFoundError as error:
        raise InputError(f"{path} does not exist; check the path.") from error
    except IsADirectoryError as error:
        raise InputError(f"{path} is a folder with no export files in it.") from error
    except OSError as error:
        raise InputError(f"{path} cannot be read: {error.strerror}.") from error
    if blank_only(contents.data):
        raise InputError(f"{path} is empty; export it from Metrc again.")
    return contents


def _detected(raw: RawTable, detection: Detection, digest: str) -> ReadTable:
    kind = detection.kind
    missing = set(detection.missing(REQUIRED_FIELDS[kind])) - detection.shape.not_in_response
    if kind is Kind.LAB_RESULTS and not detection.fields & set(TESTED_PACKAGE_FIELDS):
        # Either column says which package was tested; without both the rows lead nowhere.
        missing.add("tested_package")
    if raw.rows.empty and not raw.bad_lines:
        # Column titles and no rows is a valid, empty export (nothing on hold this month,
        # nothing tested): read, with 0 rows. No package comes from it, so none lacks a field.
        missing = set()
    needed = [f for f in FIELDS[kind] if f in missing]
    problems: list[Problem] = [*bad_line_problems(str(raw.path), raw.bad_lines, len(raw.header))]
    problems += missing_column_problems(raw, detection, needed)
    item = InputFile(
        path=str(raw.path),
        kind=str(kind),
        shape=detection.shape.name,
        sha256=digest,
        rows=len(raw.rows),
        rows_read=len(raw.rows) + len(raw.bad_lines),
        license=license_in(str(raw.path)),
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheet=raw.sheet,
    )
    return ReadTable(raw, detection, item, missing, problems)


def _merge_packages(
    rows: list[pd.DataFrame], read: list[ReadTable], tables: Tables
) -> pd.DataFrame:
    """One row per tag, its records from several files merged field by field (merge.py)."""
    packages = _in_table_order(rows)
    table = packages.pop(TABLE).to_numpy()
    numbers = table.astype(np.int64, copy=False)
    carried = fields_per_row([t.detection.fields for t in read], numbers, packages.index)
    owned = fields_per_row(
        [t.detection.shape.owned(t.detection.fields) for t in read], numbers, packages.index
    )
    # The REST API has no IsArchived: a package with an ArchivedDate is discontinued.
    archived = ~carried["discontinued"] & packages["discontinued_date"].notna()
    packages["discontinued"] = packages["discontinued"] | archived
    carried["discontinued"] |= carried["discontinued_date"]
    owned["discontinued"] |= owned["discontinued_date"]
    api = np.array([t.detection.shape.api for t in read], dtype=bool)
    from_api = pd.Series(api[numbers], index=packages.index)
    merged, problems = merge_packages(packages, Records(carried, owned, from_api))
    tables.problems.extend(problems)
    return with_fields_carried(merged, packages["tag"], carried)
