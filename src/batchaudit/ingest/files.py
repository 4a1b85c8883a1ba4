"""Which paths are readable regular files, and reading one within the file-size limit.

A device (`/dev/zero`), a named pipe, a socket, a dangling link or a link loop is named and
skipped without ever being opened: reading one would never end or would block forever.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from batchaudit.ingest.errors import InputError
from batchaudit.ingest.limits import Limits, over_limit

_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)
_SKIPPED = "batchaudit reads only regular files, so it is skipped"


def not_regular(path: Path) -> str | None:
    """Why `path` is not a regular file to read, as a sentence; None when it is one."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            target = os.readlink(path)
            return f"{path} is a symbolic link to {target}, which does not exist; {_SKIPPED}."
        return f"{path} does not exist; check the path."
    except OSError as error:
        if error.errno == errno.ELOOP:
            return f"{path} is a symbolic link that leads back to itself (a loop); {_SKIPPED}."
        return f"{path} cannot be read: {error.strerror}."
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    if path.is_symlink():
        kind = f"a symbolic link to {os.readlink(path)}, {kind}"
    return f"{path} is {kind}, not an export file; {_SKIPPED}."


_CHUNK = 1 << 20


def read_regular(path: Path, limits: Limits) -> bytes:
    """The bytes of a regular file no larger than the file-size limit, else InputError."""
    problem = not_regular(path)
    if problem is not None:
        raise InputError(problem)
    # Non-blocking: if a pipe took the file's place since the check, opening cannot hang.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise InputError(f"{path} is not a regular file; {_SKIPPED}.")
        if status.st_size > limits.file_size:
            raise over_limit(path, f"holds {status.st_size:,} bytes", "file_size", limits)
        # Read what the file holds (a buffer of the limit would be allocated whole), then
        # whatever it grew by while being read, a chunk at a time, up to the limit.
        data = handle.read(status.st_size + 1)
        while len(data) <= limits.file_size:
            more = handle.read(min(_CHUNK, limits.file_size + 1 - len(data)))
            if not more:
                break
            data += more
    if len(data) > limits.file_size:
        raise over_limit(path, "grew while it was read", "file_size", limits)
    return data
