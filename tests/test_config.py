"""The config file: found from the current folder upward, flags over file over defaults,
every refusal one sentence naming the file and the key; select and ignore by prefix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from helpers import tag, write

PACKAGES = """
Tag,Item,Category,Source Package(s),Production Batch,Lab Testing,Production Batch Number
T1,Blue Dream Buds,Buds,,No,TestPassed,
T2,Blue Dream Buds,Buds,T1,Yes,NotSubmitted,PB-1
T3,Blue Dream Shatter,Concentrate,T1,No,NotSubmitted,
T4,Blue Dream Pre-Roll,Non-Infused (Plain) Pre-Roll,T1,Yes,NotSubmitted,PB-4
"""


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A client folder with its exports, as the current folder."""
    write(tmp_path / "packages.csv", PACKAGES)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def audit_json(*args: str) -> dict[str, object]:
    code, out, err = invoke("audit", "packages.csv", "-f", "json", "--fail-on", "never", *args)
    assert code == 0, err
    return dict(json.loads(out))


def rules_found(document: dict[str, object]) -> set[str]:
    return {str(f["rule"]) for f in document["findings"]}  # type: ignore[attr-defined]


def setting(out: str, key: str) -> tuple[str, str]:
    """(value, source) of one line of `batchaudit config`."""
    line = next(line for line in out.splitlines() if line.split()[0] == key)
    value, source = line[len(key) :].strip().rsplit("  ", 1)
    return value.strip(), source.strip()


def test_batchaudit_toml_is_found_from_a_subfolder(
    client: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(client / "batchaudit.toml", 'select = ["PB"]\nfail-on = "warning"')
    (client / "exports" / "2026-11").mkdir(parents=True)
    monkeypatch.chdir(client / "exports" / "2026-11")
    code, out, _ = invoke("config")
    assert code == 0
    assert out.splitlines()[0] == f"config file: {client / 'batchaudit.toml'}"
    assert setting(out, "select") == ("PB", str(client / "batchaudit.toml"))
    assert setting(out, "fail-on") == ("warning", str(client / "batchaudit.toml"))
    assert setting(out, "ignore") == ("(none)", "default")


def test_tool_batchaudit_in_pyproject_is_read_and_a_pyproject_without_it_is_passed_over(
    client: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(client / "pyproject.toml", '[tool.batchaudit]\nignore = ["LN"]')
    (client / "sub").mkdir()
    write(client / "sub" / "pyproject.toml", '[project]\nname = "x"')
    monkeypatch.chdir(client / "sub")
    _, out, _ = invoke("config")
    assert setting(out, "ignore") == ("LN", str(client / "pyproject.toml"))


def test_the_nearest_config_wins_and_batchaudit_toml_beats_pyproject(
    client: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(client / "batchaudit.toml", 'ignore = ["DQ"]')
    (client / "near").mkdir()
    write(client / "near" / "pyproject.toml", '[tool.batchaudit]\nignore = ["LN"]')
    write(client / "near" / "batchaudit.toml", 'ignore = ["PB004"]')
    monkeypatch.chdir(client / "near")
    _, out, _ = invoke("config")
    assert setting(out, "ignore") == ("PB004", str(client / "near" / "batchaudit.toml"))


def test_config_names_a_file_and_isolated_reads_none(client: Path) -> None:
    write(client / "batchaudit.toml", 'ignore = ["PB004"]')
    write(client / "other.toml", 'ignore = ["LN001"]')
    _, out, _ = invoke("config", "--config", "other.toml")
    assert setting(out, "ignore") == ("LN001", "other.toml")
    _, out, _ = invoke("config", "--isolated")
    assert out.splitlines()[0] == "config file: none (--isolated)"
    assert setting(out, "ignore") == ("(none)", "default")
    assert "PB004" in rules_found(audit_json("--isolated"))
    assert "PB004" not in rules_found(audit_json())


def test_flag_over_file_over_default(client: Path) -> None:
    assert audit_json()["jurisdiction"] == "oregon"  # the default
    write(client / "batchaudit.toml", 'jurisdiction = "metrc-generic"\nfail-on = "never"')
    assert audit_json()["jurisdiction"] == "metrc-generic"  # the file
    assert audit_json("-j", "oregon")["jurisdiction"] == "oregon"  # the flag
    assert invoke("audit", "packages.csv")[0] == 0  # fail-on = "never" from the file
    assert invoke("audit", "packages.csv", "--fail-on", "error")[0] == 1  # the flag


def test_severity_in_the_config_beats_the_packs(client: Path) -> None:
    pack = (Path(__file__).parent.parent / "rules" / "oregon.toml").read_text()
    write(client / "pack.toml", pack + '\n[rules.PB001]\nseverity = "warning"\n')
    found = audit_json("-j", "pack.toml")["findings"]
    assert {f["severity"] for f in found if f["rule"] == "PB001"} == {"warning"}  # type: ignore[attr-defined]
    write(client / "batchaudit.toml", '[severity]\nPB001 = "note"')
    found = audit_json("-j", "pack.toml")["findings"]
    assert {f["severity"] for f in found if f["rule"] == "PB001"} == {"note"}  # type: ignore[attr-defined]


def test_default_outputs_are_relative_to_the_config(
    client: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (client / "out").mkdir()
    write(client / "batchaudit.toml", 'output = ["out/findings.json"]\nfail-on = "never"')
    (client / "sub").mkdir()
    monkeypatch.chdir(client / "sub")
    code, _, err = invoke("audit", "../packages.csv")
    assert code == 0, err
    assert (client / "out" / "findings.json").is_file()


@pytest.mark.parametrize(
    ("config", "sentence"),
    [
        (
            'selct = ["PB"]',
            "In the config {file}, selct: unknown key (did you mean 'select'?); `batchaudit config` lists the keys.",
        ),
        (
            'fail_on = "warning"',
            "In the config {file}, fail_on: unknown key (did you mean 'fail-on'?); `batchaudit config` lists the keys.",
        ),
        (
            'fail-on = "sometimes"',
            "In the config {file}, fail-on: must be one of error, warning, note, never.",
        ),
        (
            'select = "PB"',
            'In the config {file}, select: must be a list of text, as ["PB", "LT001"].',
        ),
        ("fail-on-new = 1", "In the config {file}, fail-on-new: must be true or false."),
        ('title = ""', "In the config {file}, title: must be non-empty text."),
        (
            'severity = "error"',
            'In the config {file}, severity: must be a table, as {{PB002 = "error"}}.',
        ),
        (
            'select = ["PX"]',
            "In the config {file}, select: 'PX' is not a rule code or prefix (did you mean 'PB'?); `batchaudit rules` lists them.",
        ),
        (
            'ignore = ["PB0011"]',
            "In the config {file}, ignore: 'PB0011' is not a rule code or prefix (did you mean 'PB001'?); `batchaudit rules` lists them.",
        ),
        (
            '[severity]\nPB01 = "error"',
            "In the config {file}, severity.PB01: not a rule code (did you mean 'PB001'?).",
        ),
        (
            '[severity]\nPB001 = "fatal"',
            "In the config {file}, severity.PB001: must be error, warning or note, not 'fatal'.",
        ),
        ("select = [", "The config {file} is not valid TOML: "),
    ],
)
def test_every_refusal_names_the_file_and_the_key(client: Path, config: str, sentence: str) -> None:
    file = write(client / "batchaudit.toml", config)
    for command in (["config"], ["audit", "packages.csv"]):
        code, out, err = invoke(*command)
        assert code == 2 and not out
        assert err.startswith("batchaudit: " + sentence.format(file=file))
        assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (
            ["--select", "PX"],
            "--select: 'PX' is not a rule code or prefix (did you mean 'PB'?); `batchaudit rules` lists them.",
        ),
        (
            ["--ignore", "LT,XY9"],
            "--ignore: 'XY9' is not a rule code or prefix; `batchaudit rules` lists them.",
        ),
        (["--config", "missing.toml"], "The config missing.toml does not exist; check the path."),
        (
            ["--config", "packages.csv", "--isolated"],
            "--config and --isolated cannot be used together; choose one.",
        ),
        (
            ["--fail-on-new"],
            "--fail-on-new needs a baseline: give --baseline previous.json (or `baseline` in the config).",
        ),
        (
            ["--waivers", "nowhere.toml"],
            "The waivers file nowhere.toml does not exist; check the path.",
        ),
    ],
)
def test_refusals_of_command_line_options(client: Path, args: list[str], sentence: str) -> None:
    code, out, err = invoke("audit", "packages.csv", *args)
    assert (code, out, err) == (2, "", f"batchaudit: {sentence}\n")


def test_select_and_ignore_by_prefix(client: Path) -> None:
    everything = rules_found(audit_json())
    assert everything == {"PB001", "PB002", "PB003", "PB004"}
    document = audit_json("--select", "PB")
    assert rules_found(document) == {code for code in everything if code.startswith("PB")}
    skipped = {s["rule"]: s["reason"] for s in document["skipped_rules"]}  # type: ignore[attr-defined]
    assert skipped["DQ001"] == "not selected (--select: PB)"
    assert skipped["LN001"] == "not selected (--select: PB)"
    document = audit_json("--ignore", "PB00", "--extend-select", "DQ")
    assert not any(code.startswith("PB") for code in rules_found(document))
    skipped = {s["rule"]: s["reason"] for s in document["skipped_rules"]}  # type: ignore[attr-defined]
    assert skipped["PB001"] == "ignored (--ignore: PB00)"
    document = audit_json("--select", "pb001,PB003", "--extend-select", "PB004")
    assert rules_found(document) == {"PB001", "PB003", "PB004"}


def test_ignored_in_the_config_is_skipped_with_the_file_named(client: Path) -> None:
    write(client / "batchaudit.toml", 'ignore = ["PB004", "LN"]')
    code, out, _ = invoke("audit", "packages.csv", "--fail-on", "never")
    assert code == 0
    # By its name: the reports carry the reason, and the folder is the auditor's own.
    assert "Skipped PB004: ignored (ignore in batchaudit.toml: PB004, LN)." in " ".join(out.split())
    assert "PB004" not in rules_found(audit_json())


def test_title_licensee_and_license_reach_the_reports(client: Path) -> None:
    write(
        client / "batchaudit.toml",
        'title = "November audit"\nlicensee = "Green Acres"\nlicense = "020-1234"',
    )
    about = audit_json("--licensee", "Green Acres LLC")["about"]
    assert about["title"] == "November audit" and about["licensee"] == "Green Acres LLC"
    assert about["license"] == "020-1234" and about["licenses"] == ["020-1234"]
    invoke("audit", "packages.csv", "-o", "report.html")
    html = (client / "report.html").read_text()
    assert "<h1>November audit</h1>" in html
    assert "<dt>Licensee</dt><dd>Green Acres</dd>" in html
    assert "<dt>License</dt><dd>020-1234 (from the config)</dd>" in html


def test_trace_uses_the_rules_of_the_config(client: Path) -> None:
    code, out, _ = invoke("trace", tag(2), "packages.csv")
    assert code == 0 and "PB004" in out
    write(client / "batchaudit.toml", 'ignore = ["PB004"]')
    code, out, _ = invoke("trace", tag(2), "packages.csv")
    assert code == 0 and "PB001" in out and "PB004" not in out
    assert "PB004" in invoke("trace", tag(2), "packages.csv", "--isolated")[1]


def test_a_tool_batchaudit_that_is_not_a_table_is_refused(client: Path) -> None:
    file = write(client / "pyproject.toml", '[tool]\nbatchaudit = "PB"')
    assert invoke("config") == (
        2,
        "",
        f"batchaudit: In the config {file}, tool.batchaudit: must be a table.\n",
    )


def test_config_lists_the_rules_it_leaves_out(client: Path) -> None:
    file = write(client / "batchaudit.toml", 'select = ["PB"]\nignore = ["PB004"]')
    _, out, _ = invoke("config")
    assert f"config file: {file}" in out
    assert "not run: PB004, ignored (ignore in batchaudit.toml: PB004)" in out
    assert "not run: LT001, not selected (select in batchaudit.toml: PB)" in out
    assert "not run: PB001" not in out
