"""Provenance: the reports say truly where the license numbers came from, and name files as
the auditor wrote them (relative to the config's folder, or as given on the command line),
never by the folders of the auditor's machine."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from batchaudit.support.resources import packs_dir
from helpers import write
from test_carry_over import HEADER, ROWS, SCHEMA, invoke, waivers_text

TODAY = datetime.now(UTC).date()
PACKAGED_BY = "Tag,Category,Source Package(s),Production Batch,Production Batch Number,Packaged By"


def audited(*args: str) -> dict[str, object]:
    code, out, err = invoke("audit", *args, "-f", "json", "--fail-on", "never")
    assert code == 0, err
    document = dict(json.loads(out))
    jsonschema.validate(document, SCHEMA)
    return document


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A client's folder with its config, waivers, own pack and exports; the audit is run
    from it, so the config is found from the current folder (by its absolute path)."""
    folder = tmp_path / "clients" / "green-acres"
    (folder / "exports").mkdir(parents=True)
    write(folder / "exports" / "packages.csv", "\n".join([HEADER, *ROWS[:2]]))
    write(folder / "waivers.toml", waivers_text("PB001", '["T2", "T8*"]', TODAY + timedelta(30)))
    shutil.copy(packs_dir() / "oregon.toml", folder / "my-pack.toml")
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.parametrize(
    ("config", "args", "source"),
    [
        ("", ["--isolated"], "none"),  # a grid export without Packaged By: none known
        ('license = "020-X1"', [], "config"),
        ("", ["--license", "020-X1"], "command line"),
        ('license = "020-Y"', ["--license", "020-X1"], "command line"),
    ],
)
def test_licenses_from_says_where_the_numbers_came_from(
    client: Path, config: str, args: list[str], source: str
) -> None:
    (client / "batchaudit.toml").write_text(config + "\n")
    about = audited("exports", *args)["about"]
    assert about["licenses_from"] == source  # type: ignore[index]
    assert about["licenses"] == ([] if source == "none" else ["020-X1"])  # type: ignore[index]


def test_licenses_read_from_the_exports_say_so(client: Path) -> None:
    write(
        client / "exports" / "packages.csv",
        f"{PACKAGED_BY}\nT1,Buds,,No,,020-P1\nT2,Buds,T1,No,,020-P1",
    )
    about = audited("exports", "--isolated")["about"]
    assert about["licenses_from"] == "exports"  # type: ignore[index]
    assert about["licenses"] == ["020-P1"]  # type: ignore[index]


def test_no_absolute_path_of_the_auditors_machine_in_any_report(client: Path) -> None:
    """Waivers, a pack, a baseline and rule choices named by the config, the config found
    from the current folder: every file is named as the config writes it."""
    first = audited("exports", "--isolated")
    (client / "last-month.json").write_text(json.dumps(first))
    (client / "batchaudit.toml").write_text(
        'jurisdiction = "my-pack.toml"\nbaseline = "last-month.json"\nignore = ["LN"]\n'
        'output = ["findings.json", "report.html", "summary.md", "findings.sarif"]\n'
    )
    code, _, err = invoke("audit", "exports")
    assert code == 0, err  # the one error, PB001, is waived
    document = json.loads((client / "findings.json").read_text())
    waived = [f["waiver"] for f in document["findings"] if f["waiver"]]
    assert [waiver["file"] for waiver in waived] == ["waivers.toml"]
    (unused,) = [f for f in document["findings"] if f["rule"] == "WV002"]
    assert unused["message"].startswith("The waiver #1 in waivers.toml (PB001 on ")
    assert document["pack"]["file"] == "my-pack.toml"
    assert document["baseline"]["path"] == "last-month.json"
    reasons = {skipped["rule"]: skipped["reason"] for skipped in document["skipped_rules"]}
    assert reasons["LN001"] == "ignored (ignore in batchaudit.toml: LN)"
    for name in ("findings.json", "report.html", "summary.md", "findings.sarif"):
        assert str(client.parent) not in (client / name).read_text(), name


def test_batchaudits_own_pack_is_named_by_its_place_in_batchaudit(client: Path) -> None:
    document = audited("exports", "--isolated")
    assert document["pack"]["file"] == "rules/oregon.toml" and document["pack"]["builtin"]


def test_paths_given_on_the_command_line_stay_as_given(client: Path) -> None:
    """As the input files: a path given on the command line is named as it was given."""
    (client / "batchaudit.toml").write_text('license = "020-X1"\n')
    pack = client / "my-pack.toml"
    document = audited("exports", "-j", str(pack), "--waivers", "./waivers.toml")
    assert document["pack"]["file"] == str(pack)
    assert {f["waiver"]["file"] for f in document["findings"] if f["waiver"]} == {"waivers.toml"}


def test_the_html_and_markdown_say_the_license_came_from_the_config(client: Path) -> None:
    (client / "batchaudit.toml").write_text('license = "020-X1"\n')
    code, _, err = invoke("audit", "exports", "-o", "r.html", "-o", "r.md", "--fail-on", "never")
    assert code == 0, err
    assert "020-X1 (from the config)" in (client / "r.html").read_text()
    assert "020-X1 (from the config)" in (client / "r.md").read_text()
