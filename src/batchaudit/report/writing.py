"""Where reports go: every `-o` path is checked before the audit starts, and every report is
written whole or not at all.

A report is written to a hidden temporary file in its own folder and renamed into place
only when every report of the run is on disk, so a killed run or a full disk leaves the
previous reports as they were. Inputs are compared by file identity (device and inode), so
neither another spelling of a path nor a hard link can make a report replace an export.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import BinaryIO

# A report as rendered: text, the bytes of a file already encoded, or those bytes in parts
# made as they are asked for (the JSON report), each written while the next is made.
Report = str | bytes | Iterator[bytes]


class OutputError(Exception):
    """One sentence naming the report file and what to do."""


def identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file a path leads to; None when there is none."""
    try:
        status = path.stat()
    except (OSError, RuntimeError):
        return None
    return status.st_dev, status.st_ino


def check_outputs(
    outputs: Iterable[Path], inputs: Iterable[Path], suffixes: Collection[str]
) -> None:
    """OutputError for the first report path that could not be written or would replace an
    input; nothing is created or changed."""
    input_files = {identity(path) for path in inputs} - {None}
    for path in outputs:
        problem = _problem(path, input_files, suffixes)
        if problem:
            raise OutputError(problem)


def _problem(
    path: Path, inputs: set[tuple[int, int] | None], suffixes: Collection[str]
) -> str | None:
    if path.suffix.lower() not in suffixes:
        return f"{path}: cannot tell the report format; use one of {' '.join(suffixes)}."
    if not path.parent.is_dir():
        return f"{path}: the folder {path.parent} does not exist."
    if path.is_dir():
        example = path / f"report{path.suffix}"
        return f"{path} is a folder; give a file name for the report, such as {example}."
    if identity(path) in inputs:
        return (
            f"{path} is one of the inputs (the same file, perhaps by another name or a hard "
            "link); batchaudit never writes over an export."
        )
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        return f"{path} is not a regular file; give a file name for the report."
    return _unwritable(path)


def _unwritable(path: Path) -> str | None:
    """Try the folder for real: permissions, read-only disks and quotas all show here."""
    try:
        with tempfile.TemporaryFile(dir=path.parent, prefix=f".{path.name}."):
            return None
    except OSError as error:
        return f"{path}: the folder {path.parent} cannot be written to ({error.strerror})."


def parts_of(report: Report) -> Iterator[bytes]:
    """A report's bytes, part by part (text and bytes are one part)."""
    if isinstance(report, str):
        yield report.encode("utf-8")
    elif isinstance(report, bytes):
        yield report
    else:
        yield from report


def write_reports(reports: Iterable[tuple[Path, Report]]) -> None:
    """Write every report or none: all go to temporary files first, then each is renamed
    over its path. OutputError (and no report changed) when one cannot be written."""
    staged: list[tuple[Path, Path]] = []
    # Each report is written and flushed to disk in a thread while the next one (or the
    # next part of one) is rendered.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="batchaudit-disk") as disk:
        flushed: list[Future[None]] = []
        try:
            for path, report in reports:  # rendered one by one, as they are staged
                temporary, done = _staged(path, report, disk)
                staged.append((temporary, path))
                flushed.append(done)
            for number, done in enumerate(flushed):
                path = staged[number][1]  # the report a failed flush names
                done.result()
        except BaseException as error:  # a failed render or Ctrl-C leaves no temporary file
            for done in flushed:
                done.cancel()
            wait(flushed)
            for temporary, _ in staged:
                temporary.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise OutputError(_sentence(path, error)) from error
            raise
    for temporary, path in staged:
        os.replace(temporary, path)


def _staged(path: Path, report: Report, disk: Executor) -> tuple[Path, Future[None]]:
    """`report` in a new temporary file beside `path`, with the mode the report has (or a
    new file would get): each part written in `disk` as soon as it is made (writing lets go
    of the interpreter lock: at 10^6 packages, the kernel took 1.2 s to take in a 500 MB
    report), then its flush to disk, under way in `disk`."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    temporary = Path(name)
    try:
        file = os.fdopen(handle, "wb")
    except BaseException:
        os.close(handle)
        temporary.unlink(missing_ok=True)
        raise
    written: list[Future[int]] = []
    try:
        os.chmod(temporary, _mode(path))
        # Kept in `written` as each is submitted, so that a failure to make the next one
        # still finds every write under way.
        written.extend(disk.submit(file.write, part) for part in parts_of(report))
    except BaseException:
        for write in written:
            write.cancel()
        wait(written)  # no write is left to meet a closed file
        file.close()
        temporary.unlink(missing_ok=True)
        raise
    return temporary, disk.submit(_flushed, file, written)


def _flushed(file: BinaryIO, written: list[Future[int]]) -> None:
    """The file on disk, then closed; the first error its writes met, raised."""
    with file:
        for write in written:  # done: they were queued before this
            write.result()
        file.flush()
        os.fsync(file.fileno())


def _mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sentence(path: Path, error: OSError) -> str:
    full = error.errno in (errno.ENOSPC, errno.EDQUOT)
    reason = "the disk is full" if full else (error.strerror or str(error))
    advice = "free some space" if full else "choose another folder"
    return (
        f"{path} could not be written ({reason}), so no report was changed; {advice} and run again."
    )
