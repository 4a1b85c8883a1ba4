"""Which kind of export a file is (packages or lab results) and which shape, from its header."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from batchaudit.ingest.errors import InputError
from batchaudit.ingest.job_shapes import JOB_SHAPES
from batchaudit.ingest.shapes import SHAPES, Shape, header_key
from batchaudit.model.fields import (
    LAB_RESULT_KEY_FIELDS,
    PACKAGE_KEY_FIELDS,
    PROCESSING_JOB_KEY_FIELDS,
    Kind,
)

_KEY_FIELDS = {
    Kind.PACKAGES: PACKAGE_KEY_FIELDS,
    Kind.LAB_RESULTS: LAB_RESULT_KEY_FIELDS,
    Kind.PROCESSING_JOBS: PROCESSING_JOB_KEY_FIELDS,
}


@dataclass(frozen=True)
class Detection:
    shape: Shape
    columns: dict[str, str]  # header as written -> field
    ignored: tuple[str, ...]  # headers that map to no field

    @property
    def kind(self) -> Kind:
        return self.shape.kind

    @property
    def fields(self) -> set[str]:
        return set(self.columns.values())

    def missing(self, fields: tuple[str, ...]) -> list[str]:
        return [field for field in fields if field not in self.fields]

    def title(self, field: str) -> str:
        """The header this file has (or, if missing, its shape would have) for a field."""
        for header, mapped in self.columns.items():
            if mapped == field:
                return header
        return self.shape.titles.get(field, (field,))[0]


def detect(path: Path, header: list[str], expected: Kind | None = None) -> Detection:
    """Pick the shape whose aliases cover most of the header and whose key fields are there.
    A header seen before is detected once: a folder of small exports shares a few headers."""
    known = (tuple(header), expected)
    detection = _DETECTED.get(known)
    if detection is None:
        detection = _detect(path, header, expected)
        if len(_DETECTED) < _MOST_REMEMBERED:
            _DETECTED[known] = detection
    return detection


# Detections by header (a Detection names no file: only a failure does, and is not kept).
_DETECTED: dict[tuple[tuple[str, ...], Kind | None], Detection] = {}
_MOST_REMEMBERED = 1024


def _detect(path: Path, header: list[str], expected: Kind | None) -> Detection:
    keys = [header_key(title) for title in header]
    candidates = []
    for rank, shape in enumerate((*SHAPES, *JOB_SHAPES)):
        if expected is not None and shape.kind is not expected:
            continue
        if not {header_key(title) for title in shape.requires} <= set(keys):
            continue
        aliases, own = {**shape.fallback_aliases(), **shape.aliases()}, shape.own_aliases()
        fields = {aliases[key] for key in keys if key in aliases}
        if all(field in fields for field in _KEY_FIELDS[shape.kind]):
            claimed = any(header_key(title) in keys for title in shape.claims)
            own_count = sum(key in own for key in keys)
            candidates.append((claimed, len(fields), own_count, -rank, shape))
    if not candidates:
        raise InputError(_not_recognised(path, header, expected))
    shape = max(candidates, key=lambda candidate: candidate[:4])[4]
    return _map_columns(path, header, shape)


def titles_read(path: Path, expected: Kind | None, header: list[str]) -> set[str] | None:
    """Every title the shape of an API export's fields reads, present or not, for Arrow to
    make columns of those only (api_page.py); None where the fields are not recognised."""
    try:
        shape = detect(path, header, expected).shape
    except InputError:
        return None
    if shape.kind is Kind.PROCESSING_JOBS:  # a job's inputs are an array: read it whole
        return None
    every = (shape.titles, shape.also, shape.fallbacks)
    return {title for titles in every for each in titles.values() for title in each}


def _map_columns(path: Path, header: list[str], shape: Shape) -> Detection:
    aliases, fallbacks = shape.aliases(), shape.fallback_aliases()
    columns: dict[str, str] = {}
    ignored: list[str] = []
    for title in header:
        field = aliases.get(header_key(title))
        if field is None:
            ignored.append(title)
            continue
        clash = next((other for other, mapped in columns.items() if mapped == field), None)
        if clash is not None:
            raise InputError(
                f"{path} has two columns that both mean {field!r}: {clash!r} and {title!r}; "
                "remove one of them and run again."
            )
        columns[title] = field
    for title in ignored.copy():
        field = fallbacks.get(header_key(title))
        if field is not None and field not in columns.values():
            columns[title] = field
            ignored.remove(title)
    return Detection(shape, columns, tuple(ignored))


def _not_recognised(path: Path, header: list[str], expected: Kind | None) -> str:
    shown = ", ".join(repr(title) for title in header[:6]) + (", ..." if len(header) > 6 else "")
    if expected is Kind.PACKAGES:
        looks_like_lab = any(header_key(t) in {"testtypename", "labtestresultid"} for t in header)
        if looks_like_lab:
            return f"{path} is a lab-results export, not a packages export; pass it with -l."
        return (
            f"{path} is not a packages export: its header ({shown}) has no 'Tag' or 'Label' "
            "column; export the Packages grid from Metrc and pass that file."
        )
    if expected is Kind.LAB_RESULTS:
        return (
            f"{path} is not a lab-results export: its header ({shown}) has no 'TestTypeName' "
            "column; pass the lab results pulled from Metrc's lab tests API."
        )
    return (
        f"{path} is neither a packages nor a lab-results export: its header ({shown}) has no "
        "'Tag'/'Label' or 'TestTypeName' column."
    )
