"""The second month must run as the first did: a config's report folders are made on the first
run, and choosing rule families never silences what batchaudit says of the waivers file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from helpers import write
from test_carry_over import HEADER, ROWS, invoke, waivers_text

TODAY = datetime.now(UTC).date()


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "packages.csv", "\n".join([HEADER, *ROWS[:2]]))
    return tmp_path


def test_the_readmes_output_folders_are_made_on_the_first_run(client: Path) -> None:
    (client / "batchaudit.toml").write_text(
        'output = ["reports/report.html", "reports/2026-11/findings.json"]\n'
    )
    code, _, err = invoke("audit", "packages.csv")
    assert code == 1, err  # PB001: the audit ran and wrote its reports
    assert "does not exist" not in err
    assert "<html" in (client / "reports" / "report.html").read_text()
    assert json.loads((client / "reports" / "2026-11" / "findings.json").read_text())["findings"]


def test_a_folder_given_with_o_must_exist(client: Path) -> None:
    """At the prompt a mistyped folder is said, not made: -o stays as it was."""
    code, _, err = invoke("audit", "packages.csv", "-o", "reprots/report.html")
    assert code == 2 and "the folder reprots does not exist" in err
    assert not (client / "reprots").exists()


def test_a_config_folder_that_cannot_be_made_is_one_sentence(client: Path) -> None:
    (client / "reports").write_text("a file where the folder should be\n")
    (client / "batchaudit.toml").write_text('output = ["reports/report.html"]\n')
    code, _, err = invoke("audit", "packages.csv")
    assert code == 2 and err.startswith("batchaudit: ") and len(err.splitlines()) == 1
    assert f"the folder {client / 'reports'} cannot be made" in err


@pytest.mark.parametrize(
    ("config", "flags"),
    [
        ('select = ["PB", "LT", "LN", "DQ"]\n', []),
        ("", ["--select", "PB,LT,LN,DQ"]),
        ("", ["--select", "PB001"]),
    ],
)
def test_waiver_findings_run_whatever_select_names(
    client: Path, config: str, flags: list[str]
) -> None:
    (client / "batchaudit.toml").write_text(config)
    write(
        client / "waivers.toml",
        waivers_text("PB001", '"T9"', TODAY + timedelta(days=30))  # matches nothing
        + "\n"
        + waivers_text("PB001", '"T2"', TODAY - timedelta(days=1)),  # expired
    )
    code, out, err = invoke("audit", "packages.csv", *flags, "-f", "json")
    assert code == 1, err
    document = json.loads(out)
    assert document["summary"]["by_rule"]["WV001"] == 1
    assert document["summary"]["by_rule"]["WV002"] == 1
    assert not [s for s in document["skipped_rules"] if s["rule"].startswith("WV")]


def test_ignore_still_turns_the_waiver_findings_off(client: Path) -> None:
    (client / "batchaudit.toml").write_text('select = ["PB"]\nignore = ["WV002"]\n')
    write(client / "waivers.toml", waivers_text("PB001", '"T9"', TODAY + timedelta(days=30)))
    code, out, err = invoke("audit", "packages.csv", "-f", "json")
    assert code == 1, err
    document = json.loads(out)
    assert "WV002" not in document["summary"]["by_rule"]
    skipped = {s["rule"]: s["reason"] for s in document["skipped_rules"]}
    assert skipped["WV002"] == "ignored (ignore in batchaudit.toml: WV002)"
    assert "WV001" not in skipped
