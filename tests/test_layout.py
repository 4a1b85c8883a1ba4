"""The package shows the pipeline: the root holds only the entry points, and every stage
folder says in its `__init__` what comes in, what goes out and what it must not import.
(`make lint` holds the layers, the module sizes and the function sizes.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "batchaudit"
ENTRY_POINTS = {"__init__.py", "__main__.py", "api.py", "engine.py", "py.typed"}
FOLDERS = sorted(init.parent for init in PACKAGE.rglob("__init__.py") if init.parent != PACKAGE)


def test_the_root_holds_only_the_entry_points() -> None:
    files = {path.name for path in PACKAGE.iterdir() if path.is_file()}
    assert files == ENTRY_POINTS


def test_the_stages_are_folders() -> None:
    stages = {path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name[0] != "_"}
    assert stages == {
        "cli", "month_to_month", "report", "sample", "rules", "lineage", "ingest", "model",
        "support",
    }  # fmt: skip


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda folder: folder.name)
def test_every_folder_says_what_comes_in_goes_out_and_must_not_be_imported(folder: Path) -> None:
    docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text()))
    assert docstring is not None, f"{folder.name}/__init__.py has no docstring"
    lines = docstring.splitlines()
    for heading in ("In: ", "Out: ", "Must not import: "):
        assert any(line.startswith(heading) for line in lines), f"{folder.name}: no {heading!r}"
