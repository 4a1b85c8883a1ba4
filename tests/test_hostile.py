"""The hostile corpus of issue 10: oversized, malicious and special inputs. Each gives one
sentence naming the file and the limit, and the other files are still audited."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from batchaudit.cli import cli
from batchaudit.ingest.errors import InputError
from batchaudit.ingest.limits import DEFAULT_LIMITS, MEMORY_PER_BYTE, Limits, shown
from batchaudit.ingest.workbook_limits import check_workbook
from helpers import tag
from hostile_files import (
    GOOD,
    HEADER,
    packages_workbook,
    rewritten_sheet,
    run_capped,
    zip_bomb,
)

MEBIBYTE = 1024**2


def audit(*args: object) -> Result:
    result = CliRunner().invoke(cli, ["audit", *map(str, args), "-f", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.stderr and "unexpected problem" not in result.stderr
    return result


def packages_audited(stdout: str) -> int:
    packages: int = json.loads(stdout)["summary"]["packages"]
    return packages


def good_file(folder: Path) -> Path:
    path = folder / "good.csv"
    path.write_text(GOOD)
    return path


def test_a_cell_at_xfd1048576_is_refused_before_the_reader_allocates(tmp_path: Path) -> None:
    (tmp_path / "far.xlsx").write_bytes(packages_workbook(far_cell="XFD1048576"))
    good_file(tmp_path)
    run = run_capped("audit", str(tmp_path), "-f", "json")
    assert run.status == 0, run.stderr
    assert (
        f"{tmp_path / 'far.xlsx'} has a sheet (xl/worksheets/sheet1.xml) of 1,048,576 rows by "
        "16,384 columns, over the sheet-cells limit of 20,000,000; it is not read. If the file "
        "is trusted, raise the limit with --limit sheet-cells=VALUE." in run.stderr
    )
    assert packages_audited(run.stdout) == 1


def test_a_far_cell_reference_cut_by_a_chunk_boundary_is_still_measured(tmp_path: Path) -> None:
    def far_cell_across_the_first_mebibyte(sheet: bytes) -> bytes:
        at = sheet.index(b'<c r="XFD1048576"')
        # The first chunk ends inside the column letters: `<c r="XF` | `D1048576"`.
        return sheet[:at] + b" " * (MEBIBYTE - at - 8) + sheet[at:]

    book = rewritten_sheet(
        packages_workbook(far_cell="XFD1048576"),
        far_cell_across_the_first_mebibyte,
        tmp_path / "b.xlsx",
    )
    with pytest.raises(InputError, match="of 1,048,576 rows by 16,384 columns"):
        check_workbook(book, book.read_bytes(), DEFAULT_LIMITS)


def test_a_declared_dimension_larger_than_the_cells_is_read(tmp_path: Path) -> None:
    def declare_the_whole_sheet(sheet: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', sheet)

    book = rewritten_sheet(packages_workbook(), declare_the_whole_sheet, tmp_path / "b.xlsx")
    assert b"A1:XFD1048576" in zipfile.ZipFile(book).read("xl/worksheets/sheet1.xml")
    assert packages_audited(audit(book).stdout) == 1


def test_a_zip_bomb_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    zip_bomb(tmp_path / "bomb.xlsx", mebibytes=1024)
    assert (tmp_path / "bomb.xlsx").stat().st_size < 2 * MEBIBYTE
    good_file(tmp_path)
    run = run_capped("audit", str(tmp_path), "-f", "json")
    assert run.status == 0, run.stderr
    assert "inflates more than 100-fold, over the workbook-ratio limit of 100" in run.stderr
    assert packages_audited(run.stdout) == 1
    assert 0 < run.peak_memory < 600 * MEBIBYTE


def test_workbook_size_and_member_limits_can_be_lowered(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    book.write_bytes(packages_workbook())
    too_big = audit("-p", book, "--limit", "workbook-size=4k")
    assert too_big.exit_code == 2
    assert "inflates to more bytes, over the workbook-size limit of 4k" in too_big.stderr
    too_many = audit("-p", book, "--limit", "zip-members=3")
    assert "is a workbook of 9 files inside, over the zip-members limit of 3" in too_many.stderr
    assert audit("-p", book, "--limit", "workbook-size=2M").exit_code == 0


def test_a_file_over_the_size_limit_is_named_and_the_others_audited(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_text(GOOD.replace(tag(1), tag(2)) + "\n" * 5000)
    result = audit(tmp_path / "big.csv", good_file(tmp_path), "--limit", "file-size=4k")
    assert result.exit_code == 0
    assert f"{big} holds 5,{big.stat().st_size - 5000:03d} bytes" in result.stderr
    assert "over the file-size limit of 4k; it is not read." in result.stderr
    assert packages_audited(result.stdout) == 1


def test_the_memory_budget_counts_every_file_read(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(GOOD)
    second.write_text(GOOD.replace(tag(1), tag(2)))
    room = int(first.stat().st_size * MEMORY_PER_BYTE["text"] * 1.5)  # one file, not two
    result = audit(first, second, "--limit", f"memory={room}")
    assert result.exit_code == 0 and packages_audited(result.stdout) == 1
    assert f"{second} would take about 1M in memory with the files read before it" in result.stderr


def test_a_bad_limit_setting_is_one_sentence() -> None:
    result = CliRunner().invoke(cli, ["audit", "x.csv", "--limit", "colours=3"])
    assert result.exit_code == 2
    assert "is not NAME=VALUE with NAME one of file-size, workbook-size" in result.stderr
    result = CliRunner().invoke(cli, ["audit", "x.csv", "--limit", "memory=lots"])
    assert "'lots' is not a number like 100, 512M or 2G" in result.stderr


def test_deeply_nested_json_is_named_and_the_others_audited(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(f'[{{"Label": "{tag(3)}", "Item": {"[" * 5000}{"]" * 5000}}}]')
    result = audit(good_file(tmp_path), deep)
    assert result.exit_code == 0
    assert (
        f"{deep} nests arrays and objects 5,002 levels deep, over the json-depth limit of 32; "
        "it is not read." in result.stderr
    )
    assert packages_audited(result.stdout) == 1


@pytest.mark.parametrize(
    ("document", "lists", "levels"),
    [
        # Parsed, then measured column by column: a field, an object's field, a page key.
        ('[{{"Label": "{tag}", "Extra": {open}{close}}}]', 40, 42),
        ('{{"Data": [{{"Label": "{tag}", "Item": {{"Name": {open}{close}}}}}]}}', 40, 44),
        ('{{"Data": [{{"Label": "{tag}"}}], "Page": {open}{close}}}', 40, 41),
        # Deeper than the parser follows: counted without parsing.
        ('[{{"Label": "{tag}", "Extra": {open}{close}}}]', 1500, 1502),
    ],
)
def test_json_nested_past_the_limit_anywhere_is_counted_exactly(
    tmp_path: Path, document: str, lists: int, levels: int
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(document.format(tag=tag(3), open="[" * lists, close="]" * lists))
    result = audit(good_file(tmp_path), deep)
    assert result.exit_code == 0
    assert f"{deep} nests arrays and objects {levels:,} levels deep, over the json-depth" in (
        result.stderr
    )
    assert packages_audited(result.stdout) == 1


def test_objects_nested_past_the_limit_in_plain_records_are_counted_exactly(
    tmp_path: Path,
) -> None:
    # Plain records (objects of plain values) are measured from their Arrow columns.
    deep = tmp_path / "deep.json"
    item = '{"Name": ' * 40 + '"x"' + "}" * 40
    deep.write_text(f'{{"Data": [{{"Label": "{tag(3)}", "Item": {item}}}], "Page": 1}}')
    result = audit(good_file(tmp_path), deep)
    assert result.exit_code == 0
    assert f"{deep} nests arrays and objects 43 levels deep, over the json-depth" in result.stderr
    assert packages_audited(result.stdout) == 1


def test_brackets_inside_json_strings_are_not_nesting(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    label = '\\"[[[[' * 40
    path.write_text(
        f'[{{"Label": "{tag(4)}", "Item": {{"Name": "{label}", "ProductCategoryName": "Buds"}},'
        ' "SourcePackageLabels": "", "IsProductionBatch": false, "ProductionBatchNumber": ""}]'
    )
    assert packages_audited(audit(path).stdout) == 1


@pytest.mark.parametrize("special", ["zero", "fifo"])
def test_a_device_or_a_pipe_given_with_p_is_named_not_read(tmp_path: Path, special: str) -> None:
    path = tmp_path / f"{special}.csv"
    if special == "zero":
        path.symlink_to("/dev/zero")
        kind = "a symbolic link to /dev/zero, a character device"
    else:
        os.mkfifo(path)
        kind = "a named pipe (FIFO)"
    run = run_capped("audit", "-p", str(path), "-p", str(good_file(tmp_path)), timeout=30)
    assert run.status == 0, run.stderr
    assert (
        f"{path} is {kind}, not an export file; batchaudit reads only regular files, so it is "
        "skipped." in run.stderr
    )


def test_special_files_dangling_links_and_loops_in_a_folder_are_named(tmp_path: Path) -> None:
    good_file(tmp_path)
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "dangling.csv").symlink_to(tmp_path / "gone.csv")
    (tmp_path / "loop.csv").symlink_to(tmp_path / "loop.csv")
    result = audit(tmp_path)
    assert result.exit_code == 0 and packages_audited(result.stdout) == 1
    skipped = "batchaudit reads only regular files, so it is skipped."
    assert result.stderr.splitlines() == [
        f"batchaudit: {tmp_path / 'dangling.csv'} is a symbolic link to "
        f"{tmp_path / 'gone.csv'}, which does not exist; {skipped}",
        f"batchaudit: {tmp_path / 'loop.csv'} is a symbolic link that leads back to itself "
        f"(a loop); {skipped}",
        f"batchaudit: {tmp_path / 'pipe.csv'} is a named pipe (FIFO), not an export file; "
        f"{skipped}",
    ]


@pytest.mark.parametrize("value", ["1e309", "inf", "-inf", "Infinity", "NaN", "-1E400"])
def test_numbers_that_are_not_finite_are_dq002(tmp_path: Path, value: str) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\n{tag(1)},Buds,,No,,{value}\n")
    result = audit(path)
    assert result.exit_code == 1
    assert f"{path}, line 2, column 'Quantity': '{value}' is not a number" in result.stdout


def test_json_nan_and_overflowing_numbers_are_dq002_not_blank(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    record = (
        '{{"Label": "{}", "Item": {{"ProductCategoryName": "Buds"}}, "SourcePackageLabels": "",'
        ' "IsProductionBatch": false, "ProductionBatchNumber": "", "Quantity": {}}}'
    )
    path.write_text(f"[{record.format(tag(1), 'NaN')}, {record.format(tag(2), '1e309')}]")
    result = audit(path)
    assert result.exit_code == 1
    assert f"{path}, record 1, field 'Quantity': 'NaN' is not a number" in result.stdout
    assert f"{path}, record 2, field 'Quantity': 'inf' is not a number" in result.stdout


def test_the_readme_lists_every_limit_with_its_default() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for field in dataclasses.fields(Limits):
        name = field.name.replace("_", "-")
        assert f"| `{name}` | {shown(field.name, getattr(DEFAULT_LIMITS, field.name))} |" in readme


def test_a_json_number_of_thousands_of_digits_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    path.write_text(f'[{{"Label": "{tag(1)}", "Quantity": {"9" * 5000}}}]')
    result = audit(good_file(tmp_path), path)
    assert result.exit_code == 0 and packages_audited(result.stdout) == 1
    assert f"{path} holds a number of thousands of digits, which no export has" in result.stderr


def test_trace_shows_no_infinite_quantity(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\n{tag(1)},Buds,,No,,-inf\n")
    result = CliRunner().invoke(cli, ["trace", tag(1), str(path)])
    assert result.exit_code == 0
    assert "inf" not in result.stdout.split("Findings")[0]
    assert "'-inf' is not a number" in result.stdout


def test_a_workbook_with_damaged_deflate_data_is_one_sentence(tmp_path: Path) -> None:
    data = bytearray(packages_workbook())
    sheet = bytes(data).index(b"xl/worksheets/sheet1.xml") + 40  # inside its deflate data
    data[sheet : sheet + 64] = bytes(64)
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    result = audit(good_file(tmp_path), path)
    assert result.exit_code == 0 and packages_audited(result.stdout) == 1
    assert f"{path} is not a readable Excel workbook" in result.stderr


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ('"Note": "\\ud800"', "(line 1"),
        ('"Note": "\\udc00"', "(line 1"),
        ('"Note": "\\ud800\\u0041"', "(line 1"),
        # A NaN sends the file to the json module, which reads the half pair orjson refuses.
        ('"Quantity": NaN, "Note": "x\\ud800"', "(\\ud800 in a value)"),
    ],
)
def test_json_text_with_half_a_surrogate_pair_is_one_sentence(
    tmp_path: Path, fields: str, where: str
) -> None:
    path = tmp_path / "half.json"
    path.write_text(f'[{{"Label": "{tag(1)}", {fields}}}]')
    result = audit(good_file(tmp_path), path)
    assert result.exit_code == 0 and packages_audited(result.stdout) == 1
    assert f"{path} holds an escaped character that is half of a pair {where}" in result.stderr
