"""Reports never replace an export, are checked before the audit, and are written whole or
not at all: a full disk or a killed run leaves the previous report as it was."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from batchaudit.cli import cli
from batchaudit.report.outputs import RENDERERS
from hostile_files import GOOD


def audit(*args: object) -> Result:
    result = CliRunner().invoke(cli, ["audit", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "unexpected problem" not in result.stderr
    return result


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "exports" / "packages.csv"
    path.parent.mkdir()
    path.write_text(GOOD)
    return path


def test_a_hard_link_of_an_input_is_refused_and_the_export_kept(
    tmp_path: Path, export: Path
) -> None:
    linked = tmp_path / "report.csv"
    os.link(export, linked)
    result = audit(export.parent, "-o", linked)
    assert result.exit_code == 2
    assert result.stderr == (
        f"batchaudit: {linked} is one of the inputs (the same file, perhaps by another name or "
        "a hard link); batchaudit never writes over an export.\n"
    )
    assert export.read_text() == GOOD


def test_a_folder_as_output_fails_before_the_audit_and_writes_nothing(
    tmp_path: Path, export: Path
) -> None:
    (tmp_path / "out.html").mkdir()
    result = audit(export, "-o", tmp_path / "first.json", "-o", tmp_path / "out.html")
    assert result.exit_code == 2
    assert f"{tmp_path / 'out.html'} is a folder; give a file name for the report" in result.stderr
    assert not (tmp_path / "first.json").exists()
    assert result.stdout == ""  # the audit did not run


def test_an_output_in_a_missing_folder_or_onto_a_device_is_refused(export: Path) -> None:
    missing = export.parent / "no-such-folder" / "r.json"
    assert f"the folder {missing.parent} does not exist" in audit(export, "-o", missing).stderr
    device = export.parent / "null.json"
    device.symlink_to("/dev/null")
    result = audit(export, "-o", device)
    assert result.exit_code == 2
    assert f"{device} is not a regular file; give a file name for the report." in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_an_unwritable_folder_is_refused_before_the_audit(tmp_path: Path, export: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    result = audit(export, "-o", locked / "r.json")
    assert result.exit_code == 2 and "cannot be written to (Permission denied)" in result.stderr


def test_a_folder_that_refuses_new_files_is_named_before_the_audit(
    tmp_path: Path, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same as root (who may write anywhere): the folder refuses the trial file."""

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "TemporaryFile", refused)
    result = audit(export, "-o", tmp_path / "r.json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"batchaudit: {tmp_path / 'r.json'}: the folder {tmp_path} cannot be written to "
        "(Read-only file system).\n"
    )


def test_a_full_disk_leaves_every_previous_report_whole(
    tmp_path: Path, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = [tmp_path / "r.json", tmp_path / "r.html"]
    for report in reports:
        report.write_text("previous report")

    def disk_full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    result = audit(export, "-o", reports[0], "-o", reports[1])
    assert result.exit_code == 2
    assert result.stderr == (
        f"batchaudit: {reports[0]} could not be written (the disk is full), so no report was "
        "changed; free some space and run again.\n"
    )
    assert [report.read_text() for report in reports] == ["previous report"] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports", "r.html", "r.json"]


# The child stops once the new report is on disk but not yet in place, and tells the test,
# which then kills it: the one moment a non-atomic write would have left a broken report.
_STOP_AFTER_STAGING = """
import os, sys, time
real_fsync, marker = os.fsync, sys.argv[1]
def fsync_then_wait(descriptor):
    real_fsync(descriptor)
    open(marker, "w").close()
    time.sleep(60)
os.fsync = fsync_then_wait
sys.argv = ["batchaudit", *sys.argv[2:]]
from batchaudit.cli import main
main()
"""


def test_sigkill_while_writing_leaves_the_previous_report_whole(
    tmp_path: Path, export: Path
) -> None:
    report = tmp_path / "report.html"
    assert audit(export, "-o", report, "--fail-on", "never").exit_code == 0
    previous = report.read_bytes()
    marker = tmp_path / "staged"
    command = [sys.executable, "-c", _STOP_AFTER_STAGING, str(marker)]
    child = subprocess.Popen([*command, "audit", str(export), "-o", str(report)])
    deadline = time.monotonic() + 60
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert marker.exists(), "the child never reached the write"
    assert report.read_bytes() == previous


def test_a_report_that_fails_to_render_leaves_no_file_behind(
    tmp_path: Path, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> str:
        raise RuntimeError("a bug in a reporter")

    monkeypatch.setitem(RENDERERS, ".md", broken)
    outputs = [tmp_path / "r.json", tmp_path / "r.md"]
    result = CliRunner().invoke(
        cli, ["audit", str(export), "-o", str(outputs[0]), "-o", str(outputs[1])]
    )
    assert isinstance(result.exception, RuntimeError)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports"]
