"""Never a false all-clear (issue 22): every verdict, "resolved" and figure says what was
really checked. Coverage is per package, a finding is resolved only where re-checked, a
figure not measured is null, export problems are not Metrc errors, and a production batch
already discontinued is corrected."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from helpers import tag
from test_responses import lab_row, package, page
from test_responses import write as write_json

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "contract" / "report.schema.json").read_text())
SAMPLE = ROOT / "sample_data"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def audited(*args: str) -> dict[str, Any]:
    code, out, err = invoke("audit", *args, "-f", "json", "--fail-on", "never")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    return document


def full_lineage(folder: Path) -> tuple[Path, Path]:
    """A v2 page and its lab results: a tested source S (1), an unneeded production batch
    of it (2), a concentrate made from it without the box (3), a package made from a source
    not exported (4), and a package whose tab shows five tested packages (10, from 5-9)."""
    source = package(1)
    batch = package(2, IsProductionBatch=True, ProductionBatchNumber="PB-1",
                     SourcePackageLabels=source["Label"], LabTestingState="NotSubmitted")  # fmt: skip
    processed = package(3, SourcePackageLabels=source["Label"],
                        Item={"ProductCategoryName": "Concentrate",
                              "ProductCategoryType": "Concentrate"})  # fmt: skip
    unknown = package(4, SourcePackageLabels="1A4030000CC7D20000000099")
    tested = [package(n) for n in range(5, 10)]
    combined = package(10, SourcePackageLabels=", ".join(p["Label"] for p in tested))
    records = [source, batch, processed, unknown, *tested, combined]
    packages = write_json(folder / "active.json", page(records))
    rows = [lab_row(n, 700 + n, "Total THC") for n in [1, *range(5, 10)]]
    rows.append(lab_row(6, 706, "Pesticides", TestPassed=False, OverallPassed=False))
    rows.append(lab_row(7, 707, "Pesticides"))
    lab = write_json(folder / "lab.json", page(rows))
    return packages, lab


def flat_v1(folder: Path) -> Path:
    """An old flat v1 response: no source packages. Its production batch would be PB001 if
    its sources were known, and its blank batch number is not a fact of the record."""
    records = [
        {"Id": 60 + n, "Label": tag(60 + n), "ProductName": "Buds",
         "ProductCategoryName": "Buds", "RoomName": "Vault", "Quantity": 3.0,
         "IsProductionBatch": n == 1, "ProductionBatchNumber": "PB-OLD" if n else None,
         "LabTestingState": "NotSubmitted"}
        for n in range(2)
    ]  # fmt: skip
    return write_json(folder / "old-v1.json", records)


def comparable(document: dict[str, Any], tags: set[str]) -> list[tuple[Any, ...]]:
    return sorted(
        (f["rule"], f["package_tag"], f["severity"], f["message"], json.dumps(f["evidence"]))
        for f in document["findings"]
        if f["package_tag"] in tags
    )


def test_a_file_without_sources_leaves_every_rule_running_on_the_other_files(
    tmp_path: Path,
) -> None:
    """Seen 1: one flat v1 file switched PB001-PB004, LT001, LT002, LN001, LN002 off for
    every package, and with --ignore DQ001 the verdict read "no ... errors found"."""
    packages, lab = full_lineage(tmp_path)
    old = flat_v1(tmp_path)
    alone = audited("-p", str(packages), "-l", str(lab))
    mixed = audited(str(tmp_path))  # the folder: both packages exports and the lab results
    v2_tags = {f["package_tag"] for f in alone["findings"] if f["package_tag"]}
    assert {"PB001", "PB003", "LT001", "LT002", "LN001"} <= {f["rule"] for f in alone["findings"]}
    assert comparable(mixed, v2_tags) == comparable(alone, v2_tags)
    # No finding rests on what the v1 file does not say (its sources, for one).
    old_tags = {tag(60), tag(61)}
    assert [f for f in mixed["findings"] if f["package_tag"] in old_tags] == []
    assert mixed["skipped_rules"] == alone["skipped_rules"] == []
    pb001 = mixed["coverage"]["PB001"]
    assert (pb001["checked"], pb001["not_checked"]) == (10, 2)
    assert pb001["why"] == [
        {
            "reason": "their files have no source-package field",
            "packages": 2,
            "files": [str(old)],
            "field": "source_package_tags",
        }
    ]
    assert alone["coverage"]["PB005"] == {"ran": True, "checked": 10, "not_checked": 0, "why": []}
    # The verdict names what was not checked, even with DQ001 ignored.
    _, out, _ = invoke("audit", str(tmp_path), "--ignore", "DQ001")
    assert "no production-batch or results-tab errors found" not in out
    assert (
        "10 rules did not check every package "
        "(PB001, PB002, PB003, PB004, PB006, PB007, LT001, LT002, LN001, LN002; see Not checked)"
    ) in out
    assert f"did not check 2 packages of {old}: their files have no source-package field" in out


def test_a_tab_inheriting_through_a_file_without_sources_is_not_checked_by_lt(
    tmp_path: Path,
) -> None:
    """Its tab is only partly known (what the v1 package inherited is not said), so LT001 and
    LT002 count it as not checked rather than call its tab short."""
    old = flat_v1(tmp_path)
    child = package(20, SourcePackageLabels=tag(60))
    packages = write_json(tmp_path / "active.json", page([child]))
    lab = write_json(tmp_path / "lab.json", page([lab_row(60, 900, "Total THC")]))
    document = audited("-p", str(packages), "-p", str(old), "-l", str(lab))
    for code in ("LT001", "LT002"):
        reasons = {gap["reason"]: gap["packages"] for gap in document["coverage"][code]["why"]}
        assert reasons == {
            "their files have no source-package field": 2,
            "their results tab inherits through a package whose file has no source-package "
            "field": 1,
        }


def test_a_month_without_its_lab_file_resolves_nothing(tmp_path: Path) -> None:
    """Seen 2: re-run without the lab-results file, the LT and LN003/LN004 findings were
    listed as resolved and --fail-on-new passed on that."""
    baseline = tmp_path / "previous.json"
    invoke("audit", str(SAMPLE), "-o", str(baseline), "--fail-on", "never")
    before = json.loads(baseline.read_text())
    lab_rules = {"LT001", "LT002", "LN003", "LN004"} & {f["rule"] for f in before["findings"]}
    assert {"LT001", "LT002"} <= lab_rules
    month = tmp_path / "this-month"
    month.mkdir()
    for export in [*SAMPLE.glob("packages-*.csv"), SAMPLE / "processing-jobs.json"]:
        shutil.copy(export, month / export.name)
    document = audited(str(month), "--baseline", str(baseline))
    compared = document["baseline"]
    assert compared["resolved"] == []
    not_rechecked = {f["rule"] for f in compared["not_rechecked"]}
    assert not_rechecked == lab_rules
    counted = sum(f["rule"] in lab_rules for f in before["findings"])
    assert len(compared["not_rechecked"]) == counted
    code, out, _ = invoke("audit", str(month), "--baseline", str(baseline), "--fail-on-new")
    assert code == 0
    assert f"0 resolved, {counted} not re-checked." in out
    html = tmp_path / "r.html"
    invoke("audit", str(month), "--baseline", str(baseline), "-o", str(html))
    assert "<h3>Not re-checked</h3>" in html.read_text()


def test_a_fixed_package_still_checked_is_resolved(tmp_path: Path) -> None:
    """Resolved still means re-checked and gone: the lab file given, T2 made without the box."""
    packages, lab = full_lineage(tmp_path)
    baseline = tmp_path / "previous.json"
    invoke("audit", str(packages), "-l", str(lab), "-o", str(baseline), "--fail-on", "never")
    records = json.loads(packages.read_text())
    records["Data"][1]["IsProductionBatch"] = False
    (tmp_path / "fixed").mkdir()
    fixed = write_json(tmp_path / "fixed" / "active.json", records)
    document = audited(str(fixed), "-l", str(lab), "--baseline", str(baseline))
    resolved = {(f["rule"], f["package_tag"]) for f in document["baseline"]["resolved"]}
    assert ("PB001", records["Data"][1]["Label"]) in resolved
    assert document["baseline"]["not_rechecked"] == []


def test_results_lost_without_lab_results_are_not_measured_not_zero(tmp_path: Path) -> None:
    """Seen 3: without lab results every PB001 said it lost 0 rows from 0 tested packages."""
    packages, _ = full_lineage(tmp_path)
    html = tmp_path / "r.html"
    _, out, _ = invoke("audit", str(packages), "-o", str(html), "-f", "json")
    document = json.loads(out)
    (pb001,) = [f for f in document["findings"] if f["rule"] == "PB001"]
    assert pb001["evidence"]["results_lost"] == {
        "rows": None,
        "events": None,
        "tested_packages": None,
        "at_least": False,
    }
    assert "lost 0" not in pb001["message"] and "not measured" in pb001["message"]
    assert document["summary"]["test_events"] is None
    text = html.read_text()
    lost = text.split("Lab-result rows lost to unneeded production batches</dt><dd>")[1]
    assert lost.startswith("not measured (no lab results were given)")
    assert "Not measured: no lab results were given." in text  # the tab-sizes chart


def test_export_problems_are_not_called_metrc_errors(tmp_path: Path) -> None:
    """Seen 7: "2 errors need correcting in Metrc" was printed for DQ findings."""
    broken = tmp_path / "packages.csv"
    broken.write_text(
        "Tag,Category,Source Package(s),Production Batch,Production Batch Number\n"
        "1A4030000CC7D20000000001,Buds,,No,\nnot-a-tag,Buds,,No,\n"
    )
    _, out, _ = invoke("audit", str(broken))
    verdict = out.splitlines()[-1]
    assert "in Metrc" not in verdict
    assert "1 problem in the export files to fix before the audit is complete" in verdict


def test_a_discontinued_unneeded_batch_is_corrected_not_an_error(tmp_path: Path) -> None:
    """Seen 8: a PB001 package with an ArchivedDate stayed an error, first in what to do."""
    source = package(1)
    done = package(2, IsProductionBatch=True, ProductionBatchNumber="PB-1",
                   SourcePackageLabels=source["Label"], LabTestingState="NotSubmitted",
                   ArchivedDate="2026-02-01T10:00:00+00:00", Quantity=0.0)  # fmt: skip
    open_batch = package(3, IsProductionBatch=True, ProductionBatchNumber="PB-2",
                         SourcePackageLabels=source["Label"], LabTestingState="NotSubmitted")  # fmt: skip
    packages = write_json(tmp_path / "active.json", page([source, done, open_batch]))
    html = tmp_path / "r.html"
    _, out, _ = invoke("audit", str(packages), "-o", str(html), "-f", "json")
    found = {f["package_tag"]: f for f in json.loads(out)["findings"] if f["rule"] == "PB001"}
    corrected, still = found[done["Label"]], found[open_batch["Label"]]
    assert corrected["severity"] == "note" and still["severity"] == "error"
    assert corrected["evidence"]["corrected"] is True
    assert corrected["evidence"]["corrected_on"] == "2026-02-01"
    assert corrected["remedy"] is None
    assert "discontinued on 2026-02-01" in corrected["message"]
    first_step = html.read_text().split("What to do first:</strong>")[1].split("</p>")[0]
    assert done["Label"] not in first_step and open_batch["Label"] in first_step
    assert (
        invoke("audit", str(packages))[1]
        .splitlines()[-1]
        .startswith("Verdict: 1 error needs correcting in Metrc")
    )


@pytest.mark.parametrize("fmt", ["md", "xml"])
def test_every_format_lists_what_was_not_checked(tmp_path: Path, fmt: str) -> None:
    packages, lab = full_lineage(tmp_path)
    old = flat_v1(tmp_path)
    report = tmp_path / f"r.{fmt}"
    invoke("audit", str(packages), str(old), "-l", str(lab), "-o", str(report))
    assert f"did not check 2 packages of {old}" in report.read_text()


def test_history_and_trend_carry_what_was_not_rechecked(tmp_path: Path) -> None:
    """A month run into a report folder without its lab file: history.jsonl and the index's
    trend table count the findings not re-checked, and none as resolved."""
    exports, out = tmp_path / "exports", tmp_path / "reports"
    shutil.copytree(SAMPLE, exports)
    arguments = ["audit", str(exports), "--out-dir", str(out), "--isolated", "--fail-on", "never"]
    assert CliRunner().invoke(cli, arguments).exit_code == 0
    (exports / "lab-results.csv").unlink()
    assert CliRunner().invoke(cli, arguments).exit_code == 0
    lines = (out / "history.jsonl").read_text().splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["not_rechecked"] == 0  # nothing before it to check again
    assert second["resolved"] == 0 and second["not_rechecked"] > 0
    index = (out / "index.html").read_text()
    assert "<th>not re-checked</th>" in index
    assert f'<td class="n">{second["not_rechecked"]}</td>' in index


def received_with_pulls(folder: Path) -> tuple[Path, Path]:
    """T7 was received from another licensee; the pull of its own tab (PackageId 5007) shows
    five of the supplier's tested packages, Pesticides passing for T90 and failing for T91."""
    received = package(7, SourcePackageLabels=tag(90), ReceivedFromFacilityLicenseNumber="020-X",
                       ReceivedDateTime="2026-01-10T09:00:00+00:00")  # fmt: skip
    packages = write_json(folder / "active.json", page([received]))
    pulled = [lab_row(90 + n, 800 + n, "Total THC", PackageId=5007) for n in range(5)]
    pulled.append(lab_row(90, 800, "Pesticides", PackageId=5007))
    pulled.append(
        lab_row(91, 801, "Pesticides", PackageId=5007, TestPassed=False, OverallPassed=False)
    )
    lab = write_json(folder / "lab.json", page(pulled))
    return packages, lab


def test_a_tab_derived_and_pulled_lists_each_tested_package_once_by_tag(tmp_path: Path) -> None:
    """T7's tab derives T92 (its exported source, tested); its pull shows T92 too ("both"),
    T95, an exported tested package outside its lineage ("observed", with its category), and
    three no export holds: each once, ordered by tag whichever way it was seen."""
    source = package(92, Item={"ProductCategoryName": "Concentrate"})
    stray = package(95, Item={"ProductCategoryName": "Edible"})
    received = package(7, SourcePackageLabels=tag(92), ReceivedFromFacilityLicenseNumber="020-X",
                       ReceivedDateTime="2026-01-10T09:00:00+00:00")  # fmt: skip
    packages = write_json(tmp_path / "active.json", page([received, source, stray]))
    own = [lab_row(92, 792, "Total THC"), lab_row(95, 795, "Total THC")]
    pulled = [lab_row(n, 800 + n, "Total THC", PackageId=5007) for n in (95, 93, 92, 91, 90)]
    # T90's event has two rows (two labs), T91's a failing row; T93's second states nothing.
    pulled += [
        lab_row(90, 890, "Pesticides", PackageId=5007, LabFacilityLicenseNumber="010-LAB2"),
        lab_row(91, 891, "Pesticides", PackageId=5007, TestPassed=False, OverallPassed=False),
        lab_row(93, 993, "Pesticides", PackageId=5007, TestPassed=None, OverallPassed=None),
    ]
    lab = write_json(tmp_path / "lab.json", page(own + pulled))
    document = audited("-p", str(packages), "-l", str(lab))
    found = {f["rule"]: f for f in document["findings"] if f["package_tag"] == tag(7)}
    listed = found["LT001"]["evidence"]["tested_packages"]
    assert [(t["tag"], t["seen"], t["category"]) for t in listed] == [
        (tag(90), "observed", ""),
        (tag(91), "observed", ""),
        (tag(92), "both", "Concentrate"),
        (tag(93), "observed", ""),
        (tag(95), "observed", "Edible"),
    ]
    events = {t["tag"]: [(e["result"], e["rows"]) for e in t["events"]] for t in listed}
    assert events[tag(90)] == [("passed", 2)]
    assert [e["lab"] for e in listed[0]["events"]] == ["010-LAB1"]  # its first row's
    assert events[tag(91)] == [("failed", 2)]
    assert events[tag(93)] == [("passed", 1), ("not stated", 1)]  # by event, in its order


def test_the_observed_tab_is_in_lt002_lt001_and_trace(tmp_path: Path) -> None:
    """Seen 4: a received package whose pull shows a pass and a fail got no LT002; LT001 said
    "5 tested packages" and listed none of them; trace counted 0 tested packages."""
    packages, lab = received_with_pulls(tmp_path)
    document = audited("-p", str(packages), "-l", str(lab))
    found = {f["rule"]: f for f in document["findings"] if f["package_tag"] == tag(7)}
    assert found["LT002"]["evidence"]["test_types"] == ["Pesticides"]
    listed = found["LT001"]["evidence"]["tested_packages"]
    assert [t["tag"] for t in listed] == [tag(90 + n) for n in range(5)]
    assert {t["seen"] for t in listed} == {"observed"}
    assert [e["result"] for e in listed[1]["events"]] == ["failed"]
    code, out, _ = invoke("trace", tag(7), "-p", str(packages), "-l", str(lab))
    assert code == 0
    assert "from 5 tested packages" in out
    assert out.count("lab pull") >= 5


GRID = "Tag,Category,Source Package(s),Production Batch,Production Batch Number\n"


def test_a_source_with_a_blank_category_leaves_its_batch_not_checked(tmp_path: Path) -> None:
    """The rules judge a batch only when every source has a category: a blank one in another
    file must not let the verdict call the batch checked and the run clean."""
    full = tmp_path / "full.csv"
    full.write_text(GRID + f"{tag(1)},Buds,,No,\n{tag(3)},Buds,{tag(2)},Yes,PB-1\n")
    blank = tmp_path / "blank.csv"
    blank.write_text(GRID + f"{tag(2)},,{tag(1)},No,\n")
    document = audited(str(full), str(blank))
    why = {gap["reason"]: gap["packages"] for gap in document["coverage"]["PB001"]["why"]}
    assert why == {"a source of each has no Category": 1}
    assert "no production-batch or results-tab errors found" not in document["verdict"]


def test_a_tab_inheriting_from_sources_not_loaded_is_checked_only_with_its_pull(
    tmp_path: Path,
) -> None:
    """A received package's tab holds its supplier's results, which lineage cannot derive:
    LT001 and LT002 do not check it, unless a per-package pull shows its whole tab."""
    received = package(7, SourcePackageLabels=tag(90))
    packages = write_json(tmp_path / "active.json", page([received]))
    own = write_json(tmp_path / "own.json", page([lab_row(7, 900, "Total THC", PackageId="")]))
    pulled = write_json(tmp_path / "pulled.json", page([lab_row(7, 900, "Total THC")]))
    unpulled = audited("-p", str(packages), "-l", str(own))["coverage"]["LT001"]
    assert unpulled["not_checked"] == 1
    assert unpulled["why"][0]["reason"].startswith(
        "their results tab inherits from sources that are not loaded"
    )
    assert audited("-p", str(packages), "-l", str(pulled))["coverage"]["LT001"]["why"] == []


def test_pb003_without_lab_results_does_not_count_test_types(tmp_path: Path) -> None:
    packages, _ = full_lineage(tmp_path)
    (pb003,) = [f for f in audited(str(packages))["findings"] if f["rule"] == "PB003"]
    assert pb003["evidence"]["tests_only_through_sources"] is None
    assert "0 test types" not in pb003["message"] and "not measured" in pb003["message"]


def test_a_corrected_batch_stays_a_note_whatever_severity_is_chosen(tmp_path: Path) -> None:
    source = package(1)
    done = package(2, IsProductionBatch=True, ProductionBatchNumber="PB-1",
                   SourcePackageLabels=source["Label"], ArchivedDate="2026-02-01T10:00:00+00:00")  # fmt: skip
    packages = write_json(tmp_path / "active.json", page([source, done]))
    config = tmp_path / "batchaudit.toml"
    config.write_text('[severity]\nPB001 = "error"\n')
    document = audited(str(packages), "--config", str(config))
    (corrected,) = [f for f in document["findings"] if f["rule"] == "PB001"]
    assert corrected["severity"] == "note"
    assert not document["verdict"].startswith("1 error")


def test_the_verdict_tells_rules_not_run_from_rules_that_missed_packages(tmp_path: Path) -> None:
    packages, _ = full_lineage(tmp_path)
    old = flat_v1(tmp_path)
    said = audited(str(packages), str(old))["verdict"]
    assert (
        "8 rules did not check every package "
        "(PB001, PB002, PB003, PB004, PB006, PB007, LN001, LN002" in said
    )
    assert "4 rules did not run (LT001, LT002, LN003, LN004; see Skipped)" in said


def test_a_file_problem_fixed_in_next_months_export_is_resolved(tmp_path: Path) -> None:
    """A data-quality finding is re-checked by reading its file again: this month's export
    of that file, from this month's folder, is the same file read again."""
    rows = f"{tag(1)},Buds,,No,\n{tag(2)},Buds,{tag(1)},No,\n"
    for month, extra in (("2026-10", "not-a-tag,Buds,,No,\n"), ("2026-11", "")):
        (tmp_path / month).mkdir()
        (tmp_path / month / "packages.csv").write_text(GRID + rows + extra)
    baseline = tmp_path / "previous.json"
    invoke("audit", str(tmp_path / "2026-10"), "-o", str(baseline), "--fail-on", "never")
    assert "DQ002" in {f["rule"] for f in json.loads(baseline.read_text())["findings"]}
    compared = audited(str(tmp_path / "2026-11"), "--baseline", str(baseline))["baseline"]
    assert [f["rule"] for f in compared["resolved"]] == ["DQ002"]
    assert compared["not_rechecked"] == []


def test_the_tab_size_chart_says_which_tabs_are_only_partly_known(tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    invoke("audit", str(SAMPLE), "-o", str(html), "--fail-on", "never")
    lt001 = audited(str(SAMPLE))["coverage"]["LT001"]["not_checked"]
    assert lt001 > 0
    assert f"{lt001} packages whose tab is only partly known" in html.read_text()


def test_a_flat_v1_package_whose_tab_was_pulled_is_checked_by_lt001(tmp_path: Path) -> None:
    """Its record says nothing of its sources, but the pull of its tab (PackageId = its Id)
    shows the tab whole: LT001 judges it."""
    old = flat_v1(tmp_path)
    rows = [lab_row(90 + n, 800 + n, "Total THC", PackageId=60) for n in range(5)]
    lab = write_json(tmp_path / "lab.json", page(rows))
    document = audited("-p", str(old), "-l", str(lab))
    assert [f["package_tag"] for f in document["findings"] if f["rule"] == "LT001"] == [tag(60)]
    assert document["coverage"]["LT001"]["not_checked"] == 1  # the other v1 package
