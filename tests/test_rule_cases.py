"""Every rule's cases, as data: tests/rule_cases/<CODE>.toml, one parametrized test.

A case gives packages (and lab results, and processing jobs) as canonical CSV with short tags (`T1` is a full
24-character tag), and lists exactly which packages must fire the file's rule. `other` lists,
for other rules, exactly which must fire too (an empty list: none may). A case may give a
waivers file (`waivers`, TOML, applied on the day `today`) and list, per rule, exactly which
packages' findings are waived (`waived`).
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from batchaudit.month_to_month.waivers import apply_waivers, load_waivers
from helpers import audit_text, expand_tags, tags_of, write

CASES_DIR = Path(__file__).parent / "rule_cases"


def _cases() -> list[Any]:
    return [
        pytest.param(path.stem, case, id=f"{path.stem}-{case['name']}")
        for path in sorted(CASES_DIR.glob("*.toml"))
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]
    ]


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_rule_case(rule: str, case: dict[str, Any], tmp_path: Path) -> None:
    result = audit_text(
        tmp_path,
        case["packages"],
        case.get("lab_results"),
        case.get("pack", "oregon"),
        case.get("more_packages"),
        case.get("processing_jobs"),
    )
    if "waivers" in case:
        today = date.fromisoformat(case["today"])
        waivers = load_waivers(write(tmp_path / "waivers.toml", case["waivers"]), today)
        result = apply_waivers(result, waivers, today)
    expected = {rule: case["fires"], **case.get("other", {})}
    for code, tags in expected.items():
        assert tags_of(result, code) == sorted(expand_tags(t) for t in tags), code
    waived = replace(result, findings=tuple(result.waived()))
    for code, tags in case.get("waived", {}).items():
        assert tags_of(waived, code) == sorted(expand_tags(t) for t in tags), f"{code} waived"


# Rules whose firing cases need files a CSV case cannot express, and where they are.
FIRING_CASES_ELSEWHERE = {
    "DQ005": "tests/test_formats.py (paged API JSON)",
    "DQ006": "tests/test_responses.py (license numbers in file names)",
    "DQ007": "tests/test_api_records.py (API records of one package from two pulls)",
}


def test_every_rule_has_cases_that_fire_and_cases_that_do_not() -> None:
    from batchaudit.rules import catalog

    for rule in catalog():
        path = CASES_DIR / f"{rule.code}.toml"
        assert path.exists(), f"{rule.code} has no case file"
        cases = tomllib.loads(path.read_text(encoding="utf-8"))["case"]
        if rule.code not in FIRING_CASES_ELSEWHERE:
            assert any(case["fires"] for case in cases), f"{rule.code}: no case that fires"
        assert any(not case["fires"] for case in cases), f"{rule.code}: no case that must not fire"
