"""Jurisdiction packs: the Oregon pack is complete, and bad packs are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchaudit.engine import run
from batchaudit.ingest.load import load
from batchaudit.model.packs import PackError, category_key, load_pack
from batchaudit.rules.results_tab import InheritedResultsTabTooLong
from batchaudit.rules.settings import checked_pack
from helpers import audit_text, tag, tags_of, write

OREGON_CATEGORIES = {
    "usable marijuana": [
        "Buds",
        "Buds (by strain)",
        "Shake/Trim",
        "Shake/Trim (by strain)",
        "Non-Infused (Plain) Pre-Roll",
    ],
    "concentrate": ["Concentrate", "Concentrate (each)"],
    "extract": ["Extracts", "Extracts (each)"],
    "edible": ["Edibles", "Edibles (each)"],
    "combined": ["Combined Category", "Combined Category (each)", "Infused Pre-Roll"],
    "not tested": ["Immature Plants", "Seeds (each)", "Seeds (weight)", "Waste"],
}


def test_oregon_pack_has_the_spec_groups() -> None:
    pack = load_pack("oregon")
    table = pack.category_table().set_index("category")
    for group, categories in OREGON_CATEGORIES.items():
        for category in categories:
            assert table.loc[category, "group"] == group
    assert not table.loc["Waste", "tested"] and table.loc["Buds", "tested"]
    assert len(table) == 36
    assert InheritedResultsTabTooLong.setting(pack, "max_rows") == 200
    assert InheritedResultsTabTooLong.setting(pack, "max_tested_packages") == 3


def test_category_keys_ignore_case_and_spacing() -> None:
    assert category_key("  Non-Infused   (Plain) PRE-ROLL ") == category_key(
        "Non-Infused (Plain) Pre-Roll"
    )


GOOD = """
name = "test"
[rules.LT001]
max_rows = 10
max_tested_packages = 2
[[groups]]
name = "flower"
tested = true
categories = ["Buds"]
"""


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (GOOD + "colour = 'green'\n", "colour: unknown key"),
        (
            GOOD.replace("max_rows = 10", "max_rows = 'many'"),
            "rules.LT001.max_rows: must be a whole number",
        ),
        (
            GOOD.replace("max_rows = 10", "max_rows = -1"),
            "rules.LT001.max_rows: must be a whole number",
        ),
        (
            GOOD.replace("max_rows = 10", "max_rowz = 10"),
            "rules.LT001.max_rowz: unknown key (known: enabled, severity, max_rows, max_tested_packages)",
        ),
        (
            GOOD + "[[groups]]\nname='again'\ntested=true\ncategories=['BUDS']\n",
            "'BUDS' is already in 'flower'",
        ),
        (GOOD.replace("tested = true", "tested = 'yes'"), "groups #1.tested"),
        (GOOD + "[rules.XX999]\nenabled=false\n", "rules.XX999: is not a rule code"),
        (
            GOOD + "[rules.PB002]\nseverity='fatal'\n",
            "rules.PB002.severity: must be error, warning or note",
        ),
        (GOOD + "[rules.PB002]\nenabled='no'\n", "rules.PB002.enabled: must be true or false"),
        (
            GOOD.replace('name = "test"', 'name = "test"\ngroup_by = "strain"'),
            "group_by: must be one of",
        ),
        (
            GOOD.replace('name = "test"', 'name = "test"\nproduction_batch_required_on = "always"'),
            "production_batch_required_on",
        ),
        ("name = [", "not valid TOML"),
        ("groups = [1]", "groups #1: must be a [[groups]] table"),
        (GOOD.replace('name = "test"', 'name = ["x"]'), "name: must be a non-empty string"),
    ],
)
def test_bad_packs_are_refused_naming_file_and_key(text: str, named: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(PackError) as refused:
        checked_pack(str(path))
    assert str(path) in str(refused.value) and named in str(refused.value)


def test_a_custom_pack_loads_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD)
    assert InheritedResultsTabTooLong.setting(checked_pack(str(path)), "max_rows") == 10


def test_settings_default_to_the_rule_when_a_pack_leaves_them_out(tmp_path: Path) -> None:
    path = tmp_path / "minimal.toml"
    path.write_text("[[groups]]\nname = 'flower'\ntested = true\ncategories = ['Buds']\n")
    pack = checked_pack(str(path))
    assert InheritedResultsTabTooLong.setting(pack, "max_rows") == 200
    assert pack.enabled("PB002") and pack.severity("PB002") is None


PRE_ROLL_ALONE = """
[[groups]]
name = "flower"
tested = true
categories = ["Buds", "Shake/Trim"]

[[groups]]
name = "pre-roll"
tested = true
categories = ["Non-Infused (Plain) Pre-Roll"]
"""
BUDS_TO_PRE_ROLL = """
tag,category,source_package_tags,production_batch,production_batch_number
T1,Buds,,No,
T2,Non-Infused (Plain) Pre-Roll,T1,Yes,PR-1
"""


def test_a_pack_with_pre_rolls_in_their_own_group_makes_the_batch_legitimate(
    tmp_path: Path,
) -> None:
    assert tags_of(audit_text(tmp_path, BUDS_TO_PRE_ROLL), "PB002") == [tag(2)]
    pack = tmp_path / "pre-roll.toml"
    pack.write_text(PRE_ROLL_ALONE)
    custom = run(load(packages=[write(tmp_path / "p.csv", BUDS_TO_PRE_ROLL)]), load_pack(str(pack)))
    assert custom.findings == ()


def test_a_pack_changes_severities_and_turns_rules_off(tmp_path: Path) -> None:
    pack = tmp_path / "strict.toml"
    pack.write_text(
        "[[groups]]\nname = 'flower'\ntested = true\n"
        "categories = ['Buds', 'Non-Infused (Plain) Pre-Roll']\n"
        "[rules.PB002]\nseverity = 'error'\n[rules.PB004]\nenabled = false\n"
    )
    result = run(load(packages=[write(tmp_path / "p.csv", BUDS_TO_PRE_ROLL)]), load_pack(str(pack)))
    assert [(f.rule, str(f.severity)) for f in result.findings] == [("PB002", "error")]
    assert ("PB004", "turned off in the strict pack") in [
        (s.rule, s.reason) for s in result.skipped_rules
    ]


def test_the_generic_pack_groups_by_metrc_category_type(tmp_path: Path) -> None:
    api = (
        "Label,Item.ProductCategoryName,Item.ProductCategoryType,SourcePackageLabels,IsProductionBatch,ProductionBatchNumber\n"
        "T1,Flower - Bulk,Buds,,false,\n"
        "T2,Flower - Prepack,Buds,T1,true,PB-1\n"
        "T3,Vape Cart,Concentrate,T1,false,\n"
    )
    result = run(load(packages=[write(tmp_path / "p.csv", api)]), load_pack("metrc-generic"))
    assert [(f.rule, f.package_tag) for f in result.findings if f.rule.startswith("PB00")] == [
        ("PB003", tag(3)),
        ("PB002", tag(2)),
        ("PB004", tag(2)),
    ]


def test_without_category_types_the_generic_pack_says_what_it_skips(tmp_path: Path) -> None:
    result = run(
        load(packages=[write(tmp_path / "p.csv", BUDS_TO_PRE_ROLL)]), load_pack("metrc-generic")
    )
    assert [f.rule for f in result.findings] == ["DQ001"]
    assert "No package has a category type" in result.findings[0].message
    skipped = {s.rule: s.reason for s in result.skipped_rules}
    assert skipped["PB003"] == "no package has the category_type the metrc-generic pack groups by"
    assert {"PB002", "PB003", "DQ004"} <= skipped.keys()


def test_a_pack_that_is_not_utf8_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(GOOD.replace("flower", "fl\xf6wer").encode("cp1252"))
    with pytest.raises(PackError, match="is not UTF-8 text"):
        load_pack(str(path))
