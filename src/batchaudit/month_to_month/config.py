"""The config: `batchaudit.toml`, or `[tool.batchaudit]` in `pyproject.toml`, found from the
current folder upward (the first one found wins, as in ruff), or named by `--config`;
`--isolated` reads none. Keys mirror the command line's options; a flag given on the
command line beats the file, the file beats the default (and the pack's own settings).

Every key is checked: an unknown key or a bad value is refused with a sentence naming the
file and the key, with "did you mean" for a near miss. Paths in a file are relative to the
file's folder, so a client folder can be audited from anywhere.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batchaudit.model.packs import DEFAULT_PACK
from batchaudit.rules.selection import RuleChoices, SelectionError, Selectors, choose
from batchaudit.support.suggestions import did_you_mean

CONFIG_NAME = "batchaudit.toml"
# The tables of `batchaudit run` (month_to_month.portfolio reads them); `audit` passes them over.
PORTFOLIO_TABLES = ("clients", "portfolio")
PYPROJECT = "pyproject.toml"
FAIL_ON = ("error", "warning", "note", "never")
FORMATS = ("text", "json")
DEFAULT_WAIVERS = "waivers.toml"


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be non-empty text"


def _texts(value: Any) -> str | None:
    ok = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    return None if ok else 'must be a list of text, as ["PB", "LT001"]'


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}"

    return check


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _table(value: Any) -> str | None:
    return None if isinstance(value, dict) else 'must be a table, as {PB002 = "error"}'


@dataclass(frozen=True)
class Key:
    default: Any
    check: Callable[[Any], str | None]
    meaning: str
    is_path: bool = False  # a path, relative to the config file's folder when given there


KEYS: dict[str, Key] = {
    "jurisdiction": Key(DEFAULT_PACK, _text, "rule pack: a name under rules/ or a pack file"),
    "select": Key([], _texts, "rule codes or prefixes to run (every rule when empty)"),
    "extend-select": Key([], _texts, "rule codes or prefixes to run as well"),
    "ignore": Key([], _texts, "rule codes or prefixes not to run"),
    "severity": Key({}, _table, "per rule code: error, warning or note for its findings"),
    "fail-on": Key("error", _one_of(*FAIL_ON), "lowest severity that makes the exit status 1"),
    "fail-on-new": Key(False, _flag, "fail only on findings new since the baseline"),
    "output": Key([], _texts, "reports to write when -o is not given", is_path=True),
    "format": Key("text", _one_of(*FORMATS), "what goes to standard output"),
    "waivers": Key(DEFAULT_WAIVERS, _text, "the waivers file", is_path=True),
    "baseline": Key(None, _text, "the JSON report of an earlier run to compare with", True),
    "title": Key("", _text, "the report's title"),
    "licensee": Key("", _text, "the licensee the report is for"),
    "license": Key("", _text, "the licensee's license number"),
}


class ConfigError(ValueError):
    """A config that cannot be used; the message names the file and the key."""


def refusal(path: Path, key: str, problem: str) -> ConfigError:
    return ConfigError(f"In the config {path}, {key}: {problem}.")


@dataclass(frozen=True)
class Config:
    """The effective settings, each with where it came from."""

    file: Path | None
    values: dict[str, Any]
    sources: dict[str, str]
    choices: RuleChoices
    searched_from: Path | None = None  # where discovery started (None: --config or --isolated)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def waivers_path(self) -> tuple[Path | None, bool]:
        """The waivers file, and whether it was named (a named file must exist); None when
        there is none to read (a portfolio's client that names no waivers file)."""
        if not self["waivers"]:
            return None, False
        return Path(self["waivers"]), self.sources["waivers"] != "default"

    def origin(self, key: str) -> str:
        """Where a setting came from, in the reports' words: "command line", "config" (a
        file, or a portfolio's client in it) or "default"."""
        source = self.sources[key]
        if source == "default":
            return "default"
        return "command line" if source.startswith("--") else "config"

    def named(self, key: str) -> str:
        """A path setting as the reports name it: as written in the config (relative to its
        folder), or as given on the command line; never a folder of this machine that no
        one wrote (the config was found from the current folder, an absolute path)."""
        value = str(self[key])
        origin = self.origin(key)
        if origin == "command line":
            return value
        folder = self.file.parent if self.file is not None and origin == "config" else None
        if folder is None:  # a default: waivers.toml beside the config or here
            return Path(value).name if key == "waivers" else value
        path = Path(value)
        return str(path.relative_to(folder)) if path.is_relative_to(folder) else value

    def overridden(self, values: dict[str, Any], source: str) -> Config:
        """These settings over this config's (a portfolio's client over the file's), the rule
        choices made again; ConfigError names `source` when one cannot be used."""
        merged = {**self.values, **values}
        sources = {**self.sources, **dict.fromkeys(values, source)}
        return Config(self.file, merged, sources, _choices(merged, sources, self.file, source))

    def lines(self) -> list[str]:
        """`batchaudit config`: each setting, its value and where it came from."""
        if self.file is not None:
            head = f"config file: {self.file}"
        elif self.searched_from is not None:
            head = f"config file: none found from {self.searched_from} upward"
        else:
            head = "config file: none (--isolated)"
        width = max(len(key) for key in KEYS)
        rows = [
            f"{key:<{width}}  {_shown(self.values[key]):<40}  {self.sources[key]}" for key in KEYS
        ]
        off = [f"not run: {code}, {reason}" for code, reason in sorted(self.choices.off.items())]
        return [head, *rows, *off]


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "(none)"
    if value in ("", None):
        return "(none)"
    return str(value).lower() if isinstance(value, bool) else str(value)


def find_config(start: Path) -> Path | None:
    """The first `batchaudit.toml`, or `pyproject.toml` with [tool.batchaudit], upward."""
    for folder in [start, *start.parents]:
        if (folder / CONFIG_NAME).is_file():
            return folder / CONFIG_NAME
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and "batchaudit" in _toml(pyproject).get("tool", {}):
            return pyproject
    return None


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"Cannot read the config {path}: {error.strerror}.") from error
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"The config {path} is not valid TOML: {error}.") from error


def batchaudit_table(path: Path) -> dict[str, Any]:
    """A config file's table as written; for pyproject.toml its [tool.batchaudit]."""
    data = _toml(path)
    if path.name == PYPROJECT:
        data = data.get("tool", {}).get("batchaudit", {})
        if not isinstance(data, dict):
            raise refusal(path, "tool.batchaudit", "must be a table")
    return data


def read_config(path: Path) -> dict[str, Any]:
    """The settings of a config file, checked; for pyproject.toml its [tool.batchaudit]."""
    data = batchaudit_table(path)
    for key, value in data.items():
        if key in PORTFOLIO_TABLES:
            continue
        if key not in KEYS:
            hint = did_you_mean(key, KEYS) or did_you_mean(key.replace("_", "-"), KEYS)
            raise refusal(path, key, f"unknown key{hint}; `batchaudit config` lists the keys")
        problem = KEYS[key].check(value)
        if problem:
            raise refusal(path, key, problem)
    return {
        key: _relative(key, value, path.parent)
        for key, value in data.items()
        if key not in PORTFOLIO_TABLES
    }


def _relative(key: str, value: Any, folder: Path) -> Any:
    """Paths in a config file are relative to its folder (a pack by name stays a name)."""
    resolve = KEYS[key].is_path or (key == "jurisdiction" and str(value).endswith(".toml"))
    if not resolve:
        return value
    if isinstance(value, list):
        return [str(folder / v) for v in value]
    return str(folder / value)


def load_config(
    cwd: Path,
    explicit: Path | None = None,
    isolated: bool = False,
    flags: dict[str, Any] | None = None,
) -> Config:
    """The effective config: flags (key -> value given on the command line) over the file
    over the defaults."""
    if explicit is not None and isolated:
        raise ConfigError("--config and --isolated cannot be used together; choose one.")
    if explicit is not None and not explicit.is_file():
        raise ConfigError(f"The config {explicit} does not exist; check the path.")
    file = explicit if explicit is not None else None if isolated else find_config(cwd)
    given = read_config(file) if file is not None else {}
    values = {key: key_info.default for key, key_info in KEYS.items()}
    sources = dict.fromkeys(KEYS, "default")
    # waivers.toml beside the config, or in the current folder when there is none.
    values["waivers"] = str((file.parent if file is not None else cwd) / DEFAULT_WAIVERS)
    values.update(given)
    sources.update(dict.fromkeys(given, str(file)))
    for key, value in (flags or {}).items():
        values[key] = value
        sources[key] = "--" + key
    choices = _choices(values, sources, file)
    searched = cwd if explicit is None and not isolated else None
    return Config(file, values, sources, choices, searched)


def _choices(
    values: dict[str, Any], sources: dict[str, str], file: Path | None, client: str = ""
) -> RuleChoices:
    """The rules to run; `client` names a portfolio's client whose settings these are."""

    # A refusal names the config as this machine reads it; a skip reason, which the reports
    # carry, by its name only (the folder is the auditor's, not the client's business).
    name = file.name if file is not None else ""

    def selectors(key: str) -> Selectors:
        if sources[key].startswith("--"):
            return Selectors(tuple(values[key]), sources[key])
        if sources[key] == client:
            return Selectors(tuple(values[key]), f"In the config {file}, {client}, {key}",
                             f"{key} of {client} in {name}")  # fmt: skip
        return Selectors(tuple(values[key]), f"In the config {file}, {key}", f"{key} in {name}")

    try:
        return choose(
            selectors("select"),
            selectors("extend-select"),
            selectors("ignore"),
            severity=values["severity"],
            severity_where=f"In the config {file}, {client + ', ' if client else ''}severity",
        )
    except SelectionError as error:
        raise ConfigError(str(error)) from error
