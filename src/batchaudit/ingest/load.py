"""Files -> canonical tables: read, detect, validate, convert, merge.

Nothing here decides what is wrong with the *packages*; it only reports what is wrong with
the *files* (DQ001-DQ003) and hands clean tables to the engine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from batchaudit.fields import FIELDS, FILE, LINE, Kind
from batchaudit.findings import InputFile
from batchaudit.ingest.detect import Detection, detect
from batchaudit.ingest.errors import InputError
from batchaudit.ingest.quality import bad_line_findings, duplicate_findings, failure_findings
from batchaudit.ingest.readers import read_text_table
from batchaudit.schemas import PARSERS, failures
from batchaudit.tables import Tables
from batchaudit.values import parse_boolean

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
# Lab-result booleans where blank means "not stated", not "no".
_UNSTATED_WHEN_BLANK = {"test_passed", "overall_passed"}


@dataclass
class _FileFrame:
    path: str
    kind: Kind
    frame: pd.DataFrame
    present: set[str]


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders become their data files, sorted by name."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.iterdir()) if p.suffix.lower() in TEXT_SUFFIXES)
        else:
            files.append(path)
    return files


def load(
    packages: list[Path] = (),  # type: ignore[assignment]
    lab_results: list[Path] = (),  # type: ignore[assignment]
    detected: list[Path] = (),  # type: ignore[assignment]
) -> Tables:
    """Read every file; a file that cannot be read at all becomes a sentence in `unreadable`."""
    given: list[tuple[Path, Kind | None]] = [(p, Kind.PACKAGES) for p in expand(list(packages))]
    given += [(path, Kind.LAB_RESULTS) for path in expand(list(lab_results))]
    given += [(path, None) for path in expand(list(detected))]
    tables = Tables(packages=_empty(Kind.PACKAGES), lab_results=None)
    frames: list[_FileFrame] = []
    for path, expected in given:
        try:
            frames.append(_read_file(path, expected, tables))
        except InputError as error:
            tables.unreadable.append(str(error))
    package_frames = [f for f in frames if f.kind is Kind.PACKAGES]
    lab_frames = [f for f in frames if f.kind is Kind.LAB_RESULTS]
    if package_frames:
        tables.packages = _merge_packages(package_frames, tables)
    if lab_frames:
        merged = pd.concat([f.frame for f in lab_frames], ignore_index=True)
        tables.lab_results = convert(merged.fillna(""), Kind.LAB_RESULTS)
    return tables


def _read_file(path: Path, expected: Kind | None, tables: Tables) -> _FileFrame:
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise InputError(f"{path} does not exist; check the path.") from error
    except IsADirectoryError as error:
        raise InputError(f"{path} is a folder with no CSV files in it.") from error
    except OSError as error:
        raise InputError(f"{path} cannot be read: {error.strerror}.") from error
    if not data.strip():
        raise InputError(f"{path} is empty; export it from Metrc again.")
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            f"{path} is an Excel workbook; open it in Excel and save it as CSV, then pass the CSV."
        )
    table = read_text_table(path, data)
    detection = detect(path, table.header, expected)
    if table.rows.empty:
        raise InputError(f"{path} has column titles but no rows; export it with data in it.")
    frame = table.rows[list(detection.columns)].rename(columns=detection.columns)
    frame[FILE] = str(path)
    frame[LINE] = table.lines
    tables.inputs.append(
        InputFile(
            path=str(path),
            kind=str(detection.kind),
            shape=detection.shape.name,
            sha256=hashlib.sha256(data).hexdigest(),
            rows=len(frame),
            encoding=table.encoding,
            delimiter=table.delimiter,
        )
    )
    tables.findings.extend(bad_line_findings(str(path), table.bad_lines, len(table.header)))
    return _validate(frame, detection, tables)


def _validate(frame: pd.DataFrame, detection: Detection, tables: Tables) -> _FileFrame:
    kind = detection.kind
    failed = failures(frame, kind)
    found, unusable_rows = failure_findings(frame, failed, detection)
    tables.findings.extend(found)
    missing = set(failed.loc[failed["check"] == "missing", "field"])
    if kind is Kind.PACKAGES:
        tables.missing_fields |= missing
    kept = frame.drop(index=unusable_rows)
    return _FileFrame(str(frame[FILE].iloc[0]), kind, kept, set(detection.columns.values()))


def _merge_packages(frames: list[_FileFrame], tables: Tables) -> pd.DataFrame:
    """One row per tag: identical duplicates merge, conflicting ones keep the last file's row."""
    text = pd.concat([f.frame for f in frames], ignore_index=True)
    packages = convert(text.fillna(""), Kind.PACKAGES)
    present = {
        name: packages[FILE].isin([f.path for f in frames if name in f.present])
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
    typed[LINE] = text[LINE].astype(np.int64)
    return pd.DataFrame(typed, index=text.index)


def _empty(kind: Kind) -> pd.DataFrame:
    columns = {name: pd.Series(dtype="str") for name in FIELDS[kind]}
    empty = pd.DataFrame({**columns, FILE: pd.Series(dtype="str"), LINE: pd.Series(dtype="int64")})
    return convert(empty, kind)
