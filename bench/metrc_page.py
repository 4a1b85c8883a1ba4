"""The grid's packages as Metrc's own /packages/v2 page: what an integration saves.

Every record has the v2 fields in Metrc's documented order, the values batchaudit reads
taken from the grid, the others as Metrc sends them (mostly `null`, the .NET zero date, empty
arrays of images), a nested `Item` object, and the page is indented as
a saved response is. The fields the grid export does not carry (the API's `Id`, processing
jobs, the item's category type) are left out, so that both audits judge the same packages
on the same fields and make the same findings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import orjson

REPO = Path(__file__).resolve().parents[1]
ZERO_DATE = "0001-01-01T00:00:00+00:00"
# The fields a grid export lacks: an audit of the page reads no more than the grid's.
NOT_IN_GRID = {"package_id", "category_type", "package_type", "last_modified"}
NOT_IN_GRID |= {"source_processing_jobs", "source_processing_job_count", "processing_job_type"}
NOT_IN_GRID |= {"processing_job_category", "multi_processing_job", "initial_lab_testing_state"}
NOT_IN_GRID |= {"original_quantity", "finished_date"}

# Metrc's v2 package fields in documented order; None: a value batchaudit reads (from the grid).
_RECORD: list[tuple[str, Any]] = [
    ("Id", None), ("Label", None), ("PackageType", "Product"), ("SourceHarvestCount", 1),
    ("SourcePackageCount", 1), ("SourceHarvestNames", None), ("SourcePackageLabels", None),
    ("LocationId", 4021), ("LocationName", None), ("SublocationName", None),
    ("PatientLicenseNumber", None), ("Quantity", None), ("UnitOfMeasureName", "Grams"),
    ("UnitOfMeasureAbbreviation", None), ("ItemFromFacilityLicenseNumber", "020-10040512F3E"),
    ("Note", None), ("PackagedDate", None), ("ExpirationDate", None), ("UseByDate", None),
    ("LabTestingState", None), ("LabTestingStateDate", "2025-06-01"),
    ("LabTestResultExpirationDateTime", None), ("IsProductionBatch", None),
    ("ProductionBatchNumber", None), ("SourceProductionBatchNumbers", None),
    ("IsTradeSample", False), ("IsDonation", False), ("IsTestingSample", None),
    ("ProductRequiresRemediation", None), ("ContainsRemediatedProduct", None),
    ("RemediationDate", None), ("ReceivedDateTime", None),
    ("ReceivedFromFacilityLicenseNumber", None), ("IsOnHold", None), ("ArchivedDate", None),
    ("IsFinished", None), ("FinishedDate", None), ("LastModified", None),
]  # fmt: skip
_ITEM: list[tuple[str, Any]] = [
    ("Id", 1207), ("Name", None), ("ProductCategoryName", None),
    ("QuantityType", "WeightBased"), ("UnitOfMeasureName", "Grams"),
    ("ApprovalStatusDateTime", ZERO_DATE), ("StrainId", None), ("StrainName", None),
    ("UnitThcContent", None), ("UnitThcContentUnitOfMeasureName", None), ("UnitWeight", None),
    ("ProductImages", []), ("LabTestBatchNames", []),
]  # fmt: skip


def metrc_page(grid: list[Path], folder: Path) -> Path:
    """The packages of `grid` as one indented v2 page file in `folder`."""
    sys.path.insert(0, str(REPO / "tests"))
    from batchaudit.ingest.load import load
    from batchaudit.ingest.shapes import METRC_API_PACKAGES
    from batchaudit.model.fields import PACKAGE_FIELDS
    from shapes_writer import canonical_text

    packages = load(packages=grid).packages
    # The API says "discontinued" only by an ArchivedDate; the grid by a flag without one.
    undated = packages["discontinued"] & packages["discontinued_date"].isna()
    packages.loc[undated, "discontinued_date"] = packages.loc[undated, "packaged_date"]
    fields = [name for name in PACKAGE_FIELDS if name in METRC_API_PACKAGES.titles]
    text = canonical_text(packages, [name for name in fields if name not in NOT_IN_GRID])
    read = {METRC_API_PACKAGES.titles[name][0]: text[name].tolist() for name in text.columns}
    left_out = {title for name in NOT_IN_GRID for title in METRC_API_PACKAGES.titles[name]}
    potency = np.random.default_rng(1).random(len(packages)) < 0.2
    records = [_record(read, left_out, at, bool(potency[at])) for at in range(len(packages))]
    total = len(records)
    page = {"Data": records, "Total": total, "TotalRecords": total, "PageSize": total,
            "RecordsOnPage": total, "Page": 1, "CurrentPage": 1, "TotalPages": 1}  # fmt: skip
    path = folder / "packages.json"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(page, option=orjson.OPT_INDENT_2))
    return path


def _record(
    read: dict[str, list[str]], left_out: set[str], at: int, potency: bool
) -> dict[str, Any]:
    record = {name: _value(read, left_out, name, at, default) for name, default in _RECORD}
    item = {name: _value(read, left_out, f"Item.{name}", at, default) for name, default in _ITEM}
    if potency:  # what Metrc sends for an item with unit potency: numbers among the nulls
        item |= {"UnitThcContent": 10.0, "UnitThcContentUnitOfMeasureName": "Milligrams"}
    record = {name: value for name, value in record.items() if value is not _LEFT_OUT}
    record["Item"] = {name: value for name, value in item.items() if value is not _LEFT_OUT}
    return record


_LEFT_OUT = object()


def _value(read: dict[str, list[str]], left_out: set[str], name: str, at: int, default: Any) -> Any:
    """A read field's value typed as the API types it, else Metrc's value for every record."""
    if name in left_out:
        return _LEFT_OUT
    if name not in read:
        return default
    value = read[name][at]
    if value == "":
        return None
    if name.startswith(("Is", "Contains", "ProductRequires")) and value in ("True", "False"):
        return value == "True"
    if name == "Quantity":
        return float(value)
    return value


def main() -> None:
    """Run apart from the benchmark, whose memory a forked child would start from."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("grid", type=Path, nargs="+", help="the grid's packages CSVs")
    parser.add_argument("folder", type=Path, help="where packages.json is written")
    args = parser.parse_args()
    print(metrc_page(args.grid, args.folder))


if __name__ == "__main__":
    main()
