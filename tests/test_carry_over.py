"""Waivers and baselines through the command line: a waived finding stays in every report
but does not fail the run; a baseline says what is new and what was resolved, and neither
renamed files nor re-sorted rows make anything new."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from helpers import tag, write

HEADER = "Tag,Item,Category,Source Package(s),Production Batch,Lab Testing,Production Batch Number"
ROWS = [
    "T1,Blue Dream Buds,Buds,,No,TestPassed,",
    "T2,Blue Dream Buds,Buds,T1,Yes,NotSubmitted,PB-1",  # PB001 + PB004
    "T3,Blue Dream Shatter,Concentrate,T1,No,NotSubmitted,",  # PB003
    'T5,Blue Dream Buds,Buds,"T1, T9",No,TestPassed,',  # LN001
]
NEW_MISTAKE = "T4,Blue Dream Wax,Concentrate,T1,No,NotSubmitted,"  # PB003, nothing else
T3_FIXED = "T3,Blue Dream Shatter,Concentrate,T1,Yes,NotSubmitted,PB-3"
SCHEMA = json.loads((Path(__file__).parent / "contract" / "report.schema.json").read_text())
TODAY = datetime.now(UTC).date()


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def exports(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write(path, "\n".join([HEADER, *rows]))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def report(*args: str) -> dict[str, object]:
    code, out, err = invoke("audit", *args, "-f", "json", "--fail-on", "never")
    assert code == 0, err
    document = dict(json.loads(out))
    jsonschema.validate(document, SCHEMA)
    return document


def findings(document: dict[str, object]) -> list[dict[str, object]]:
    return list(document["findings"])  # type: ignore[call-overload]


def waivers_text(rule: str, tags: str, expires: date, reason: str = "Agreed with OLCC") -> str:
    return (
        f'[[waiver]]\nrule = "{rule}"\ntag = {tags}\nreason = "{reason}"\n'
        f'expires = {expires.isoformat()}\napproved_by = "J. Rivera"\n'
    )


def test_a_waived_finding_stays_in_every_report_and_does_not_fail(client: Path) -> None:
    exports(client / "packages.csv", ROWS[:2])
    write(client / "waivers.toml", waivers_text("PB001", '"T2"', TODAY + timedelta(days=30)))
    code, out, err = invoke("audit", "packages.csv", "-o", "report.html", "-o", "f.json",
                            "-o", "f.sarif", "-o", "s.md", "-o", "r.xml", "-o", "f.csv")  # fmt: skip
    assert code == 0, err  # PB001 is the only error, and it is waived
    assert "1 waived" in out
    (pb001,) = [
        f for f in findings(json.loads((client / "f.json").read_text())) if f["rule"] == "PB001"
    ]
    assert pb001["waiver"]["reason"] == "Agreed with OLCC"  # type: ignore[index]
    assert pb001["waiver"]["file"] == "waivers.toml"  # type: ignore[index]
    html = (client / "report.html").read_text()
    waived_section = html.split('id="waived"')[1].split("</section>")[0]
    assert tag(2) in waived_section and "Agreed with OLCC" in waived_section
    # No lab results: the LT rules did not run, so the verdict says what it did check.
    assert re.search(r'<p class="verdict[^"]*">No errors found in what was checked;', html)
    sarif = json.loads((client / "f.sarif").read_text())
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "PB001"]
    assert result["suppressions"][0]["status"] == "accepted"
    assert "Waived until" in (client / "s.md").read_text()
    case = next(
        c
        for c in ET.parse(client / "r.xml").iter("testcase")
        if c.get("name", "").startswith("PB001")
    )
    assert case.find("failure") is None and "[waived until" in (case.findtext("system-out") or "")
    assert "Agreed with OLCC" in (client / "f.csv").read_text(encoding="utf-8-sig")


def test_an_expired_waiver_no_longer_applies_and_says_so(client: Path) -> None:
    exports(client / "packages.csv", ROWS[:2])
    write(client / "waivers.toml", waivers_text("PB001", '"T2"', TODAY - timedelta(days=1)))
    assert invoke("audit", "packages.csv")[0] == 1
    document = report("packages.csv")
    assert not [f for f in findings(document) if f["waiver"]]
    (expired,) = [f for f in findings(document) if f["rule"] == "WV001"]
    assert expired["package_tag"] == tag(2) and expired["severity"] == "warning"
    assert f"expired on {TODAY - timedelta(days=1)}" in str(expired["message"])


def test_a_waiver_that_matches_nothing_is_a_note(client: Path) -> None:
    exports(client / "packages.csv", ROWS[:2])
    write(
        client / "waivers.toml", waivers_text("LN001", '["T2", "1A4030000CC7D2000000009*"]', TODAY)
    )
    (unused,) = [f for f in findings(report("packages.csv")) if f["rule"] == "WV002"]
    assert unused["severity"] == "note" and unused["package_tag"] is None
    assert unused["evidence"]["unmatched"] == [tag(2), "1A4030000CC7D2000000009*"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("entry", "sentence"),
    [
        (
            '[[waiver]]\nrule = "PB001"\ntag = "T2"\nexpires = {soon}',
            "waiver #1.reason: is required: say why the finding is accepted.",
        ),
        (
            '[[waiver]]\nrule = "PB001"\ntag = "T2"\nreason = "  "\nexpires = {soon}',
            "waiver #1.reason: is required: say why the finding is accepted.",
        ),
        (
            '[[waiver]]\nrule = "PB001"\ntag = "T2"\nreason = "ok"',
            "waiver #1.expires: is required: a date, as 2027-03-31 (no quotes).",
        ),
        (
            '[[waiver]]\nrule = "PB001"\ntag = "T2"\nreason = "ok"\nexpires = "{soon}"',
            "waiver #1.expires: is required: a date, as 2027-03-31 (no quotes).",
        ),
        (
            '[[waiver]]\nrule = "PB01"\ntag = "T2"\nreason = "ok"\nexpires = {soon}',
            "waiver #1.rule: must be a rule code (did you mean 'PB001'?).",
        ),
        (
            '[[waiver]]\nrule = "PB001"\ntags = "T2"\nreason = "ok"\nexpires = {soon}',
            "waiver #1.tags: unknown key (did you mean 'tag'?).",
        ),
        (
            '[[waiver]]\nrule = "PB001"\nreason = "ok"\nexpires = {soon}',
            "waiver #1.tag: must be a package tag, a glob or a list of them.",
        ),
        (
            '[[waiver]]\nrule = "PB001"\ntag = "T2"\nreason = "ok"\nexpires = {far}',
            "waiver #1.expires: is more than 365 days after today (at most {latest}).",
        ),
        (
            '[[waivers]]\nrule = "PB001"',
            "waivers: unknown key (did you mean 'waiver'?); each entry is a [[waiver]] table.",
        ),
        ("waiver = 1", "waiver: must be [[waiver]] tables."),
        ("waiver = [1]", "waiver #1: must be a [[waiver]] table."),
        (
            '[[waiver]]\nrule = "PB001"\ntag = "T2"\nreason = "ok"\nexpires = {soon}\napproved_by = 7',
            "waiver #1.approved_by: must be text (who approved it).",
        ),
        (
            '[[waiver]]\nrule = "PB001"\ntag = "T2"\nreason = "ok"\nexpires = {soon}\napproved_on = "x"',
            "waiver #1.approved_on: must be a date, as 2026-11-29 (no quotes).",
        ),
    ],
)
def test_a_waiver_without_a_reason_or_expiry_is_refused(
    client: Path, entry: str, sentence: str
) -> None:
    exports(client / "packages.csv", ROWS[:2])
    soon, far = TODAY + timedelta(days=10), TODAY + timedelta(days=366)
    file = write(client / "waivers.toml", entry.format(soon=soon, far=far))
    code, out, err = invoke("audit", "packages.csv")
    latest = TODAY + timedelta(days=365)
    assert (code, out) == (2, "")
    assert err == f"batchaudit: In the waivers file {file}, {sentence.format(latest=latest)}\n"


def test_waive_appends_to_the_waivers_file_of_the_config_in_use(
    client: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(client / "batchaudit.toml", 'fail-on = "error"')
    exports(client / "exports" / "packages.csv", ROWS[:2])
    monkeypatch.chdir(client / "exports")
    until = (TODAY + timedelta(days=90)).isoformat()
    code, out, err = invoke(
        "waive",
        "pb001",
        tag(2),
        "--reason",
        'Agreed with "OLCC"',
        "--until",
        until,
        "--approved-by",
        "J. Rivera",
    )
    assert code == 0, err
    assert (
        out == f"Added waiver #1 in {client / 'waivers.toml'}: PB001 on {tag(2)} until {until}.\n"
    )
    invoke("waive", "LN001", tag(9), "--reason", "Received", "--until", until)
    text = (client / "waivers.toml").read_text()
    assert text.count("[[waiver]]") == 2 and f"approved_on = {TODAY}" in text
    assert invoke("audit", "packages.csv")[0] == 0
    assert not (client / "exports" / "waivers.toml").exists()


def test_waive_without_a_config_writes_in_the_current_folder(client: Path) -> None:
    until = (TODAY + timedelta(days=5)).isoformat()
    assert (
        invoke("waive", "PB001", tag(2), "--reason", "ok", "--until", until, "--isolated")[0] == 0
    )
    assert (client / "waivers.toml").is_file()


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (
            ["PB01", "T2", "--reason", "ok"],
            "there is no rule 'PB01' (did you mean 'PB001'?); `batchaudit rules` lists them.",
        ),
        (
            ["PB001", "T2", "--reason", " "],
            "--reason is required: say why the finding is accepted.",
        ),
    ],
)
def test_waive_refusals(client: Path, args: list[str], sentence: str) -> None:
    until = (TODAY + timedelta(days=5)).isoformat()
    assert invoke("waive", *args, "--until", until) == (2, "", f"batchaudit: {sentence}\n")
    assert not (client / "waivers.toml").exists()


def test_waive_refuses_an_expiry_more_than_a_year_ahead(client: Path) -> None:
    until = TODAY + timedelta(days=400)
    code, _, err = invoke("waive", "PB001", tag(2), "--reason", "ok", "--until", until.isoformat())
    assert code == 2 and "is more than 365 days after approved_on" in err
    assert not (client / "waivers.toml").exists()


def baseline_of(client: Path, rows: list[str]) -> Path:
    exports(client / "last-month" / "packages.csv", rows)
    invoke("audit", "last-month", "-o", "previous.json", "--fail-on", "never")
    return client / "previous.json"


def test_the_same_exports_against_their_own_baseline_have_nothing_new(client: Path) -> None:
    baseline_of(client, ROWS)
    document = report("last-month", "--baseline", "previous.json")
    assert {f["baseline"] for f in findings(document)} == {"unchanged"}
    assert document["baseline"]["new"] == 0 and document["baseline"]["resolved"] == []  # type: ignore[index]
    assert invoke("audit", "last-month", "--baseline", "previous.json", "--fail-on-new")[0] == 0


def test_shuffled_rows_and_renamed_files_are_not_new(client: Path) -> None:
    previous = json.loads(baseline_of(client, ROWS).read_text())
    shuffled = [ROWS[3].replace('"T1, T9"', '"T9,T1"'), ROWS[2], ROWS[0], ROWS[1]]
    exports(client / "this-month" / "Packages Export 2026-12.csv", shuffled)
    document = report("this-month", "--baseline", "previous.json")
    assert document["baseline"]["new"] == 0 and document["baseline"]["resolved"] == []  # type: ignore[index]
    assert sorted(f["fingerprint"] for f in findings(document)) == sorted(
        f["fingerprint"] for f in previous["findings"]
    )
    lines = {f["source"]["line"] for f in findings(document)} - {
        f["source"]["line"] for f in previous["findings"]
    }
    assert lines  # the rows did move


def test_one_new_mistake_is_exactly_one_new_finding(client: Path) -> None:
    baseline_of(client, ROWS)
    exports(client / "this-month" / "packages.csv", [*ROWS, NEW_MISTAKE])
    document = report("this-month", "--baseline", "previous.json")
    new = [f for f in findings(document) if f["baseline"] == "new"]
    assert [(f["rule"], f["package_tag"]) for f in new] == [("PB003", tag(4))]
    assert document["baseline"]["resolved"] == []  # type: ignore[index]
    code, out, _ = invoke("audit", "this-month", "--baseline", "previous.json", "--fail-on-new")
    assert code == 1
    assert "Since previous.json: 1 new, 4 unchanged, 0 resolved, 0 not re-checked." in out


def test_one_fixed_mistake_is_exactly_one_resolved(client: Path) -> None:
    baseline_of(client, ROWS)
    exports(client / "this-month" / "packages.csv", [ROWS[0], ROWS[1], T3_FIXED, ROWS[3]])
    document = report("this-month", "--baseline", "previous.json")
    assert document["baseline"]["new"] == 0  # type: ignore[index]
    resolved = document["baseline"]["resolved"]  # type: ignore[index]
    assert [(f["rule"], f["package_tag"]) for f in resolved] == [("PB003", tag(3))]
    invoke(
        "audit",
        "this-month",
        "--baseline",
        "previous.json",
        "-o",
        "r.html",
        "-o",
        "s.md",
        "-o",
        "r.xml",
        "--fail-on",
        "never",
    )
    html = (client / "r.html").read_text()
    assert "Since the last audit" in html and "1 resolved" in html
    assert "resolved **PB003**" in (client / "s.md").read_text()
    assert "0 new, 3 unchanged, 1 resolved" in (client / "r.xml").read_text()


def test_new_findings_are_marked_in_html_markdown_and_junit(client: Path) -> None:
    baseline_of(client, ROWS)
    exports(client / "this-month" / "packages.csv", [*ROWS, NEW_MISTAKE])
    invoke(
        "audit",
        "this-month",
        "--baseline",
        "previous.json",
        "-o",
        "r.html",
        "-o",
        "s.md",
        "-o",
        "r.xml",
        "-o",
        "f.sarif",
    )
    html = (client / "r.html").read_text()
    assert "<strong>1 new</strong>" in html  # the summary; the explorer marks the row itself
    explorer = json.loads(html.split('id="finding-data">')[1].split("</script>")[0])
    assert [row[2] for row in explorer["findings"] if row[15]] == [tag(4)]
    assert "- new **PB003**" in (client / "s.md").read_text()
    assert f"[new] {tag(4)}" in (client / "r.xml").read_text()
    states = [
        r.get("baselineState")
        for r in json.loads((client / "f.sarif").read_text())["runs"][0]["results"]
    ]
    assert states.count("new") == 1 and states.count("unchanged") == 4


def test_every_report_counts_waived_findings_new_or_unchanged_alike(client: Path) -> None:
    """A waived finding is new or unchanged as any other: the counts since the baseline are
    the same in every report, waived findings in them (JSON's contract counts them)."""
    baseline_of(client, ROWS)
    exports(client / "this-month" / "packages.csv", [*ROWS, NEW_MISTAKE])
    waived = waivers_text("PB001", '"T2"', TODAY + timedelta(days=30)) + waivers_text(
        "PB003", '"T4"', TODAY + timedelta(days=30)
    )
    write(client / "waivers.toml", waived)  # one unchanged finding waived, and the new one
    code, out, err = invoke("audit", "this-month", "--baseline", "previous.json",
                            "-o", "r.html", "-o", "f.json", "-o", "s.md", "-o", "r.xml",
                            "--fail-on", "never")  # fmt: skip
    assert code == 0, err
    document = json.loads((client / "f.json").read_text())
    assert (document["baseline"]["new"], document["baseline"]["unchanged"]) == (1, 4)
    assert sum(1 for f in findings(document) if f["waiver"]) == 2
    assert "Since previous.json: 1 new, 4 unchanged, 0 resolved" in out
    html = re.sub(r"<[^>]+>", "", (client / "r.html").read_text())
    assert "Since the last audit: 1 new, 4 unchanged, 0 resolved" in html
    assert "Compared with previous.json: 1 new, 4 unchanged, 0 resolved" in html
    assert "1 new, 4 unchanged, 0 resolved" in (client / "s.md").read_text().replace("*", "")
    assert "1 new, 4 unchanged, 0 resolved" in (client / "r.xml").read_text()


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (
            "not json",
            "The baseline previous.json is not JSON; give the JSON report of an earlier run (-o findings.json).",
        ),
        (  # deeper than any parser follows: the json module would raise RecursionError
            "[" * 100_000 + "]" * 100_000,
            "The baseline previous.json is not JSON; give the JSON report of an earlier run (-o findings.json).",
        ),
        (
            '{"findings": []}',
            "The baseline previous.json is not a batchaudit JSON report; give the JSON report of an earlier run (-o findings.json).",
        ),
        (  # a tool that is no object once raised AttributeError
            '{"tool": "batchaudit", "findings": []}',
            "The baseline previous.json is not a batchaudit JSON report; give the JSON report of an earlier run (-o findings.json).",
        ),
        (
            '{"tool": {"name": "batchaudit"}, "findings": [{"rule": "PB001"}]}',
            "The baseline previous.json has findings without a fingerprint (it was written by an older batchaudit); audit the same exports again to make a baseline.",
        ),
    ],
)
def test_a_baseline_that_is_not_a_report_is_refused(
    client: Path, content: str, sentence: str
) -> None:
    exports(client / "packages.csv", ROWS)
    (client / "previous.json").write_text(content)
    assert invoke("audit", "packages.csv", "--baseline", "previous.json") == (
        2,
        "",
        f"batchaudit: {sentence}\n",
    )


def test_waiver_findings_follow_the_config_like_every_rule(client: Path) -> None:
    exports(client / "packages.csv", ROWS[:2])
    write(client / "waivers.toml", waivers_text("LN001", '"T2"', TODAY))
    write(client / "batchaudit.toml", '[severity]\nWV002 = "error"')
    (unused,) = [f for f in findings(report("packages.csv")) if f["rule"] == "WV002"]
    assert unused["severity"] == "error"
    document = report("packages.csv", "--ignore", "WV")
    assert not [f for f in findings(document) if f["rule"].startswith("WV")]  # type: ignore[union-attr]
    assert {"WV001", "WV002"} <= {s["rule"] for s in document["skipped_rules"]}  # type: ignore[attr-defined]


def test_a_waiver_reason_is_text_in_the_html_report(client: Path) -> None:
    exports(client / "packages.csv", ROWS[:2])
    write(
        client / "waivers.toml",
        waivers_text("PB001", '"T2"', TODAY, reason="<script>alert(1)</script>"),
    )
    assert invoke("audit", "packages.csv", "-o", "r.html")[0] == 0
    html = (client / "r.html").read_text()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_waivers_file_that_is_not_toml_and_a_missing_baseline_are_refused(client: Path) -> None:
    exports(client / "packages.csv", ROWS)
    (client / "waivers.toml").write_text("[[waiver]\n")
    code, out, err = invoke("audit", "packages.csv")
    assert (code, out) == (2, "") and err.startswith(
        f"batchaudit: The waivers file {client / 'waivers.toml'} is not valid TOML: "
    )
    (client / "waivers.toml").unlink()
    assert invoke("audit", "packages.csv", "--baseline", "gone.json") == (
        2,
        "",
        "batchaudit: Cannot read the baseline gone.json: No such file or directory.\n",
    )


def test_a_data_quality_finding_keeps_its_fingerprint_in_another_file_and_line(
    client: Path,
) -> None:
    bad = "T6,Blue Dream Buds,Buds,,Maybe,TestPassed,"
    exports(client / "a" / "active.csv", [bad, *ROWS])
    exports(client / "b" / "Packages (1).csv", [*ROWS, bad])
    first, second = report("a"), report("b")
    (one,) = [f for f in findings(first) if f["rule"] == "DQ002"]
    (two,) = [f for f in findings(second) if f["rule"] == "DQ002"]
    assert one["source"] != two["source"] and one["fingerprint"] == two["fingerprint"]
