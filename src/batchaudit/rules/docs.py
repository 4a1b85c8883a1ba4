"""Rule documentation from the rules themselves: the docstring's sections, parsed strictly,
and the evidence fields' meanings. `batchaudit explain`, `batchaudit rules --markdown`,
docs/rules.md, SARIF's rule help and the JSON contract all come from here, so they cannot
drift apart."""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Sequence
from typing import Any, Protocol, Union, get_args, get_origin, get_type_hints, is_typeddict

DOC_SECTIONS = ("Checks", "Why", "Example", "Fix")
HEADINGS = {
    "Checks": "What it checks",
    "Why": "Why it matters",
    "Example": "Example",
    "Fix": "How to fix",
}
_MARKER = re.compile(r"^\*\*([A-Za-z ]+)\*\*\s*", re.MULTILINE)


class RuleDocError(TypeError):
    """A rule whose documentation is incomplete: raised when the rule class is defined."""


class DocumentedSetting(Protocol):
    """A rule option, as the docs list it (`rules.base.Setting` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def default(self) -> int: ...
    @property
    def meaning(self) -> str: ...


class DocumentedRule(Protocol):
    """What the docs read of a rule: `rules.base.RuleInfo` classes are these. A Protocol, so
    that the rules import their documentation and the documentation never imports them."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def settings(self) -> Sequence[DocumentedSetting]: ...
    @property
    def evidence(self) -> type: ...
    @property
    def fingerprint_facts(self) -> Sequence[str]: ...
    @property
    def opt_in(self) -> bool: ...
    def evaluated(self) -> bool: ...
    def summary(self) -> str: ...
    def sections(self) -> dict[str, str]: ...
    def evidence_fields(self) -> list[tuple[str, str, str]]: ...


def parse_sections(code: str, docstring: str) -> dict[str, str]:
    """The summary (first paragraph) and each of **Checks**, **Why**, **Example** and **Fix**,
    exactly once each; anything else is an error naming the rule."""
    text = inspect.cleandoc(docstring)
    parts = _MARKER.split(text)
    summary = " ".join(parts[0].split())
    if not summary.endswith("."):
        raise RuleDocError(f"{code}: the docstring must open with a one-paragraph summary.")
    found: dict[str, str] = {"Summary": summary}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name not in DOC_SECTIONS:
            raise RuleDocError(f"{code}: **{name}** is not a section ({', '.join(DOC_SECTIONS)}).")
        if name in found:
            raise RuleDocError(f"{code}: **{name}** appears twice in the docstring.")
        found[name] = " ".join(body.split())
    missing = [name for name in DOC_SECTIONS if not found.get(name)]
    if missing:
        raise RuleDocError(f"{code}: the docstring lacks **{'**, **'.join(missing)}**.")
    return found


def evidence_fields(evidence: type) -> list[tuple[str, str, str]]:
    """(field, type, meaning) of an evidence TypedDict whose fields are Annotated[T, meaning]."""
    fields = []
    for name, hint in get_type_hints(evidence, include_extras=True).items():
        if get_origin(hint) is not typing.Annotated or not isinstance(hint.__metadata__[0], str):
            raise RuleDocError(f"{evidence.__name__}.{name} has no meaning (Annotated[T, '...']).")
        fields.append((name, type_name(get_args(hint)[0]), hint.__metadata__[0]))
    return fields


def evidence_schema(evidence: type) -> dict[str, Any]:
    """The JSON schema of an evidence TypedDict, each field described."""
    hints = get_type_hints(evidence, include_extras=True)
    required: frozenset[str] = getattr(evidence, "__required_keys__", frozenset())
    return {
        "type": "object",
        "required": [name for name in hints if name in required],
        "additionalProperties": False,
        "properties": {
            name: {**json_type(get_args(hint)[0]), "description": hint.__metadata__[0]}
            for name, hint in hints.items()
        },
    }


def evidence_contract(rules: Sequence[DocumentedRule]) -> dict[str, Any]:
    """Per rule code, the JSON schema of its findings' evidence (the report contract's
    `$defs.evidence`)."""
    return {rule.code: evidence_schema(rule.evidence) for rule in rules}


def type_name(hint: Any) -> str:
    """A Python type as a reader of the docs would say it: "list of text or null"."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(type_name(arg) for arg in args)
    if origin is list:
        return f"list of {type_name(args[0])}" if args else "list"
    if origin is dict or is_typeddict(hint):
        return "object"
    names = {str: "text", int: "whole number", float: "number", bool: "true/false"}
    return "null" if hint is type(None) else names.get(hint, "any")


def json_type(hint: Any) -> dict[str, Any]:
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return {"anyOf": [json_type(arg) for arg in args]}
    if origin is list:
        return {"type": "array", "items": json_type(args[0])} if args else {"type": "array"}
    if is_typeddict(hint):
        return evidence_schema(hint)
    if origin is dict:
        return {"type": "object"}
    names = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if hint is type(None):
        return {"type": "null"}
    return {"type": names[hint]} if hint in names else {}


def options(rule: DocumentedRule) -> list[tuple[str, str, str]]:
    """(key, default, meaning) of what a pack may set under [rules.CODE]."""
    listed = [
        ("enabled", "false", "true turns the rule on (it is off by default)")
        if rule.opt_in
        else ("enabled", "true", "false turns the rule off"),
        ("severity", str(rule.severity), "error, warning or note for every finding of the rule"),
    ]
    listed += [(s.name, str(s.default), s.meaning) for s in rule.settings]
    return listed


def rule_markdown(rule: DocumentedRule) -> str:
    sections = rule.sections()
    kind = "evaluated on the lineage" if rule.evaluated() else "found while reading files"
    lines = [
        f"## {rule.code} {rule.name}",
        "",
        f"**Severity:** {rule.severity} ({kind}). {rule.summary()}"
        + (f" Off by default: select {rule.code} to turn it on." if rule.opt_in else ""),
        "",
    ]
    for key, heading in HEADINGS.items():
        lines += [f"### {heading}", "", sections[key], ""]
    fields = rule.evidence_fields()
    lines += ["### Evidence", ""]
    if fields:
        lines += ["| field | type | meaning |", "|---|---|---|"]
        lines += [f"| `{name}` | {kind} | {meaning} |" for name, kind, meaning in fields]
    else:
        lines += ["None beyond the message."]
    facts = ", ".join(f"`{key}`" for key in rule.fingerprint_facts)
    lines += [
        "",
        "### Fingerprint",
        "",
        f"The rule, the package tag{' and ' + facts if facts else ''}: what `--baseline` "
        "matches a finding on (never a file name, a line number or the order of rows).",
        "",
        "### Options and defaults",
        "",
        f"Set in a jurisdiction pack under `[rules.{rule.code}]`:",
        "",
        "| key | default | meaning |",
        "|---|---|---|",
        *[f"| `{key}` | `{default}` | {meaning} |" for key, default, meaning in options(rule)],
        "",
    ]
    return "\n".join(lines)


def catalog_markdown(rules: Sequence[DocumentedRule]) -> str:
    lines = [
        "# batchaudit rules",
        "",
        "Generated by `batchaudit rules --markdown` (`make docs`) from the rules' own",
        "documentation; a test fails when this page is stale. Codes and names are stable.",
        "",
        "| code | name | severity | summary |",
        "|---|---|---|---|",
        *[
            f"| [{r.code}](#{r.code.lower()}-{r.name}) | {r.name} | {r.severity} | {r.summary()} |"
            for r in rules
        ],
        "",
    ]
    return "\n".join(lines) + "\n".join(rule_markdown(rule) for rule in rules)
