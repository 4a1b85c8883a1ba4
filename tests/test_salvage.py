"""Damaged text exports: what can be read is audited, and each damaged row is one DQ002
naming its line; a header the rows do not fit is one sentence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from helpers import tag
from hostile_files import HEADER

ROWS = 118
BODY = HEADER + "\n" + "".join(f'{tag(n)},Buds,,No,,"{n}"\n' for n in range(1, ROWS + 1))


def audit(path: Path, content: bytes) -> tuple[int, dict[str, Any], str]:
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["audit", "-p", str(path), "-f", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.stderr and "unexpected problem" not in result.stderr
    report = json.loads(result.stdout) if result.stdout else {}
    return result.exit_code, report, result.stderr


def messages(report: dict[str, Any]) -> list[str]:
    return [finding["message"] for finding in report["findings"]]


def test_a_file_cut_inside_its_last_quoted_value_keeps_the_rows_above(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    status, report, _ = audit(path, BODY[:-4].encode())
    assert status == 1
    assert report["summary"]["packages"] == ROWS - 1
    assert messages(report) == [
        f"{path}, line {ROWS + 1}: the file ends inside the quoted value that starts on this "
        "line, so it was probably cut short (the rows above it are audited); the row is left "
        "out of the audit."
    ]


def test_blank_lines_above_the_titles_are_passed_over(tmp_path: Path) -> None:
    path = tmp_path / "blank-above.csv"
    _status, report, _ = audit(path, ("\n,,,\n" + BODY.replace('"7"', "seven")).encode())
    assert report["summary"]["packages"] == ROWS
    # Line numbers still point at the file's own lines: two blank lines, then the titles.
    assert messages(report) == [
        f"{path}, line 10, column 'Quantity': 'seven' is not a number such as 12.5 or "
        '"3,465.22"; it is treated as blank.'
    ]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    _status, report, stderr = audit(tmp_path / "unicode.txt", BODY.encode(encoding))
    assert stderr == ""
    assert report["summary"]["packages"] == ROWS
    assert report["inputs"][0]["encoding"] == encoding


def test_a_nul_byte_costs_its_row_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    _status, report, _ = audit(path, BODY.replace(f"{tag(3)},Buds", f"{tag(3)},Bu\0ds").encode())
    assert report["summary"]["packages"] == ROWS - 1
    assert messages(report) == [
        f"{path}, line 4: the row holds a NUL (zero) byte, so it is damaged; the row is left "
        "out of the audit."
    ]


def test_a_binary_file_is_still_named_as_one(tmp_path: Path) -> None:
    status, _, stderr = audit(tmp_path / "b.csv", bytes(range(256)) * 4)
    assert status == 2 and "is a binary file, not a text export" in stderr


def test_a_carriage_return_inside_the_titles_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "cr.csv"
    content = BODY.replace("Source Package(s)", "Source\rPackage(s)", 1).encode()
    status, _, stderr = audit(path, content)
    assert status == 2
    assert stderr.splitlines()[0] == (
        f"batchaudit: {path}, line 1: the column titles are broken by a stray carriage return "
        f"(a line break inside a title): the line holds 3 titles but {ROWS + 1} of the "
        f"{ROWS + 1} rows below do not fit them; fix the first line (or export the file "
        "again) and retry."
    )
    assert "does not fit" not in stderr


def test_a_header_one_title_short_in_a_windows_file_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "crlf.csv"
    content = BODY.replace(",Quantity", "", 1).replace("\n", "\r\n").encode()
    status, _, stderr = audit(path, content)
    assert status == 2
    # The carriage returns end lines, as Windows writes them: none is stray.
    assert stderr.splitlines()[0] == (
        f"batchaudit: {path}, line 1: the column titles are broken: the line holds 5 titles "
        f"but {ROWS} of the {ROWS} rows below do not fit them; fix the first line (or export "
        "the file again) and retry."
    )


def test_a_quote_left_open_names_the_package_it_took_in(tmp_path: Path) -> None:
    path = tmp_path / "stray.csv"
    content = BODY.replace(f'{tag(5)},Buds,,No,,"5"', f'{tag(5)},"Buds,,No,,5')
    content = content.replace(f'{tag(6)},Buds,,No,,"6"', f"{tag(6)},Buds,,No,,6")
    content = content.replace(f'{tag(7)},Buds,,No,,"7"', f"{tag(7)},Buds,,No,,7")
    status, report, _ = audit(path, content.encode())
    assert status == 1
    assert messages(report) == [
        f"{path}, line 6: a quote opened on this line is not closed where its value should "
        f"end, so the rows of packages {tag(6)}, {tag(7)}, {tag(8)} below it were read into "
        "this one; the row is left out of the audit."
    ]
    # The quote closes at the opening quote of line 9's last value.
    assert report["summary"]["packages"] == ROWS - 4


def test_a_quote_left_open_in_an_api_csv_names_the_package_too(tmp_path: Path) -> None:
    path = tmp_path / "api.csv"
    header = (
        "Id,Label,ProductCategoryName,SourcePackageLabels,IsProductionBatch,ProductionBatchNumber"
    )
    rows = [f'{n},{tag(n)},Buds,,false,"B{n}"' for n in range(1, 6)]
    rows[1] = f'2,{tag(2)},Buds,,false,"B2'
    rows[2] = f"3,{tag(3)},Buds,,false,B3"
    _, report, _ = audit(path, "\n".join([header, *rows, ""]).encode())
    # The quote closes where line 5's last value opens one.
    took_in = f"so the rows of packages {tag(3)}, {tag(4)} below it were read into this one"
    assert took_in in messages(report)[0]
    # Multi-line values that hold no row of their own are kept.
    notes = f'{header},Notes\n1,{tag(1)},Buds,,false,B1,"moved,\nto {tag(2)}"\n'
    _, report, _ = audit(path, notes.encode())
    assert report["summary"]["packages"] == 1 and messages(report) == []


def test_a_nul_byte_on_a_line_of_its_own_above_the_titles_is_passed_over(tmp_path: Path) -> None:
    path = tmp_path / "nul-above.csv"
    _, report, _ = audit(path, b"\0\n" + BODY.replace('"7"', "seven").encode())
    assert report["summary"]["packages"] == ROWS
    assert [message.split(": ")[0] for message in messages(report)] == [
        f"{path}, line 9, column 'Quantity'"
    ]


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_large_file_without_quotes_keeps_its_line_numbers_past_a_blank_line(
    tmp_path: Path, line_end: str
) -> None:
    """A file with no quote (a lab export, say) is read without counting its lines; a blank
    line in it still sends it to the careful reader, so later lines are named right."""
    rows = [f"{tag(n)},Buds,,No,,{n}" for n in range(1, 3001)]  # over 64 KB: the fast path
    rows[1999] = rows[1999].replace(",2000", ",two thousand")
    body = line_end.join([HEADER, *rows[:999], "", *rows[999:]]) + line_end
    path = tmp_path / "no-quotes.csv"
    _status, report, _ = audit(path, body.encode())
    assert report["summary"]["packages"] == 3000
    # Titles on line 1, a blank line after the 999th row: the 2,000th row is on line 2,002.
    assert messages(report) == [
        f"{path}, line 2002, column 'Quantity': 'two thousand' is not a number such as 12.5 or "
        '"3,465.22"; it is treated as blank.'
    ]
