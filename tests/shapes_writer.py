"""Write one logical data set in every shape a user may hand to batchaudit (test support)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd

from batchaudit.ingest.shapes import (
    CANONICAL_LAB_RESULTS,
    CANONICAL_PACKAGES,
    METRC_API_LAB_RESULTS,
    METRC_API_PACKAGES,
    METRC_GRID,
    METRC_GRID_ABBREVIATED,
    Shape,
)

PAGE_SIZE = 100


def canonical_text(tables_packages: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
    """Typed canonical packages -> the text a canonical CSV would hold."""
    text = pd.DataFrame(index=tables_packages.index)
    for name in fields:
        column = tables_packages[name]
        if str(column.dtype) == "boolean":
            text[name] = column.map({True: "True", False: "False"}).fillna("")
        elif str(column.dtype).startswith("datetime"):
            text[name] = column.dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("")
        elif column.dtype == "float64":
            text[name] = column.map(lambda v: "" if pd.isna(v) else repr(float(v)))
        else:
            text[name] = column.astype(str)
    return text


def titled(text: pd.DataFrame, shape: Shape) -> pd.DataFrame:
    columns = {f: shape.titles[f][0] for f in text.columns if f in shape.titles}
    return text[list(columns)].rename(columns=columns)


def write_every_shape(
    packages: pd.DataFrame, lab: pd.DataFrame, folder: Path
) -> dict[str, list[Path]]:
    """One folder of files per shape; each also gets the lab results (CSV or JSON)."""
    written: dict[str, list[Path]] = {}
    lab_csv = titled(lab, METRC_API_LAB_RESULTS)

    def put(shape_name: str, files: dict[str, pd.DataFrame | str | bytes]) -> None:
        target = folder / shape_name
        target.mkdir(parents=True)
        paths = []
        for name, content in files.items():
            path = target / name
            if isinstance(content, pd.DataFrame):
                content.to_csv(path, index=False)
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
            paths.append(path)
        written[shape_name] = paths

    put("grid-full", {"active.csv": titled(packages, METRC_GRID), "lab.csv": lab_csv})
    put(
        "grid-abbreviated",
        {"active.csv": titled(packages, METRC_GRID_ABBREVIATED), "lab.csv": lab_csv},
    )
    # The API says "discontinued" only by an ArchivedDate: give every discontinued package one.
    archived = packages.assign(
        discontinued_date=packages["discontinued_date"].mask(
            (packages["discontinued"] == "True") & (packages["discontinued_date"] == ""),
            "2026-03-01T00:00:00",
        )
    )
    put("api-flattened", {"packages.csv": titled(archived, METRC_API_PACKAGES), "lab.csv": lab_csv})
    put(
        "canonical",
        {
            "packages.csv": titled(packages, CANONICAL_PACKAGES),
            "lab.csv": titled(lab, CANONICAL_LAB_RESULTS),
        },
    )
    put("excel", {"lab.csv": lab_csv})
    _write_workbook(titled(packages, METRC_GRID), folder / "excel" / "packages.xlsx")
    written["excel"].append(folder / "excel" / "packages.xlsx")
    api = titled(archived, METRC_API_PACKAGES)
    pages = _pages([_nest(record) for record in api.to_dict("records")])
    lab_pages = _pages(lab_csv.to_dict("records"))
    put(
        "api-json",
        {
            **{f"packages-{n}.json": json.dumps(p) for n, p in enumerate(pages, 1)},
            **{f"lab-{n}.json": json.dumps(p) for n, p in enumerate(lab_pages, 1)},
        },
    )
    return written


def _write_workbook(frame: pd.DataFrame, path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Packages")
    sheet.append(["Metrc Packages export"])
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    book.save(path)


def _nest(record: dict[str, object]) -> dict[str, object]:
    """Item.Name -> {"Item": {"Name": ...}}, as the v2 API returns it."""
    nested: dict[str, object] = {}
    item: dict[str, object] = {}
    for key, value in record.items():
        if key.startswith("Item."):
            item[key.removeprefix("Item.")] = value
        else:
            nested[key] = value
    nested["Item"] = item
    return nested


def _pages(records: list[dict[str, object]]) -> list[dict[str, object]]:
    chunks = [records[i : i + PAGE_SIZE] for i in range(0, len(records), PAGE_SIZE)] or [[]]
    return [
        {"Data": chunk, "Total": len(records), "TotalRecords": len(records), "PageSize": PAGE_SIZE,
         "RecordsOnPage": len(chunk), "Page": number, "CurrentPage": number, "TotalPages": len(chunks)}
        for number, chunk in enumerate(chunks, 1)
    ]  # fmt: skip
