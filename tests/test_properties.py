"""Property tests: the value spellings of the spec, and random damage to a file."""

from __future__ import annotations

import datetime
import re
import string
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batchaudit.cli import cli
from batchaudit.model import values
from batchaudit.rules.fingerprints import deciding_facts, fingerprint, fingerprints

TAGS = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=24, max_size=24)


def parse_one(parser: values.Parser, text: str) -> tuple[object, bool]:
    parsed, invalid = parser(pd.Series([text], dtype="str"))
    return parsed.iloc[0], bool(invalid.iloc[0])


@given(TAGS)
def test_every_24_character_tag_is_valid(tag: str) -> None:
    assert parse_one(values.parse_tag, f" {tag} ") == (tag, False)


@given(
    st.text(max_size=30).filter(
        lambda t: (
            not (
                len(t.strip()) == 24
                and t.strip().isalnum()
                and t.strip() == t.strip().upper()
                and t.strip().isascii()
            )
        )
    )
)
def test_anything_else_is_not_a_tag(text: str) -> None:
    assert parse_one(values.parse_tag, text)[1]


def test_arrows_whitespace_class_is_pythons() -> None:
    """Source lists are matched by Arrow's RE2, whose `\\s` is ASCII only."""
    characters = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
    cells = pa.array(characters, type=pa.large_string())
    spaces = pc.match_substring_regex(cells, f"^{values.SPACE}$").to_pylist()
    assert spaces == [character.isspace() for character in characters]


# The source-list pattern as written for Python's `re`, which the Arrow one must equal.
PYTHON_TAG_LIST = re.compile(rf"[\s,]*(?:{values.TAG_PATTERN}(?:\s*,[\s,]*|\s*$))*")
LIST_PIECES = st.sampled_from(
    [
        "1A4FF0300000029000000001",
        "1A4FF03000000290000000",
        ",",
        ", ",
        " ",
        "\n",
        "\xa0",
        "\u3000",
        "\x0b",
        "\x1c",
        "\u200b",
        "a",
        "1A4FF0300000029000000001x",
        ";",
        "\r\n",
    ]
)


@settings(max_examples=300)
@given(st.lists(LIST_PIECES, max_size=8).map("".join))
def test_source_lists_read_as_python_reads_them(text: str) -> None:
    listed = PYTHON_TAG_LIST.fullmatch(text) is not None
    assert parse_one(values.parse_tag_list, text) == (text, not listed)


@given(st.lists(st.text(alphabet=" \t\n\xa0\u3000\u2028x,", max_size=4), max_size=6))
def test_filled_cells_are_what_strip_leaves_something_of(cells: list[str]) -> None:
    text = pd.Series([*cells, None], dtype="str")
    assert values.filled(text).tolist() == [cell.strip() != "" for cell in cells] + [True]


@settings(max_examples=300)
@given(
    st.lists(
        st.lists(st.text(alphabet=" \t\x1c\x85\xa0\u2000\u3000é€xY0-", max_size=5), max_size=5),
        max_size=4,
    ),
    st.integers(min_value=0, max_value=2),
)
def test_stripped_columns_are_what_strip_makes_of_them(chunks: list[list[str]], cut: int) -> None:
    """The look at each cell's first and last byte (values.stripped) never skips a cell
    Python's strip would change: Unicode spaces, accented letters at the ends, Arrow chunks
    that are slices of a longer array."""
    arrays = [pa.array(["pad"] * cut + chunk, pa.large_string())[cut:] for chunk in chunks]
    cells = pa.chunked_array(arrays, type=pa.large_string())
    text = pd.Series(pd.arrays.ArrowStringArray(cells))
    assert values.stripped(text).tolist() == [cell.strip() for chunk in chunks for cell in chunk]


def test_a_column_with_missing_cells_is_stripped_as_pandas_strips_it() -> None:
    text = pd.Series([" a ", None, "b"], dtype="str")
    pd.testing.assert_series_equal(values.stripped(text), text.str.strip())


def test_distinct_texts_across_arrow_chunks_and_missing_cells() -> None:
    chunks = [["b", "a"], [], [None, "c", "a"], ["b"]]
    cells = pa.chunked_array([pa.array(chunk, pa.large_string()) for chunk in chunks])
    text = pd.Series(pd.arrays.ArrowStringArray(cells))
    codes, distinct = values.distinct_texts(text)
    assert distinct.tolist() == ["b", "a", "", "c"]
    assert [distinct[code] for code in codes] == ["b", "a", "", "c", "a", "b"]


def case_variants(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda upper: "".join(
            c.upper() if u else c.lower() for c, u in zip(word, upper, strict=True)
        )
    )


@given(
    st.sampled_from(values.TRUE_SPELLINGS + values.FALSE_SPELLINGS).flatmap(case_variants),
    st.sampled_from(["", " ", "  "]),
)
def test_boolean_spellings_in_any_case(spelling: str, pad: str) -> None:
    parsed, invalid = parse_one(values.parse_boolean, pad + spelling + pad)
    assert not invalid
    assert parsed == (spelling.lower() in values.TRUE_SPELLINGS)


@given(
    st.text(max_size=8).filter(
        lambda t: t.strip().lower() not in (*values.TRUE_SPELLINGS, *values.FALSE_SPELLINGS, "")
    )
)
def test_other_flag_text_is_invalid(text: str) -> None:
    assert parse_one(values.parse_boolean, text)[1]


DATE_FORMATS = [
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S+00:00",
    "%Y-%m-%dT%H:%M:%S-07:00",
    "%m/%d/%Y",
    "%m/%d/%Y %I:%M %p",
]


@given(
    st.datetimes(min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2100, 1, 1)),
    st.sampled_from(DATE_FORMATS),
)
def test_dates_in_every_accepted_format_keep_their_wall_time(
    moment: datetime.datetime, date_format: str
) -> None:
    text = moment.strftime(date_format)
    parsed, invalid = parse_one(values.parse_date, text)
    assert not invalid
    assert pd.Timestamp(parsed).to_pydatetime() == datetime.datetime.strptime(
        text[:19] if "T" in text else text, date_format[:17] if "T" in date_format else date_format
    )


@given(
    st.decimals(
        min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False
    )
)
def test_numbers_with_thousands_separators(number: object) -> None:
    text = f"{number:,.2f}"
    parsed, invalid = parse_one(values.parse_number, text)
    assert not invalid
    assert round(float(parsed), 2) == round(float(str(number)), 2)


@given(st.sampled_from(values.TESTING_STATES), st.data())
def test_testing_states_in_any_spacing_and_case(state: str, data: st.DataObject) -> None:
    spaced = "".join(c if not c.isupper() or i == 0 else " " + c for i, c in enumerate(state))
    written = data.draw(case_variants(data.draw(st.sampled_from([state, spaced]))))
    assert parse_one(values.parse_testing_state, written) == (state, False)


GOOD_FILE = (
    b"Tag,Item,Category,Source Package(s),Production Batch,Lab Testing,Packaged Date,Quantity\n"
    b'1A4030000CC7D20000000001,Buds,Buds,,No,TestPassed,01/05/2026,"1,000.00"\n'
    b'1A4030000CC7D20000000002,Buds,Buds,"1A4030000CC7D20000000001, ",Yes,NotSubmitted,2026-01-06,100\n'
    b'1A4030000CC7D20000000003,"Pre, Roll",Non-Infused (Plain) Pre-Roll,1A4030000CC7D20000000001,No,Test Passed,,5\n'
)


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(GOOD_FILE)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        byte = draw(
            st.sampled_from([b'"', b",", b"\n", b"\r", b"\x00", b"\xff", b";", b"\t", b"x"])
        )
        if action == "replace" and data:
            data[position : position + 1] = byte
        elif action == "insert":
            data[position:position] = byte
        elif action == "delete" and data:
            del data[position]
        elif action == "truncate":
            del data[position:]
    return bytes(data)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(damaged())
def test_a_damaged_file_never_gives_a_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "damaged.csv"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["audit", str(path), "-f", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:
        assert str(path) in result.stderr
    assert "Traceback" not in result.stderr


EVIDENCE_VALUES = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.integers(),
    st.lists(st.text(max_size=6), max_size=4),
    st.lists(st.fixed_dictionaries({"tag": st.text(max_size=6)}), max_size=3),
)


@given(
    st.sampled_from(["PB001", "LT002", "DQ002"]),
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.text(max_size=24)),
            st.dictionaries(st.sampled_from(["a", "b", "sources", "types"]), EVIDENCE_VALUES),
        ),
        max_size=4,
    ),
    st.lists(st.sampled_from(["a", "b", "sources", "types", "absent"]), max_size=3),
)
def test_a_rules_fingerprints_in_one_pass_are_the_fingerprints(
    rule: str, findings: list[tuple[str | None, dict[str, object]]], keys: list[str]
) -> None:
    """The fingerprints a rule makes of all its findings at once are the fingerprints
    baselines match by, each finding's own."""
    expected = [
        fingerprint(rule, tag, deciding_facts(evidence, keys)) for tag, evidence in findings
    ]
    tags = [tag for tag, _ in findings]
    assert fingerprints(rule, tuple(keys), tags, [evidence for _, evidence in findings]) == expected
