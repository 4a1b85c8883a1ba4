"""The wheel ships the jurisdiction packs and report templates, so `pip install .` works
from any folder, not only from a source checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_wheel_carries_packs_and_templates(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "--quiet", "--wheel-dir", str(tmp_path)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("batchaudit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for pack in (ROOT / "rules").glob("*.toml"):
        assert f"batchaudit/packs/{pack.name}" in names
    for template in (ROOT / "reports" / "templates").iterdir():
        assert f"batchaudit/templates/{template.name}" in names
    assert "batchaudit/cli/__init__.py" in names
    assert "batchaudit/__main__.py" in names  # python -m batchaudit
    assert "batchaudit/py.typed" in names  # the Python API is typed for its users


def test_python_m_batchaudit_is_the_command_line() -> None:
    """`python -m batchaudit` runs the same commands as `batchaudit`, with their exit status."""
    explained = subprocess.run(
        [sys.executable, "-m", "batchaudit", "explain", "pb001"], capture_output=True, text=True
    )
    assert explained.returncode == 0
    assert explained.stdout.startswith("PB001")
    unknown = subprocess.run(
        [sys.executable, "-m", "batchaudit", "explain", "XX999"], capture_output=True, text=True
    )
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("batchaudit: there is no rule 'XX999'")
