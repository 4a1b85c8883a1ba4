"""A portfolio's clients: `[[clients]]` tables in the config (batchaudit.toml, or
`[tool.batchaudit]` in pyproject.toml), and `[portfolio]` for the portfolio's own folder.

    [portfolio]
    out-dir = "reports"                  # index.html here; each client's folder under it
    dask = "tcp://scheduler:8786"        # or "local:4": run the clients on a Dask cluster

    [[clients]]
    name = "Green Acres"                 # required, unique
    license = "020-10040512F3E"
    exports = "clients/green-acres"      # a file, a folder or a glob, or a list of them
    group = "Green Acres Group"          # licenses of one operator: joined on their transfers
    pack = "oregon"
    waivers = "clients/green-acres/waivers.toml"
    out-dir = "reports/green-acres"      # default: <portfolio out-dir>/<name as a slug>

Every table and key is checked before any client is audited, with a sentence naming the
file, the client and the key. Paths are relative to the config file's folder. What a
client's paths lead to (its exports, waivers file, pack) is read when the client is
audited, so one client's missing exports are that client's failure, not the portfolio's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batchaudit.month_to_month.config import (
    KEYS,
    ConfigError,
    Key,
    batchaudit_table,
    load_config,
    refusal,
)
from batchaudit.support.suggestions import did_you_mean

DEFAULT_OUT_DIR = "reports"


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be non-empty text"


def _paths(value: Any) -> str | None:
    texts = [value] if isinstance(value, str) else value
    ok = isinstance(texts, list) and texts and all(isinstance(v, str) and v.strip() for v in texts)
    return None if ok else 'must be a path, a folder or a glob, or a list of them ("exports/*.csv")'


LOCAL_CLUSTER = re.compile(r"local:([1-9][0-9]{0,3})")
_SCHEDULER = re.compile(r"([a-z][a-z0-9+.-]*://)?[^\s/]+:[0-9]{1,5}")


def cluster_address_problem(value: Any) -> str | None:
    """Why `value` is not where to run the clients: a Dask scheduler's address
    (`tcp://host:8786`, `host:8786`) or `local:N`."""
    if isinstance(value, str) and (LOCAL_CLUSTER.fullmatch(value) or _SCHEDULER.fullmatch(value)):
        return None
    return (
        "must be a Dask scheduler's address (tcp://host:8786) or local:N (a cluster of N "
        "workers on this machine)"
    )


def _count(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return None if ok else "must be a whole number, 1 or more"


# A client's key -> (its check, the audit's config key it sets, or None).
CLIENT_KEYS: dict[str, tuple[Key, str | None]] = {
    "name": (Key("", _text, "the client's name, as the reports and the index show it"), None),
    "exports": (Key([], _paths, "its exports: a file, a folder or a glob, or a list"), None),
    "out-dir": (Key("", _text, "its report folder (default: <portfolio out-dir>/<name>)"), None),
    "group": (Key("", _text, "its group: licenses of one operator, joined on their transfers"),
              None),
    "pack": (KEYS["jurisdiction"], "jurisdiction"),
    **{key: (KEYS[key], key) for key in (
        "license", "licensee", "title", "waivers", "select", "extend-select", "ignore",
        "severity", "fail-on", "fail-on-new",
    )},
}  # fmt: skip
PORTFOLIO_KEYS: dict[str, Key] = {
    "out-dir": Key(DEFAULT_OUT_DIR, _text, "the portfolio's folder: index.html, portfolio.json"),
    "title": Key("", _text, "the portfolio page's title"),
    "keep": Key(None, _count, "keep each client's newest N runs"),
    "dask": Key(None, cluster_address_problem, "run the clients on this Dask cluster"),
}


@dataclass(frozen=True)
class Client:
    """One client as the config gives it, its paths made relative to the config's folder."""

    number: int  # its place in the config, from 1
    name: str
    license: str
    exports: tuple[str, ...]  # files, folders or globs
    out_dir: Path
    settings: dict[str, Any]  # audit config keys over the file's own (`pack` as jurisdiction)
    group: str = ""  # the group of licenses it belongs to, if any

    @property
    def label(self) -> str:
        """How refusals name it: `client "Green Acres"`."""
        return f"client {self.name!r}"


@dataclass(frozen=True)
class Portfolio:
    file: Path
    out_dir: Path
    title: str
    keep: int | None
    clients: tuple[Client, ...]
    dask: str | None = None  # the cluster the config names ([portfolio] dask)


def as_written(folder: Path) -> Path:
    """The config's folder as the reports name what is in it: relative to the current folder
    when it is that folder or inside it (a config found by searching upwards is absolute),
    so that no report carries the folders of the auditor's machine; else as it is."""
    try:
        return folder.relative_to(Path.cwd())
    except ValueError:
        return folder


def slug(name: str, number: int) -> str:
    """A folder name for a client: `Green Acres, LLC` -> `green-acres-llc`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or f"client-{number}"


def read_portfolio(file: Path, out_dir: Path | None = None) -> Portfolio:
    """The portfolio of a config file, every client checked; ConfigError for the first
    problem. `out_dir` (--out-dir) beats `[portfolio] out-dir`."""
    data = batchaudit_table(file)
    base = load_config(file.parent, explicit=file)  # the file's own settings, checked
    table = _portfolio_table(file, data.get("portfolio", {}))
    folder = as_written(file.parent)
    out = out_dir if out_dir is not None else folder / table.get("out-dir", DEFAULT_OUT_DIR)
    entries = data.get("clients")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(
            f"The config {file} lists no clients; add a [[clients]] table for each, with its "
            "name and exports (see the README, Many clients: a portfolio)."
        )
    clients = tuple(_client(file, n, entry, out) for n, entry in enumerate(entries, start=1))
    for client in clients:
        base.overridden(client.settings, client.label)  # its rule choices, checked now
    _check_apart(file, clients, out)
    title, keep, dask = table.get("title", ""), table.get("keep"), table.get("dask")
    return Portfolio(file, out, title, keep, clients, dask)


def _portfolio_table(file: Path, table: Any) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise refusal(file, "portfolio", 'must be a table, as [portfolio] out-dir = "reports"')
    for key, value in table.items():
        if key not in PORTFOLIO_KEYS:
            hint = did_you_mean(key, PORTFOLIO_KEYS)
            raise refusal(file, f"portfolio.{key}", f"unknown key{hint}")
        problem = PORTFOLIO_KEYS[key].check(value)
        if problem:
            raise refusal(file, f"portfolio.{key}", problem)
    return table


def _client(file: Path, number: int, entry: Any, out: Path) -> Client:
    where = f"client #{number}"
    if not isinstance(entry, dict):
        raise refusal(file, where, "must be a [[clients]] table")
    if "name" in entry and _text(entry["name"]) is None:
        where = f"client {entry['name']!r}"
    for key, value in entry.items():
        if key not in CLIENT_KEYS:
            hint = did_you_mean(key, CLIENT_KEYS) or (
                " (a client's rule pack is `pack`)" if key == "jurisdiction" else ""
            )
            raise refusal(file, f"{where}, {key}", f"unknown key{hint}")
        problem = CLIENT_KEYS[key][0].check(value)
        if problem:
            raise refusal(file, f"{where}, {key}", problem)
    for required in ("name", "exports"):
        if required not in entry:
            raise refusal(file, where, f"{required} is required")
    name = entry["name"].strip()
    exports = [entry["exports"]] if isinstance(entry["exports"], str) else entry["exports"]
    folder = as_written(file.parent)
    given_out = entry.get("out-dir")
    return Client(
        number=number,
        name=name,
        license=entry.get("license", "").strip(),
        exports=tuple(str(folder / path) for path in exports),
        out_dir=folder / given_out if given_out else out / slug(name, number),
        settings=_settings(entry, folder),
        group=entry.get("group", "").strip(),
    )


def _settings(entry: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The audit config of a client: its own keys; `licensee` is its name unless given; no
    waivers file unless it names one; the baseline is always its last run."""
    settings: dict[str, Any] = {"licensee": entry["name"].strip(), "waivers": "", "baseline": None}
    for key, value in entry.items():
        config_key = CLIENT_KEYS[key][1]
        if config_key is None:
            continue
        is_pack_file = config_key == "jurisdiction" and str(value).endswith(".toml")
        settings[config_key] = (
            str(folder / value) if KEYS[config_key].is_path or is_pack_file else value
        )
    return settings


def _check_apart(file: Path, clients: tuple[Client, ...], out: Path) -> None:
    """Each client is kept apart: its own name and its own report folder, never the
    portfolio's own folder, never inside a folder of exports (its reports would be read)."""
    names: dict[str, Client] = {}
    folders: dict[Path, Client] = {}
    for client in clients:
        key = client.name.casefold()
        if key in names:
            raise refusal(file, f"{client.label}, name", f"is also client #{names[key].number}'s "
                          "name; each client needs its own")  # fmt: skip
        names[key] = client
        folder = client.out_dir.resolve()
        if folder in folders or folder == out.resolve():
            other = folders.get(folder)
            whose = f"client {other.name!r}'s" if other else "the portfolio's own"
            raise refusal(file, f"{client.label}, out-dir", f"{client.out_dir} is {whose} "
                          "report folder; give each client its own (out-dir)")  # fmt: skip
        folders[folder] = client
    for client in clients:
        for export in map(Path, client.exports):
            if export.is_dir() and any(f.is_relative_to(export.resolve()) for f in folders):
                problem = f"{export} holds report folders, whose reports would be read as exports"
                raise refusal(file, f"{client.label}, exports", f"{problem}; keep them apart")
