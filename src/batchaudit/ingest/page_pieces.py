"""A large v2 page parsed by Arrow in pieces, side by side.

Arrow parses one JSON document on one thread: Metrc's indented page of 1,000,000 packages
(1.75 GB) took 7.2 s, while the other processor, done with the lab results, waited for it.
A page is a list of records, so it is cut between records into pieces of about 32 MB,
parsed `workers()` at a time; the records are kept in order, a chunk a piece (made one
array, they took 0.8 s more). The last piece holds the end of the page: it is framed as a
page (`{"Data":[` before it), and the paging fields are taken from it. Every other piece
holds records only, from its first record on, framed as a list in a list (`{"Data":[[`
before, `]]}` after). Alone, the same page took 4.4 s on two processors.

A cut is made at a comma followed by the whitespace that comes before the first record and
`{`. Where that comma is not between two records of the page's list, the piece before it
cannot be parsed: in a string, the string is left open; between objects nested in a record,
a bracket is; past the end of the list (an array of objects in another field after `Data`),
that piece closes the inner list and goes on with a field name where the outer list takes
only values. So a page any piece of which Arrow refuses, or types otherwise than the others,
is parsed whole instead, and the answer is Arrow's own for the whole page.

Each thread frames its pieces in one buffer it keeps: pieces framed in fresh memory each
(tried before) cost more in the kernel's page faults than the second thread saved.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any, NamedTuple

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.json as pa_json  # type: ignore[import-untyped]

from batchaudit.support.side_by_side import side_by_side, workers

# The size a piece is cut at (it ends at the next record's start).
PIECE_BYTES = 32 << 20
# A page of fewer pieces is parsed whole: its parse ends about when the other files' reading
# does, so a second thread finds no processor free (the audit of 100,000 packages' page took
# 2.70 s in pieces, 2.63 s whole; of 300,000, 525 MB, the same either way).
FEWEST_PIECES = 16
_PAGE, _OPEN, _CLOSE = b'{"Data":[', b'{"Data":[[', b"]]}"
_WHITESPACE = frozenset(b" \t\r\n")
_INDENT = 64


class _Refused(Exception):
    """A piece Arrow could not read as a page of its own."""


class Read(NamedTuple):
    records: pa.ChunkedArray  # of structs, a piece's records a chunk
    others: dict[str, Any]  # the page's other fields


def read_page(data: bytes | memoryview, first: int, options: pa_json.ParseOptions) -> Read | None:
    """The records and other fields of the page as Arrow reads it whole with `options`,
    parsed in pieces where it is large enough; `first` is where its first record starts.
    None where it is not one document; raises what Arrow raises for a page it refuses."""
    large = len(data) >= FEWEST_PIECES * PIECE_BYTES
    cuts = _cuts(data, first) if large and workers() > 1 else []
    if cuts:
        try:
            return _in_pieces(data, first, cuts, options)
        except _Refused:
            pass
    table = _parsed(data, options)
    if table.num_rows != 1:
        return None
    records = pa.chunked_array([table.column("Data").chunk(0).values])
    return Read(records, table.drop_columns(["Data"]).to_pylist()[0])


def _cuts(data: bytes | memoryview, first: int) -> list[int]:
    """Where pieces end: the commas before records about every PIECE_BYTES (none where the
    first record follows more whitespace than an indented line has)."""
    lead = first
    while lead > max(0, first - _INDENT) and data[lead - 1] in _WHITESPACE:
        lead -= 1
    if lead == first - _INDENT:
        return []
    between = re.compile(re.escape(b"," + bytes(data[lead:first]) + b"{"))
    cuts: list[int] = []
    while (found := between.search(data, (cuts[-1] if cuts else 0) + PIECE_BYTES)) is not None:
        cuts.append(found.start())
    return cuts


def _in_pieces(
    data: bytes | memoryview, first: int, cuts: list[int], options: pa_json.ParseOptions
) -> Read:
    starts, ends = [first, *(cut + 1 for cut in cuts)], [*cuts, len(data)]
    record = options.explicit_schema.field("Data").type.value_type
    listed = pa_json.ParseOptions(
        explicit_schema=pa.schema([("Data", pa.list_(pa.list_(record)))]),
        unexpected_field_behavior=options.unexpected_field_behavior,
    )
    refused = threading.Event()
    buffers = threading.local()

    def piece(start: int, end: int) -> pa.Array:
        """The piece's records (a struct array); _Refused where Arrow refuses the piece."""
        if refused.is_set():
            raise _Refused
        last = end == len(data)
        framed = _framed(buffers, data, start, end, (_PAGE, b"") if last else (_OPEN, _CLOSE))
        try:
            table = _parsed(framed, options if last else listed)
        except (pa.ArrowException, ValueError) as error:
            refused.set()
            raise _Refused from error
        if table.num_rows != 1:
            refused.set()
            raise _Refused
        records = table.column("Data").chunk(0).values
        if last:
            others.update(table.drop_columns(["Data"]).to_pylist()[0])
            return records
        return records.values

    others: dict[str, Any] = {}
    done = side_by_side(
        (number, functools.partial(piece, start, end))
        for number, (start, end) in enumerate(zip(starts, ends, strict=True))
    )
    records = [done[number] for number in range(len(done))]
    if len({each.type for each in records}) != 1:
        raise _Refused  # a field only some pieces have, which Arrow typed as it guessed
    return Read(pa.chunked_array(records), others)


def _framed(
    buffers: Any, data: bytes | memoryview, start: int, end: int, frame: tuple[bytes, bytes]
) -> memoryview:
    """Bytes `start` to `end` of the page between the frame's two ends, in this thread's
    buffer."""
    head, tail = frame
    size = len(head) + end - start + len(tail)
    buffer: bytearray | None = getattr(buffers, "buffer", None)
    if buffer is None or len(buffer) < size:
        buffer = buffers.buffer = bytearray(max(size, PIECE_BYTES + (PIECE_BYTES >> 4)))
    at = len(head)
    buffer[:at] = head
    buffer[at : at + end - start] = memoryview(data)[start:end]
    buffer[at + end - start : size] = tail
    return memoryview(buffer)[:size]


def _parsed(data: bytes | memoryview, options: pa_json.ParseOptions) -> pa.Table:
    return pa_json.read_json(
        pa.BufferReader(pa.py_buffer(data)),
        read_options=pa_json.ReadOptions(use_threads=False, block_size=len(data) + 1),
        parse_options=options,
    )
