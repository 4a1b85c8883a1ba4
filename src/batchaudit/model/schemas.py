"""pandera schemas of the canonical tables, as read (text) from one export file.

Validation is lazy: every failing cell is collected, then becomes a DQ001 (missing column) or
DQ002 (unreadable value) finding naming file, line and column. The checks call the same
parsers as conversion, so "valid" has one definition.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from batchaudit.model import values
from batchaudit.model.fields import (
    FIELDS,
    LAB_RESULT_KEY_FIELDS,
    LAB_RESULT_RULE_FIELDS,
    PACKAGE_KEY_FIELDS,
    PACKAGE_RULE_FIELDS,
    PROCESSING_JOB_KEY_FIELDS,
    FieldType,
    Kind,
)
from batchaudit.model.values import Parser
from batchaudit.support.lazy import lazy
from batchaudit.support.side_by_side import side_by_side

if TYPE_CHECKING:
    import pandera.pandas as pa
else:
    # Imported when the first file is validated, or beside the reading (`import_beside`).
    pa = lazy("pandera.pandas")

PARSERS: dict[FieldType, Parser] = {
    FieldType.TAG: values.parse_tag,
    FieldType.TAG_LIST: values.parse_tag_list,
    FieldType.BOOLEAN: values.parse_boolean,
    FieldType.DATE: values.parse_date,
    FieldType.NUMBER: values.parse_number,
    FieldType.TESTING_STATE: values.parse_testing_state,
}

REQUIRED_FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.PACKAGES: PACKAGE_KEY_FIELDS + PACKAGE_RULE_FIELDS,
    Kind.LAB_RESULTS: LAB_RESULT_KEY_FIELDS + LAB_RESULT_RULE_FIELDS,
    Kind.PROCESSING_JOBS: PROCESSING_JOB_KEY_FIELDS,
}
# Lab-result booleans where blank means "not stated", not "no".
UNSTATED_WHEN_BLANK = frozenset({"test_passed", "overall_passed", "result_released"})
# Cells that must not be blank: a row without them cannot be audited and is left out.
NOT_BLANK: dict[Kind, tuple[str, ...]] = {
    Kind.PACKAGES: ("tag",),
    Kind.LAB_RESULTS: ("test_type",),
    Kind.PROCESSING_JOBS: (),
}
# Cells that should not be blank; the row is kept, and rules that need the value skip it.
SHOULD_NOT_BE_BLANK: dict[Kind, tuple[str, ...]] = {
    Kind.PACKAGES: ("category",),
    Kind.LAB_RESULTS: (),
    # A job without a name or number cannot be matched to its outputs.
    Kind.PROCESSING_JOBS: ("job_name",),
}


def parser_for(field: str, field_type: FieldType) -> Parser | None:
    """How a field's text becomes its typed column (None: it stays text, stripped)."""
    if field in UNSTATED_WHEN_BLANK:
        return functools.partial(values.parse_boolean, blank=None)
    return PARSERS.get(field_type)


class Parsed(dict[str, "tuple[pd.Series, pd.Series]"]):
    """Each field's typed column and its unreadable cells, by field. Validation parses every
    column before its checks run, side by side in threads; the checks read the unreadable
    cells and conversion takes the typed columns, so every cell is parsed once."""


def parsed_columns(frame: pd.DataFrame, kind: Kind) -> Parsed:
    """Every field of `frame` that has a parser, parsed: columns side by side, in threads."""
    jobs = (
        (field, functools.partial(parser, frame[field]))
        for field, field_type in FIELDS[kind].items()
        if field in frame and (parser := parser_for(field, field_type)) is not None
    )
    return Parsed(side_by_side(jobs))


def _readable(
    field: str, parser: Parser, blank_allowed: bool, parsed: Parsed
) -> Callable[[pd.Series], pd.Series]:
    def check(text: pd.Series) -> pd.Series:
        if field not in parsed:
            parsed[field] = parser(text)
        unreadable = parsed[field][1]
        readable = ~unreadable
        if blank_allowed and unreadable.any():  # blank is no value, not an unreadable one
            readable[unreadable] = text[unreadable].str.strip() == ""
        return readable

    return check


def _not_blank(text: pd.Series) -> pd.Series:
    return pd.Series(values.filled(text), index=text.index, copy=False)


def schema_for(kind: Kind, parsed: Parsed) -> pa.DataFrameSchema:
    """The schema of a kind's text frame; its checks leave their typed columns in `parsed`."""
    columns = {}
    for field, field_type in FIELDS[kind].items():
        checks = []
        if field in NOT_BLANK[kind] or field in SHOULD_NOT_BE_BLANK[kind]:
            checks.append(pa.Check(_not_blank, name="required"))
        parser = parser_for(field, field_type)
        if parser is not None:
            blank_allowed = field not in NOT_BLANK[kind]
            check = _readable(field, parser, blank_allowed, parsed)
            checks.append(pa.Check(check, name=str(field_type)))
        # No dtype to check: every column is text by construction (raw.as_text), and
        # pandera's dtype check cost an eighth of validation for nothing.
        columns[field] = pa.Column(
            None, checks=checks, required=field in REQUIRED_FIELDS[kind], nullable=False
        )
    return pa.DataFrameSchema(columns, strict=False, name=str(kind))


def failures(frame: pd.DataFrame, kind: Kind, parsed: Parsed | None = None) -> pd.DataFrame:
    """Every failing cell or column of a file's canonical text frame; the typed columns the
    checks parsed are left in `parsed`.

    Columns: field (None for a table-level problem), check, value, row (index label or NA).
    """
    try:
        parsed = Parsed() if parsed is None else parsed
        parsed.update(parsed_columns(frame, kind))
        # In place: nothing is coerced, so the copy pandera would make is never needed.
        schema = schema_for(kind, parsed)
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        missing = cases["check"] == "column_in_dataframe"
        return pd.DataFrame(
            {
                "field": cases["column"].where(~missing, cases["failure_case"]),
                "check": cases["check"].where(~missing, "missing"),
                "value": cases["failure_case"].where(~missing, None),
                "row": cases["index"],
            }
        ).reset_index(drop=True)
    return pd.DataFrame(columns=["field", "check", "value", "row"])
