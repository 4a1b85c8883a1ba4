"""Hostile inputs, made small at test time (nothing large is kept in the repository), and a
way to run the command line in a child process with its memory capped and measured."""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from helpers import tag

HEADER = "Tag,Category,Source Package(s),Production Batch,P.B. No.,Quantity"
GOOD = f"{HEADER}\n{tag(1)},Buds,,No,,5\n"
MEMORY_CAP = 2 * 1024**3  # what the issue allows any input to take
PEAK = "peak-memory-kib "
MAIN = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: sys.stderr.write("
    f"'{PEAK}' + str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))\n"
    "from batchaudit.cli import main\n"
    "main()\n"
)


def workbook(*rows: list[object], far_cell: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if far_cell:
        sheet[far_cell] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def packages_workbook(far_cell: str | None = None) -> bytes:
    return workbook(HEADER.split(","), [tag(2), "Buds", "", "No", "", 5], far_cell=far_cell)


def zip_bomb(path: Path, mebibytes: int) -> Path:
    """A packages workbook whose sheet holds `mebibytes` MiB of blanks between two tags:
    valid XML, a few MB on disk."""
    source = zipfile.ZipFile(io.BytesIO(packages_workbook()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(member, data)
                continue
            head, opening, tail = data.partition(b"<sheetData>")
            with bomb.open(member.filename, "w", force_zip64=True) as sheet:
                sheet.write(head + opening)
                blanks = b" " * 1024**2
                for _ in range(mebibytes):
                    sheet.write(blanks)
                sheet.write(tail)
    return path


@dataclass(frozen=True)
class Run:
    status: int
    stdout: str
    stderr: str
    peak_memory: int  # bytes: the child's largest resident set, 0 if it died unreported


def run_capped(*args: str, timeout: float = 120) -> Run:
    """The command line in a child process whose address space is capped at 2 GB, so that
    a runaway read fails fast instead of taking the machine; the child reports its own
    peak memory on its way out."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    child = subprocess.run(
        [sys.executable, "-c", MAIN, *args],
        capture_output=True,
        text=True,
        preexec_fn=cap,
        timeout=timeout,
        check=False,
    )
    stderr, _, peak = child.stderr.rpartition(PEAK)
    if not _:
        stderr, peak = child.stderr, "0"
    return Run(child.returncode, child.stdout, stderr, int(peak) * 1024)


def rewritten_sheet(workbook_bytes: bytes, change: Callable[[bytes], bytes], path: Path) -> Path:
    """The workbook with its first sheet's XML changed, that member stored uncompressed."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                book.writestr(member.filename, change(data), zipfile.ZIP_STORED)
            else:
                book.writestr(member, data)
    return path
