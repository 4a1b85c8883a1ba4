"""Which paths are readable regular files, and reading one within the file-size limit, with
its SHA-256.

A device (`/dev/zero`), a named pipe, a socket, a dangling link or a link loop is named and
skipped without ever being opened: reading one would never end or would block forever.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
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


# Files this large are read ahead (read_ahead.py) and side by side (side_by_side.py):
# below it a file is mostly Python's work (5,000 one-row exports took 4.2 s in two threads,
# 2.6 s in one).
LARGE_BYTES = 4 << 20


def large_file(path: Path) -> bool:
    """A regular file of `LARGE_BYTES` or more (a device or a pipe never is: reading it is
    what refuses it, with its sentence)."""
    try:
        status = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(status.st_mode) and status.st_size >= LARGE_BYTES


_CHUNK = 1 << 20
# A file this large is hashed beside its reading, from the file: hashing the bytes read
# would take a processor from the parser (1.2 s of a 1.45 GB file's). Smaller ones are
# hashed from the bytes, which costs less than a thread.
_HASHED_BESIDE = 1 << 20


@dataclass(frozen=True)
class _Hashed:
    sha256: str
    size: int  # the bytes hashed
    stood: tuple[int, int] | None  # the file's size and time of change, if they held


@dataclass(frozen=True)
class Contents:
    """A file's bytes, as read, and their SHA-256 (`sha256()`)."""

    data: bytes
    stood: tuple[int, int] | None  # the file's size and time of change, if they held
    hashed: Future[_Hashed] | None = None

    def sha256(self) -> str:
        """The hash of the file hashed beside the reading, if the file stood still for both
        (the same size and time of change before and after each, and as many bytes); else,
        or if it was not hashed beside, the hash of the bytes read."""
        if self.hashed is not None:
            hashed = self.hashed.result()
            if self.stood is not None and (hashed.size, hashed.stood) == (
                len(self.data),
                self.stood,
            ):
                return hashed.sha256
        return hashlib.sha256(self.data).hexdigest()


def read_regular(path: Path, limits: Limits) -> Contents:
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
        hashed = _hashed_beside(handle.fileno(), status)
        # Read what the file holds (a buffer of the limit would be allocated whole), then
        # whatever it grew by while being read, a chunk at a time, up to the limit.
        data = handle.read(status.st_size + 1)
        while len(data) <= limits.file_size:
            more = handle.read(min(_CHUNK, limits.file_size + 1 - len(data)))
            if not more:
                break
            data += more
        after = os.fstat(handle.fileno())
    if len(data) > limits.file_size:
        raise over_limit(path, "grew while it was read", "file_size", limits)
    return Contents(data, _stood(status, after), hashed)


def _stood(before: os.stat_result, after: os.stat_result) -> tuple[int, int] | None:
    """The file's size and time of change, if neither changed in between."""
    size_and_time = (before.st_size, before.st_mtime_ns)
    return size_and_time if size_and_time == (after.st_size, after.st_mtime_ns) else None


def _hashed_beside(descriptor: int, status: os.stat_result) -> Future[_Hashed] | None:
    """The file hashed in a thread of its own, by positioned reads of a descriptor of its
    own (the reading's position is left alone); None where that cannot be (Windows has
    no positioned reads) or does not pay."""
    if status.st_size < _HASHED_BESIDE or not hasattr(os, "preadv"):
        return None
    own = os.dup(descriptor)
    pool = ThreadPoolExecutor(max_workers=1)
    hashed = pool.submit(_hash, own, status)
    pool.shutdown(wait=False)  # the hash goes on; the pool takes no more work
    return hashed


def _hash(descriptor: int, status: os.stat_result) -> _Hashed:
    try:
        digest = hashlib.sha256()
        chunk = bytearray(_CHUNK)
        view = memoryview(chunk)
        size = 0
        # Up to one byte past what the file held: more is a file that grew (not used).
        while size <= status.st_size and (count := os.preadv(descriptor, [chunk], size)):
            digest.update(view[:count])
            size += count
        after = os.fstat(descriptor)
    finally:
        os.close(descriptor)
    return _Hashed(digest.hexdigest(), size, _stood(status, after))
