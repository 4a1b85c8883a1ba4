"""Metrc's meaning per response, and which API record of a package is current.

`/packages/v2/transferred` lists the packages this licensee *sent*: its `ReceivedDateTime`
and `RecipientFacilityLicenseNumber` are the buyer's, its quantity is the shipment's, and it
has no Production Batch field. Records of one package from two endpoints or two pulls differ
as a matter of course; the newest `LastModified` is current. The transferred records below
carry the fields Metrc documents for that response (no `LastModified`, no `PackagedDate`)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from batchaudit.cli import cli
from batchaudit.engine import audit
from batchaudit.ingest.load import load
from batchaudit.model.packs import load_pack
from helpers import tag
from test_html_report import explorer
from test_responses import package, page, write

BUYER = "050-1009876XYZ"


def sent(n: int, **fields: Any) -> dict[str, Any]:
    """A /packages/v2/transferred record, in the documented field order."""
    return {
        "Id": 9100 + n, "PackageId": 5000 + n, "PackageLabel": tag(n),
        "ManifestNumber": "0000123401", "ProductName": "Durban Poison Buds",
        "ProductCategoryName": "Buds", "ItemStrainName": "Durban Poison",
        "SourceHarvestNames": "", "SourcePackageLabels": "",
        "RecipientFacilityLicenseNumber": BUYER, "RecipientFacilityName": "Buyer LLC",
        "ReceivedDateTime": "2026-01-12T16:30:00+00:00", "ReceivedQuantity": 50.0,
        "ReceivedUnitOfMeasureAbbreviation": "g", "ShippedQuantity": 50.0,
        "ShippedUnitOfMeasureAbbreviation": "g", "ShipmentPackageStateName": "Accepted",
        "LabTestingStateName": "TestPassed",
        "ActualDepartureDateTime": "2026-01-12T09:00:00+00:00", "ExternalId": None,
        "GrossWeight": None, "GrossUnitOfWeightAbbreviation": None,
        "ShipperWholesalePrice": 400.0, "ReceiverWholesalePrice": None,
        "ProcessingJobTypeName": None, "ContainsPreTreatedProduct": False,
        "PreTreatmentDate": None, **fields,
    }  # fmt: skip


def audited(*args: str | Path, exit_code: int = 0) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["audit", *map(str, args), "-f", "json"])
    assert result.exit_code == exit_code, result.output
    return dict(json.loads(result.stdout))


def of(document: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [finding for finding in document["findings"] if finding["rule"] == rule]


def traced(package_tag: str, *paths: Path) -> str:
    result = CliRunner().invoke(cli, ["trace", package_tag, *map(str, paths)])
    assert result.exit_code == 0, result.output
    return result.stdout


# What was seen 5 / Build 6: /transferred is outgoing.


def test_a_package_this_licensee_sent_is_not_said_to_be_received(tmp_path: Path) -> None:
    # T2 was made here from T90, which is in no export, and sent to a buyer: the buyer's
    # receipt is not this licensee's.
    gone = write(tmp_path / "transferred.json", page([sent(2, SourcePackageLabels=tag(90))]))
    (unknown,) = of(audited(gone), "LN001")
    assert "received" not in unknown["message"]
    assert unknown["evidence"]["received"] is False
    assert "/packages/v2/inactive" in unknown["remedy"]


def test_trace_shows_a_sent_package_with_its_unit_its_recipient_and_an_unknown_flag(
    tmp_path: Path,
) -> None:
    gone = write(tmp_path / "transferred.json", page([sent(2, SourcePackageLabels=tag(90))]))
    shown = traced(tag(2), gone)
    heading = shown.splitlines()[0]
    assert "not a production batch" not in shown  # the response has no such field
    assert "production batch unknown (its export has no Production Batch field)" in heading
    assert "50.00 g shipped" in heading
    assert f"sent to {BUYER}, who received it 2026-01-12" in heading


def test_the_html_trail_does_not_call_a_sent_package_not_a_production_batch(
    tmp_path: Path,
) -> None:
    gone = write(tmp_path / "transferred.json", page([sent(2, SourcePackageLabels=tag(90))]))
    report = tmp_path / "report.html"
    CliRunner().invoke(cli, ["audit", str(gone), "-o", str(report), "--fail-on", "never"])
    boxes = {box[0]: box for box in explorer(report.read_text(encoding="utf-8"))["packages"]}
    assert boxes[tag(2)][2] == -1  # unknown: the box says so, not "not a production batch"
    script = (Path(__file__).parents[1] / "reports" / "templates" / "report.js").read_text()
    assert "production batch unknown" in script


def test_one_package_from_inactive_and_transferred_merges_without_a_conflict(
    tmp_path: Path,
) -> None:
    # The package's own record says 0 g left and no receipt; the transfer's says 50 g shipped
    # and the buyer's receipt. Neither is a conflict: /transferred does not own them.
    inactive = write(
        tmp_path / "inactive.json",
        page([package(2, SourcePackageLabels=tag(90), Quantity=0.0, IsFinished=True)]),
    )
    gone = write(tmp_path / "transferred.json", page([sent(2, SourcePackageLabels=tag(90))]))
    for files in ((inactive, gone), (gone, inactive)):
        document = audited(*files)
        assert of(document, "DQ003") == []
        assert "received" not in of(document, "LN001")[0]["message"]
        assert of(audited(*files, "--extend-select", "DQ007"), "DQ007") == []  # nor a change
    heading = traced(tag(2), inactive, gone).splitlines()[0]
    assert "0.00 g" in heading and "shipped" not in heading  # the package's own quantity
    assert "not a production batch" in heading  # /inactive has the field
    assert f"sent to {BUYER}, who received it 2026-01-12" in heading


def test_a_production_batch_sent_away_can_no_longer_be_discontinued(tmp_path: Path) -> None:
    # T2 (Buds from Buds) was wrongly made a production batch, then sent: PB001 stands, but
    # it cannot be discontinued any more because it was sent, not because it was received.
    batch = package(2, SourcePackageLabels=tag(1), IsProductionBatch=True,
                    ProductionBatchNumber="PB-2", LabTestingState="NotSubmitted",
                    Quantity=50.0, OriginalPackageQuantity=50.0)  # fmt: skip
    active = write(tmp_path / "active.json", page([package(1)]))
    inactive = write(tmp_path / "inactive.json", page([batch]))
    gone = write(tmp_path / "transferred.json", page([sent(2, SourcePackageLabels=tag(1))]))
    document = audited(active, inactive, gone, exit_code=1)
    (unneeded,) = of(document, "PB001")
    assert unneeded["evidence"]["not_discontinuable_because"] == "it was sent to another licensee"
    assert of(document, "PB004") == []
    assert of(document, "DQ003") == []


# What was seen 6 / Build 7: which record is current.


def test_two_pulls_of_one_package_are_no_error_and_the_newest_is_used(tmp_path: Path) -> None:
    newer = write(tmp_path / "active-0109.json", page([
        package(1, Quantity=80.0, LastModified="2026-01-09T10:00:00+00:00")
    ]))  # fmt: skip
    older = write(tmp_path / "active-0107.json", page([
        package(1, Quantity=100.0, LastModified="2026-01-07T10:00:00+00:00")
    ]))  # fmt: skip
    document = audited(newer, older)  # exit 0: no error
    assert of(document, "DQ003") == [] and of(document, "DQ007") == []
    skipped = {s["rule"]: s["reason"] for s in document["skipped_rules"]}
    assert skipped["DQ007"] == "off by default; it has 1 note (select DQ007 to see it)"
    assert of(audited(newer, older, "--select", "DQ"), "DQ007") == []  # a prefix is not asking
    (note,) = of(audited(newer, older, "--extend-select", "DQ007"), "DQ007")
    assert note["severity"] == "note"
    assert "quantity 100.0 -> 80.0" in note["message"]
    assert (
        f"the audit uses the record from {newer}, record 1, the newest by LastModified"
        in (note["message"])
    )
    assert note["evidence"]["changed_fields"] == ["quantity"]


def test_a_pack_can_turn_the_note_on(tmp_path: Path) -> None:
    first = write(tmp_path / "a.json", page([package(1, Quantity=80.0)]))
    second = write(tmp_path / "b.json", page([package(1, Quantity=80.5, LastModified=None)]))
    tables = load(detected=[first, second])
    oregon = load_pack("oregon")
    assert [f.rule for f in audit(tables, oregon).result.findings if f.rule == "DQ007"] == []
    turned_on = replace(oregon, rules={**oregon.rules, "DQ007": {"enabled": True}})
    (note,) = [f for f in audit(tables, turned_on).result.findings if f.rule == "DQ007"]
    assert note.message.endswith("the only one with a LastModified date.")


def test_the_reason_names_the_dated_record_kept_though_its_file_was_given_first(
    tmp_path: Path,
) -> None:
    # The API record is dated, the grid row is not: the API record is kept, and a grid row
    # that really differs from it stays a DQ003 error.
    api = write(tmp_path / "a-active.json", page([package(1, Quantity=100.0)]))
    grid = tmp_path / "b-active.csv"
    grid.write_text(
        "Tag,Category,Source Package(s),Production Batch,Production Batch Number,Quantity\n"
        f"{tag(1)},Buds,,No,,55\n",
        encoding="utf-8",
    )
    (conflict,) = of(audited(api, grid, exit_code=1), "DQ003")
    assert conflict["severity"] == "error"
    assert (
        f"the audit uses the row from {api}, record 1, the only one with a LastModified date."
        in conflict["message"]
    )
    assert "the file given last" not in conflict["message"]
    assert "fetch the API records at the same time" in conflict["remedy"]


def test_undated_records_name_the_file_given_last(tmp_path: Path) -> None:
    first = write(tmp_path / "a.json", page([package(1, Quantity=80.0, LastModified=None)]))
    second = write(tmp_path / "b.json", page([package(1, Quantity=70.0, LastModified=None)]))
    (note,) = of(audited(first, second, "--extend-select", "DQ007"), "DQ007")
    assert note["message"].endswith(
        f"the audit uses the record from {second}, record 1, the file given last."
    )


def test_the_catalog_says_the_note_is_off_by_default() -> None:
    listed = CliRunner().invoke(cli, ["rules"]).stdout
    (line,) = [line for line in listed.splitlines() if line.startswith("DQ007")]
    assert "note, off by default" in line
    explained = CliRunner().invoke(cli, ["explain", "DQ007"]).stdout
    assert "Off by default: select DQ007 to turn it on." in " ".join(explained.split())
