"""Reports rendered in a child process beside the audit's (support/apart.py): the same bytes
as rendered in the audit's own process, and rendered there after all whenever the child
cannot render them (an error, a crash, a kill, no fork)."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from batchaudit.engine import Audit
from batchaudit.month_to_month.report_folders import RUN_FILES, run_reports
from batchaudit.report import outputs
from batchaudit.report.outputs import RENDERERS, Rendering
from batchaudit.report.writing import Report, parts_of
from batchaudit.support import apart
from batchaudit.support.apart import Apart

WHEN = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
EVERY_FORMAT = [f"report{suffix}" for suffix in RENDERERS]

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forks only on Linux")


@pytest.fixture(autouse=True)
def two_processors(monkeypatch: pytest.MonkeyPatch) -> None:
    """A child is made on any Linux machine the tests run on, one processor or more."""
    monkeypatch.setattr(apart, "workers", lambda: 2)


def as_bytes(report: Report) -> bytes:
    return b"".join(parts_of(report))


def test_every_format_rendered_apart_is_the_report_rendered_here(sample_audit: Audit) -> None:
    result = sample_audit.result
    with Rendering(result, WHEN, EVERY_FORMAT) as rendering:
        assert rendering._theirs  # some reports are the child's
        reports = dict(rendering)
    assert sorted(reports) == sorted(EVERY_FORMAT)
    for name, report in reports.items():
        here = RENDERERS[Path(name).suffix](result, WHEN)
        assert as_bytes(report) == as_bytes(here), name


def test_the_child_renders_its_share_in_another_process(
    sample_audit: Audit, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered_in = {suffix: (lambda r, w: f"process {os.getpid()}") for suffix in RENDERERS}
    monkeypatch.setattr(outputs, "RENDERERS", rendered_in)
    with Rendering(sample_audit.result, WHEN, ["a.html", "a.csv"]) as rendering:
        reports = dict(rendering)
    # The costlier report (CSV) goes to the child; the HTML is rendered here.
    assert reports["a.html"] == f"process {os.getpid()}"
    assert reports["a.csv"] != f"process {os.getpid()}".encode()
    assert reports["a.csv"].startswith(b"process ")


def misbehaving_apart(misbehave: Callable[[], object], here: str) -> Callable[..., str]:
    """A renderer that misbehaves in a child only, and renders `here` in this process."""
    parent = os.getpid()

    def render(result: object, when: datetime) -> str:
        if os.getpid() != parent:
            misbehave()
        return here

    return render


def a_renderers_bug() -> None:
    raise RuntimeError("a renderer's bug, met in the child")


def test_what_the_child_could_not_render_is_rendered_here(
    sample_audit: Audit, monkeypatch: pytest.MonkeyPatch
) -> None:
    fails_apart = misbehaving_apart(a_renderers_bug, "rendered here")
    dies_apart = misbehaving_apart(
        lambda: os.kill(os.getpid(), signal.SIGKILL), "rendered here too"
    )
    renderers = {**RENDERERS, ".csv": fails_apart, ".html": dies_apart}
    monkeypatch.setattr(outputs, "RENDERERS", renderers)
    for share in (["a.csv", "a.json"], ["a.html", "a.json"]):
        with Rendering(sample_audit.result, WHEN, share) as rendering:
            reports = dict(rendering)
        assert reports[share[0]] in ("rendered here", "rendered here too")
        assert as_bytes(reports["a.json"]) == as_bytes(
            RENDERERS[".json"](sample_audit.result, WHEN)
        )


def test_a_child_that_hangs_is_stopped_and_its_share_rendered_here(
    sample_audit: Audit, monkeypatch: pytest.MonkeyPatch
) -> None:
    hangs_apart = misbehaving_apart(lambda: time.sleep(3600), "rendered here")  # a lock, say
    monkeypatch.setattr(outputs, "RENDERERS", {**RENDERERS, ".csv": hangs_apart})
    monkeypatch.setattr(outputs, "_GRACE", 1.0)
    started = time.monotonic()
    with Rendering(sample_audit.result, WHEN, ["a.csv", "a.json"]) as rendering:
        assert rendering._theirs == [0]
        pid = rendering._apart._pid
        reports = dict(rendering)
    assert reports["a.csv"] == "rendered here"
    assert time.monotonic() - started < 30
    assert pid is not None
    with pytest.raises(ChildProcessError):  # stopped and waited for: no zombie left
        os.waitpid(pid, os.WNOHANG)


def test_a_child_is_given_time_by_what_its_share_costs() -> None:
    rendering = Rendering.__new__(Rendering)
    rendering._suffixes, rendering._theirs = [".csv", ".html", ".json"], [0]
    # The CSV (2.2) against the HTML and JSON (2.3), which took 10 s here.
    assert rendering._wait(10.0) == pytest.approx(outputs._GRACE + outputs._SLACK * 10 * 2.2 / 2.3)


def test_one_report_or_no_fork_is_rendered_here(
    sample_audit: Audit, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Rendering(sample_audit.result, WHEN, ["a.json"]) as rendering:
        assert rendering._theirs == []
        assert [name for name, _ in rendering] == ["a.json"]
    monkeypatch.setattr(apart, "workers", lambda: 1)
    with Rendering(sample_audit.result, WHEN, EVERY_FORMAT) as rendering:
        assert rendering._theirs == []
        assert len(dict(rendering)) == len(EVERY_FORMAT)


def test_a_child_still_at_work_is_stopped_when_the_run_fails() -> None:
    def long_job() -> str:
        time.sleep(60)
        return "never"

    started = time.monotonic()
    child = Apart([long_job])
    pid = child._pid
    assert pid is not None
    child.close()
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):  # ended and waited for: no zombie left
        os.waitpid(pid, os.WNOHANG)
    assert child.results() is None


def test_reports_split_by_their_cost() -> None:
    share = outputs._their_share
    assert share([".json"]) == []
    assert share([".json", ".html"]) == [1]  # the HTML to the child, the JSON here
    assert share([".html", ".csv"]) == [1]  # the CSV costs more
    every = share(list(RENDERERS))
    assert 0 < len(every) < len(RENDERERS)


def test_every_format_from_the_command_line_is_what_one_format_gives(tmp_path: Path) -> None:
    """`-o` six times writes each report as `-o` once writes it (the time stamps aside)."""
    sample = Path(__file__).parents[1] / "sample_data"
    together = tmp_path / "together"
    together.mkdir()
    runner = CliRunner()
    names = ["r.json", "r.csv", "r.md"]  # no time stamp in these formats
    outs = [argument for name in names for argument in ("-o", str(together / name))]
    done = runner.invoke(cli, ["audit", str(sample), *outs, "--fail-on", "never", "-q"])
    assert done.exit_code == 0, done.output
    for name in names:
        alone = tmp_path / name
        once = runner.invoke(
            cli, ["audit", str(sample), "-o", str(alone), "--fail-on", "never", "-q"]
        )
        assert once.exit_code == 0, once.output
        assert (together / name).read_bytes() == alone.read_bytes(), name


def test_a_report_folder_run_apart_is_the_run_rendered_here(sample_audit: Audit) -> None:
    result = sample_audit.result
    here = dict(run_reports(result, WHEN))
    apart_ = dict(run_reports(result, WHEN, apart=True))
    assert sorted(here) == sorted(apart_) == sorted(RUN_FILES)
    assert {name: as_bytes(report) for name, report in apart_.items()} == {
        name: as_bytes(report) for name, report in here.items()
    }


def test_no_child_where_memory_has_no_room_for_one(
    sample_audit: Audit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child may come to copy all the audit's process holds: without that much memory
    available, every report is rendered here."""
    assert apart.room_for_a_child()
    monkeypatch.setattr(apart, "_meminfo_available", lambda: apart._resident() // 2)
    assert not apart.room_for_a_child()
    with Rendering(sample_audit.result, WHEN, EVERY_FORMAT) as rendering:
        assert rendering._theirs == []
        assert len(dict(rendering)) == len(EVERY_FORMAT)
    monkeypatch.setattr(apart, "_meminfo_available", lambda: 1 << 50)
    monkeypatch.setattr(apart, "_container_room", lambda: apart._resident() // 2)
    assert not apart.room_for_a_child()
