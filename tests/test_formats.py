"""Excel workbooks and Metrc API JSON read like the CSV they stand for."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import openpyxl
import pytest

from batchaudit.engine import run
from batchaudit.ingest.load import load
from batchaudit.model.packs import load_pack
from helpers import file_findings, tag

HEADER = [
    "Tag",
    "Item",
    "Category",
    "Source Package(s)",
    "Production Batch",
    "Quantity",
    "Packaged Date",
    "Production Batch Number",
]


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_excel_header_below_title_rows_and_typed_cells(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Packages - Active"],
        ["Exported 11/29/2026"],
        [],
        HEADER,
        [tag(1), "Buds", "Buds", None, False, 1250.5, datetime.date(2026, 1, 5)],
        [tag(2), "Buds", "Buds", tag(1), True, 100, datetime.datetime(2026, 1, 6, 17, 30), "PB-7"],
    ]
    path = workbook(tmp_path / "export.xlsx", {"Active": rows, "Notes": [["nothing here"]]})
    tables = load(detected=[path])
    assert [(i.shape, i.sheet, i.format) for i in tables.inputs] == [
        ("metrc-grid", "Active", "excel")
    ]
    packages = tables.packages
    assert packages["line"].tolist() == [5, 6]
    assert packages["quantity"].tolist() == [1250.5, 100.0]
    assert packages["production_batch"].tolist() == [False, True]
    assert packages["packaged_date"].astype(str).tolist() == [
        "2026-01-05 00:00:00",
        "2026-01-06 17:30:00",
    ]


def test_excel_problems_name_the_sheet_and_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [HEADER, [tag(1), "Buds", "Buds", None, "Maybe", 1, None]]
    path = workbook(tmp_path / "export.xlsx", {"Inactive": rows})
    (finding,) = file_findings(load(detected=[path]))
    assert finding.source is not None
    assert (
        finding.source.describe() == f"{path}, sheet 'Inactive', row 2, column 'Production Batch'"
    )


def test_several_sheets_are_each_read(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "export.xlsx",
        {
            "Active": [HEADER, [tag(1), "Buds", "Buds", None, "No", 1, None]],
            "Inactive": [HEADER, [tag(2), "Buds", "Buds", tag(1), "Yes", 1, None]],
        },
    )
    tables = load(detected=[path])
    assert sorted(tables.packages["tag"]) == [tag(1), tag(2)]
    assert [i.sheet for i in tables.inputs] == ["Active", "Inactive"]


def test_truncated_excel_is_one_sentence(tmp_path: Path) -> None:
    whole = workbook(tmp_path / "whole.xlsx", {"Active": [HEADER]}).read_bytes()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(whole[: len(whole) // 2])
    (sentence,) = load(detected=[broken]).unreadable
    assert str(broken) in sentence and "not a readable Excel workbook" in sentence


V2_ITEM = {"Name": "Blue Dream Buds", "ProductCategoryName": "Buds", "ProductCategoryType": "Buds"}


def page(
    number: int, total_pages: int, records: list[dict[str, object]], total: int
) -> dict[str, object]:
    return {
        "Data": records,
        "Total": total,
        "TotalRecords": total,
        "PageSize": 2,
        "RecordsOnPage": len(records),
        "Page": number,
        "CurrentPage": number,
        "TotalPages": total_pages,
    }


def package(number: int, sources: str = "", batch: bool = False) -> dict[str, object]:
    return {
        "Id": 1000 + number,
        "Label": tag(number),
        "SourcePackageLabels": sources,
        "Quantity": 10.0,
        "IsProductionBatch": batch,
        "ProductionBatchNumber": f"PB-{number}" if batch else "",
        "LabTestingState": "TestPassed",
        "Item": V2_ITEM,
    }


def test_v2_pages_in_a_folder_with_nested_item(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "page-1.json").write_text(
        json.dumps(page(1, 2, [package(1), package(2, tag(1), True)], 3))
    )
    (folder / "page-2.json").write_text(json.dumps(page(2, 2, [package(3, tag(2))], 3)))
    tables = load(detected=[folder])
    assert {i.shape for i in tables.inputs} == {"metrc-api"}
    assert sorted(tables.packages["tag"]) == [tag(1), tag(2), tag(3)]
    assert set(tables.packages["category"]) == {"Buds"}
    assert file_findings(tables) == []


@pytest.mark.parametrize(
    ("pages", "problem"),
    [
        ({1: page(1, 3, [package(1)], 3), 3: page(3, 3, [package(3)], 3)}, "page(s) 2 missing"),
        ({1: page(1, 2, [package(1)], 2), 2: page(2, 2, [package(2)], 5)}, "different totals"),
        ({1: {**page(1, 1, [package(1)], 1), "RecordsOnPage": 4}}, "RecordsOnPage 4 but holds 1"),
    ],
)
def test_pages_that_disagree_are_dq005(
    pages: dict[int, object], problem: str, tmp_path: Path
) -> None:
    for number, document in pages.items():
        (tmp_path / f"page-{number}.json").write_text(json.dumps(document))
    (finding,) = [f for f in file_findings(load(detected=[tmp_path])) if f.rule == "DQ005"]
    assert problem in finding.message


def test_v1_array_with_older_flat_fields(tmp_path: Path) -> None:
    records = [
        {"Id": 1, "Label": tag(1), "ProductName": "Buds", "ProductCategoryName": "Buds",
         "RoomName": "Vault", "SourcePackageLabels": "", "IsProductionBatch": False,
         "ProductionBatchNumber": None},
    ]  # fmt: skip
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(records))
    tables = load(detected=[path])
    assert tables.packages["location"].tolist() == ["Vault"]
    assert tables.packages["category"].tolist() == ["Buds"]


def test_lab_results_as_json(tmp_path: Path) -> None:
    rows = [{"PackageId": 1, "LabTestResultId": 9, "SourcePackageLabel": tag(1),
             "TestTypeName": "THC", "TestPassed": True, "OverallPassed": True}]  # fmt: skip
    path = tmp_path / "lab.json"
    path.write_text(json.dumps(page(1, 1, rows, 1)))
    tables = load(detected=[path])
    assert tables.lab_results is not None
    assert tables.lab_results["test_passed"].tolist() == [True]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'[{"Label": "1A4', "not valid JSON (line 1"),
        (b'{"Foo": 1}', "neither a list of records nor a Metrc API page"),
        (b"[1, 2]", "not objects with field names"),
    ],
)
def test_broken_json_is_one_sentence(content: bytes, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    (sentence,) = load(detected=[path]).unreadable
    assert expected in sentence and str(path) in sentence


def test_a_real_v2_package_record_with_nulls_and_both_unit_fields(tmp_path: Path) -> None:
    record = {
        "Id": 1234, "Label": tag(1), "PackageType": "Product", "SourceHarvestCount": 1,
        "SourcePackageCount": 0, "SourceHarvestNames": "2026-GG-H014", "SourcePackageLabels": "",
        "LocationName": "Vault", "Quantity": 1250.5, "OriginalPackageQuantity": 1250.5,
        "UnitOfMeasureName": "Grams", "UnitOfMeasureAbbreviation": "g",
        "ItemFromFacilityLicenseNumber": None, "Note": None, "PackagedDate": "2026-01-05",
        "InitialLabTestingState": "NotSubmitted", "LabTestingState": "TestPassed",
        "LabTestingStateDate": "2026-01-09", "LabTestingPerformedDate": None,
        "LabTestResultExpirationDateTime": None, "IsProductionBatch": False,
        "ProductionBatchNumber": None, "SourceProductionBatchNumbers": None,
        "IsTradeSample": False, "IsDonation": False, "IsTestingSample": False,
        "ProductRequiresRemediation": False, "ContainsRemediatedProduct": False,
        "RemediationDate": None, "ReceivedDateTime": None, "ReceivedFromManifestNumber": None,
        "ReceivedFromFacilityLicenseNumber": None, "IsOnHold": False, "ArchivedDate": None,
        "IsFinished": False, "FinishedDate": None, "LastModified": "2026-01-09T17:00:00+00:00",
        "Item": {"Id": 9, "Name": "Blue Dream Buds", "ProductCategoryName": "Buds",
                 "ProductCategoryType": "Buds", "QuantityType": "WeightBased",
                 "StrainName": "Blue Dream", "UnitOfMeasureName": "Grams"},
    }  # fmt: skip
    path = tmp_path / "active.json"
    path.write_text(json.dumps(page(1, 1, [record], 1)))
    tables = load(detected=[path])
    assert tables.unreadable == [] and file_findings(tables) == []
    assert tables.packages["unit"].tolist() == ["g"]
    assert tables.packages["production_batch_number"].tolist() == [""]
    assert tables.packages["item_name"].tolist() == ["Blue Dream Buds"]


def test_complete_single_pages_of_different_exports_are_not_one_broken_export(
    tmp_path: Path,
) -> None:
    (tmp_path / "active.json").write_text(json.dumps(page(1, 1, [package(1), package(2)], 2)))
    (tmp_path / "inactive.json").write_text(json.dumps(page(1, 1, [package(3)], 1)))
    labs = [{"PackageId": 1000 + n, "LabTestResultId": n, "SourcePackageLabel": tag(n),
             "TestTypeName": "THC", "TestPassed": True} for n in (1, 2)]  # fmt: skip
    for number, row in enumerate(labs, 1):
        (tmp_path / f"lab-{number}.json").write_text(json.dumps(page(1, 1, [row], 1)))
    assert [f for f in file_findings(load(detected=[tmp_path])) if f.rule == "DQ005"] == []


def test_a_sheet_with_titles_but_no_rows_is_skipped_not_fatal(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "export.xlsx",
        {
            "Active": [HEADER, [tag(1), "Buds", "Buds", None, "No", 1, None, None]],
            "On Hold": [HEADER],
        },
    )
    tables = load(detected=[path])
    assert tables.packages["tag"].tolist() == [tag(1)]
    assert tables.unreadable == []


def test_a_workbook_of_lab_results_given_as_packages_says_so(tmp_path: Path) -> None:
    lab = [
        ["PackageId", "LabTestResultId", "SourcePackageLabel", "TestTypeName"],
        [1, 2, tag(1), "THC"],
    ]
    path = workbook(tmp_path / "lab.xlsx", {"Results": lab})
    (sentence,) = load(packages=[path]).unreadable
    assert "is a lab-results export, not a packages export; pass it with -l" in sentence


def test_an_empty_lab_results_page_given_as_such_means_nothing_was_tested(tmp_path: Path) -> None:
    packages = tmp_path / "p.json"
    packages.write_text(json.dumps(page(1, 1, [package(1)], 1)))
    lab = tmp_path / "lab.json"
    lab.write_text(json.dumps(page(1, 1, [], 0)))
    tables = load(packages=[packages], lab_results=[lab])
    assert tables.unreadable == [] and tables.lab_results is not None and tables.lab_results.empty


def test_a_rule_finding_on_a_workbook_row_names_its_sheet_and_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        HEADER,
        [tag(1), "Buds", "Buds", None, "No", 1, None],
        [tag(2), "Buds", "Buds", tag(9), "No", 1, None],  # its source is in no export
    ]
    path = workbook(tmp_path / "export.xlsx", {"Active": rows})
    result = run(load(detected=[path]), load_pack("oregon"))
    (finding,) = [f for f in result.findings if f.rule == "LN001"]
    assert finding.source is not None
    assert finding.source.describe() == f"{path}, sheet 'Active', row 3"
