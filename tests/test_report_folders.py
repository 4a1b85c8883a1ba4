"""`audit --out-dir DIR`: one folder per run, latest/, history.jsonl and index.html over three
monthly runs whose exports change (a mistake added, one fixed); a killed run damages nothing."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from batchaudit.month_to_month.report_folders import RUN_FILES, run_folders

SAMPLE = Path(__file__).parents[1] / "sample_data"
ADDED = "1A4030000CC7D20000001111"  # made a production batch in month 2: PB001 and PB004
FIXED = "1A4030000CC7D20000001207"  # its production batch undone in month 3


def edit(exports: Path, tag: str, production_batch: str, number: str) -> None:
    path = exports / "packages-active.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame["Tag"] == tag, ["Production Batch", "Production Batch Number"]] = [
        production_batch, number,
    ]  # fmt: skip
    frame.to_csv(path, index=False)


def run(exports: Path, out: Path, *extra: str) -> Any:
    arguments = ["audit", str(exports), "--out-dir", str(out), "--isolated", "--fail-on", "never"]
    return CliRunner().invoke(cli, [*arguments, *extra])


def history(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def three_months(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("months")
    exports, out = root / "exports", root / "reports"
    shutil.copytree(SAMPLE, exports)
    assert run(exports, out).exit_code == 0
    edit(exports, ADDED, "Yes", "PB-2026-0999")
    assert run(exports, out).exit_code == 0
    edit(exports, FIXED, "No", "")
    assert run(exports, out).exit_code == 0
    yield out


def test_each_run_has_its_folder_with_every_format(three_months: Path) -> None:
    folders = run_folders(three_months)
    assert len(folders) == 3
    for folder in folders:
        assert sorted(path.name for path in folder.iterdir()) == sorted(RUN_FILES)
    newest = folders[-1]
    for name in RUN_FILES:
        assert (three_months / "latest" / name).read_bytes() == (newest / name).read_bytes()
    assert not list(three_months.glob(".*"))  # nothing staged is left behind


def test_history_counts_new_and_resolved_against_the_run_before(three_months: Path) -> None:
    first, second, third = history(three_months)
    # The first run is compared with nothing: every finding is new.
    assert (first["new"], first["resolved"]) == (sum(first["by_severity"].values()), 0)
    # The added package: PB001, PB004 and, a process lot with no processing job, PB007.
    assert (second["new"], second["resolved"]) == (3, 0)
    assert (third["new"], third["resolved"]) == (0, 3)
    pb001 = [entry["by_rule"]["PB001"] for entry in (first, second, third)]
    assert pb001 == [pb001[0], pb001[0] + 1, pb001[0]]
    assert [entry["run"] for entry in history(three_months)] == [
        folder.name for folder in run_folders(three_months)
    ]
    for entry in (first, second, third):
        assert len(entry["inputs"]) == 4 and all(len(i["sha256"]) == 64 for i in entry["inputs"])
        assert entry["pack"]["name"] == "oregon" and len(entry["pack"]["sha256"]) == 64
    assert first["inputs"][1]["sha256"] != second["inputs"][1]["sha256"]


def test_the_latest_report_marks_what_is_new(three_months: Path) -> None:
    report = json.loads((three_months / run_folders(three_months)[1] / "findings.json").read_text())
    new = sorted(
        (f["rule"], f["package_tag"]) for f in report["findings"] if f["baseline"] == "new"
    )
    # It is also a process lot with no processing job (PB007): the sample records jobs.
    assert new == [("PB001", ADDED), ("PB004", ADDED), ("PB007", ADDED)]


def test_the_index_links_every_run(three_months: Path) -> None:
    index = (three_months / "index.html").read_text(encoding="utf-8")
    for folder in run_folders(three_months):
        assert f'href="{folder.name}/report.html"' in index
    assert 'data-runs="3"' in index
    assert "<script" not in index


def test_fail_on_new_compares_with_the_last_run(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    assert run(SAMPLE, out, "--fail-on-new", "--fail-on", "error").exit_code == 1  # all new
    assert run(SAMPLE, out, "--fail-on-new", "--fail-on", "error").exit_code == 0


def test_same_inputs_are_said_and_recorded_and_keep_prunes(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    assert run(SAMPLE, out).exit_code == 0
    again = run(SAMPLE, out, "--keep", "1")
    assert "the inputs are the same as the last run's" in again.output
    entries = history(out)
    assert [entry["same_inputs"] for entry in entries] == [False, True]
    assert [folder.name for folder in run_folders(out)] == [entries[1]["run"]]
    assert f"{entries[0]['run']} (pruned)" in (out / "index.html").read_text(encoding="utf-8")


KILLER = """
import os, signal, sys
import batchaudit.month_to_month.report_folders as runs
from batchaudit.cli import main
point = sys.argv.pop(1)
def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if point == "writing":  # after the first report of the run is on disk
    original = runs.run_reports
    def reports(result, when, **options):
        for number, report in enumerate(original(result, when, **options)):
            if number == 1:
                killed()
            yield report
    runs.run_reports = reports
elif point == "between_renames":  # latest/ moved aside, its new copy not yet in place
    moved = os.replace
    def replace(source, target):
        if os.path.basename(target) == "latest":
            killed()
        moved(source, target)
    os.replace = replace
else:
    setattr(runs, point, killed)
sys.argv[0] = "batchaudit"
main()
"""


@pytest.mark.parametrize("point", ["writing", "_swap_latest", "_prune"])
def test_a_killed_run_leaves_the_last_one_whole(tmp_path: Path, point: str) -> None:
    out = tmp_path / "reports"
    assert run(SAMPLE, out).exit_code == 0
    before = {name: (out / name).read_bytes() for name in ("history.jsonl", "index.html")}
    latest = {name: (out / "latest" / name).read_bytes() for name in RUN_FILES}
    command = [sys.executable, "-c", KILLER, point, "audit", str(SAMPLE), "--out-dir", str(out),
               "--isolated", "--fail-on", "never"]  # fmt: skip
    killed = subprocess.run(command, capture_output=True, check=False)
    assert killed.returncode == -signal.SIGKILL
    now = {name: (out / "latest" / name).read_bytes() for name in RUN_FILES}
    newest = run_folders(out)[-1]
    # latest/ is the last run, or (killed after the swap) the new run whole.
    assert now in (latest, {name: (newest / name).read_bytes() for name in RUN_FILES})
    assert (now == latest) == (point != "_prune")
    assert (out / "index.html").read_bytes() == before["index.html"]
    lines = (out / "history.jsonl").read_text().splitlines()
    assert all(json.loads(line) for line in lines)  # whole lines only, the old one unchanged
    assert (out / "history.jsonl").read_bytes().startswith(before["history.jsonl"])
    for folder in run_folders(out):
        assert sorted(path.name for path in folder.iterdir()) == sorted(RUN_FILES)
    assert run(SAMPLE, out).exit_code == 0  # the next run cleans up and records
    assert not list(out.glob(".*"))


def killed_run(out: Path, point: str) -> None:
    command = [sys.executable, "-c", KILLER, point, "audit", str(SAMPLE), "--out-dir", str(out),
               "--isolated", "--fail-on", "never"]  # fmt: skip
    assert subprocess.run(command, capture_output=True, check=False).returncode == -signal.SIGKILL


def test_a_run_killed_between_the_renames_of_latest_is_repaired(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    assert run(SAMPLE, out).exit_code == 0
    first = {name: (run_folders(out)[0] / name).read_bytes() for name in RUN_FILES}
    killed_run(out, "between_renames")
    # Killed between the two renames: no latest/, the last run's aside, the new copy staged.
    assert not (out / "latest").exists()
    assert {name: (out / ".latest.old" / name).read_bytes() for name in RUN_FILES} == first
    assert len(list(out.glob(".latest.*.part"))) == 1
    assert len(run_folders(out)) == 2 and len(history(out)) == 2  # its folder and line are in
    # The next run puts latest/ back before anything else (shown by killing it before its swap).
    killed_run(out, "_swap_latest")
    assert {name: (out / "latest" / name).read_bytes() for name in RUN_FILES} == first
    assert not (out / ".latest.old").exists() and not list(out.glob(".latest.*.part"))
    assert run(SAMPLE, out).exit_code == 0
    folders = run_folders(out)
    assert len(folders) == 4 and [entry["run"] for entry in history(out)] == [
        folder.name for folder in folders
    ]
    for folder in folders:  # nothing lost: every run whole
        assert sorted(path.name for path in folder.iterdir()) == sorted(RUN_FILES)
    for name in RUN_FILES:
        assert (out / "latest" / name).read_bytes() == (folders[-1] / name).read_bytes()
    assert not list(out.glob(".*"))


def test_the_index_in_a_browser_shows_three_runs(three_months: Path) -> None:
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM, FLAGS

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("request", lambda r: r.url.startswith("file:") or problems.append(r.url))
        page.goto((three_months / "index.html").as_uri())
        page.wait_for_load_state("load")
        rows = page.locator("#runs tbody tr").count()
        points = page.eval_on_selector_all(
            "#trend polyline", "lines => lines.map(l => l.points.numberOfItems)"
        )
        shown = page.locator("#trend").bounding_box()
        browser.close()
    assert problems == []
    assert rows == 3
    assert points and set(points) == {3}  # every rule's line has a point per run
    assert shown is not None and shown["width"] > 100
