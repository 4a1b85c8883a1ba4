"""Findings handed from one process to another as bytes: their fields as columns of plain
values (a severity as its value, a source as a tuple, the evidence as its JSON), which
`marshal` writes in less than half pickle's time (the findings of 10^6 findings-heavy
packages: 1.5 s against 3.6 s), or, where a value is not plain (evidence that is not JSON),
pickled whole. The evidence is taken in as it was sent, decoded when read (model/evidence.py):
as dicts, it was most of the time these findings took to take in.

The columns are sent compressed (LZ4, by Arrow, which lets go of the interpreter lock while
it works): a rule's findings are text that repeats, 11 MB of them became 1 MB in 4 ms. The
process taking them in reads a pipe of 1 MB between its own rules, a read each time it gets
the interpreter lock; uncompressed, the sending child waited on it 0.45 s for 50 MB."""

from __future__ import annotations

import marshal
import pickle
import struct
from collections.abc import Sequence
from typing import TYPE_CHECKING

from batchaudit.model.evidence import JsonEvidence, json_of
from batchaudit.model.findings import Finding, Source
from batchaudit.model.severity import Severity
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]
else:
    pa = lazy("pyarrow")

_COLUMNS, _PICKLED = b"c", b"p"
# The columns' size before compression, after `_COLUMNS`.
_SIZE = struct.Struct("<Q")


def as_bytes(findings: Sequence[Finding]) -> bytes:
    """The findings as bytes that `from_bytes` reads back equal, in order."""
    if all(f.waiver is None and f.baseline is None for f in findings):
        try:
            columns = (
                [f.rule for f in findings],
                [f.name for f in findings],
                [f.severity.value for f in findings],
                [f.package_tag for f in findings],
                [f.message for f in findings],
                [json_of(f.evidence) for f in findings],
                [f.remedy for f in findings],
                [_source(f.source) for f in findings],
                [f.fingerprint for f in findings],
            )
            written = marshal.dumps(columns)
            packed: bytes = pa.compress(written, codec="lz4", asbytes=True)
            return _COLUMNS + _SIZE.pack(len(written)) + packed
        except (TypeError, ValueError):  # evidence that is not JSON, a value marshal cannot write
            pass
    return _PICKLED + pickle.dumps(list(findings), protocol=pickle.HIGHEST_PROTOCOL)


def from_bytes(data: bytes) -> list[Finding]:
    """The findings `as_bytes` wrote."""
    if data[:1] == _PICKLED:
        found: list[Finding] = pickle.loads(data[1:])
        return found
    severities = {severity.value: severity for severity in Severity}
    (size,) = _SIZE.unpack_from(data, 1)
    packed = memoryview(data)[1 + _SIZE.size :]
    columns = marshal.loads(pa.decompress(packed, size, codec="lz4", asbytes=True))
    return [
        Finding(
            rule,
            name,
            severities[value],
            tag,
            message,
            JsonEvidence(said),
            remedy,
            Source(*source) if source is not None else None,
            fingerprint,
        )
        for rule, name, value, tag, message, said, remedy, source, fingerprint in zip(
            *columns, strict=True
        )
    ]


def _source(source: Source | None) -> tuple[str, int | None, str | None, str | None] | None:
    if source is None:
        return None
    return (source.file, source.line, source.column, source.sheet)
