"""Words a client reads: one is one (no "1 packages", no "row(s)"), `inspect` asks only for
columns the tab can carry, history says what a run was compared with, and a folder says how
many of its files were not exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from batchaudit.cli import cli
from helpers import tag, write
from test_charts import LAB, PACKAGES
from test_responses import package, page

GRID = "Tag,Item,Category,Source Package(s),Production Batch,Lab Testing,Production Batch Number"
LAB_HEADER = "PackageId,LabTestResultId,SourcePackageLabel,TestTypeName,TestPassed"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def findings(*args: str) -> list[dict[str, str]]:
    code, out, err = invoke("audit", *args, "--isolated", "-f", "json", "--fail-on", "never")
    assert code == 0, err
    return list(json.loads(out)["findings"])


def messages(rule: str, *args: str) -> list[str]:
    return [f["message"] for f in findings(*args) if f["rule"] == rule]


def test_the_tab_size_chart_counts_one_as_one(tmp_path: Path) -> None:
    """T1-T8 each show 1 tested package; T9 shows 8 (5-8, past Oregon's limit of 3)."""
    packages, lab = write(tmp_path / "p.csv", PACKAGES), write(tmp_path / "l.csv", LAB)
    invoke("audit", str(packages), str(lab), "--isolated", "-o", str(tmp_path / "r.html"))
    titles = re.findall(r"<title>([^<]*tested[^<]*)</title>", (tmp_path / "r.html").read_text())
    assert "1 tested package: 8 packages" in titles
    assert "5-8 tested packages: 1 package" in titles
    assert not [title for title in titles if "1 packages" in title or "1 tested packages" in title]


def test_one_unplaced_pulled_row_carries_its_id(tmp_path: Path) -> None:
    """LN004 on one row: a grid export has no Id to place it by."""
    packages = write(tmp_path / "p.csv", f"{GRID}\nT1,Buds,Buds,,No,TestPassed,")
    lab = write(tmp_path / "l.csv", f"{LAB_HEADER}\n77,1,T1,THC,true")
    (message,) = messages("LN004", str(packages), str(lab))
    assert message.startswith("1 lab-result row carries a PackageId (1 distinct Id) that ")
    assert message.endswith(
        "so the Lab Results tab it was pulled for is not checked; its results still count "
        "for the package that was tested."
    )


def test_results_of_an_unknown_package_say_row_and_event_in_the_singular(tmp_path: Path) -> None:
    packages = write(tmp_path / "p.csv", f"{GRID}\nT1,Buds,Buds,,No,TestPassed,")
    lab = write(tmp_path / "l.csv", f"{LAB_HEADER}\n,1,T5,THC,true\n,2,T6,THC,true\n,2,T6,CBD,true")
    found = messages("LN003", str(packages), str(lab))
    assert (
        f"1 lab-result row of 1 test event was recorded against {tag(5)}, which is in no "
        in (found[0])
    )
    assert found[0].endswith("so it is in no results tab the audit checks.")
    assert found[1].startswith(f"2 lab-result rows of 1 test event were recorded against {tag(6)}")
    assert not [message for message in found if "(s)" in message]


def test_a_row_naming_no_package_is_said_in_the_singular(tmp_path: Path) -> None:
    packages = write(tmp_path / "p.csv", f"{GRID}\nT1,Buds,Buds,,No,TestPassed,")
    lab = write(tmp_path / "l.csv", f"{LAB_HEADER}\n77,1,,THC,true")
    (message,) = messages("LN003", str(packages), str(lab))
    assert message.startswith(
        "1 lab-result row names no tested package and its PackageId matches no loaded "
        "package's Id, so it could not be placed in any results tab"
    )


def test_one_unknown_source_is_one_in_the_remedy(tmp_path: Path) -> None:
    records = [package(1, SourcePackageLabels=tag(9)), package(2, SourcePackageLabels=tag(8))]
    records[1]["SourcePackageLabels"] = f"{tag(8)}, {tag(7)}"
    exports = tmp_path / "active.json"
    exports.write_text(json.dumps(page(records)))
    by_tag = {f["package_tag"]: f for f in findings(str(exports)) if f["rule"] == "LN001"}
    one, two = by_tag[tag(1)], by_tag[tag(2)]
    assert one["message"].endswith("; fetch the record that holds it, or check the tag.")
    assert one["remedy"] == (
        "Fetch /packages/v2/inactive and /packages/v2/onhold, or the source by its label "
        f"(/packages/v2/{tag(9)}), and run the audit with it."
    )
    assert two["message"].endswith("; fetch the records that hold them, or check the tags.")
    assert "or each source by its label" in two["remedy"] and two["remedy"].endswith("them.")


def test_inspect_asks_an_active_tab_for_no_inactive_columns(tmp_path: Path) -> None:
    """The grid's F. and D. (Finished, Discontinued) are the Inactive tab's only."""
    active = write(
        tmp_path / "active.csv",
        "Tag,Src. Pkg's,Item,Category,P.B.,P.B. No.,Lab Testing,Received From\n"
        "T1,,Gelato Buds,Buds,No,,TestPassed,",
    )
    code, out, _ = invoke("inspect", str(active))
    assert code == 0
    (line,) = [line for line in out.splitlines() if "not there" in line]
    assert line.endswith(": Quantity")  # the Active tab has Quantity; this file does not
    assert "F." not in line and "D." not in line


def test_the_first_run_of_a_report_folder_was_compared_with_nothing(tmp_path: Path) -> None:
    packages = write(tmp_path / "p.csv", f"{GRID}\nT1,Buds,Buds,,No,TestPassed,")
    out = tmp_path / "reports"
    for _ in range(2):
        code, _, err = invoke("audit", str(packages), "--isolated", "--out-dir", str(out))
        assert code == 0, err
    first, second = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    assert first["compared_with"] is None
    assert second["compared_with"] == str(out / "latest" / "findings.json")


def test_a_folder_says_how_many_files_were_not_exports(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    (exports / "certificates").mkdir(parents=True)
    write(exports / "active.csv", f"{GRID}\nT1,Buds,Buds,,No,TestPassed,")
    for name in ("certificates/lab.pdf", "certificates/lab2.pdf", "logo.png", "NOTES"):
        (exports / name).write_bytes(b"not an export\n")
    (exports / ".DS_Store").write_bytes(b"hidden: never counted\n")
    sentence = (
        f"4 files in {exports} are not exports (.pdf, .png, no extension) and were not read; "
        "batchaudit reads .csv, .tsv, .txt, .xlsx, .xlsm, .xls, .json."
    )
    html = tmp_path / "report.html"
    code, out, err = invoke("audit", str(exports), "--isolated", "-o", str(html))
    assert code == 0
    assert f"batchaudit: {sentence}" in err and "Not read: 4 files, named above." in out
    assert sentence in html.read_text()
    _, out, _ = invoke("audit", str(exports), "--isolated", "-f", "json")
    assert json.loads(out)["not_read"] == [{"path": str(exports), "reason": sentence}]
    code, out, _ = invoke("inspect", str(exports))
    assert code == 0 and f"{exports}\n  NOT READ: {sentence}\n" in out
    one = tmp_path / "one"
    one.mkdir()
    write(one / "active.csv", f"{GRID}\nT1,Buds,Buds,,No,TestPassed,")
    (one / "scan.pdf").write_bytes(b"%PDF\n")
    _, _, err = invoke("audit", str(one), "--isolated")
    assert f"1 file in {one} is not an export (.pdf) and was not read;" in err
