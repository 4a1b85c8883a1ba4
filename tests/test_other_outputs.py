"""CSV, Markdown, JUnit XML and SARIF outputs."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import jsonschema

from batchaudit.report import csv_report, junit, markdown, sarif
from batchaudit.rules import catalog
from helpers import audited, tag

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
PACKAGES = """
tag,item_name,category,source_package_tags,production_batch,production_batch_number
T1,=cmd|' /C calc'!A0,Buds,,No,
T2,Buds,Buds,T1,Yes,PB-1
T3,Resin,Concentrate,T1,No,
T4,Mystery,@SUM(1),T9,No,
"""
SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "contract" / "sarif-2.1.0-rtm.5.json").read_text()
)


def test_sarif_validates_against_the_2_1_0_schema(tmp_path: Path) -> None:
    document = json.loads(sarif.render(audited(tmp_path, PACKAGES).result, NOW))
    jsonschema.validate(document, SARIF_SCHEMA)
    run = document["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert {"PB001", "LT001", "DQ005"} <= set(rule_ids)
    pb001 = next(r for r in run["results"] if r["ruleId"] == "PB001")
    assert rule_ids[pb001["ruleIndex"]] == "PB001" and pb001["level"] == "error"
    location = pb001["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("packages.csv")
    assert location["region"] == {"startLine": 3}
    assert pb001["partialFingerprints"]["batchauditIdentity/v1"] == f"PB001:{tag(2)}"
    assert re.fullmatch("[0-9a-f]{32}", pb001["partialFingerprints"]["batchauditFingerprint/v1"])


def test_junit_has_one_test_case_per_rule_and_fails_rules_with_findings(tmp_path: Path) -> None:
    suites = ET.fromstring(junit.render(audited(tmp_path, PACKAGES).result, NOW))
    cases = {case.get("name", "").split()[0]: case for case in suites.iter("testcase")}
    assert len(cases) == int(suites.get("tests", "0")) == len(catalog())
    assert cases["PB001"].find("failure") is not None
    assert cases["PB003"].find("failure") is not None
    assert cases["PB002"].find("failure") is None and cases["PB002"].find("skipped") is None
    assert cases["LT001"].find("skipped") is not None  # no lab results
    assert cases["LN001"].find("failure") is None  # notes do not fail a build
    assert suites.get("failures") == str(sum(c.find("failure") is not None for c in cases.values()))


def test_csv_opens_in_excel_and_neutralises_formulas(tmp_path: Path) -> None:
    text = csv_report.render(audited(tmp_path, PACKAGES).result)
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][:4] == ["rule", "name", "severity", "package_tag"]
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    (dq004,) = [row for row in rows if row[0] == "DQ004"]
    assert "'@SUM(1)'" in dq004[4] or "@SUM(1)" in dq004[4]
    assert len(rows) - 1 == len(audited(tmp_path, PACKAGES).result.findings)


def test_markdown_summary_for_an_email(tmp_path: Path) -> None:
    text = markdown.render(audited(tmp_path, PACKAGES).result)
    assert text.startswith("# batchaudit: oregon")
    assert "| PB001 | production-batch-without-category-change | 1 |" in text
    assert "## Most serious" in text


def test_junit_stays_well_formed_with_control_characters_in_exports(tmp_path: Path) -> None:
    packages = "tag,category,source_package_tags,production_batch,production_batch_number\nT1,Bu\x0bds\x1b,,No,\n"
    suites = ET.fromstring(junit.render(audited(tmp_path, packages).result, NOW))
    dq004 = next(
        case for case in suites.iter("testcase") if case.get("name", "").startswith("DQ004")
    )
    assert dq004.find("failure") is not None
