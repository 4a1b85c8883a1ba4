"""Every Metrc response a user really holds is read, and `inspect` says what was used.

The fixtures are written here from Metrc's documented field lists (spec/metrc-exports.md):
the v2 package fields in their documented order, the transferred and lab-sample responses,
one bare record by id or label, an old flat v1 record, and lab results as v1 arrays and v2
pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from batchaudit.engine import run
from batchaudit.ingest.load import load
from batchaudit.model.packs import load_pack
from helpers import file_findings, tag

ZERO_DATE = "0001-01-01T00:00:00+00:00"


def package(n: int, **fields: Any) -> dict[str, Any]:
    """A /packages/v2 record in the documented field order."""
    record: dict[str, Any] = {
        "Id": 5000 + n, "Label": tag(n), "PackageType": "Product", "SourceHarvestCount": 0,
        "SourcePackageCount": 0, "SourceHarvestNames": "", "SourcePackageLabels": "",
        "LocationName": "Vault", "Quantity": 100.0, "OriginalPackageQuantity": 100.0,
        "UnitOfMeasureName": "Grams", "UnitOfMeasureAbbreviation": "g",
        "ItemFromFacilityLicenseNumber": "020-1001234ABC", "Note": "",
        "PackagedDate": "2026-01-05", "InitialLabTestingState": "NotSubmitted",
        "LabTestingState": "TestPassed", "LabTestingStateDate": "2026-01-06",
        "LabTestingPerformedDate": None, "LabTestResultExpirationDateTime": None,
        "IsProductionBatch": False, "ProductionBatchNumber": None,
        "SourceProductionBatchNumbers": "", "IsTradeSample": False, "IsDonation": False,
        "IsTestingSample": False, "IsProcessValidationTestingSample": False,
        "ProductRequiresRemediation": False, "ContainsRemediatedProduct": False,
        "RemediationDate": None, "ReceivedDateTime": None, "ReceivedFromManifestNumber": None,
        "ReceivedFromFacilityLicenseNumber": None, "ReceivedFromFacilityName": None,
        "IsOnHold": False, "ArchivedDate": None, "IsFinished": False, "FinishedDate": None,
        "LastModified": "2026-01-07T17:47:59.8043618+00:00",
        "Item": {
            "Id": 11, "Name": "Durban Poison Buds", "ProductCategoryName": "Buds",
            "ProductCategoryType": "Buds", "QuantityType": "WeightBased",
            "StrainName": "Durban Poison", "UnitOfMeasureName": "Grams",
            "ApprovalStatusDateTime": ZERO_DATE,
        },
    }  # fmt: skip
    item = fields.pop("Item", {})
    record.update(fields)
    record["Item"] = {**record["Item"], **item}
    return record


def page(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Data": records, "Total": len(records), "TotalRecords": len(records),
            "PageSize": 20, "RecordsOnPage": len(records), "Page": 1, "CurrentPage": 1,
            "TotalPages": 1}  # fmt: skip


def transferred(n: int, **fields: Any) -> dict[str, Any]:
    """A /packages/v2/transferred record: keyed by PackageLabel, no production-batch flag."""
    return {
        "PackageId": 5000 + n, "PackageLabel": tag(n), "PackageType": "Product",
        "SourceHarvestNames": "", "SourcePackageLabels": "", "ProductName": "Durban Poison Buds",
        "ProductCategoryName": "Buds", "ItemStrainName": "Durban Poison",
        "LabTestingStateName": "TestPassed", "ShippedQuantity": 50.0,
        "ShippedUnitOfMeasureName": "Grams", "PackagedDate": "2026-01-05",
        "ShipmentPackageState": "Accepted", "LastModified": "2026-01-09T10:00:00+00:00",
        **fields,
    }  # fmt: skip


def lab_row(tested: int, result_id: int, test_type: str, **fields: Any) -> dict[str, Any]:
    """A /labtests results row in the documented field order."""
    return {
        "PackageId": 5000 + tested, "LabTestResultId": result_id,
        "LabFacilityLicenseNumber": "010-LAB1", "LabFacilityName": "Oregon Lab",
        "SourcePackageLabel": tag(tested), "ProductName": "Durban Poison Buds",
        "ProductCategoryName": "Buds", "TestPerformedDate": "2026-01-06T00:00:00+00:00",
        "OverallPassed": True, "RevokedDate": None, "LabTestResultDocumentFileId": None,
        "ResultReleased": True, "ResultReleaseDateTime": "2026-01-06T12:00:00+00:00",
        "ExpirationDateTime": None, "TestTypeName": test_type, "TestPassed": True,
        "TestResultLevel": 21.5, "TestComment": "", "TestInformationalOnly": False,
        "LabTestDetailRevokedDate": None, **fields,
    }  # fmt: skip


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def inspect(*paths: Path) -> str:
    result = CliRunner().invoke(cli, ["inspect", *map(str, paths)])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("tab", ["active", "onhold", "inactive", "intransit"])
def test_a_v2_page_of_each_package_tab_is_read(tab: str, tmp_path: Path) -> None:
    path = write(tmp_path / f"packages-{tab}.json", page([package(1), package(2)]))
    tables = load(detected=[path])
    assert list(tables.packages["tag"]) == [tag(1), tag(2)]
    assert tables.packages["package_id"].tolist() == ["5001", "5002"]
    assert file_findings(tables) == []
    shown = inspect(path)
    assert "metrc-api" in shown and "rows:     2" in shown and "Label" in shown


@pytest.mark.parametrize("by", ["id", "label"])
def test_one_package_by_id_or_label_is_one_bare_record(by: str, tmp_path: Path) -> None:
    path = write(tmp_path / f"package-by-{by}.json", package(7))
    tables = load(detected=[path])
    assert list(tables.packages["tag"]) == [tag(7)]
    assert "rows:     1" in inspect(path)


def test_transferred_packages_are_known_sources_and_children(tmp_path: Path) -> None:
    # T2 was processed from T1 (buds into concentrate) and transferred away: the transfer
    # response has no Production Batch flag, so T2 is known but not judged on it.
    child = package(3, SourcePackageLabels=tag(2), Item={"ProductCategoryName": "Concentrate"})
    active = write(tmp_path / "active.json", page([package(1), child]))
    gone = write(
        tmp_path / "transferred.json",
        page([transferred(2, SourcePackageLabels=tag(1), ProductCategoryName="Concentrate")]),
    )
    tables = load(detected=[active, gone])
    assert sorted(tables.packages["tag"]) == [tag(1), tag(2), tag(3)]
    result = run(tables, load_pack("oregon"))
    assert {f.rule for f in result.findings} & {"LN001", "DQ001", "PB003"} == set()
    assert result.summary.lineage_coverage == 1.0
    shown = inspect(gone)
    assert "metrc-api-transferred" in shown
    # The other files' packages are still checked: only T2's flag is unknown (seen 14).
    assert "rules will be skipped" not in shown
    assert "unless another export carries them" in shown
    pb003 = result.coverage_of("PB003")
    assert pb003 is not None and result.unchecked_tags("PB003") == {tag(2)}
    (gap,) = pb003.not_checked
    assert (gap.reason, gap.files) == ("their files have no Production Batch field", (str(gone),))


def test_lab_samples_are_packages_and_inspect_says_their_lab_fields_are_not_results(
    tmp_path: Path,
) -> None:
    sample = package(4, IsTestingSample=True, TestTypeName="Total THC", TestPassed=True,
                     OverallPassed=True, TestPerformedDate="2026-01-06")  # fmt: skip
    path = write(tmp_path / "labsamples.json", page([sample]))
    tables = load(detected=[path])
    assert list(tables.packages["tag"]) == [tag(4)] and tables.lab_results is None
    shown = inspect(path)
    assert "metrc-api-labsamples" in shown and "not read as results" in shown
    assert "TestTypeName" in shown.split("ignored:")[1]


def audit_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["audit", *args, "-f", "json", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_lab_samples_given_with_l_keep_every_row_and_ln003_says_how_to_place_them(
    tmp_path: Path,
) -> None:
    def sample(n: int, test_type: str, passed: bool) -> dict[str, Any]:
        return package(n, IsTestingSample=True, SourcePackageLabels=tag(1), TestTypeName=test_type,
                       TestPassed=passed, OverallPassed=passed, TestPerformedDate="2026-01-06")  # fmt: skip

    active = write(tmp_path / "active.json", page([package(1), package(4, IsTestingSample=True,
                                                   SourcePackageLabels=tag(1))]))  # fmt: skip
    # T4 was sampled twice and tested on one day, passing once and failing once; T9's sample
    # package is in no packages export. No record has a result id or a SourcePackageLabel.
    samples = write(tmp_path / "labsamples.json", page([
        sample(4, "Total THC", True), sample(4, "Total THC", False), sample(4, "Pesticides", True),
        sample(9, "Total THC", True)]))  # fmt: skip
    document = audit_json("-p", str(active), "-l", str(samples))
    (item,) = [item for item in document["inputs"] if item["kind"] == "lab-results"]
    assert (item["shape"], item["rows_read"], item["rows_used"]) == ("metrc-api-labsamples", 4, 4)
    assert document["summary"]["lab_result_rows"] == 4  # every row kept: none collapsed
    assert [f["rule"] for f in document["findings"]] == ["LN003"]
    (note,) = document["findings"]
    assert note["package_tag"] == tag(9) and note["evidence"]["lab_sample"] is True
    assert f"against the lab sample {tag(9)}" in note["message"]
    assert note["remedy"] == (
        "Give the lab-samples file as a packages export too (-p as well as -l), which makes "
        f"{tag(9)} a known package, or export the tab that holds it."
    )
    both = audit_json("-p", str(active), "-p", str(samples), "-l", str(samples))
    assert both["findings"] == [] and both["summary"]["test_events"] == 2


def test_ln003_and_ln004_remedies_fit_the_packages_exports_loaded(tmp_path: Path) -> None:
    # A pull for a package (Id 7777) that is in no export, and a row that names no tested
    # package and a PackageId (8888) no loaded package has.
    rows = [lab_row(1, 77, "Total THC", PackageId=7777),
            lab_row(2, 78, "Total THC", PackageId=8888, SourcePackageLabel="")]  # fmt: skip
    lab = write(tmp_path / "lab.json", page(rows))
    api = write(tmp_path / "active.json", page([package(1)]))
    found = {f["rule"]: f for f in audit_json("-p", str(api), "-l", str(lab))["findings"]}
    for rule in ("LN003", "LN004"):
        assert "Add" not in found[rule]["remedy"] and "web grid" not in found[rule]["message"]
        assert "/packages/v2/inactive as well as /active and /onhold" in found[rule]["remedy"]
    grid = tmp_path / "active.csv"
    grid.write_text(
        f"Tag,Category,Source Package(s),Production Batch,P.B. No.\n{tag(1)},Buds,,No,\n"
    )
    found = {f["rule"]: f for f in audit_json("-p", str(grid), "-l", str(lab))["findings"]}
    assert found["LN003"]["remedy"].startswith("Add an API packages export")
    assert found["LN004"]["remedy"].startswith("Add the API packages export")
    assert "the web grid has no Id column" in found["LN003"]["message"]


def test_ln003_names_the_package_ids_of_rows_without_a_tested_package(tmp_path: Path) -> None:
    """Each PackageId once, sorted, for the rows naming no tested package; none for a tag."""
    rows = [lab_row(2, 80, "Total THC", PackageId=8889, SourcePackageLabel=""),
            lab_row(2, 81, "Total THC", PackageId=8888, SourcePackageLabel=""),
            lab_row(2, 81, "Pesticides", PackageId=8888, SourcePackageLabel=""),
            lab_row(3, 82, "Total THC"), lab_row(4, 83, "Total THC")]  # fmt: skip
    lab = write(tmp_path / "lab.json", page(rows))
    api = write(tmp_path / "active.json", page([package(1)]))
    found = [
        f for f in audit_json("-p", str(api), "-l", str(lab))["findings"] if f["rule"] == "LN003"
    ]
    by_tag = {f["package_tag"]: f["evidence"] for f in found}
    assert by_tag[None]["package_ids"] == ["8888", "8889"] and by_tag[None]["rows"] == 3
    assert by_tag[tag(3)]["package_ids"] == [] == by_tag[tag(4)]["package_ids"]


def test_an_old_flat_v1_response_says_lineage_is_not_measured(tmp_path: Path) -> None:
    old = {"Id": 9, "Label": tag(9), "ProductName": "Buds", "ProductCategoryName": "Buds",
           "RoomName": "Vault", "Quantity": 3.0, "IsProductionBatch": False,
           "ProductionBatchNumber": None, "LabTestingState": "TestPassed"}  # fmt: skip
    path = write(tmp_path / "v1.json", [old])
    result = CliRunner().invoke(cli, ["audit", str(path), "-f", "json", "--fail-on", "never"])
    document = json.loads(result.stdout)
    assert document["summary"]["lineage_coverage"] is None
    assert document["summary"]["sources_exported"] is False
    (missing,) = [f for f in document["findings"] if f["rule"] == "DQ001"]
    assert "old flat v1 response" in missing["message"]
    assert "/packages/v2/active" in missing["remedy"]
    assert "lineage coverage not measured" in CliRunner().invoke(cli, ["audit", str(path)]).stdout


def test_archived_date_means_discontinued_and_the_zero_date_is_blank(tmp_path: Path) -> None:
    archived = package(1, ArchivedDate="2026-02-01T10:00:00+00:00")
    live = package(2, ArchivedDate=ZERO_DATE, FinishedDate=ZERO_DATE)
    path = write(tmp_path / "inactive.json", page([archived, live]))
    tables = load(detected=[path])
    assert tables.packages["discontinued"].tolist() == [True, False]
    assert tables.packages["finished_date"].isna().all()
    assert file_findings(tables) == []
    assert "IsArchived" not in inspect(path)


def test_a_category_type_sent_as_a_number_gets_a_sentence(tmp_path: Path) -> None:
    path = write(tmp_path / "doc-example.json", page([package(1, Item={"ProductCategoryType": 0})]))
    result = run(load(detected=[path]), load_pack("metrc-generic"))
    (unknown,) = [f for f in result.findings if f.rule == "DQ004"]
    assert "It is a number" in unknown.message and "'ShakeTrim'" in unknown.message


@pytest.mark.parametrize("version", ["v1 array", "v2 page"])
def test_lab_results_are_read_as_v1_arrays_and_v2_pages(version: str, tmp_path: Path) -> None:
    rows = [lab_row(1, 77, "Total THC"), lab_row(1, 77, "Pesticides")]
    path = write(tmp_path / "lab.json", rows if version == "v1 array" else page(rows))
    packages = write(tmp_path / "active.json", page([package(1)]))
    tables = load(packages=[packages], lab_results=[path])
    assert tables.lab_results is not None and len(tables.lab_results) == 2
    result = run(tables, load_pack("oregon"))
    assert result.summary.test_events == 1
    assert "metrc-api" in inspect(path)


def test_two_licensees_folders_given_together_are_said_to_be_two(tmp_path: Path) -> None:
    first = tmp_path / "050-1001234ABC"
    second = tmp_path / "050-1009876XYZ"
    for folder, number in ((first, 1), (second, 2)):
        folder.mkdir()
        write(folder / "packages-active.json", page([package(number)]))
    result = run(load(detected=[tmp_path]), load_pack("oregon"))
    (several,) = [f for f in result.findings if f.rule == "DQ006"]
    assert "050-1001234ABC" in several.message and "050-1009876XYZ" in several.message
    one = run(load(detected=[first]), load_pack("oregon"))
    assert [f for f in one.findings if f.rule == "DQ006"] == []
    assert {item.license for item in result.inputs} == {"050-1001234ABC", "050-1009876XYZ"}


def test_a_received_package_reaches_lt001_through_the_results_pulled_for_it(
    tmp_path: Path,
) -> None:
    # T7 was received from another licensee: its sources are in no export, but the pull of
    # its own Lab Results tab (PackageId 5007) shows five of the supplier's tested packages.
    received = package(7, SourcePackageLabels=tag(90), ReceivedFromFacilityLicenseNumber="020-X",
                       ReceivedDateTime="2026-01-10T09:00:00+00:00")  # fmt: skip
    packages = write(tmp_path / "active.json", page([received]))
    pulled = [
        lab_row(90 + n, 800 + n, test_type, PackageId=5007)
        for n in range(5)
        for test_type in ("Total THC", "Pesticides")
    ]
    lab = write(tmp_path / "lab.json", page(pulled))
    result = run(load(packages=[packages], lab_results=[lab]), load_pack("oregon"))
    (long_tab,) = [f for f in result.findings if f.rule == "LT001"]
    assert long_tab.package_tag == tag(7)
    assert long_tab.evidence["tested_package_count"] == 5
    assert long_tab.evidence["rows_observed_only"] == 10
    # Without the pull, lineage alone sees nothing in T7's tab.
    alone = write(tmp_path / "lab-own.json", page([lab_row(90, 800, "Total THC")]))
    plain = run(load(packages=[packages], lab_results=[alone]), load_pack("oregon"))
    assert [f for f in plain.findings if f.rule == "LT001"] == []


def test_results_the_lab_has_not_released_are_not_on_the_tab(tmp_path: Path) -> None:
    def audited(tested: int, unreleased: int) -> list[Any]:
        sources = [package(n) for n in range(1, tested + 1)]
        child = package(9, SourcePackageLabels=", ".join(tag(n) for n in range(1, tested + 1)))
        packages = write(tmp_path / "active.json", page([*sources, child]))
        rows = [lab_row(n, 700 + n, "Total THC") for n in range(1, tested + 1)]
        for row in rows[tested - unreleased :]:
            row["ResultReleased"] = False
        lab = write(tmp_path / "lab.json", page(rows))
        result = run(load(packages=[packages], lab_results=[lab]), load_pack("oregon"))
        return [f for f in result.findings if f.rule == "LT001"]

    assert audited(4, 1) == []  # three released tested packages: within the limit
    (long_tab,) = audited(5, 1)  # four released, one held back
    assert long_tab.package_tag == tag(9)
    assert long_tab.evidence["tested_package_count"] == 4
    assert long_tab.evidence["unreleased_rows"] == 1


def test_records_flatten_as_pandas_json_normalize_does() -> None:
    """The column-by-column flattening gives json_normalize's table: nested objects as
    `Item.Name` columns, two levels deep too, arrays kept as values, empty objects
    dropped (a field that is only ever null has no column: it is blank either way)."""
    import pandas as pd

    from batchaudit.ingest.api_json import flattened

    records: list[dict[str, Any]] = [
        {"Label": "A", "Id": 1, "Quantity": 1.5, "IsOnHold": False, "Extra": {},
         "Item": {"Name": "x", "Strain": {"Name": "s", "Id": 7}},
         "SourcePackageLabels": ["B", "C"]},
        {"Label": "B", "Item": None, "Quantity": None, "Note": "n"},
        {"Id": 3, "Label": "C", "Item": {"Name": "y", "ProductCategoryName": "Buds"}},
    ]  # fmt: skip
    ours, levels = flattened(records, 32)
    expected = pd.json_normalize(records, sep=".").dropna(axis=1, how="all")
    assert sorted(ours.columns) == sorted(expected.columns)
    assert list(ours.columns[:3]) == ["Label", "Id", "Quantity"]
    for column in expected.columns:
        assert ours[column].astype(object).where(ours[column].notna(), None).tolist() == (
            expected[column].astype(object).where(expected[column].notna(), None).tolist()
        ), column
    assert levels == 3  # record, Item, Item.Strain


PLAIN_RECORDS: list[dict[str, Any]] = [
    {"Label": "A", "Id": 1, "Quantity": 1.5, "IsOnHold": False, "Extra": {}, "Note": None,
     "Item": {"Name": "x", "Strain": {"Name": "s", "Id": 7, "Flag": True}}},
    {"Label": "B", "Item": None, "Quantity": None, "Id": None, "IsOnHold": None, "Note": "n"},
    {"Id": 3, "Label": "C", "Quantity": 2, "Item": {"Name": "é, \u2028", "Strain": None,
     "ProductCategoryName": "Buds"}, "Received": "2026-01-05T17:00:00+00:00"},
    {"Label": "D", "Quantity": 1e-7, "Id": 2**53 + 1, "IsOnHold": True, "Item": {}},
]  # fmt: skip


@pytest.mark.parametrize("document", ["v1 array", "v2 page", "bare record", "with BOM"])
def test_plain_records_read_by_arrow_are_the_cells_read_field_by_field(
    document: str, tmp_path: Path
) -> None:
    """The Arrow columns of a plain export (api_columns.py) hold, as text, exactly what
    the json module's records flattened field by field hold: columns, order and cells."""
    from batchaudit.ingest.api_json import flattened, read_api_json
    from batchaudit.ingest.raw import as_text

    records = PLAIN_RECORDS[:1] if document == "bare record" else PLAIN_RECORDS
    shape = {"v2 page": page(records), "bare record": records[0]}.get(document, records)
    data = ("\ufeff" if document == "with BOM" else "") + json.dumps(shape)
    path = tmp_path / "p.json"
    path.write_text(data, encoding="utf-8")
    raw = read_api_json(path, path.read_bytes())
    expected, _ = flattened(records, 32)
    assert raw.header == list(expected.columns)
    ours, theirs = as_text(raw.rows), as_text(expected)
    for column in theirs:
        assert ours[column].tolist() == theirs[column].tolist(), column


def test_plain_columns_take_only_plain_records() -> None:
    """Arrays, fields of mixed kinds, integers past 64 bits and records that are no
    objects are left to the field-by-field reading, which reads each as it always did."""
    from batchaudit.ingest.api_columns import plain_columns

    built = plain_columns(PLAIN_RECORDS)
    assert built is not None and built[1] == 3  # record, Item, Item.Strain
    for records in (
        [{"Label": "A", "SourcePackageLabels": ["B", "C"]}],
        [{"Label": "A", "Id": 1}, {"Label": "B", "Id": "two"}],
        [{"Label": "A", "IsOnHold": True}, {"Label": "B", "IsOnHold": 1}],
        [{"Label": "A", "Item": {"Name": "x"}}, {"Label": "B", "Item": "x"}],
        [{"Label": "A", "Id": 2**64}],
        [{"Label": "A", "Quantity": 2e19}],  # may be an integer orjson rounded
        [{"Label": "A", "Item.Name": "x", "Item": {"Name": "y"}}],  # two columns of one name
        [{"Label": "A"}, None],
        [1, 2],
    ):
        assert plain_columns(records) is None, records


def test_an_integer_past_64_bits_keeps_every_digit(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(f'[{{"Label": "{tag(1)}", "Id": {"9" * 30}, "Quantity": 2.5}}]')
    tables = load(detected=[path])
    assert tables.packages["package_id"].tolist() == ["9" * 30]
