"""A rule's decision, words and evidence live on the rule: the reporters name no rule, a new
rule shows up in every output format by itself, and the JSON contract describes every
rule's evidence as the rule declares it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypedDict

import jsonschema
import pandas as pd
import pytest

from batchaudit.engine import Audit
from batchaudit.model.findings import Severity
from batchaudit.report import json_report, text
from batchaudit.report.outputs import RENDERERS
from batchaudit.report.writing import parts_of
from batchaudit.rules import REGISTRY, catalog
from batchaudit.rules.base import Description, Rule
from batchaudit.rules.docs import evidence_contract
from helpers import audited

ROOT = Path(__file__).parents[1]
SCHEMA = json.loads((ROOT / "tests" / "contract" / "report.schema.json").read_text())
RULE_CODE = re.compile(r"\b(PB|LT|LN|DQ|WV)\d{3}\b")
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
PACKAGES = """
Tag,Category,Source Package(s),Production Batch,Production Batch Number
T1,Buds,,No,
T2,Buds,T1,Yes,PB-1
T3,Buds,T1,No,
"""


@pytest.mark.parametrize(
    "path",
    [
        *sorted((ROOT / "src" / "batchaudit" / "report").glob("*.py")),
        *sorted((ROOT / "reports" / "templates").iterdir()),
    ],
    ids=lambda path: path.name,
)
def test_reporters_name_no_rule(path: Path) -> None:
    assert not RULE_CODE.search(path.read_text(encoding="utf-8"))


class NewEvidence(TypedDict):
    category: Annotated[str, "the package's category"]


class BudsNeedAName(Rule):
    """A package of buds (a rule made up for this test).

    **Checks** Fires on every package whose category is Buds.

    **Why** To see a rule the reports have never heard of reach every output.

    **Example** 1A4...0001 (Buds).

    **Fix** Nothing: it only exists in this test.
    """

    code = "LT009"
    name = "buds-need-a-name"
    severity = Severity.ERROR
    evidence: ClassVar[type] = NewEvidence
    headline_one = "{n} package of buds was seen by a brand-new rule."
    headline_many = "{n} packages of buds were seen by a brand-new rule."

    def evaluate(self, lineage: Any, pack: Any) -> pd.DataFrame:
        packages = lineage.packages
        return packages.loc[packages["category"] == "Buds"]

    def describe(self, row: dict[str, Any]) -> Description:
        evidence: NewEvidence = {"category": row["category"]}
        return Description(f"Package {row['tag']} is buds.", evidence, "Leave it be.")

    @classmethod
    def facts(cls, finding: Any) -> list[tuple[str, str]]:
        return [("Seen as", finding.evidence["category"])]


@pytest.fixture
def with_a_new_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(REGISTRY, BudsNeedAName.code, BudsNeedAName)


@pytest.mark.usefixtures("with_a_new_rule")
@pytest.mark.parametrize("extension", sorted(RENDERERS))
def test_a_new_rule_reaches_every_output_format(tmp_path: Path, extension: str) -> None:
    result = audited(tmp_path, PACKAGES).result
    assert result.by_rule()["LT009"] == 3
    written = b"".join(parts_of(RENDERERS[extension](result, NOW))).decode()
    assert "LT009" in written
    if extension == ".html":
        assert "3 packages of buds were seen by a brand-new rule." in written
        assert "Seen as" in written


@pytest.mark.usefixtures("with_a_new_rule")
def test_a_new_rule_is_in_the_terminal_summary(tmp_path: Path) -> None:
    summary = text.render(audited(tmp_path, PACKAGES).result)
    assert "LT009" in summary and "buds-need-a-name" in summary


def test_the_contract_describes_every_rules_evidence() -> None:
    assert SCHEMA["$defs"]["evidence"] == evidence_contract(catalog()), "run `make docs`"


def test_every_finding_of_the_sample_fits_its_rules_evidence(sample_audit: Audit) -> None:
    document = json.loads(json_report.render(sample_audit.result))
    jsonschema.validate(document, SCHEMA)
    assert {f["rule"] for f in document["findings"]} >= {"PB001", "PB003", "LT001", "LN002"}


def test_evidence_with_a_field_the_rule_does_not_declare_breaks_the_contract(
    sample_audit: Audit,
) -> None:
    document = json.loads(json_report.render(sample_audit.result))
    (first,) = [f for f in document["findings"] if f["rule"] == "PB001"][:1]
    first["evidence"]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        jsonschema.validate(document, SCHEMA)
