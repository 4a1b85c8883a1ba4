"""Export text shown as text: terminal escapes never reach a terminal raw, and bidi and
zero-width characters are marked in every report a person reads, kept exact in JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from batchaudit.support.visible import _ONE_LINE, one_line, printable, printable_data
from helpers import tag

ESC = "\x1b"
RLO, ZWSP = "\u202e", "\u200b"
HEADER = "Tag,Item,Category,Source Package(s),Production Batch,P.B. No.,Quantity"


def exports(folder: Path) -> Path:
    """A packages export whose name holds an RLO (it reads `...gnp.csv` reversed) and whose
    values hold a terminal escape, an RLO and a zero-width space."""
    path = folder / f"packages{RLO}gnp.csv"
    path.write_text(
        f"{HEADER}\n{tag(1)},{ESC}]0;owned{ESC}\\{ESC}[2JLot A,Buds,,No,,5\n"
        f"{tag(2)},Lot{ZWSP} B,Buds,,No,,{RLO}12\n"
    )
    return path


def test_printable_marks_what_a_reader_cannot_see() -> None:
    assert printable(f"a{ESC}[31mb{RLO}c{ZWSP}d\te\nf\x9b") == (
        "a[U+001B][31mb[U+202E]c[U+200B]d\te\nf[U+009B]"
    )


def test_text_all_printable_is_left_as_it_is_and_nothing_marked_counts_as_printable() -> None:
    # `printable` and `one_line` pass printable text through untouched: sound only while no
    # marked character is printable to Python.
    assert [code for code in _ONE_LINE if chr(code).isprintable()] == []
    plain = "Package 1A4 (Buds) lost 12 rows; café ✓ 包"
    assert printable(plain) is plain and one_line(plain) is plain
    for code in _ONE_LINE:
        assert f"[U+{code:04X}]" in one_line(f"a{chr(code)}b")


def test_the_explorer_data_is_marked_wherever_a_string_holds_a_mark() -> None:
    # Each marked character, alone in a string deep in the data: as itself (a bidi mark) or
    # as the escape JSON writes for it (a control), the look at the data as JSON finds it.
    for code in _ONE_LINE:
        data = {"findings": [[1, "plain", [["label", f"a{chr(code)}b"]]]], "count": 2}
        marked = printable_data(data)
        if code in (0x09, 0x0A):  # tabs and line breaks stay as they are
            assert marked == data
        else:
            assert marked == {"findings": [[1, "plain", [["label", printable(f"a{chr(code)}b")]]]],
                              "count": 2}  # fmt: skip
    plain = {"strings": ["café", "a\\z", 'say "x"', "line\nbreak"], "n": [1, None, True]}
    assert printable_data(plain) is plain  # nothing to mark: the same data, not a copy
    # A backslash written before `u001b` is text, not a control: marked as nothing.
    assert printable_data({"s": ["\\u001b\\r"]}) == {"s": ["\\u001b\\r"]}


def test_trace_never_prints_a_terminal_escape(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["trace", tag(1), str(exports(tmp_path))])
    assert result.exit_code == 0, result.output
    assert ESC not in result.stdout
    assert "[U+001B]]0;owned[U+001B]\\[U+001B][2JLot A" in result.stdout


def test_a_sentence_about_a_file_stays_one_line(tmp_path: Path) -> None:
    name = tmp_path / "a.csv\nbatchaudit: all clear.csv"
    result = CliRunner().invoke(cli, ["audit", str(name)])
    assert result.stderr == (
        f"batchaudit: {tmp_path}/a.csv[U+000A]batchaudit: all clear.csv does not exist; "
        "check the path.\n"
    )


def test_the_text_summary_and_sentences_show_marks(tmp_path: Path) -> None:
    path = exports(tmp_path)
    result = CliRunner().invoke(cli, ["audit", str(path), str(tmp_path / f"gone{ESC}.csv")])
    assert "gone[U+001B].csv does not exist" in result.stderr and ESC not in result.stderr
    result = CliRunner().invoke(cli, ["audit", str(path)])
    assert RLO not in result.stdout
    # The message quotes the value with Python's repr, which escapes it already.
    assert "packages[U+202E]gnp.csv, line 3, column 'Quantity': '\\u202e12'" in result.stdout


@pytest.mark.parametrize("report", ["report.html", "findings.csv", "summary.md"])
def test_reports_for_people_mark_bidi_and_zero_width(tmp_path: Path, report: str) -> None:
    path = exports(tmp_path)
    out = tmp_path / report
    CliRunner().invoke(cli, ["audit", str(path), "-o", str(out), "--fail-on", "never"])
    text = out.read_text(encoding="utf-8-sig")
    assert RLO not in text and ZWSP not in text and ESC not in text
    assert "packages[U+202E]gnp.csv" in text


def test_the_html_explorer_marks_a_terminal_escape_in_a_value(tmp_path: Path) -> None:
    path = tmp_path / "packages.csv"
    path.write_text(f"{HEADER}\n{tag(1)},{ESC}[2JLot A,Buds,,No,,x12\n")  # DQ002 on it
    out = tmp_path / "report.html"
    CliRunner().invoke(cli, ["audit", str(path), "-o", str(out)])
    data = out.read_text(encoding="utf-8").split('id="finding-data">', 1)[1].split("</", 1)[0]
    assert "[U+001B][2JLot A" in json.loads(data)["strings"]
    assert "\\u001b" not in data


def test_the_csv_marks_values_inside_cells(tmp_path: Path) -> None:
    out = tmp_path / "findings.csv"
    CliRunner().invoke(cli, ["audit", str(exports(tmp_path)), "-o", str(out)])
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    (bad_number,) = [row for row in rows if row["rule"] == "DQ002"]
    assert json.loads(bad_number["evidence"])["value"] == "[U+202E]12"


def test_json_keeps_the_text_exact(tmp_path: Path) -> None:
    path = exports(tmp_path)
    out = tmp_path / "findings.json"
    CliRunner().invoke(cli, ["audit", str(path), "-o", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["inputs"][0]["path"] == str(path)
    (bad_number,) = [f for f in report["findings"] if f["rule"] == "DQ002"]
    assert bad_number["evidence"]["value"] == f"{RLO}12"
