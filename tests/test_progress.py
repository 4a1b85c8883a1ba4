"""Progress on standard error: a spinner naming the stage once a run takes over DELAY
seconds on a terminal; nothing when standard error is not a terminal or with -q."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from batchaudit.cli.terminal.progress import Progress, progress

SAMPLE = Path(__file__).parents[1] / "sample_data"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_slow_stage_on_a_terminal_is_shown_and_removed() -> None:
    stream = Terminal()
    shown = Progress(stream, shown=True, delay=0.05)
    shown.stage("auditing 300 packages")
    time.sleep(0.4)
    shown.close()
    assert "auditing 300 packages" in stream.getvalue()


def test_a_quick_run_shows_nothing() -> None:
    stream = Terminal()
    with progress(quiet=False, stream=stream) as shown:
        shown.stage("reading the exports")
    assert stream.getvalue() == ""


def test_nothing_when_quiet_or_not_a_terminal() -> None:
    for stream, quiet in ((Terminal(), True), (io.StringIO(), False)):
        with progress(quiet=quiet, stream=stream) as shown:
            assert shown._timer is None  # no spinner will ever start
            shown.stage("reading the exports")
        assert stream.getvalue() == ""


def test_the_command_on_a_terminal_still_ends_with_its_verdict() -> None:
    """Standard error on a pseudo-terminal: the run's words reach it whole."""
    leader, follower = pty.openpty()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "batchaudit"), "audit", str(SAMPLE), "--isolated",
         "--fail-on", "never"],
        stderr=follower, stdout=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    os.close(follower)
    assert done.returncode == 0
    assert "Verdict:" in done.stdout
    os.close(leader)


def test_run_on_a_terminal_shows_how_many_clients_are_done(tmp_path: Path) -> None:
    import re
    import shutil
    import threading

    for number in (1, 2, 3):
        shutil.copytree(SAMPLE, tmp_path / f"c{number}")
    (tmp_path / "batchaudit.toml").write_text(
        "".join(f'[[clients]]\nname = "C{n}"\nexports = "c{n}"\n' for n in (1, 2, 3))
    )
    leader, follower = pty.openpty()
    seen: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other end is closed
                return
            if not chunk:
                return
            seen.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "batchaudit"), "run", str(tmp_path / "batchaudit.toml"),
         "--jobs", "1"],
        stderr=follower, stdout=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    os.close(follower)
    reader.join(timeout=5)
    os.close(leader)
    assert done.returncode == 1, done.stdout
    assert re.search(r"audited \d of 3 clients", b"".join(seen).decode(errors="replace"))
    assert done.stdout.splitlines()[-1].startswith("3 of 3 clients audited; the portfolio: ")
