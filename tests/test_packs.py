"""Jurisdiction packs: the Oregon pack is complete, and bad packs are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchaudit.packs import PackError, category_key, load_pack

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
    assert pack.setting("LT001", "max_rows") == 200
    assert pack.setting("LT001", "max_tested_packages") == 3


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
        (GOOD.replace("max_rows = 10", "max_rows = 'many'"), "rules.LT001.max_rows"),
        (GOOD.replace("max_rows = 10\n", ""), "rules.LT001.max_rows: is missing"),
        (
            GOOD + "[[groups]]\nname='again'\ntested=true\ncategories=['BUDS']\n",
            "'BUDS' is already in 'flower'",
        ),
        (GOOD.replace("tested = true", "tested = 'yes'"), "groups #1.tested"),
        (GOOD + "[rules.XX999]\nfoo=1\n", "rules.XX999"),
        ("name = [", "not valid TOML"),
    ],
)
def test_bad_packs_are_refused_naming_file_and_key(text: str, named: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(PackError) as refused:
        load_pack(str(path))
    assert str(path) in str(refused.value) and named in str(refused.value)


def test_a_custom_pack_loads_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD)
    assert load_pack(str(path)).setting("LT001", "max_rows") == 10
