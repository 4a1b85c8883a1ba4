"""A finding's fingerprint: the same mistake gives the same fingerprint next month.

It is made of the rule, the package tag and the facts that decide the finding, which each
rule names (`fingerprint_facts`, evidence keys): PB001's sources and category, LT002's test
types, DQ002's column and value. Never a file name, a line number or the order of rows, so
that exports renamed, re-sorted or split differently give the same fingerprints; never a
count that grows by itself (a results tab's row count), so that an unchanged mistake stays
unchanged while its tab grows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Bump when what goes into a fingerprint changes: baselines made before stop matching.
VERSION = 1


def fingerprint(rule: str, package_tag: str | None, facts: Iterable[str]) -> str:
    """32 hexadecimal digits of SHA-256 over the rule, the tag and the deciding facts."""
    return _digest(_head(rule), package_tag, facts)


def fingerprints(
    rule: str,
    keys: tuple[str, ...],
    tags: Sequence[str | None],
    evidence: Sequence[Mapping[str, Any]],
) -> list[str]:
    """`fingerprint(rule, tag, deciding_facts(evidence, keys))` of each finding of a rule, its
    fixed part joined once: a rule's findings are fingerprinted by the ten thousand."""
    head = _head(rule)
    return [
        _digest(head, tag, deciding_facts(said, keys))
        for tag, said in zip(tags, evidence, strict=True)
    ]


def _head(rule: str) -> str:
    return "\x1f".join([f"v{VERSION}", rule, ""])


def _digest(head: str, package_tag: str | None, facts: Iterable[str]) -> str:
    text = head + "\x1f".join([package_tag or "", *facts])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def deciding_facts(evidence: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    """Each named evidence value as order-free text (lists are sorted; a list of sources is
    its tags)."""
    return [f"{key}={_stable(evidence.get(key))}" for key in keys]


_COLLECTIONS = (list, tuple, set, frozenset)


def _stable(value: Any) -> str:
    if type(value) is str:  # the usual cases first: a category, a list of tags or types
        return value
    if value is None:
        return ""
    if isinstance(value, _COLLECTIONS):
        # A source (a dict with a tag) is its tag; `_item` encodes other dicts only. Text is
        # taken as it is, in the same pass: a rule's findings are fingerprinted by the ten
        # thousand, most of them over a list of tags or of sources.
        return ",".join(
            sorted([item if type(item) is str else _stable(_item(item)) for item in value])
        )
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(value)


def _item(item: Any) -> Any:
    """One item of a list: a source (a dict with a tag) is its tag."""
    if isinstance(item, dict):
        return item["tag"] if "tag" in item else _stable(item)
    return item
