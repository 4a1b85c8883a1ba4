"""The Python API: the README's example runs as documented, frames audit like files, and
`import batchaudit` stays light."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import batchaudit
from batchaudit import AuditError, audit, findings_frame, write

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "sample_data"


def readme_example() -> str:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Python API", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's Python API section has no python example"
    return match.group(1)


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(SAMPLE, tmp_path / "sample_data")
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_example(), "README.md", "exec"), {})
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert '"findings"' in (tmp_path / "findings.json").read_text(encoding="utf-8")


def test_frames_find_what_the_files_find() -> None:
    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(SAMPLE / name, dtype=str, keep_default_na=False)

    from_files = audit([SAMPLE])
    from_frames = audit(
        [SAMPLE / "processing-jobs.json"],  # a file beside the frames, its kind detected
        packages=[read("packages-active.csv"), read("packages-inactive.csv")],
        lab_results=[read("lab-results.csv")],
    )
    assert sorted(f.fingerprint for f in from_frames.findings) == sorted(
        f.fingerprint for f in from_files.findings
    )
    assert [item.path for item in from_frames.inputs] == [
        "<frames>/packages-1.csv", "<frames>/packages-2.csv", "<frames>/lab-results-1.csv",
        str(SAMPLE / "processing-jobs.json"),
    ]  # fmt: skip


def test_settings_choose_rules_and_severities() -> None:
    result = audit([SAMPLE], select=["PB"], severity={"PB002": "error"})
    assert {f.rule[:2] for f in result.findings} == {"PB"}
    assert {str(f.severity) for f in result.findings if f.rule == "PB002"} == {"error"}
    assert "LT001" in {skipped.rule for skipped in result.skipped_rules}


def test_the_findings_frame_has_one_row_per_finding() -> None:
    result = audit([SAMPLE])
    frame = findings_frame(result)
    assert len(frame) == len(result.findings)
    counts = {severity: count for severity, count in result.by_severity().items() if count}
    assert frame["severity"].value_counts().to_dict() == counts
    # A finding on no package (a whole file, a rule) has no tag: missing in the frame.
    tags = [f.package_tag or "" for f in result.findings]
    assert list(frame["package_tag"].fillna("")) == tags


@pytest.mark.parametrize(
    ("call", "sentence"),
    [
        (lambda: audit([SAMPLE], pack="oregn"), "did you mean 'oregon'"),
        (lambda: audit([SAMPLE], select=["XX"]), "'XX' is not a rule code"),
        (lambda: audit([SAMPLE / "missing"]), "does not exist"),
    ],
)
def test_a_run_that_cannot_be_done_says_why(call: object, sentence: str) -> None:
    with pytest.raises(AuditError, match=sentence):
        call()  # type: ignore[operator]


def test_write_refuses_an_unknown_format_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="cannot tell the report format"):
        write(audit([SAMPLE]), tmp_path / "report.docx")
    assert list(tmp_path.iterdir()) == []


def test_every_public_name_is_importable_and_import_stays_light() -> None:
    for name in batchaudit.__all__:
        assert getattr(batchaudit, name) is not None
    code = (
        "import sys, batchaudit; "
        "print(sorted(m for m in sys.modules if m.startswith(('pandas', 'batchaudit.'))))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"
