"""A finding's evidence kept as the JSON the report writes, decoded only when it is read.

The rules' child process (engine.py) hands its findings over as bytes. Their evidence, about
1 kB a finding, was made into dicts again here (1.0 s of the 1.25 s it took to take in the
200,000 findings of 10^6 findings-heavy packages), where most of it is only written into the
JSON report, as JSON. Sent as that JSON, it is spliced into the report as it is
(`orjson.Fragment`), and decoded only for a reader that asks what it says: a report that
shows a finding's facts, the ranking of unneeded production batches by the rows they lost.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson


class JsonEvidence(Mapping[str, Any]):
    """Evidence as the compact JSON `orjson.dumps` writes of it (`json_of`); a mapping equal
    to the dict it was written from. Slotted: one is made per finding."""

    __slots__ = ("_decoded", "json")

    def __init__(self, json: bytes) -> None:
        self.json = json
        self._decoded: dict[str, Any] | None = None

    @property
    def decoded(self) -> dict[str, Any]:
        if self._decoded is None:
            self._decoded = orjson.loads(self.json)
        return self._decoded

    def __getitem__(self, key: str) -> Any:
        return self.decoded[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.decoded)

    def __len__(self) -> int:
        return len(self.decoded)

    def __repr__(self) -> str:
        return repr(self.decoded)

    def __reduce__(self) -> tuple[type[JsonEvidence], tuple[bytes]]:
        return JsonEvidence, (self.json,)


def json_of(evidence: Mapping[str, Any]) -> bytes:
    """The evidence as the JSON report writes it; TypeError for a value that JSON would not
    give back as it is (a date, a dataclass, a subclass of str or int that is not an enum).
    Evidence is JSON's values (`RuleInfo.evidence`): a tuple would come back a list."""
    if isinstance(evidence, JsonEvidence):
        return evidence.json
    return orjson.dumps(evidence, option=_ONLY_JSON)


# orjson writes these as JSON text or objects unless told to pass them to `default` (none).
_ONLY_JSON = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def as_json_value(value: Any) -> Any:
    """orjson's `default`: evidence kept as JSON goes into a document as it is."""
    if isinstance(value, JsonEvidence):
        return orjson.Fragment(value.json)
    raise TypeError(f"{type(value).__name__} is not JSON")


def as_dict(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """The evidence as a plain dict (for a reader that needs one: the CSV's JSON encoder, the
    Python API's rows)."""
    return evidence.decoded if isinstance(evidence, JsonEvidence) else dict(evidence)
