"""Every rule explains itself, and docs/rules.md is what the rules say today."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from batchaudit.rule_docs import HEADINGS, catalog_markdown
from batchaudit.rules import catalog

DOCS = Path(__file__).parents[1] / "docs" / "rules.md"
SPEC_CODES = (
    {f"PB00{n}" for n in range(1, 6)}
    | {"LT001", "LT002", "LN001", "LN002"}
    | {f"DQ00{n}" for n in range(1, 5)}
)


def test_docs_page_is_not_stale() -> None:
    assert DOCS.read_text(encoding="utf-8") == catalog_markdown(), "run `make docs`"


def test_every_code_of_the_spec_is_in_the_catalog() -> None:
    assert {rule.code for rule in catalog()} >= SPEC_CODES


@pytest.mark.parametrize("rule", catalog(), ids=lambda rule: rule.code)
def test_every_rule_documents_every_part(rule: type) -> None:
    sections = rule.sections()
    assert rule.summary() and rule.summary().endswith(".")
    for part in HEADINGS:
        assert len(sections.get(part, "")) > 20, f"{rule.code} lacks **{part}**"
    assert rule.code in DOCS.read_text(encoding="utf-8")


def test_rules_lists_every_rule() -> None:
    result = CliRunner().invoke(cli, ["rules"])
    assert result.exit_code == 0
    for rule in catalog():
        assert rule.code in result.stdout and rule.name in result.stdout


def test_explain_prints_the_rules_documentation() -> None:
    result = CliRunner().invoke(cli, ["explain", "lt001"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for heading in (*HEADINGS.values(), "Options and defaults"):
        assert heading in text
    assert "max_tested_packages 3" in text and "max_rows 200" in text


def test_explain_an_unknown_code_is_one_sentence() -> None:
    result = CliRunner().invoke(cli, ["explain", "PB999"])
    assert result.exit_code == 2
    assert result.stderr == "batchaudit: there is no rule 'PB999'; `batchaudit rules` lists them.\n"
