"""Jurisdiction packs: which categories form a test group, and the rule settings of a state.

A pack is TOML data under `rules/` (see `rules/oregon.toml`). Loading refuses anything it
does not understand with a sentence naming the file and key, so that a typo in a pack can
never silently change what is audited.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from batchaudit.model.findings import Severity
from batchaudit.support.lazy import lazy
from batchaudit.support.resources import packs_dir

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy("pandas")

DEFAULT_PACK = "oregon"
POLICIES = ("group-change", "category-change")
GROUP_BY = ("category", "category_type")
_TOP_KEYS = {
    "name",
    "title",
    "production_batch_required_on",
    "group_by",
    "rules",
    "groups",
    "processing_jobs_since",
}
_GROUP_KEYS = {"name", "tested", "categories"}
_SPACES = re.compile(r"\s+")


class PackError(ValueError):
    """A pack file that cannot be used; the message names the file and key."""


def category_key(category: str) -> str:
    """Categories compare case-insensitively with runs of white space collapsed."""
    return _SPACES.sub(" ", category.strip()).casefold()


def category_keys(categories: pd.Series) -> pd.Series:
    """`category_key` of a whole column, worked out once per distinct category."""
    codes, distinct = pd.factorize(categories.fillna(""))
    keys = [category_key(str(category)) for category in distinct]
    return pd.Series(pd.array(keys, dtype="str").take(codes), index=categories.index)


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
    # Which package field the groups list: the category name, or Metrc's category type.
    group_by: str = "category"
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    sha256: str = ""  # of the pack file as read
    # The date from which process lots are recorded as processing jobs (Oregon: OAR
    # 845-025-7575(2), 2023-04-15); None where the pack does not say.
    processing_jobs_since: date | None = None

    @property
    def builtin(self) -> bool:
        """A pack shipped with batchaudit (loaded by name, not from a file of the user's)."""
        return Path(self.path).resolve().parent == packs_dir().resolve()

    @property
    def shown_path(self) -> str:
        """The pack file as the reports name it: batchaudit's own by its place in batchaudit
        (`rules/oregon.toml`), never the folder it is installed in on this machine; a pack
        file of the user's as it was given."""
        return f"rules/{Path(self.path).name}" if self.builtin else self.path

    def category_table(self) -> pd.DataFrame:
        """One row per known category: key, category, group, tested."""
        rows = [
            (category_key(category), category, group.name, group.tested)
            for group in self.groups
            for category in group.categories
        ]
        return pd.DataFrame(rows, columns=["category_key", "category", "group", "tested"])

    def enabled(self, rule: str) -> bool:
        return bool(self.rules.get(rule, {}).get("enabled", True))

    def severity(self, rule: str) -> Severity | None:
        """The severity the pack gives a rule's findings, if it changes it."""
        chosen = self.rules.get(rule, {}).get("severity")
        return Severity(chosen) if chosen else None


def load_pack(name_or_path: str) -> Pack:
    """Load a pack by name (a file under rules/) or by path to a TOML file."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = packs_dir() / f"{name_or_path}.toml"
        if not path.is_file():
            raise PackError(_no_such_pack(name_or_path))
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise PackError(f"The pack {path} is not UTF-8 text; save it as UTF-8.") from error
    except OSError as error:
        raise PackError(f"Cannot read the pack {path}: {error.strerror}.") from error
    except tomllib.TOMLDecodeError as error:
        raise PackError(f"The pack {path} is not valid TOML: {error}.") from error
    return replace(_parse_pack(data, path), sha256=hashlib.sha256(raw).hexdigest())


def _no_such_pack(name: str) -> str:
    """Why a name is not a pack, and what was probably meant."""
    names = sorted(p.stem for p in packs_dir().glob("*.toml"))
    known = ", ".join(names)
    given = Path(name)
    if given.is_dir():
        inside = sorted(given.glob("*.toml"))
        example = f" such as {inside[0]}" if inside else " (a .toml file)"
        return f"{name} is a folder; -j takes a pack name ({known}) or a pack file{example}."
    close = difflib.get_close_matches(name.strip().lower(), names, n=1, cutoff=0.6)
    if close:
        return f"There is no jurisdiction pack named {name!r}; did you mean {close[0]!r}?"
    return f"There is no jurisdiction pack named {name!r} (known: {known})."


def _parse_pack(data: dict[str, Any], path: Path) -> Pack:
    def refuse(key: str, problem: str) -> PackError:
        return refusal(path, key, problem)

    for key in data.keys() - _TOP_KEYS:
        raise refuse(key, "unknown key")
    for key in ("name", "title"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            raise refuse(key, "must be a non-empty string")
    name = data.get("name", path.stem)
    policy = data.get("production_batch_required_on", "group-change")
    if policy not in POLICIES:
        raise refuse("production_batch_required_on", f"must be one of {', '.join(POLICIES)}")
    group_by = data.get("group_by", "category")
    if group_by not in GROUP_BY:
        raise refuse("group_by", f"must be one of {', '.join(GROUP_BY)}")
    groups = _parse_groups(data.get("groups", []), refuse)
    rules = _parse_rules(data.get("rules", {}), refuse)
    since = data.get("processing_jobs_since")
    if since is not None and not isinstance(since, date):
        raise refuse("processing_jobs_since", "must be a date, as 2023-04-15 (no quotes)")
    return Pack(
        name=str(name),
        title=str(data.get("title", name)),
        path=str(path),
        groups=groups,
        production_batch_required_on=policy,
        group_by=group_by,
        rules=rules,
        processing_jobs_since=since,
    )


def _parse_groups(raw: Any, refuse: Any) -> tuple[Group, ...]:
    if not isinstance(raw, list) or not raw:
        raise refuse("groups", "needs at least one [[groups]] table")
    seen: dict[str, str] = {}
    groups = []
    for number, group in enumerate(raw, start=1):
        where = f"groups #{number}"
        if not isinstance(group, dict):
            raise refuse(where, "must be a [[groups]] table")
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


def _parse_rules(raw: Any, refuse: Any) -> dict[str, dict[str, Any]]:
    """[rules.CODE] tables, as given; the rules check their codes and keys
    (`batchaudit.rules.settings`)."""
    if not isinstance(raw, dict):
        raise refuse("rules", "must be a table of [rules.CODE] tables")
    for code, given in raw.items():
        if not isinstance(given, dict):
            raise refuse(f"rules.{code}", "must be a table")
    return {code: dict(given) for code, given in raw.items()}


def refusal(path: str | Path, key: str, problem: str) -> PackError:
    """The sentence that refuses a pack, naming its file and key."""
    return PackError(f"In the pack {path}, {key}: {problem}.")
