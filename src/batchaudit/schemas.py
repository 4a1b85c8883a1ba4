"""pandera schemas of the canonical tables, as read (text) from one export file.

Validation is lazy: every failing cell is collected, then becomes a DQ001 (missing column) or
DQ002 (unreadable value) finding naming file, line and column. The checks call the same
parsers as conversion, so "valid" has one definition.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pandera.pandas as pa

from batchaudit import values
from batchaudit.fields import (
    FIELDS,
    LAB_RESULT_KEY_FIELDS,
    LAB_RESULT_RULE_FIELDS,
    PACKAGE_KEY_FIELDS,
    PACKAGE_RULE_FIELDS,
    FieldType,
    Kind,
)
from batchaudit.values import Parser

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
}
# Cells that must not be blank: a row without them cannot be audited and is left out.
NOT_BLANK: dict[Kind, tuple[str, ...]] = {
    Kind.PACKAGES: ("tag",),
    Kind.LAB_RESULTS: ("test_type",),
}
# Cells that should not be blank; the row is kept, and rules that need the value skip it.
SHOULD_NOT_BE_BLANK: dict[Kind, tuple[str, ...]] = {
    Kind.PACKAGES: ("category",),
    Kind.LAB_RESULTS: (),
}


def _readable(parser: Parser, blank_allowed: bool) -> Callable[[pd.Series], pd.Series]:
    def check(text: pd.Series) -> pd.Series:
        readable = ~parser(text)[1]
        return readable | (text.str.strip() == "") if blank_allowed else readable

    return check


def _not_blank(text: pd.Series) -> pd.Series:
    return text.str.strip() != ""


def schema_for(kind: Kind) -> pa.DataFrameSchema:
    columns = {}
    for field, field_type in FIELDS[kind].items():
        checks = []
        if field in NOT_BLANK[kind] or field in SHOULD_NOT_BE_BLANK[kind]:
            checks.append(pa.Check(_not_blank, name="required"))
        if field_type in PARSERS:
            blank_allowed = field not in NOT_BLANK[kind]
            check = _readable(PARSERS[field_type], blank_allowed)
            checks.append(pa.Check(check, name=str(field_type)))
        columns[field] = pa.Column(
            str, checks=checks, required=field in REQUIRED_FIELDS[kind], nullable=False
        )
    return pa.DataFrameSchema(columns, strict=False, name=str(kind))


SCHEMAS: dict[Kind, pa.DataFrameSchema] = {kind: schema_for(kind) for kind in Kind}


def failures(frame: pd.DataFrame, kind: Kind) -> pd.DataFrame:
    """Every failing cell or column of a file's canonical text frame.

    Columns: field (None for a table-level problem), check, value, row (index label or NA).
    """
    try:
        SCHEMAS[kind].validate(frame, lazy=True)
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
