"""Files -> canonical tables: read, detect, validate, convert, merge.

Nothing here decides what is wrong with the *packages*; it only reports what is wrong with
the *files* (DQ001-DQ003, DQ005) and hands clean tables to the engine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from batchaudit.fields import FIELDS, FILE, LINE, SHEET, TESTED_PACKAGE_FIELDS, Kind
from batchaudit.findings import Finding, InputFile
from batchaudit.ingest.api_json import looks_like_json, read_api_json
from batchaudit.ingest.detect import Detection, detect
from batchaudit.ingest.errors import InputError
from batchaudit.ingest.excel import read_workbook
from batchaudit.ingest.pages import page_findings
from batchaudit.ingest.quality import (
    bad_line_findings,
    duplicate_findings,
    failure_findings,
    missing_column_finding,
)
from batchaudit.ingest.raw import RawTable
from batchaudit.ingest.text import read_text_table
from batchaudit.schemas import PARSERS, failures
from batchaudit.tables import Tables
from batchaudit.values import parse_boolean

DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".json")
_EXCEL_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
# Lab-result booleans where blank means "not stated", not "no".
_UNSTATED_WHEN_BLANK = {"test_passed", "overall_passed"}


@dataclass
class ReadTable:
    """One table of one file after detection and validation: what `inspect` shows."""

    raw: RawTable
    detection: Detection
    frame: pd.DataFrame  # canonical text, rows that can be audited
    findings: list[Finding]
    missing: set[str]
    input: InputFile


@dataclass
class ReadFile:
    path: Path
    tables: list[ReadTable] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders become their data files, sorted by name."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.iterdir()) if p.suffix.lower() in DATA_SUFFIXES)
        else:
            files.append(path)
    return files


def load(
    packages: list[Path] | None = None,
    lab_results: list[Path] | None = None,
    detected: list[Path] | None = None,
) -> Tables:
    """Read every file; a file that cannot be read at all becomes a sentence in `unreadable`."""
    given: list[tuple[Path, Kind | None]] = [(p, Kind.PACKAGES) for p in expand(packages or [])]
    given += [(path, Kind.LAB_RESULTS) for path in expand(lab_results or [])]
    given += [(path, None) for path in expand(detected or [])]
    tables = Tables(packages=_empty(Kind.PACKAGES), lab_results=None)
    read: list[ReadTable] = []
    for path, expected in given:
        try:
            read.extend(read_file(path, expected).tables)
        except InputError as error:
            tables.unreadable.append(str(error))
    for table in read:
        tables.inputs.append(table.input)
        tables.findings.extend(table.findings)
        if table.detection.kind is Kind.PACKAGES:
            tables.missing_fields |= table.missing
        else:
            tables.missing_lab_fields |= table.missing
    tables.findings.extend(page_findings([(t.raw, t.detection.kind) for t in read]))
    package_tables = [t for t in read if t.detection.kind is Kind.PACKAGES]
    lab_tables = [t for t in read if t.detection.kind is Kind.LAB_RESULTS]
    if package_tables:
        tables.packages = _merge_packages(package_tables, tables)
    if lab_tables:
        merged = pd.concat([t.frame for t in lab_tables], ignore_index=True)
        tables.lab_results = convert(merged.fillna(""), Kind.LAB_RESULTS)
    return tables


def read_file(path: Path, expected: Kind | None = None) -> ReadFile:
    """Every auditable table in one file, validated; InputError if there is none."""
    data = _read_bytes(path)
    read = ReadFile(path)
    if data.startswith(_EXCEL_SIGNATURES):
        workbook = read_workbook(path, data, expected)
        raws, read.skipped_sheets = workbook.tables, workbook.skipped_sheets
    elif looks_like_json(data):
        raws = [read_api_json(path, data)]
    else:
        raws = [read_text_table(path, data)]
    digest = hashlib.sha256(data).hexdigest()
    read.tables = [_read_table(raw, detect(path, raw.header, expected), digest) for raw in raws]
    return read


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise InputError(f"{path} does not exist; check the path.") from error
    except IsADirectoryError as error:
        raise InputError(f"{path} is a folder with no export files in it.") from error
    except OSError as error:
        raise InputError(f"{path} cannot be read: {error.strerror}.") from error
    if not data.strip():
        raise InputError(f"{path} is empty; export it from Metrc again.")
    return data


def _read_table(raw: RawTable, detection: Detection, digest: str) -> ReadTable:
    # A lab-results export without rows is a real answer (nothing tested); packages are not.
    if raw.rows.empty and detection.kind is Kind.PACKAGES:
        raise InputError(f"{raw.name} has column titles but no rows; export it with data in it.")
    frame = raw.rows[list(detection.columns)].rename(columns=detection.columns)
    frame[FILE] = str(raw.path)
    frame[SHEET] = raw.sheet
    frame[LINE] = raw.positions
    kind = detection.kind
    failed = failures(frame, kind)
    found, unusable_rows = failure_findings(frame, failed, detection, raw.header_position)
    found = bad_line_findings(str(raw.path), raw.bad_lines, len(raw.header)) + found
    item = InputFile(
        path=str(raw.path),
        kind=str(kind),
        shape=detection.shape.name,
        sha256=digest,
        rows=len(frame),
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheet=raw.sheet,
    )
    missing = set(failed.loc[failed["check"] == "missing", "field"])
    if kind is Kind.LAB_RESULTS and not detection.fields & set(TESTED_PACKAGE_FIELDS):
        # Either column says which package was tested; without both the rows lead nowhere.
        missing.add("tested_package")
        found.append(missing_column_finding(raw, detection, "tested_package"))
    kept = frame.drop(index=unusable_rows)
    return ReadTable(raw, detection, kept, found, missing, item)


def _merge_packages(read: list[ReadTable], tables: Tables) -> pd.DataFrame:
    """One row per tag: identical duplicates merge, conflicting ones keep the last file's row."""
    text = pd.concat(
        [t.frame.assign(_table=number) for number, t in enumerate(read)], ignore_index=True
    )
    packages = convert(text.fillna(""), Kind.PACKAGES)
    table = text["_table"].to_numpy()
    present = {
        name: pd.Series(
            np.isin(table, [n for n, t in enumerate(read) if name in t.detection.fields]),
            index=packages.index,
        )
        for name in FIELDS[Kind.PACKAGES]
    }
    tables.findings.extend(duplicate_findings(packages, present))
    return packages.drop_duplicates("tag", keep="last").reset_index(drop=True)


def convert(text: pd.DataFrame, kind: Kind) -> pd.DataFrame:
    """Canonical text -> typed columns; absent fields are added blank. Unreadable cells were
    reported by validation and become blank here."""
    typed = {}
    for name, field_type in FIELDS[kind].items():
        column = text[name] if name in text else pd.Series("", index=text.index, dtype="str")
        column = column.astype("str")
        if name in _UNSTATED_WHEN_BLANK:
            typed[name] = parse_boolean(column, blank=None)[0]
        elif field_type in PARSERS:
            typed[name] = PARSERS[field_type](column)[0]
        else:
            typed[name] = column.str.strip()
    typed[FILE] = text[FILE].astype("str")
    no_sheet = pd.Series("", index=text.index, dtype="str")
    typed[SHEET] = text[SHEET].astype("str") if SHEET in text else no_sheet
    typed[LINE] = text[LINE].astype(np.int64)
    return pd.DataFrame(typed, index=text.index)


def _empty(kind: Kind) -> pd.DataFrame:
    columns = {name: pd.Series(dtype="str") for name in FIELDS[kind]}
    location = {
        FILE: pd.Series(dtype="str"),
        SHEET: pd.Series(dtype="str"),
        LINE: pd.Series(dtype="int64"),
    }
    return convert(pd.DataFrame({**columns, **location}), kind)
