"""Canonical text -> typed columns: each field converted by its parser (the one validation
used, so "valid" has one definition), side by side in threads; absent fields added blank."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from batchaudit.model.fields import FIELDS, FILE, LINE, SHAPE, SHEET, Kind
from batchaudit.model.schemas import Parsed, parser_for
from batchaudit.model.values import Parser, blank_texts, stripped
from batchaudit.support.side_by_side import side_by_side


def convert(text: pd.DataFrame, kind: Kind, parsed: Parsed | None = None) -> pd.DataFrame:
    """Canonical text -> typed columns; absent fields are added blank. Unreadable cells were
    reported by validation and become blank here; the columns validation already parsed
    (`parsed`) are taken as they are, the others are converted side by side in threads.
    Each field's text is taken out of `text` as it is converted, so that a large export is
    not held twice."""
    parsed = Parsed() if parsed is None else parsed
    fields = FIELDS[kind]
    for name in [name for name in fields if name in parsed and name in text]:
        del text[name]
    converted = side_by_side(
        (name, functools.partial(_converted, text.pop(name), parser_for(name, field_type)))
        for name, field_type in fields.items()
        if name in text and name not in parsed
    )
    typed = {}
    for name, field_type in fields.items():
        if name in parsed:
            typed[name] = parsed.pop(name)[0]
        elif name in converted:
            typed[name] = converted[name]
        else:  # a field this export does not have
            parser = parser_for(name, field_type)
            blank = blank_texts(text.index)
            typed[name] = blank if parser is None else parser(blank)[0]
    for origin in (FILE, SHEET, SHAPE):
        typed[origin] = text[origin].astype("category") if origin in text else _no_origin(text)
    typed[LINE] = text[LINE].astype(np.int64)
    # Not copied into blocks: the columns are new already.
    return pd.DataFrame(typed, index=text.index, copy=False)


def _converted(column: pd.Series, parser: Parser | None) -> pd.Series:
    """A field's text, stripped, or typed by its parser (text read as codes stays codes)."""
    text = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("str")
    return stripped(text) if parser is None else parser(text)[0]


def _no_origin(text: pd.DataFrame) -> pd.Series:
    """One blank category for every row (not a blank per row)."""
    codes = np.zeros(len(text), dtype=np.int8)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index([""])), index=text.index)


def empty_table(kind: Kind) -> pd.DataFrame:
    """A typed table of `kind` without rows (an audit whose packages could not be read)."""
    columns = {name: pd.Series(dtype="str") for name in FIELDS[kind]}
    location = {
        FILE: pd.Series(dtype="category"),
        SHEET: pd.Series(dtype="category"),
        SHAPE: pd.Series(dtype="category"),
        LINE: pd.Series(dtype="int64"),
    }
    return convert(pd.DataFrame({**columns, **location}), kind)
