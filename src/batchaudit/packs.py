"""Jurisdiction packs: which categories form a test group, and the rule settings of a state.

A pack is TOML data under `rules/` (see `rules/oregon.toml`). Loading refuses anything it
does not understand with a sentence naming the file and key, so that a typo in a pack can
never silently change what is audited.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from batchaudit.resources import packs_dir

DEFAULT_PACK = "oregon"
POLICIES = ("group-change", "category-change")
RULE_SETTINGS: dict[str, dict[str, type]] = {
    "LT001": {"max_rows": int, "max_tested_packages": int},
}
_TOP_KEYS = {"name", "title", "production_batch_required_on", "rules", "groups"}
_GROUP_KEYS = {"name", "tested", "categories"}
_SPACES = re.compile(r"\s+")


class PackError(ValueError):
    """A pack file that cannot be used; the message names the file and key."""


def category_key(category: str) -> str:
    """Categories compare case-insensitively with runs of white space collapsed."""
    return _SPACES.sub(" ", category.strip()).casefold()


def category_keys(categories: pd.Series) -> pd.Series:
    return categories.str.strip().str.replace(_SPACES, " ", regex=True).str.casefold()


@dataclass(frozen=True)
class Group:
    name: str
    tested: bool
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Pack:
    name: str
    title: str
    path: str
    groups: tuple[Group, ...]
    production_batch_required_on: str = "group-change"
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    def category_table(self) -> pd.DataFrame:
        """One row per known category: key, category, group, tested."""
        rows = [
            (category_key(category), category, group.name, group.tested)
            for group in self.groups
            for category in group.categories
        ]
        return pd.DataFrame(rows, columns=["category_key", "category", "group", "tested"])

    def setting(self, rule: str, key: str) -> Any:
        return self.settings[rule][key]


def load_pack(name_or_path: str) -> Pack:
    """Load a pack by name (a file under rules/) or by path to a TOML file."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = packs_dir() / f"{name_or_path}.toml"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in packs_dir().glob("*.toml")))
            raise PackError(
                f"There is no jurisdiction pack named {name_or_path!r} (known: {known})."
            )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PackError(f"Cannot read the pack {path}: {error.strerror}.") from error
    except tomllib.TOMLDecodeError as error:
        raise PackError(f"The pack {path} is not valid TOML: {error}.") from error
    return _parse_pack(data, path)


def _parse_pack(data: dict[str, Any], path: Path) -> Pack:
    def refuse(key: str, problem: str) -> PackError:
        return PackError(f"In the pack {path}, {key}: {problem}.")

    for key in data.keys() - _TOP_KEYS:
        raise refuse(key, "unknown key")
    name = data.get("name", path.stem)
    policy = data.get("production_batch_required_on", "group-change")
    if policy not in POLICIES:
        raise refuse("production_batch_required_on", f"must be one of {', '.join(POLICIES)}")
    groups = _parse_groups(data.get("groups", []), refuse)
    settings = _parse_settings(data.get("rules", {}), refuse)
    return Pack(
        name=str(name),
        title=str(data.get("title", name)),
        path=str(path),
        groups=groups,
        production_batch_required_on=policy,
        settings=settings,
    )


def _parse_groups(raw: Any, refuse: Any) -> tuple[Group, ...]:
    if not isinstance(raw, list) or not raw:
        raise refuse("groups", "needs at least one [[groups]] table")
    seen: dict[str, str] = {}
    groups = []
    for number, group in enumerate(raw, start=1):
        where = f"groups #{number}"
        for key in group.keys() - _GROUP_KEYS:
            raise refuse(f"{where}.{key}", "unknown key")
        if not isinstance(group.get("name"), str) or not group["name"]:
            raise refuse(f"{where}.name", "must be a non-empty string")
        if not isinstance(group.get("tested"), bool):
            raise refuse(f"{where}.tested", "must be true or false")
        categories = group.get("categories")
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise refuse(f"{where}.categories", "must be a list of category names")
        for category in categories:
            key = category_key(category)
            if key in seen:
                raise refuse(f"{where}.categories", f"{category!r} is already in {seen[key]!r}")
            seen[key] = group["name"]
        groups.append(Group(group["name"], group["tested"], tuple(categories)))
    return tuple(groups)


def _parse_settings(raw: Any, refuse: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, dict):
        raise refuse("rules", "must be a table of rule settings")
    settings: dict[str, dict[str, Any]] = {}
    for rule, known in RULE_SETTINGS.items():
        given = raw.get(rule, {})
        for key in given.keys() - known.keys():
            raise refuse(f"rules.{rule}.{key}", "unknown key")
        settings[rule] = {}
        for key, kind in known.items():
            if key not in given:
                raise refuse(f"rules.{rule}.{key}", "is missing")
            value = given[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise refuse(f"rules.{rule}.{key}", f"must be a non-negative {kind.__name__}")
            settings[rule][key] = value
    for rule in raw.keys() - RULE_SETTINGS.keys():
        raise refuse(f"rules.{rule}", "unknown rule or a rule without settings")
    return settings
