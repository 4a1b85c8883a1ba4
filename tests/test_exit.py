"""`batchaudit audit` ends its process at once when everything is written, without freeing
what it made one by one (0.84 s of a million packages' audit), and says all it would have:
its exit status, its standard output whole, the `atexit` functions run. In-process (tests,
click's runner) nothing ends the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchaudit.cli.main import cli
from batchaudit.support.exit import end_at_once, may_end_at_once

SAMPLE = Path(__file__).parents[1] / "sample_data"

# The console entry, with the end noted: whether the process ended at once, and the atexit
# functions run. A child process that renders reports (support/apart.py) ends by `os._exit`
# too: only the command's own process is noted.
ENTRY = """
import atexit, os, sys
marker = sys.argv.pop(1)
real_exit = os._exit
command = os.getpid()
def ended(status):
    if os.getpid() == command:
        with open(marker, "a") as file:
            file.write(f"at once {status}\\n")
    real_exit(status)
os._exit = ended
atexit.register(lambda: open(marker, "a").write("atexit\\n"))
sys.argv[0] = "batchaudit"
from batchaudit.cli import main
main()
"""


def run(marker: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", ENTRY, str(marker), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)


@pytest.mark.parametrize(("fail_on", "status"), [("error", 1), ("never", 0)])
def test_an_audit_ends_at_once_with_its_status_its_output_and_atexit(
    tmp_path: Path, fail_on: str, status: int
) -> None:
    marker = tmp_path / "ended"
    done = run(marker, "audit", str(SAMPLE), "-f", "json", "--fail-on", fail_on, "-q")
    assert done.returncode == status, done.stderr
    assert json.loads(done.stdout)["summary"]["packages"] > 0  # the whole document
    assert marker.read_text().splitlines() == ["atexit", f"at once {status}"]


def test_other_commands_and_an_audit_that_cannot_run_end_as_usual(tmp_path: Path) -> None:
    marker = tmp_path / "ended"
    listed = run(marker, "rules")
    assert listed.returncode == 0 and "PB001" in listed.stdout
    refused = run(marker, "audit", str(tmp_path / "missing.csv"))
    assert refused.returncode == 2 and "missing.csv" in refused.stderr
    assert marker.read_text().splitlines() == ["atexit", "atexit"]  # never at once


def test_in_process_an_audit_does_not_end_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def ended(status: int) -> None:
        raise AssertionError(f"the process would have ended with {status}")

    monkeypatch.setattr(os, "_exit", ended)
    result = CliRunner().invoke(cli, ["audit", str(SAMPLE), "-q", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    # Its wish does not outlive it: the next command run by the console entry starts afresh.
    end_at_once()
    with pytest.raises(SystemExit) as exited, may_end_at_once():
        sys.exit(3)
    assert exited.value.code == 3


def test_a_recorded_run_is_whole_on_disk_when_it_ends_at_once(tmp_path: Path) -> None:
    """The report folder, its history and its index are written and closed before the end."""
    marker, out = tmp_path / "ended", tmp_path / "reports"
    done = run(marker, "audit", str(SAMPLE), "--out-dir", str(out), "--fail-on", "never", "-q")
    assert done.returncode == 0, done.stderr
    assert marker.read_text().splitlines() == ["atexit", "at once 0"]
    history = (out / "history.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(history) == 1 and json.loads(history[0])["run"]
    report = json.loads((out / "latest" / "findings.json").read_text(encoding="utf-8"))
    assert report["summary"]["packages"] > 0
    assert (out / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
