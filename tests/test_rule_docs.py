"""Every rule explains itself, its own way: sections parsed strictly when the class is
defined, each rule's check matching its own definition in the spec, and docs/rules.md is
what the rules say today."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, TypedDict

import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from batchaudit.rules import catalog
from batchaudit.rules.base import RuleInfo
from batchaudit.rules.docs import HEADINGS, RuleDocError, catalog_markdown, evidence_fields

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs" / "rules.md"
# The rule catalog of ../shared/spec/rules.md, copied so that a clone without it still tests.
SPEC = ROOT / "tests" / "contract" / "spec-rules.md"
SHARED_SPEC = ROOT.parent / "shared" / "spec" / "rules.md"
SPEC_ROW = re.compile(r"^\| ((?:PB|LT|LN|DQ)\d{3}) \| [^|]+ \| [^|]+ \| (.+) \|$", re.MULTILINE)
_STOP = {"a", "an", "the", "and", "or", "of", "in", "on", "to", "is", "it", "its", "by", "with"}


def spec_definitions() -> dict[str, str]:
    return dict(SPEC_ROW.findall(SPEC.read_text(encoding="utf-8")))


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2 and w not in _STOP}


def likeness(a: str, b: str) -> float:
    """Dice coefficient of the content words of two texts."""
    x, y = words(a), words(b)
    return 2 * len(x & y) / (len(x) + len(y))


def test_docs_page_is_not_stale() -> None:
    assert DOCS.read_text(encoding="utf-8") == catalog_markdown(catalog()), "run `make docs`"


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="no ../shared beside this clone")
def test_the_spec_copy_is_the_spec() -> None:
    assert SPEC.read_text(encoding="utf-8") == SHARED_SPEC.read_text(encoding="utf-8")


def test_every_code_of_the_spec_is_in_the_catalog() -> None:
    assert {rule.code for rule in catalog()} >= set(spec_definitions())


@pytest.mark.parametrize("rule", catalog(), ids=lambda rule: rule.code)
def test_every_rule_documents_every_part(rule: type[RuleInfo]) -> None:
    sections = rule.sections()
    assert rule.summary() and rule.summary().endswith(".")
    for part in HEADINGS:
        assert len(sections[part]) > 20, f"{rule.code} lacks **{part}**"
    assert rule.code in DOCS.read_text(encoding="utf-8")


def test_no_two_rules_share_a_check() -> None:
    checks = [rule.sections()["Checks"] for rule in catalog()]
    assert len(set(checks)) == len(checks)


@pytest.mark.parametrize(
    "rule",
    [rule for rule in catalog() if rule.code in spec_definitions()],
    ids=lambda rule: rule.code,
)
def test_each_check_matches_its_own_definition_in_the_spec(rule: type[RuleInfo]) -> None:
    definitions = spec_definitions()
    check = rule.sections()["Checks"]
    scores = {code: likeness(check, text) for code, text in definitions.items()}
    best = max(scores, key=lambda code: scores[code])
    assert best == rule.code, f"{rule.code}'s check reads like {best}'s definition"
    assert scores[rule.code] >= 0.3


def _define(docstring: str) -> None:
    type("Doc", (RuleInfo,), {"__doc__": docstring, "code": "XX001", "name": "x"})


@pytest.mark.parametrize(
    ("docstring", "complaint"),
    [
        (
            "A summary.\n\n**Checks** one.\n\n**Checks** two.\n\n**Why** w.\n\n**Example** e.\n\n"
            "**Fix** f.",
            "**Checks** appears twice",
        ),
        ("A summary.\n\n**Checks** c.\n\n**Why** w.\n\n**Fix** f.", "lacks **Example**"),
        (
            "A summary.\n\n**Check** c.\n\n**Why** w.\n\n**Example** e.\n\n**Fix** f.",
            "**Check** is not a section",
        ),
        ("**Checks** c.\n\n**Why** w.\n\n**Example** e.\n\n**Fix** f.", "one-paragraph summary"),
    ],
)
def test_a_rule_with_broken_docs_fails_when_it_is_defined(docstring: str, complaint: str) -> None:
    with pytest.raises(RuleDocError, match=re.escape(complaint)):
        _define(docstring)


def test_evidence_fields_need_a_meaning() -> None:
    class Meaningless(TypedDict):
        rows: int

    class Meant(TypedDict):
        rows: Annotated[int, "result rows"]

    with pytest.raises(RuleDocError, match=r"Meaningless\.rows has no meaning"):
        evidence_fields(Meaningless)
    assert evidence_fields(Meant) == [("rows", "whole number", "result rows")]


def test_rules_lists_every_rule() -> None:
    result = CliRunner().invoke(cli, ["rules"])
    assert result.exit_code == 0
    for rule in catalog():
        assert rule.code in result.stdout and rule.name in result.stdout


def test_explain_shows_the_rules_own_check_evidence_and_options() -> None:
    result = CliRunner().invoke(cli, ["explain", "lt001"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for heading in (*HEADINGS.values(), "Evidence", "Options and defaults"):
        assert heading in text
    assert "max_tested_packages 3" in text and "max_rows 200" in text
    assert "tested_package_count" in text
    assert "passing row from one tested package" not in text  # LT002's check, not LT001's


def test_explain_pb001_shows_pb001s_check() -> None:
    text = " ".join(CliRunner().invoke(cli, ["explain", "PB001"]).stdout.split())
    assert "every source has exactly its category" in text
    assert "blank production batch number" not in text  # PB005's check


def test_explain_an_unknown_code_is_one_sentence() -> None:
    result = CliRunner().invoke(cli, ["explain", "PB999"])
    assert result.exit_code == 2
    assert result.stderr == "batchaudit: there is no rule 'PB999'; `batchaudit rules` lists them.\n"
