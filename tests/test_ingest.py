"""Reading exports: shapes, value spellings, line numbers, and what bad input produces."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from batchaudit.ingest import files
from batchaudit.ingest.load import load
from batchaudit.ingest.text import read_text_table
from batchaudit.ingest.text_columns import Reading
from batchaudit.model.tables import ConflictingRows
from helpers import file_findings, tag, write

GRID_FULL = """
Tag,Source Harvest(s),Source Package(s),Item,Category,Quantity,Unit of Measure,Production Batch,Production Batch Number,Lab Testing,Packaged Date,Received From,Unit THC Content
T1,2026-GG-H014,,Blue Dream Buds,Buds,"3,465.22",g,No,,Test Passed,01/05/2026,,
T2,,"T1, ",Blue Dream Buds,Buds,100.00,g,Yes,PB-1,NotSubmitted,01/06/2026 05:30 pm,,21.5
"""
GRID_ABBREVIATED = """
TAG,src. h's,SRC. PKG'S,Item,Category,Quantity,UoM,P.B.,P.B. No.,LT Status,Date,Received From
T1,2026-GG-H014,,Blue Dream Buds,Buds,"3,465.22",g,N,,TestPassed,2026-01-05,
T2,,"T1, ",Blue Dream Buds,Buds,100,g,Y,PB-1,Not Submitted,2026-01-06T17:30:00-07:00,
"""
API_FLATTENED = """
Id,Label,SourceHarvestNames,SourcePackageLabels,Item.Name,Item.ProductCategoryName,Quantity,UnitOfMeasureAbbreviation,IsProductionBatch,ProductionBatchNumber,LabTestingState,PackagedDate,ReceivedFromFacilityLicenseNumber
11,T1,2026-GG-H014,,Blue Dream Buds,Buds,3465.22,g,false,,TestPassed,2026-01-05,
12,T2,,T1,Blue Dream Buds,Buds,100,g,true,PB-1,NotSubmitted,2026-01-06T17:30:00+00:00,
"""
CANONICAL = """
tag,source_harvest_names,source_package_tags,item_name,category,quantity,unit,production_batch,production_batch_number,lab_testing_state,packaged_date
T1,2026-GG-H014,,Blue Dream Buds,Buds,3465.22,g,False,,TestPassed,2026-01-05
T2,,T1,Blue Dream Buds,Buds,100,g,True,PB-1,NotSubmitted,2026-01-06
"""
COMPARED = ["tag", "item_name", "category", "quantity", "production_batch", "lab_testing_state"]


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        (GRID_FULL, "metrc-grid"),
        (GRID_ABBREVIATED, "metrc-grid-abbreviated"),
        (API_FLATTENED, "metrc-api"),
        (CANONICAL, "canonical"),
    ],
)
def test_every_package_shape_reads_to_the_same_table(text: str, shape: str, tmp_path: Path) -> None:
    tables = load(detected=[write(tmp_path / "export.csv", text)])
    assert [item.shape for item in tables.inputs] == [shape]
    assert file_findings(tables) == []
    packages = tables.packages
    assert packages["tag"].tolist() == [tag(1), tag(2)]
    assert packages["quantity"].tolist() == [3465.22, 100.0]
    assert packages["production_batch"].tolist() == [False, True]
    assert packages["lab_testing_state"].tolist() == ["TestPassed", "NotSubmitted"]
    assert packages["packaged_date"].dt.date.astype(str).tolist() == ["2026-01-05", "2026-01-06"]
    assert packages["source_package_tags"].str.strip(", ").tolist() == ["", tag(1)]


def test_rows_remember_file_and_line_across_embedded_newlines(tmp_path: Path) -> None:
    text = 'tag,category,source_package_tags,production_batch,item_name\nT1,Buds,,No,"Two\nline item"\n\nT2,Buds,T1,No,plain\n'
    tables = load(packages=[write(tmp_path / "p.csv", text)])
    assert tables.packages["line"].tolist() == [2, 5]
    assert set(tables.packages["file"]) == {str(tmp_path / "p.csv")}


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ","), ("cp1252", ";"), ("utf-16", "\t")],
)
def test_encodings_and_delimiters_of_saved_files(
    encoding: str, delimiter: str, tmp_path: Path
) -> None:
    text = f"Tag{delimiter}Category{delimiter}Source Package(s){delimiter}Production Batch{delimiter}Item\n"
    text += f"{tag(1)}{delimiter}Buds{delimiter}{delimiter}No{delimiter}Café Buds\n"
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    tables = load(detected=[path])
    assert tables.packages["item_name"].tolist() == ["Café Buds"]
    assert tables.inputs[0].delimiter == delimiter


def test_missing_required_column_is_dq001_and_the_rest_is_audited(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "Tag,Category,Source Package(s)\nT1,Buds,\nT2,Buds,T1\n")
    tables = load(packages=[path])
    (finding,) = [
        f for f in file_findings(tables) if f.rule == "DQ001" and "Number" not in f.message
    ]
    assert finding.source is not None
    assert (finding.source.file, finding.source.line, finding.source.column) == (
        str(path),
        1,
        "Production Batch",
    )
    assert "Production Batch" in finding.message and str(path) in finding.message
    assert len(tables.packages) == 2
    assert tables.missing_fields == {"production_batch", "production_batch_number"}


def test_malformed_tag_is_dq002_naming_file_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.csv",
        "Tag,Category,Source Package(s),Production Batch,P.B. No.\nT1,Buds,,No,\n1A40-0300,Buds,,No,\nT3,Buds,T1,Maybe,\n",
    )
    tables = load(packages=[path])
    problems = {
        (f.rule, f.source.line, f.source.column, f.package_tag)
        for f in file_findings(tables)
        if f.source
    }
    assert problems == {
        ("DQ002", 3, "Tag", None),
        ("DQ002", 4, "Production Batch", tag(3)),
    }
    assert tables.packages["tag"].tolist() == [tag(1), tag(3)]
    assert tables.packages["production_batch"].tolist() == [False, False]


def test_unknown_testing_state_is_a_warning_and_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.csv",
        "Tag,Category,Source Package(s),Production Batch,Lab Testing,Production Batch Number\nT1,Buds,,No,Lost In Mail,\n",
    )
    tables = load(packages=[path])
    (finding,) = file_findings(tables)
    assert (finding.rule, str(finding.severity)) == ("DQ002", "warning")
    assert tables.packages["lab_testing_state"].tolist() == ["Lost In Mail"]


def test_row_with_too_many_fields_is_reported_not_dropped_silently(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.csv",
        "Tag,Category,Source Package(s),Production Batch,Production Batch Number\nT1,Buds,,No,\nT2,Buds,,No,,extra\nT3,Buds,,No,\n",
    )
    tables = load(packages=[path])
    (finding,) = file_findings(tables)
    assert finding.rule == "DQ002" and finding.source is not None and finding.source.line == 3
    assert tables.packages["tag"].tolist() == [tag(1), tag(3)]
    assert tables.packages["line"].tolist() == [2, 4]


def test_duplicates_merge_when_equal_and_conflict_when_not(tmp_path: Path) -> None:
    header = "Tag,Category,Source Package(s),Production Batch,Quantity,Production Batch Number"
    active = write(tmp_path / "active.csv", f"{header}\nT1,Buds,,No,10,\nT2,Buds,,No,5,\n")
    inactive = write(
        tmp_path / "inactive.csv", f"{header},Finished\nT1,Buds,,No,10,,Yes\nT2,Buds,,No,0,,Yes\n"
    )
    tables = load(packages=[active, inactive])
    (conflict,) = file_findings(tables)
    assert (conflict.rule, conflict.package_tag) == ("DQ003", tag(2))
    assert str(active) in conflict.message and str(inactive) in conflict.message
    assert conflict.evidence["differing_fields"] == ["quantity"]
    kept = tables.packages.set_index("tag")
    assert kept.loc[tag(2), "quantity"] == 0
    assert kept.loc[tag(2), "file"] == str(inactive)
    assert len(kept) == 2


def test_lab_results_file_is_detected_by_its_header(tmp_path: Path) -> None:
    lab = write(
        tmp_path / "lab.csv",
        "PackageId,LabTestResultId,SourcePackageLabel,TestTypeName,TestPassed,OverallPassed\n1,5,T1,THC,true,true\n",
    )
    packages = write(
        tmp_path / "p.csv", "Tag,Category,Source Package(s),Production Batch\nT1,Buds,,No\n"
    )
    tables = load(detected=[lab, packages])
    assert [(i.kind, i.shape) for i in tables.inputs] == [
        ("lab-results", "metrc-api"),
        ("packages", "metrc-grid"),
    ]
    assert tables.lab_results is not None
    assert tables.lab_results["test_passed"].tolist() == [True]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"\x00\x01\x02binary\x00", "binary file"),
        (b"PK\x03\x04rest-of-a-zip", "Excel workbook"),
        (b"Foo,Bar\n1,2\n", "not a packages export"),
        (b"LabTestResultId,SourcePackageLabel,TestTypeName\n1,X,THC\n", "lab-results export"),
    ],
)
def test_unreadable_packages_files_give_one_sentence(
    content: bytes, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    tables = load(packages=[path])
    (sentence,) = tables.unreadable
    assert expected in sentence and str(path) in sentence
    assert tables.packages.empty


def test_two_headers_meaning_one_field_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.csv", "Tag,Category,Lab Testing,LT Status\nT1,Buds,TestPassed,TestPassed\n"
    )
    tables = load(packages=[path])
    (sentence,) = tables.unreadable
    assert "'Lab Testing'" in sentence and "'LT Status'" in sentence


def test_lab_results_resolve_the_tested_package_by_id_when_the_label_is_blank(
    tmp_path: Path,
) -> None:
    from batchaudit.engine import run
    from batchaudit.model.packs import load_pack

    packages = write(
        tmp_path / "p.csv",
        "Id,Label,Item.ProductCategoryName,SourcePackageLabels,IsProductionBatch\n77,T1,Buds,,false\n",
    )
    lab = write(
        tmp_path / "lab.csv",
        "PackageId,LabTestResultId,SourcePackageLabel,TestTypeName,TestPassed\n77,5,,THC,true\n",
    )
    result = run(load(packages=[packages], lab_results=[lab]), load_pack("oregon"))
    assert result.summary.test_events == 1


def test_input_files_are_never_changed(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", GRID_FULL)
    before = path.read_bytes()
    load(packages=[path])
    assert path.read_bytes() == before
    assert pd.Series([p.name for p in tmp_path.iterdir()]).tolist() == ["p.csv"]


def test_fast_and_careful_readers_agree(tmp_path: Path) -> None:
    """A plain file takes pyarrow's fast path; a blank line sends it to pandas' parser."""
    plain = write(tmp_path / "plain.csv", GRID_FULL)
    with_blank_line = tmp_path / "blank.csv"
    with_blank_line.write_text(plain.read_text().replace("\n", "\n\n", 1))
    fast, careful = load(packages=[plain]).packages, load(packages=[with_blank_line]).packages
    assert careful["line"].tolist() == [3, 4]
    assert fast["line"].tolist() == [2, 3]
    columns = [c for c in fast.columns if c not in ("file", "line")]
    pd.testing.assert_frame_equal(fast[columns], careful[columns])


def test_blank_against_a_value_is_a_conflict_but_source_order_is_not(tmp_path: Path) -> None:
    header = "Tag,Category,Source Package(s),Production Batch,Production Batch Number,Received"
    first = write(
        tmp_path / "a.csv",
        f'{header}\nT1,Buds,,No,,\nT3,Buds,"T1, T2",No,,\nT4,Buds,,No,,01/05/2026\n',
    )
    second = write(
        tmp_path / "b.csv", f'{header}\nT1,Buds,,No,,\nT3,Buds,"T2,T1, ",No,,\nT4,Buds,,No,,\n'
    )
    conflicts = [f for f in file_findings(load(packages=[first, second])) if f.rule == "DQ003"]
    assert [(f.package_tag, f.evidence["differing_fields"]) for f in conflicts] == [
        (tag(4), ["received_date"])
    ]


def test_the_file_given_last_wins_even_across_shapes(tmp_path: Path) -> None:
    grid = "Tag,Category,Source Package(s),Production Batch,Production Batch Number,Quantity"
    api = "Label,Item.ProductCategoryName,SourcePackageLabels,IsProductionBatch,ProductionBatchNumber,Quantity"
    first = write(tmp_path / "1.csv", f"{grid}\nT1,Buds,,No,,1\n")
    second = write(tmp_path / "2.csv", f"{api}\nT1,Buds,,false,,2\n")
    third = write(tmp_path / "3.csv", f"{grid}\nT1,Buds,,No,,3\n")
    tables = load(packages=[first, second, third])
    assert tables.packages["quantity"].tolist() == [3.0]
    (conflict,) = file_findings(tables)
    assert conflict.evidence["occurrences"] == [
        {"file": str(path), "sheet": None, "line": 2} for path in (first, second, third)
    ]


def test_json_flags_and_numbers_are_written_as_a_csv_export_holds_them() -> None:
    """Whole columns of flags and numbers become text at once, exactly as cell by cell."""
    import math

    from batchaudit.ingest.raw import _flags_or_numbers_as_text, as_text, cell_text

    floats = [0.1, 1.5, 3035.88, 1e16, 1e-7, 123456789.123, -0.0, 5.0, math.nan, math.inf,
              -math.inf, 2.5e-300, 1 / 3, 2.0**52 + 0.5, 9007199254740993.0, -7.25, 1e15 + 0.3,
              # Where Arrow writes the text and where numpy does (the plain fractions' ends)
              1e-4, -1e-4, 9.99e-5, 0.00011, 9999999999.5, 10000000000.5, -12345.678]  # fmt: skip
    huge = [*floats[:-1], 1.7976931348623157e308]  # an integer past 2**53: cell by cell
    # Without the integers past 2**53 (1e16, ...), the column is written whole.
    past = [math.isfinite(value) and value.is_integer() and abs(value) >= 2**53 for value in floats]
    whole = [0.25 if beyond else value for value, beyond in zip(floats, past, strict=True)]
    cells = pd.DataFrame(
        {
            "Quantity": floats,
            "Weight": whole,
            "Big": huge,
            "Id": range(-3, len(floats) - 3),
            "IsOnHold": [n % 3 == 0 for n in range(len(floats))],
            "Mixed": [True, 1, "x", None, 2.5, *[""] * (len(floats) - 5)],
        }
    )
    assert _flags_or_numbers_as_text(cells["Weight"].to_numpy()) is not None  # written whole
    text = as_text(cells)
    for column in cells:
        assert text[column].tolist() == [cell_text(value) for value in cells[column]], column
        assert isinstance(text[column].dtype, pd.StringDtype)


def test_arrow_allocates_from_jemalloc_unless_the_user_chose_a_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pyarrow's default pool cost the 10^6 audit twice the system time (ingest/load.py)."""
    import pyarrow as pa

    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this pyarrow was built without jemalloc")
    before = pa.default_memory_pool()
    try:
        pa.set_memory_pool(pa.system_memory_pool())
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
        load(detected=[])
        assert pa.default_memory_pool().backend_name == "system"
        monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL")
        load(detected=[])
        assert pa.default_memory_pool().backend_name == "jemalloc"
    finally:
        pa.set_memory_pool(before)


def test_loaded_packages_keep_each_text_column_in_one_piece(tmp_path: Path) -> None:
    """Rules select offending rows again and again: from a column in pieces (one per file
    and block read) that took ten times as long."""
    from batchaudit.model.values import arrow_text

    first = write(tmp_path / "active.csv", "Tag,Category\n" + f"{tag(1)},Buds\n")
    second = write(tmp_path / "inactive.csv", "Tag,Category\n" + f"{tag(2)},Buds\n")
    packages = load(packages=[first, second]).packages
    assert packages["tag"].tolist() == [tag(1), tag(2)]
    for column in ("tag", "category", "item_name"):
        assert arrow_text(packages[column]).num_chunks == 1, column


@pytest.mark.parametrize(
    ("bom", "item"), [(b"", "Caf\u00e9 Buds"), (b"\xef\xbb\xbf", "Caf\ufffd Buds")]
)
def test_a_large_utf8_file_is_read_with_its_text_checked_once(
    bom: bytes, item: str, tmp_path: Path
) -> None:
    """A file past the csv module's size goes to Arrow. Without a byte-order mark the whole
    file was checked as UTF-8 first (here it is, so é reads as é); after one it is not, and
    a byte that is no UTF-8 (a cp1252 é) must still read as U+FFFD, never as broken text."""
    header = "Tag,Category,Source Package(s),Production Batch,Item\n"
    rows = [f"{tag(n)},Buds,,No,Plain Buds\n" for n in range(2, 3001)]
    body = (header + f"{tag(1)},Buds,,No,").encode() + (
        "Caf\u00e9 Buds".encode() if not bom else b"Caf\xe9 Buds"
    )
    path = tmp_path / "export.csv"
    path.write_bytes(bom + body + b"\n" + "".join(rows).encode())
    assert path.stat().st_size > 1 << 16
    tables = load(detected=[path])
    assert len(tables.packages) == 3000
    assert tables.packages["item_name"].iloc[0] == item
    assert tables.packages["item_name"].str.len().iloc[0] == len(item)


@pytest.mark.parametrize(
    ("encoding", "encoding_said"), [("ascii", "utf-8"), ("utf-8", "utf-8"), ("cp1252", "cp1252")]
)
def test_a_large_file_whose_last_row_alone_is_not_ascii(
    encoding: str, encoding_said: str, tmp_path: Path
) -> None:
    """Past a megabyte the file is looked at whole for a byte over 0x7F (by numpy, not
    `bytes.isascii`): one é on the last row, far past the sniffed head, decides."""
    header = "Tag,Category,Source Package(s),Production Batch,Item\n"
    rows = "".join(f"{tag(n)},Buds,,No,Plain Buds\n" for n in range(1, 30_001))
    last = "Plain Buds" if encoding == "ascii" else "Caf\u00e9 Buds"
    path = tmp_path / "export.csv"
    path.write_bytes((header + rows + f"{tag(30_001)},Buds,,No,{last}\n").encode(encoding))
    assert path.stat().st_size > 1 << 20
    tables = load(detected=[path])
    assert tables.inputs[0].encoding == encoding_said
    assert tables.packages["item_name"].iloc[-1] == last
    assert len(tables.packages) == 30_001


@pytest.mark.parametrize("rows", [2, 40_000])
def test_each_file_is_named_by_the_sha256_of_its_bytes(rows: int, tmp_path: Path) -> None:
    """A small file is hashed from its bytes; one past a megabyte from the file, in a
    thread beside the reading: either way the report names it by the hash of the file."""
    header = "Tag,Category,Source Package(s),Production Batch,Item\n"
    text = header + "".join(f"{tag(n)},Buds,,No,Buds {n}\n" for n in range(1, rows + 1))
    path = write(tmp_path / "export.csv", text)
    assert (path.stat().st_size > 1 << 20) == (rows > 2)
    tables = load(detected=[path])
    assert [i.sha256 for i in tables.inputs] == [hashlib.sha256(path.read_bytes()).hexdigest()]


def test_a_file_that_changed_while_hashed_is_named_by_the_bytes_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the file's size or time of change moved while it was hashed beside the reading,
    the hash is not of the bytes read: they are hashed themselves."""
    text = "Tag,Category,Source Package(s),Production Batch,Item\n"
    text += "".join(f"{tag(n)},Buds,,No,Buds {n}\n" for n in range(1, 40_001))
    path = write(tmp_path / "export.csv", text)
    hashed_beside = files._hash

    def changed_meanwhile(descriptor: int, status: os.stat_result) -> files._Hashed:
        hashed = hashed_beside(descriptor, status)
        return files._Hashed("0" * 64, hashed.size, None)

    monkeypatch.setattr(files, "_hash", changed_meanwhile)
    tables = load(detected=[path])
    assert [i.sha256 for i in tables.inputs] == [hashlib.sha256(path.read_bytes()).hexdigest()]


TITLES = "Tag,Category,Source Package(s),Production Batch,Item,Notes\n"
READ = {"Tag", "Category", "Source Package(s)", "Production Batch", "Item"}


def large_export(tmp_path: Path, odd_rows: str = "") -> Path:
    """A file past the csv module's size (Arrow reads it), with a column batchaudit does
    not read (Notes) and any odd rows after the first."""
    first = f"{tag(1)},Buds,,No,Buds 1,note 1\n"
    rest = "".join(f"{tag(n)},Buds,,No,Buds {n},note {n}\n" for n in range(2, 3001))
    return write(tmp_path / "export.csv", TITLES + first + odd_rows + rest)


def test_a_large_export_is_parsed_only_in_the_columns_read(tmp_path: Path) -> None:
    path = large_export(tmp_path)
    raw = read_text_table(path, path.read_bytes(), lambda titles: Reading(READ))
    assert raw.header == TITLES.strip().split(",")
    assert list(raw.rows.columns) == TITLES.strip().split(",")[:5]
    assert raw.rows["Tag"].tolist() == [tag(n) for n in range(1, 3001)]
    assert raw.positions.tolist() == list(range(2, 3002))
    assert len(load(detected=[path]).packages) == 3000


@pytest.mark.parametrize("odd", [",,,,,only a note\n", ",,,,,\n", "\n", f"{tag(9)},Buds,,No\n"])
def test_rows_odd_in_the_columns_read_are_read_as_from_every_column(
    odd: str, tmp_path: Path
) -> None:
    """A row blank in every column read may hold a value in another (then it is no blank
    row to leave out); a short row is a bad line either way: the rows, their lines and the
    bad lines are those of reading every column."""
    path = large_export(tmp_path, odd)
    data = path.read_bytes()
    every, some = (
        read_text_table(path, data),
        read_text_table(path, data, lambda titles: Reading(READ)),
    )
    assert some.header == every.header
    pd.testing.assert_frame_equal(some.rows[list(READ)], every.rows[list(READ)])
    assert some.positions.tolist() == every.positions.tolist()
    assert some.bad_lines == every.bad_lines


def test_a_tag_repeated_after_a_row_left_out_is_merged(tmp_path: Path) -> None:
    """A row left out (its tag is unreadable) leaves a gap in the rows' numbering: the
    records of a tag repeated below it are still merged into one package."""
    text = "Tag,Category,Source Package(s),Production Batch\n"
    text += f"{tag(1)},Buds,,No\nnot-a-tag,Buds,,No\n{tag(2)},Buds,,No\n{tag(1)},Shake,,No\n"
    tables = load(packages=[write(tmp_path / "p.csv", text)])
    assert tables.packages["tag"].tolist() == [tag(2), tag(1)]
    assert tables.packages["category"].tolist() == ["Buds", "Shake"]
    (conflict,) = [p for p in tables.problems if isinstance(p, ConflictingRows)]
    assert conflict.tag == tag(1)
