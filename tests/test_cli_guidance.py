"""The command line tells whose audit it is, ranks what matters, and answers mistakes with a
sentence that fixes them."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from batchaudit.cli import cli
from batchaudit.cli.terminal.console import terminal
from batchaudit.engine import Audit
from batchaudit.report import markdown, text
from batchaudit.support.resources import packs_dir
from helpers import tag
from test_cli import LAB, PACKAGES, invoke, write


@pytest.fixture
def exports(tmp_path: Path) -> list[str]:
    return [str(write(tmp_path / "packages.csv", PACKAGES)), str(write(tmp_path / "lab.csv", LAB))]


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["audit", "-j", "oregn"], "did you mean 'oregon'?"),
        (["explain", "PB01"], "did you mean PB001?"),
    ],
)
def test_typical_mistakes_get_a_sentence_that_fixes_them(
    args: list[str], sentence: str, exports: list[str]
) -> None:
    code, _, err = invoke(*args, *(exports if args[0] == "audit" else []))
    assert code == 2 and sentence in err and "Traceback" not in err


def test_a_folder_given_to_j_and_swapped_trace_arguments(exports: list[str]) -> None:
    code, _, err = invoke("audit", "-j", str(packs_dir()), *exports)
    assert code == 2 and "is a folder; -j takes a pack name" in err
    code, _, err = invoke("trace", exports[0], "T2")
    assert code == 2 and f"did you mean `batchaudit trace T2 {exports[0]}`?" in err


def test_every_command_help_has_examples_and_exit_codes() -> None:
    """Every command of the group, walked (a command added later is checked too), and the
    group's own --help: examples that use the command, and its exit codes."""
    assert {"audit", "config", "waive", "run"} <= set(cli.commands)
    for name in ["", *cli.commands]:
        code, out, _ = invoke(*[name][: bool(name)], "--help")
        assert code == 0, name
        examples = out.split("Examples:", 1)[-1].split("Exit status:", 1)[0]
        assert "Examples:" in out and f"batchaudit {name}".strip() in examples, name
        assert re.search(r"Exit status:.*\n\s+0 .*\n(.*\n)*\s+2 ", out), name


def test_quiet_verbose_and_piped_output(exports: list[str]) -> None:
    code, out, err = invoke("audit", *exports, "-q")
    assert code == 1
    assert out == "Verdict: 1 error needs correcting in Metrc.\n"
    _, out, err = invoke("audit", *exports, "-v")
    assert "batchaudit: audited 3 packages in" in err
    assert "\x1b[" not in out  # no colour when piped
    assert all(line == line.rstrip() for line in out.splitlines())  # and no padding
    assert "Most serious (by lab-result rows lost, results-tab size, severity):" in out


def test_whose_audit_it_is_in_every_format(exports: list[str], tmp_path: Path) -> None:
    pack = tmp_path / "my-oregon.toml"
    shutil.copy(packs_dir() / "oregon.toml", pack)
    pack.write_text(pack.read_text() + "\n[rules.LN001]\nenabled = false\n")
    args = ["--title", "Q1 audit", "--licensee", "Green Acres LLC", "--license", "020-X1"]
    outputs = [tmp_path / name for name in ("r.html", "r.md", "r.sarif")]
    _, out, _ = invoke(
        "audit", *exports, "-j", str(pack), *args, "-f", "json",
        *[part for path in outputs for part in ("-o", str(path))],
    )  # fmt: skip
    document = json.loads(out)
    assert document["about"]["licensee"] == "Green Acres LLC"
    assert document["about"]["licenses"] == ["020-X1"]
    assert document["about"]["period"] == {"first": "2026-01-04", "last": "2026-01-04"}
    assert document["pack"]["file"] == str(pack) and not document["pack"]["builtin"]
    digest = document["pack"]["sha256"]
    for path in outputs:
        written = path.read_text()
        assert "Green Acres LLC" in written and "020-X1" in written, path
        assert digest in written and str(pack) in written, path
    page = outputs[0].read_text()
    assert "Q1 audit" in page and "your own pack" in page
    assert f"Oregon (OLCC / OHA), from {pack}" in page  # in the header, not as the stock pack


def test_the_license_number_comes_from_the_exports(sample_audit: Audit) -> None:
    result = sample_audit.result
    assert result.about.licenses == ("020-10040512F3E",)
    assert result.about.period == "2025-04-14 to 2026-01-30"
    assert "License: 020-10040512F3E (from the exports)" in markdown.render(result)


def test_colour_and_width_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(shutil, "get_terminal_size", lambda: os.terminal_size((72, 24)))
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert terminal() == (72, True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert terminal() == (72, False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert terminal() == (None, False)


def test_summary_wraps_to_the_terminal_and_colours_only_when_asked(sample_audit: Audit) -> None:
    wrapped = text.render(sample_audit.result, width=60)
    assert max(len(line) for line in wrapped.splitlines()) <= 60
    assert "\x1b[" not in wrapped
    assert "\x1b[1;31m" in text.render(sample_audit.result, width=60, color=True)
    piped = text.render(sample_audit.result)
    assert any(len(line) > 120 for line in piped.splitlines())  # not wrapped
    # Most serious: the PB001 that lost the most rows, not the first by tag.
    first = piped.split("Most serious", 1)[1].splitlines()[1]
    assert "lost 32 inherited lab-result rows" in first


def test_trace_is_unwrapped_when_piped(exports: list[str]) -> None:
    code, out, _ = invoke("trace", tag(2), *exports)
    assert code == 0
    assert all(line == line.rstrip() for line in out.splitlines())
    assert "Results tab: 0 rows, 0 test events from 0 tested packages" in out
    assert any(len(line) > 120 for line in out.splitlines())  # one finding, one line


def test_a_rule_whose_findings_differ_in_severity_counts_each(sample_audit: Audit) -> None:
    """The summary table's severity column names a rule's worst finding; a rule with
    findings of two severities (PB003: a job output is a warning) says how many of each."""
    findings = sample_audit.result.findings
    pb003 = [f.severity for f in findings if f.rule == "PB003"]
    errors, warnings = pb003.count("error"), pb003.count("warning")
    assert errors and warnings  # the sample has both
    lines = text.render(sample_audit.result).splitlines()
    (row,) = [line for line in lines if line.startswith("PB003")]
    assert f"{errors + warnings} ({errors} error{'s' * (errors > 1)}, {warnings} warnings)" in row
    (single,) = [line for line in lines if line.startswith("PB001")]
    assert "(" not in single
