"""Text from an export -> typed values, whole columns at a time.

Each parser returns the converted column and a mask of the cells that could not be read, so
that validation (schemas.py) and conversion share one definition of "valid".
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from batchaudit.support.lazy import lazy

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
# Python's whitespace (str.isspace, what `\s` and str.strip() mean) spelled for Arrow's RE2,
# whose own `\s` is ASCII only; tests check the two agree on every character.
SPACE = (
    r"[\t-\r\x1c-\x20\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
    r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
)
_LIST_GAP = SPACE[:-1] + ",]"
# Tags separated by commas, perhaps with a trailing ", ".
TAG_LIST_PATTERN = rf"^{_LIST_GAP}*(?:{TAG_PATTERN}(?:{SPACE}*,{_LIST_GAP}*|{SPACE}*$))*$"
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


TEXT = "str"  # pandas' text type, which keeps its text in Arrow (large_string)

Parser = Callable[..., "tuple[pd.Series, pd.Series]"]


def arrow_text(text: pd.Series) -> pa.ChunkedArray:
    """The Arrow column behind a text Series (shared, not copied, when it is Arrow-backed;
    a column of codes is written out as text)."""
    if isinstance(text.dtype, pd.CategoricalDtype):
        text = text.astype("str")
    cells = pa.array(text.array, type=pa.large_string(), from_pandas=True)
    return cells if isinstance(cells, pa.ChunkedArray) else pa.chunked_array([cells])


def repeated(distinct: int, cells: int) -> bool:
    """Whether a column whose `cells` hold `distinct` texts is held as codes: only where its
    texts repeat. A column of texts that are nearly all different (a result level, an id of
    one row each) costs more as codes than as text: a code besides each text, and pandas
    checking a million categories for repeats (8 s for ten such columns of 1.5 million)."""
    return distinct <= cells // 2


def as_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """Each column of text as codes of its distinct texts (categories; text_columns.Reading),
    where its texts repeat; Arrow encodes each column in one pass."""
    columns = {}
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            continue
        encoded = pc.dictionary_encode(arrow_text(column)).combine_chunks()
        if repeated(len(encoded.dictionary), len(column)):
            cells = categories_of(pa.chunked_array([encoded]))
            columns[name] = pd.Series(cells, index=frame.index, copy=False)
    return frame.assign(**columns) if columns else frame


def categories_of(coded: pa.ChunkedArray) -> pd.Categorical:
    """A column of codes in Arrow (dictionary-encoded, in pieces each with its own texts,
    as a file is parsed block by block) as pandas categories of text: Arrow unifies the
    pieces' texts and each code is taken as it is (a missing cell, -1). Arrow's own
    `to_pandas` made a 1.45 GB lab file's codes categories in 0.9-1.3 s alone and 1.5-2.0 s
    in an audit (beside the validation of the packages); this took 0.5-0.8 s and 0.7-1.1 s."""
    unified = coded.unify_dictionaries()
    if not unified.num_chunks:
        return pd.Categorical.from_codes([], categories=pd.Index([], dtype=TEXT))
    pieces = [np.asarray(chunk.indices.fill_null(-1)) for chunk in unified.chunks]
    texts = pd.Index(unified.chunk(0).dictionary, dtype=TEXT)
    return pd.Categorical.from_codes(np.concatenate(pieces), categories=texts, validate=False)


def joined_rows(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames' rows, one after another (a new index). A column of codes stays codes, its
    distinct texts those of every frame, when each frame has it as codes; else it is text:
    pandas would join codes of different texts as Python objects, one a cell."""
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    coded_columns = {
        column
        for frame in frames
        for column, dtype in frame.dtypes.items()
        if isinstance(dtype, pd.CategoricalDtype)
    }
    if not coded_columns:
        return pd.concat(frames, ignore_index=True)
    frames = [frame.copy(deep=False) for frame in frames]  # columns replaced, not changed
    for column in coded_columns:
        kinds = [isinstance(frame[column].dtype, pd.CategoricalDtype) for frame in frames]
        if all(kinds):
            every = frames[0][column].cat.categories
            every = every.append([frame[column].cat.categories for frame in frames[1:]])
            for frame in frames:
                frame[column] = frame[column].cat.set_categories(every.unique())
        elif any(kinds):
            for frame, is_codes in zip(frames, kinds, strict=True):
                if is_codes:
                    frame[column] = frame[column].astype("str")
    return pd.concat(frames, ignore_index=True)


def coded(text: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """A column read as codes: (each cell's code, the distinct texts), a missing cell coded
    as a blank. None for a column of text."""
    if not isinstance(text.dtype, pd.CategoricalDtype):
        return None
    codes = text.cat.codes.to_numpy()
    texts = pd.Series(text.cat.categories, dtype="str")
    if (codes < 0).any():
        codes = np.where(codes < 0, len(texts), codes)
        texts = pd.concat([texts, pd.Series([""], dtype="str")], ignore_index=True)
    return codes, texts


def recoded(column: pd.Series, codes: np.ndarray, texts: pd.Series) -> pd.Series:
    """A column of codes (`coded`: `codes` into its texts) with its texts made `texts`, which
    may hold a text twice (two spellings stripped alike): as categories, each text once.
    Where `texts` are its own texts unchanged (nearly always), the column as it is."""
    categories = column.cat.categories
    if len(texts) == len(categories) and (texts.to_numpy() == categories.to_numpy()).all():
        return pd.Series(column.array, index=column.index, copy=False)
    distinct_codes, distinct = pd.factorize(texts)
    cells = pd.Categorical.from_codes(
        distinct_codes[codes], categories=pd.Index(distinct, dtype="str")
    )
    return pd.Series(cells, index=column.index, copy=False)


def blank_texts(index: pd.Index) -> pd.Series:
    """A text column of empty cells (a field an export does not have), made by Arrow: from a
    Python list, 6 million blanks take a quarter of a second."""
    blanks = pa.repeat(pa.scalar("", type=pa.large_string()), len(index))
    return pd.Series(pd.array(blanks, dtype=TEXT), index=index, copy=False)


def distinct_texts(text: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(each cell's position among the distinct texts, the distinct texts), blanks for
    missing cells. Arrow encodes the column in one pass without copying its text: a flag
    or a date column of 6 million lab rows has a handful or a few thousand distinct values.
    A column read as codes has them already."""
    if (codes_and_texts := coded(text)) is not None:
        return codes_and_texts
    encoded = pc.dictionary_encode(pc.fill_null(arrow_text(text), ""))
    chunks = encoded.chunks  # every chunk carries the whole dictionary
    if not chunks:
        return np.zeros(0, dtype=np.int32), pd.Series([], dtype="str")
    codes = np.concatenate([chunk.indices.to_numpy() for chunk in chunks])
    return codes, pd.Series(chunks[0].dictionary, dtype="str")


def by_unique_value(parser: Parser) -> Parser:
    """Parse each distinct text once: flags, states and dates repeat over thousands of rows."""

    @functools.wraps(parser)
    def parse(text: pd.Series, *args: Any, **kwargs: Any) -> tuple[pd.Series, pd.Series]:
        codes, uniques = distinct_texts(text)
        values, invalid = parser(uniques, *args, **kwargs)
        spread = _spread(text, codes, values)
        return spread, pd.Series(invalid.to_numpy()[codes], index=text.index, copy=False)

    return parse


def _spread(text: pd.Series, codes: np.ndarray, values: pd.Series) -> pd.Series:
    """The values of a column's distinct texts (`codes` into them), one a cell: text read as
    codes stays codes; else taken from the arrays, not the Series (a Series would take its
    index along)."""
    if isinstance(text.dtype, pd.CategoricalDtype) and isinstance(values.dtype, pd.StringDtype):
        return recoded(text, codes, values)
    return pd.Series(values.array.take(codes), index=text.index, copy=False)


def stripped(text: pd.Series) -> pd.Series:
    """`text.str.strip()`, without the copy when no cell's first or last byte is one that
    whitespace is made of: an ID column of 6 million lab rows is not held twice. A column
    of codes has its distinct texts stripped."""
    if (codes_and_texts := coded(text)) is not None:
        codes, texts = codes_and_texts
        return recoded(text, codes, texts.str.strip())
    if _edges_may_be_space(arrow_text(text)):
        return text.str.strip()
    return pd.Series(text.array, index=text.index, copy=False)


@functools.cache
def _space_bytes() -> np.ndarray:
    """Bytes that may begin or end whitespace: ASCII's, and any of a longer UTF-8 character."""
    edge = np.zeros(256, dtype=bool)  # tab to carriage return, 0x1C-0x1F, space; 0x80 and up
    edge[[*range(0x09, 0x0E), *range(0x1C, 0x21), *range(0x80, 0x100)]] = True
    return edge


def _edges_may_be_space(cells: pa.ChunkedArray) -> bool:
    """Whether a cell's first or last byte is in `_space_bytes`, or a cell is missing: read
    in the Arrow buffers, a byte per end of a cell."""
    space = _space_bytes()
    for chunk in cells.chunks:
        if chunk.null_count or not pa.types.is_large_string(chunk.type):
            return True
        _, offsets, data = chunk.buffers()
        if data is None:  # every cell empty
            continue
        ends = np.frombuffer(offsets, dtype=np.int64, count=len(chunk) + 1, offset=chunk.offset * 8)
        filled = ends[1:] > ends[:-1]
        text = np.frombuffer(data, dtype=np.uint8)
        if space[text[ends[:-1][filled]]].any() or space[text[ends[1:][filled] - 1]].any():
            return True
    return False


def filled(text: pd.Series) -> np.ndarray:
    """Cells with more than whitespace in them (a missing cell counts as filled: it is
    reported as missing). Looked at in place by Arrow; nothing is stripped or copied. A
    column of codes: each distinct text looked at once."""
    if isinstance(text.dtype, pd.CategoricalDtype):
        codes = text.cat.codes.to_numpy()
        distinct = filled(pd.Series(text.cat.categories, dtype="str"))
        return np.where(codes >= 0, distinct[codes.clip(min=0)], True)
    cells = arrow_text(text)
    blank = pc.or_(pc.equal(pc.binary_length(cells), 0), pc.utf8_is_space(cells))
    return ~np.asarray(blank.fill_null(False))


def parse_tag(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Tags, stripped. When every cell is a tag as written (nearly always) the column is kept
    as read; otherwise each distinct text is stripped and matched once, since a lab-results
    file names the tested package on every row of its results."""
    if not isinstance(text.dtype, pd.CategoricalDtype) and _all_tags_as_written(arrow_text(text)):
        as_read = pd.Series(text.array, index=text.index, copy=False)
        return as_read, pd.Series(np.zeros(len(text), dtype=bool), index=text.index)
    codes, distinct_tags = distinct_texts(text)
    stripped = distinct_tags.str.strip()
    unreadable = ~stripped.str.fullmatch(TAG_PATTERN).to_numpy()
    tags = _spread(text, codes, stripped)
    return tags, pd.Series(unreadable[codes], index=text.index, copy=False)


def _all_tags_as_written(cells: pa.ChunkedArray) -> bool:
    """Whether every cell is exactly 24 ASCII capitals and digits (TAG_PATTERN), told by
    byte-wise kernels: a regular expression costs three times as much per cell."""
    if cells.null_count:
        return False
    shaped = pc.and_(pc.equal(pc.binary_length(cells), 24), pc.ascii_is_alnum(cells))
    if not pc.all(shaped).as_py():
        return False
    return bool(pc.all(pc.equal(pc.ascii_upper(cells), cells)).as_py())


def parse_tag_list(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Tags separated by commas, perhaps with a trailing ", ": the cell is kept as written.
    Matched by Arrow, whole: Python's `re` would be called once per cell."""
    listed = pc.match_substring_regex(arrow_text(text), TAG_LIST_PATTERN).fill_null(False)
    return text, pd.Series(~np.asarray(listed), index=text.index, copy=False)


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
