"""Text from an export -> typed values, whole columns at a time.

Each parser returns the converted column and a mask of the cells that could not be read, so
that validation (schemas.py) and conversion share one definition of "valid".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from batchaudit.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]
else:
    np = lazy("numpy")
    pd = lazy("pandas")
    pa = lazy("pyarrow")
    pc = lazy("pyarrow.compute")


TAG_PATTERN = r"[A-Z0-9]{24}"
_TAG_LIST = re.compile(rf"[\s,]*(?:{TAG_PATTERN}(?:\s*,[\s,]*|\s*$))*")
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
_NOT_ALNUM = r"[^0-9a-z]+"

TRUE_SPELLINGS = ("true", "yes", "y", "1")
FALSE_SPELLINGS = ("false", "no", "n", "0")
_BOOLEANS = {**dict.fromkeys(TRUE_SPELLINGS, True), **dict.fromkeys(FALSE_SPELLINGS, False)}

TESTING_STATES = (
    "NotSubmitted",
    "SubmittedForTesting",
    "TestFailed",
    "TestPassed",
    "TestingInProgress",
    "AwaitingConfirmation",
    "RetestFailed",
    "RetestPassed",
    "Remediated",
    "SelectedForRandomTesting",
    "NotRequired",
    "ProcessValidated",
    "Decontaminated",
    "RandDCompleted",
)
_STATE_KEYS = {state.casefold(): state for state in TESTING_STATES}

_DATE_FORMATS = (
    "ISO8601",
    "%m/%d/%Y",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
)


Parser = Callable[..., "tuple[pd.Series, pd.Series]"]


def by_unique_value(parser: Parser) -> Parser:
    """Parse each distinct text once: flags, states and dates repeat over thousands of rows."""

    @functools.wraps(parser)
    def parse(text: pd.Series, *args: Any, **kwargs: Any) -> tuple[pd.Series, pd.Series]:
        codes, uniques = pd.factorize(text.fillna(""))
        values, invalid = parser(pd.Series(uniques, dtype="str"), *args, **kwargs)
        values = values.take(codes).set_axis(text.index)
        return values, pd.Series(invalid.to_numpy()[codes], index=text.index)

    return parse


def _blank(text: pd.Series) -> pd.Series:
    return text.str.strip() == ""


def parse_tag(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each distinct tag is matched once: a lab-results file names the tested package on
    every row of its results (the tags themselves are only stripped, not copied again)."""
    tags = text.fillna("").str.strip()
    codes, distinct_tags = pd.factorize(tags)
    unreadable = ~pd.Series(distinct_tags, dtype="str").str.fullmatch(TAG_PATTERN).to_numpy()
    return tags, pd.Series(unreadable[codes], index=text.index)


def parse_tag_list(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Tags separated by commas, perhaps with a trailing ", ": the cell is kept as written."""
    return text, ~text.str.fullmatch(_TAG_LIST)


def split_tag_list(text: pd.Series) -> pd.Series:
    """One row per listed tag, indexed like `text`; empties dropped. Split by Arrow, whole:
    a state's export lists millions of sources."""
    cells = pa.array(text.astype("str"), type=pa.large_string(), from_pandas=True)
    lists = pc.split_pattern(cells, ",")
    tags = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    listed = np.asarray(pc.list_parent_indices(lists))
    kept = np.asarray(pc.not_equal(tags, "").fill_null(False))
    values = pd.array(tags.filter(pa.array(kept)), dtype=pd.StringDtype("pyarrow", np.nan))
    return pd.Series(values, index=text.index.take(listed[kept]), dtype="str")


@by_unique_value
def parse_boolean(text: pd.Series, blank: bool | None = False) -> tuple[pd.Series, pd.Series]:
    """Yes/No, True/False, Y/N, 1/0 in any case. Blank is `blank` (False for flags)."""
    key = text.str.strip().str.casefold()
    values = key.map(_BOOLEANS)
    empty = key == ""
    invalid = values.isna() & ~empty
    fill: bool | None = pd.NA if blank is None else blank  # type: ignore[assignment]
    return values.astype("boolean").mask(empty | invalid, fill), invalid


_ZERO_DATE = "0001-01-01"


@by_unique_value
def parse_date(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO dates and date-times (the offset is dropped, keeping the wall time) and US forms.
    The .NET zero date (0001-01-01, which Metrc's API sends for "no date") is blank."""
    cleaned = text.str.strip().str.replace(_OFFSET, "", regex=True)
    cleaned = cleaned.where(~cleaned.str.startswith(_ZERO_DATE), "")
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for date_format in _DATE_FORMATS:
        todo = parsed.isna() & (cleaned != "")
        if not todo.any():
            break
        attempt = pd.to_datetime(cleaned[todo], format=date_format, errors="coerce")
        parsed[todo] = attempt.astype("datetime64[us]")
    return parsed, parsed.isna() & (cleaned != "")


@by_unique_value
def parse_number(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers, with or without thousands separators ("3,465.22"). Only finite ones: `inf`,
    `Infinity`, `1e309` (too large for a float) and `NaN` cannot be read, so are blank."""
    cleaned = text.str.strip().str.replace(",", "", regex=False)
    numbers = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce").astype("float64")
    finite = numbers.where(np.isfinite(numbers))
    return finite, finite.isna() & (cleaned != "")


@by_unique_value
def parse_testing_state(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Oregon's testing states in any spacing or case ("Test Passed" -> "TestPassed").

    An unknown state is kept as written and flagged."""
    key = text.str.casefold().str.replace(_NOT_ALNUM, "", regex=True)
    states = key.map(_STATE_KEYS)
    invalid = states.isna() & (key != "")
    return states.fillna(text.str.strip()).astype("str"), invalid
