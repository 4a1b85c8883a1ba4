"""The README's Scheduling section: the cron line, the systemd unit and the CI workflow run
one command, and that command does what the section says, run twice."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def documented_commands() -> list[str]:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### Scheduling", 1)[1]
    section = section.split("\n## ", 1)[0]
    blocks = re.findall(r"```(cron|ini|yaml)\n(.*?)```", section, re.DOTALL)
    assert [kind for kind, _ in blocks] == ["cron", "ini", "yaml"]
    return [re.search(r"batchaudit audit .*", text).group(0) for _, text in blocks]  # type: ignore[union-attr]


def test_the_documented_command_runs_and_fails_only_on_new(tmp_path: Path) -> None:
    commands = documented_commands()
    assert len(set(commands)) == 1, commands
    shutil.copytree(ROOT / "sample_data", tmp_path / "exports")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            commands[0], shell=True, cwd=tmp_path, env=env, capture_output=True, text=True,
            check=False,
        )  # fmt: skip

    first, second = run(), run()
    assert first.returncode == 1, first.stderr  # the first run: every error is new
    assert second.returncode == 0, second.stderr  # nothing new since
    assert "same as the last run's" in second.stderr
    lines = (tmp_path / "reports" / "history.jsonl").read_text().splitlines()
    assert [json.loads(line)["new"] for line in lines][1] == 0
    assert (tmp_path / "reports" / "latest" / "report.html").is_file()
    assert (tmp_path / "reports" / "index.html").is_file()


def test_the_documented_portfolio_runs_each_client_apart(tmp_path: Path) -> None:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### Many clients", 1)[1]
    section = section.split("\n## ", 1)[0]
    blocks = dict(re.findall(r"```(toml|sh)\n(.*?)```", section, re.DOTALL))
    (tmp_path / "batchaudit.toml").write_text(blocks["toml"], encoding="utf-8")
    shutil.copytree(ROOT / "sample_data", tmp_path / "clients" / "green-acres")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["batchaudit", "sample", "clients/blue-sky", "--packages", "100"],
                   cwd=tmp_path, env=env, check=True, capture_output=True)  # fmt: skip
    ran = subprocess.run(blocks["sh"].strip(), shell=True, cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert blocks["sh"].strip() == "batchaudit run"
    assert ran.returncode == 1, ran.stdout + ran.stderr  # both have findings; both were audited
    assert ran.stdout.splitlines()[0].startswith("Green Acres  ")
    assert ran.stdout.splitlines()[1].startswith("Blue Sky Farms  ")
    for folder in ("green-acres", "blue-sky"):
        assert (tmp_path / "reports" / folder / "latest" / "report.html").is_file()
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert index.count('<tr class="client ') == 2
    assert "Green Valley Compliance: clients" in index
    data = json.loads((tmp_path / "reports" / "portfolio.json").read_text(encoding="utf-8"))
    assert data["clients"][0]["license"] == "020-10040512F3E"
