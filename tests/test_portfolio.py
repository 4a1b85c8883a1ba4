"""`batchaudit run`: a portfolio config's clients, each audited into its own report folder in
worker processes, and the portfolio's index.html: twelve generated clients, one of them with
an export that cannot be read, run twice with --jobs 2."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from batchaudit.month_to_month.config import ConfigError
from batchaudit.month_to_month.portfolio.clients import read_portfolio
from batchaudit.month_to_month.report_folders import run_folders

CLIENTS = 12
BROKEN = 7  # its only export is random bytes
CHANGED = 3  # its exports change before the second run


def client_tables(count: int) -> str:
    return "".join(
        f'[[clients]]\nname = "Client {n}"\nlicense = "020-1000{n:02}"\nexports = "clients/c{n}"\n\n'
        for n in range(1, count + 1)
    )


def sample(folder: Path, seed: int) -> None:
    result = CliRunner().invoke(
        cli, ["sample", str(folder), "--packages", "200", "--seed", str(seed)]
    )
    assert result.exit_code == 0, result.output


def run(config: Path, *extra: str) -> Any:
    return CliRunner().invoke(cli, ["run", str(config), "--jobs", "2", *extra])


def portfolio(out: Path) -> dict[str, Any]:
    return json.loads((out / "portfolio.json").read_text(encoding="utf-8"))


def rows_by_state(index: str) -> list[str]:
    import re

    return re.findall(r'<tr class="client [a-z]+" data-state="([a-z]+)">', index)


@pytest.fixture(scope="module")
def twelve(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Twelve clients run twice; between the runs one client's exports change."""
    root = tmp_path_factory.mktemp("portfolio")
    for number in range(1, CLIENTS + 1):
        sample(root / "clients" / f"c{number}", seed=number)
    broken = root / "clients" / f"c{BROKEN}"
    shutil.rmtree(broken)
    broken.mkdir()
    (broken / "packages.csv").write_bytes(bytes(range(256)) * 8)
    config = root / "batchaudit.toml"
    config.write_text('[portfolio]\nout-dir = "reports"\n\n' + client_tables(CLIENTS))
    first = run(config)
    first_data = portfolio(root / "reports")
    shutil.rmtree(root / "clients" / f"c{CHANGED}")
    sample(root / "clients" / f"c{CHANGED}", seed=100 + CHANGED)
    second = run(config)
    return {"root": root, "out": root / "reports", "first": first, "second": second,
            "first_data": first_data, "data": portfolio(root / "reports")}  # fmt: skip


def test_every_client_has_its_report_folder_and_the_broken_one_is_marked(
    twelve: dict[str, Any],
) -> None:
    out, first = twelve["out"], twelve["first"]
    assert first.exit_code == 2, first.output  # the worst: one client could not be audited
    data = twelve["first_data"]
    assert [client["name"] for client in data["clients"]] == [
        f"Client {n}" for n in range(1, CLIENTS + 1)
    ]
    assert [client["status"] for client in data["clients"]].count(2) == 1
    broken = data["clients"][BROKEN - 1]
    assert broken["status"] == 2 and "is a binary file" in broken["failure"]
    assert broken["latest"] is None and broken["by_severity"] is None
    for number in set(range(1, CLIENTS + 1)) - {BROKEN}:
        folder = out / f"client-{number}"
        assert (folder / "latest" / "report.html").is_file()
        assert len((folder / "history.jsonl").read_text().splitlines()) == 2
        assert len(run_folders(folder)) == 2
        client = twelve["data"]["clients"][number - 1]
        assert client["status"] == 1 and client["latest"] == f"client-{number}/latest/report.html"
    assert not (out / f"client-{BROKEN}" / "history.jsonl").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    states = rows_by_state(index)
    assert len(states) == CLIENTS and states[BROKEN - 1] == "failed"
    assert states.count("failed") == 1
    assert "is a binary file" in index and "<script" not in index


def test_the_summary_has_a_line_per_client_and_the_index(twelve: dict[str, Any]) -> None:
    lines = twelve["first"].output.splitlines()
    assert len(lines) == CLIENTS + 1
    assert lines[BROKEN - 1].startswith(f"Client {BROKEN} ") and "FAILED: " in lines[BROKEN - 1]
    assert "8 E, 20 W, 17 N" in lines[0] and "45 new" in lines[0]
    assert lines[-1].startswith("11 of 12 clients audited, 1 could not be; the portfolio: ")
    assert lines[-1].endswith(f"{twelve['out'] / 'index.html'} (exit status 2)")


def test_the_second_run_shows_what_is_new_since_the_last(twelve: dict[str, Any]) -> None:
    out = twelve["out"]
    first, second = twelve["first_data"]["clients"], twelve["data"]["clients"]
    assert first[0]["new"] == sum(first[0]["by_severity"].values())  # compared with nothing
    for number, client in enumerate(second, start=1):
        if number in (BROKEN, CHANGED):
            continue
        assert (client["new"], client["resolved"]) == (0, 0)
        assert client["trend"] == [sum(client["by_severity"].values())] * 2
    changed = second[CHANGED - 1]
    lines = (out / f"client-{CHANGED}" / "history.jsonl").read_text().splitlines()
    last = json.loads(lines[-1])
    assert changed["new"] == last["new"] > 0 and changed["resolved"] == last["resolved"] > 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'data-label="new since last run">{changed["new"]}</td>' in index


def test_quiet_prints_only_the_last_line(tmp_path: Path) -> None:
    sample(tmp_path / "clients" / "c1", seed=1)
    config = tmp_path / "batchaudit.toml"
    config.write_text(client_tables(1) + '[[clients]]\nname = "Gone"\nexports = "nowhere/*.csv"\n')
    result = run(config, "-q", "--out-dir", str(tmp_path / "elsewhere"))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"1 of 2 clients audited, 1 could not be; the portfolio: "
        f"{tmp_path / 'elsewhere' / 'index.html'} (exit status 2)"
    ]
    gone = portfolio(tmp_path / "elsewhere")["clients"][1]
    assert (
        gone["failure"]
        == f"its exports {tmp_path / 'nowhere/*.csv'} match no file; check the path."
    )


def test_the_exit_status_is_the_worst_of_the_clients(tmp_path: Path) -> None:
    sample(tmp_path / "clients" / "c1", seed=1)
    config = tmp_path / "clients.toml"
    tables = client_tables(1) + (
        '[[clients]]\nname = "Lenient"\nexports = ["clients/c1/packages-active.csv"]\n'
        'fail-on = "never"\nselect = ["PB"]\nout-dir = "lenient-reports"\n'
    )
    config.write_text(
        tables.replace('exports = "clients/c1"\n', 'exports = "clients/c1"\nfail-on = "never"\n', 1)
    )
    result = run(config)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "lenient-reports" / "latest" / "findings.json").is_file()
    config.write_text(tables)
    result = run(config)
    assert result.exit_code == 1, result.output
    statuses = [client["status"] for client in portfolio(tmp_path / "reports")["clients"]]
    assert statuses == [1, 0]
    lenient = json.loads((tmp_path / "lenient-reports" / "latest" / "findings.json").read_text())
    assert {finding["rule"][:2] for finding in lenient["findings"]} <= {"PB", "DQ"}
    assert lenient["about"]["licensee"] == "Lenient"
    shutil.rmtree(tmp_path / "clients")  # both fail now; the index links their last reports
    assert run(config).exit_code == 2
    gone = portfolio(tmp_path / "reports")["clients"][0]
    assert gone["status"] == 2 and gone["latest"] == "client-1/latest/report.html"
    assert len(gone["trend"]) == 2 and gone["by_severity"] is None  # its two runs before
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert index.count('<a href="client-1/latest/report.html">last report</a>') == 1


GOOD = """
title = "Q4"
[portfolio]
out-dir = "out"
keep = 3
[[clients]]
name = "Green Acres, LLC"
license = "020-1"
exports = ["a/*.csv", "b"]
pack = "oregon"
waivers = "a/waivers.toml"
[[clients]]
name = "Blue Sky"
exports = "c"
out-dir = "elsewhere/blue"
ignore = ["LT"]
"""


def test_a_good_config(tmp_path: Path) -> None:
    (tmp_path / "batchaudit.toml").write_text(GOOD)
    read = read_portfolio(tmp_path / "batchaudit.toml")
    assert (read.out_dir, read.keep, read.title) == (tmp_path / "out", 3, "")
    green, blue = read.clients
    assert green.out_dir == tmp_path / "out" / "green-acres-llc"
    assert green.exports == (str(tmp_path / "a/*.csv"), str(tmp_path / "b"))
    assert green.settings["waivers"] == str(tmp_path / "a/waivers.toml")
    assert green.settings["licensee"] == "Green Acres, LLC" and green.settings["license"] == "020-1"
    assert blue.out_dir == tmp_path / "elsewhere" / "blue"
    assert blue.settings["waivers"] == "" and blue.settings["ignore"] == ["LT"]
    moved = read_portfolio(tmp_path / "batchaudit.toml", out_dir=tmp_path / "flag")
    assert moved.clients[0].out_dir == tmp_path / "flag" / "green-acres-llc"


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (('name = "Blue Sky"\n', ""), "client #2: name is required."),
        (
            ('"Blue Sky"', '"green acres, llc"'),
            "client 'green acres, llc', name: is also client #1's name; each client needs its own.",
        ),
        (("ignore", "ignroe"), "client 'Blue Sky', ignroe: unknown key (did you mean 'ignore'?)."),
        (
            ('pack = "oregon"', 'jurisdiction = "oregon"'),
            "jurisdiction: unknown key (a client's rule pack is `pack`).",
        ),
        (
            ('exports = "c"', "exports = 3"),
            "client 'Blue Sky', exports: must be a path, a folder or a glob",
        ),
        (('"elsewhere/blue"', '"out/green-acres-llc"'), "client 'Blue Sky', out-dir:"),
        (
            ('exports = "c"', 'exports = "."'),
            "holds report folders, whose reports would be read as exports; keep them apart.",
        ),
        (("keep = 3", "kep = 3"), "portfolio.kep: unknown key (did you mean 'keep'?)."),
        (('["LT"]', '["XX9"]'), "client 'Blue Sky', ignore"),
    ],
)
def test_refusals_name_the_file_the_client_and_the_key(
    tmp_path: Path, change: tuple[str, str], sentence: str
) -> None:
    config = tmp_path / "batchaudit.toml"
    config.write_text(GOOD.replace(*change))
    with pytest.raises(ConfigError) as refused:
        read_portfolio(config)
    assert str(refused.value).startswith(f"In the config {config}, ")
    assert sentence in str(refused.value)


def test_a_config_without_clients_is_refused_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "batchaudit.toml").write_text('fail-on = "warning"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run"])  # the config found from the current folder
    assert result.exit_code == 2
    assert "lists no clients; add a [[clients]] table for each" in result.output
    assert not (tmp_path / "reports").exists()


def test_audit_passes_over_the_portfolio_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample(tmp_path / "exports", seed=2)
    (tmp_path / "batchaudit.toml").write_text('fail-on = "never"\n' + client_tables(1))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["audit", "exports"])
    assert result.exit_code == 0, result.output


def test_the_portfolio_page_in_a_browser(twelve: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, FLAGS

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}"))
            page.on("request", lambda r: r.url.startswith("file:") or problems.append(r.url))
            page.goto((twelve["out"] / "index.html").as_uri())
            page.wait_for_load_state("load")
            states = page.eval_on_selector_all(
                "#clients tbody tr", "rows => rows.map(r => r.dataset.state)"
            )
            failed = page.locator("tr.failed .verdict").inner_text()
            sparks = page.locator("svg.spark polyline").count()
            sideways = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            link = page.locator("tr.client").first.locator("a").first.get_attribute("href")
            page.close()
            assert len(states) == CLIENTS and states[BROKEN - 1] == "failed"
            assert "could not be audited" in failed and "binary file" in failed
            assert sparks == CLIENTS - 1
            assert not sideways, width
            assert link == "client-1/latest/report.html"
            assert (twelve["out"] / link).is_file()
        browser.close()
    assert problems == []


def one_client_audited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, replaced_by: Callable[..., None]
) -> Any:
    """The outcome of one client's audit, with the engine's `name` replaced."""
    from datetime import UTC, datetime

    import batchaudit.engine
    from batchaudit.month_to_month.portfolio.client_run import audit_client

    sample(tmp_path / "clients" / "c1", seed=1)
    (tmp_path / "batchaudit.toml").write_text(client_tables(1))
    client = read_portfolio(tmp_path / "batchaudit.toml").clients[0]
    monkeypatch.setattr(batchaudit.engine, name, replaced_by)
    return audit_client(tmp_path / "batchaudit.toml", client, None, datetime.now(UTC))


def test_an_unexpected_problem_is_the_clients_failure_in_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the rules tripped\non a line break")

    outcome = one_client_audited(tmp_path, monkeypatch, "audit", broken)
    assert outcome.status == 2 and outcome.failed
    assert outcome.failure.startswith(
        "an unexpected problem stopped its audit (RuntimeError: the rules tripped"
    )
    assert "\n" not in outcome.failure
    assert not (tmp_path / "reports" / "client-1" / "history.jsonl").exists()


def test_a_config_found_from_the_current_folder_puts_no_absolute_path_in_a_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22, seen 12: a portfolio run from its own folder, its config found there, names
    the clients' exports and earlier runs as the config writes them."""
    sample(tmp_path / "clients" / "c1", seed=1)
    (tmp_path / "batchaudit.toml").write_text(client_tables(1))
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        result = CliRunner().invoke(cli, ["run", "--jobs", "1"])
        assert result.exit_code in (0, 1), result.output
    latest = tmp_path / "reports" / "client-1" / "latest"
    written = [
        (latest / name).read_text(encoding="utf-8") for name in ("findings.json", "report.html")
    ]
    assert all(str(tmp_path) not in text for text in written)
    inputs = json.loads(written[0])["inputs"]
    assert {item["path"].split("/")[0] for item in inputs} == {"clients"}


def test_a_clients_audit_shares_its_rules_with_no_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A portfolio's worker is one of as many as the machine has processors: it runs every
    rule itself, as it renders every report itself."""

    def shared(*args: Any) -> None:
        raise AssertionError("a client's rules were shared with a child")

    outcome = one_client_audited(tmp_path, monkeypatch, "shared", shared)
    assert not outcome.failed, outcome.failure
    assert outcome.status in (0, 1)
