"""Text from exports shown as text.

An export value or a file name can hold characters a reader never sees: a terminal escape
(ESC starts a sequence that recolours, moves or retitles the terminal), a bidi override
(U+202E shows `gpj.csv` as `vsc.jpg`), a zero-width space that makes two equal-looking tags
differ. Everything shown to people (terminal, HTML, CSV, Markdown) marks each one as
`[U+202E]`; JSON keeps the text exact, for machines.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

# Characters that reorder text or take no width: bidi embeddings, overrides, isolates and
# marks; zero-width spaces and joiners; the word joiner and invisible operators; the soft
# hyphen; the byte-order mark; line and paragraph separators.
_INVISIBLE = [
    0x00AD,
    0x061C,
    0x180E,
    *range(0x200B, 0x2010),
    *range(0x2028, 0x202F),
    *range(0x2060, 0x2065),
    *range(0x2066, 0x206A),
    0xFEFF,
]
# C0 controls other than tab and line feed, DEL, and the C1 controls (0x9B is a one-byte
# escape-sequence introducer on some terminals).
_CONTROL = [*(c for c in range(0x20) if c not in (0x09, 0x0A)), 0x7F, *range(0x80, 0xA0)]
_MARKS = {code: f"[U+{code:04X}]" for code in (*_INVISIBLE, *_CONTROL)}
_ONE_LINE = {**_MARKS, 0x09: "[U+0009]", 0x0A: "[U+000A]"}
# No character marked is one Python counts as printable (`str.isprintable`; a test holds it
# so), so text that is all printable, as nearly all is, has nothing to mark. Looking costs a
# seventh of `translate`, which looks each character up: 0.8 s of the 2.3 s a CSV report of
# 40,000 findings took.


def printable(text: str) -> str:
    """`text` with every control, bidi and zero-width character shown as `[U+XXXX]`; tabs
    and line breaks stay as they are."""
    return text if text.isprintable() else text.translate(_MARKS)


def one_line(text: str) -> str:
    """`printable`, and tabs and line breaks marked too: a sentence about a file stays one
    line, so a file name cannot start a line of its own."""
    return text if text.isprintable() else text.translate(_ONE_LINE)


def printable_data(data: Any) -> Any:
    """Lists and dicts with every string in them `printable` (dict keys as they are). Nearly
    always no string holds a mark: then the data is given back as it is, without visiting
    its every string (an HTML report's 40,000 findings: 1.9 million calls, 0.8 s)."""
    return data if _nothing_to_mark(data) else _marked(data)


def _marked(data: Any) -> Any:
    if isinstance(data, str):
        return printable(data)
    if isinstance(data, list):
        return [_marked(item) for item in data]
    if isinstance(data, dict):
        return {key: _marked(value) for key, value in data.items()}
    return data


# As JSON, a marked character is written as itself (and none is printable to Python) or, for
# the controls JSON escapes, as an escape other than \t and \n.
_ESCAPED_MARK = re.compile(r"\\(?:u00[01]|[bfr])")


def _nothing_to_mark(data: Any) -> bool:
    """Whether no string in `data` holds a character `printable` marks: its JSON (orjson, in
    C) looked at whole. Data orjson cannot write is looked at string by string."""
    try:
        text = orjson.dumps(data).decode("utf-8")
    except orjson.JSONEncodeError:
        return False
    return text.isprintable() and _ESCAPED_MARK.search(text) is None
