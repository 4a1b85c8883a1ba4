"""What a folder given holds: the export files, walked once, and the other files, which are
not read but are counted and said so (a lab's PDF certificate dropped beside the exports)."""

from __future__ import annotations

import os
from pathlib import Path

from batchaudit.model.findings import NotRead, count_of

DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".json")


def walk(folder: Path) -> tuple[list[Path], list[str]]:
    """The export files in a folder and its subfolders, sorted as paths sort (part by part),
    and the suffix of each other file there. One scandir per folder; hidden files and folders
    are skipped without being walked or counted."""
    found: list[tuple[tuple[str, ...], Path]] = []
    others: list[str] = []
    pending: list[tuple[str, tuple[str, ...]]] = [(str(folder), ())]
    while pending:
        here, parts = pending.pop()
        try:
            entries = list(os.scandir(here))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            suffix = os.path.splitext(entry.name)[1].lower()
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, (*parts, entry.name)))
            elif suffix in DATA_SUFFIXES:
                found.append(((*parts, entry.name), Path(entry.path)))
            else:
                others.append(suffix)
    return [path for _, path in sorted(found, key=lambda item: item[0])], others


def other_files(paths: list[Path]) -> list[NotRead]:
    """For each folder given, the files in it that are not exports, in one sentence."""
    found = []
    for path in paths:
        others = walk(path)[1] if path.is_dir() else []
        if others:
            found.append(NotRead(str(path), _not_exports(path, others), files=len(others)))
    return found


def _not_exports(folder: Path, suffixes: list[str]) -> str:
    """ "3 files in exports are not exports (.pdf, .png) and were not read; ..." """
    kinds = ", ".join(sorted({suffix or "no extension" for suffix in suffixes}))
    one = len(suffixes) == 1
    are, were = ("is not an export", "was") if one else ("are not exports", "were")
    return (
        f"{count_of(len(suffixes), 'file')} in {folder} {are} ({kinds}) and {were} not read; "
        f"batchaudit reads {', '.join(DATA_SUFFIXES)}."
    )


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders become the export files in them and their subfolders (hidden
    ones aside), sorted by path."""
    files: list[Path] = []
    for path in paths:
        files.extend(_exports_in(path) if path.is_dir() else [path])
    return files


def _exports_in(folder: Path) -> list[Path]:
    """One scandir per folder, hidden files and folders skipped without being walked; sorted
    as paths sort (part by part). Not only regular files: a pipe, a device or a dangling link
    named like an export is kept, to be named and skipped when it is read."""
    return walk(folder)[0]


def empty_folders(paths: list[Path]) -> list[NotRead]:
    """Each folder given that holds no export file, with its sentence."""
    return [
        NotRead(
            str(path),
            f"{path} is a folder with no export files in it ({', '.join(DATA_SUFFIXES)}); "
            "check the path.",
        )
        for path in paths
        if path.is_dir() and not _exports_in(path)
    ]
